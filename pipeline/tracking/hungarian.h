// The Hungarian (Kuhn-Munkres) algorithm for rectangular assignment problems, O(n^2 m).
#pragma once

#include <Eigen/Core>
#include <vector>

namespace longtail::pipeline {

// Minimum-cost assignment of rows to columns of `cost` (rows x cols, any shape, finite entries).
// Returns, per row, its column or -1 when there are more rows than columns and the row is left out.
std::vector<int> SolveAssignment(const Eigen::MatrixXd& cost);

}  // namespace longtail::pipeline
