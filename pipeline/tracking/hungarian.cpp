#include "pipeline/tracking/hungarian.h"

#include <limits>

namespace longtail::pipeline {

// Shortest augmenting paths with row and column potentials (the Jonker-Volgenant form of the
// Hungarian method): each row is added in turn and the potentials keep reduced costs non-negative.
std::vector<int> SolveAssignment(const Eigen::MatrixXd& cost) {
  const bool transpose = cost.rows() > cost.cols();
  const Eigen::MatrixXd a = transpose ? Eigen::MatrixXd(cost.transpose()) : cost;
  const int n = static_cast<int>(a.rows()), m = static_cast<int>(a.cols());  // n <= m
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // 1-based with column 0 as the virtual start, as in the textbook formulation.
  std::vector<double> u(n + 1, 0), v(m + 1, 0);
  std::vector<int> row_of_col(m + 1, 0), way(m + 1, 0);
  for (int i = 1; i <= n; ++i) {
    row_of_col[0] = i;
    int j0 = 0;
    std::vector<double> min_to(m + 1, kInf);
    std::vector<char> used(m + 1, false);
    do {
      used[j0] = true;
      const int i0 = row_of_col[j0];
      double delta = kInf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double reduced = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < min_to[j]) min_to[j] = reduced, way[j] = j0;
        if (min_to[j] < delta) delta = min_to[j], j1 = j;
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[row_of_col[j]] += delta;
          v[j] -= delta;
        } else {
          min_to[j] -= delta;
        }
      }
      j0 = j1;
    } while (row_of_col[j0] != 0);
    do {
      const int j1 = way[j0];
      row_of_col[j0] = row_of_col[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> col_of_row(n, -1);
  for (int j = 1; j <= m; ++j) {
    if (row_of_col[j] != 0) col_of_row[row_of_col[j] - 1] = j - 1;
  }
  if (!transpose) return col_of_row;
  std::vector<int> result(cost.rows(), -1);  // rows of `cost` are columns of `a`
  for (int i = 0; i < n; ++i) {
    if (col_of_row[i] >= 0) result[col_of_row[i]] = i;
  }
  return result;
}

}  // namespace longtail::pipeline
