#include "pipeline/perception/clustering.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace longtail::pipeline {
namespace {

// Union-find with path halving; indices are occupied-cell numbers.
int Find(std::vector<int>& parent, int i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

void Union(std::vector<int>& parent, int a, int b) {
  a = Find(parent, a);
  b = Find(parent, b);
  // The smaller root wins, so labels do not depend on the order unions are made in.
  if (a < b) parent[b] = a;
  if (b < a) parent[a] = b;
}

}  // namespace

Clusters ClusterPoints(const std::vector<Eigen::Vector3f>& points, const GroundSegmentation& ground,
                       const proto::ClusterOptions& options,
                       const std::vector<std::uint8_t>* left_out) {
  const std::vector<std::uint8_t>& skip = left_out != nullptr ? *left_out : ground.is_ground;
  const double cell = options.cell_m();
  const int side = std::max(1, static_cast<int>(std::ceil(2 * options.grid_half_size_m() / cell)));
  const double origin_x = ground.sensor_xy.x() - options.grid_half_size_m();
  const double origin_y = ground.sensor_xy.y() - options.grid_half_size_m();

  // The dense grid maps a cell to its occupied-cell number. It is large (side^2 ints), so each
  // thread keeps one and clears only the cells it touched: perception stays allocation-light and
  // thread-safe when frames run in parallel.
  thread_local std::vector<int> grid;
  if (grid.size() != static_cast<std::size_t>(side) * side)
    grid.assign(std::size_t(side) * side, -1);

  // 1. Occupied cells, and each candidate point's cell number.
  std::vector<int> occupied;        // grid index of each occupied cell
  std::vector<int> candidate;       // point index
  std::vector<int> candidate_cell;  // occupied-cell number of each candidate
  candidate.reserve(points.size() / 2);
  candidate_cell.reserve(points.size() / 2);
  const float inv_cell = static_cast<float>(1 / cell);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (skip[i]) continue;
    const Eigen::Vector3f& p = points[i];
    const int ix = static_cast<int>((p.x() - origin_x) * inv_cell);
    const int iy = static_cast<int>((p.y() - origin_y) * inv_cell);
    if (ix < 0 || iy < 0 || ix >= side || iy >= side) continue;
    if (p.z() - ground.HeightUnderPoint(i) > options.max_height_above_ground_m()) continue;
    int& slot = grid[std::size_t(iy) * side + ix];
    if (slot < 0) {
      slot = static_cast<int>(occupied.size());
      occupied.push_back(iy * side + ix);
    }
    candidate.push_back(static_cast<int>(i));
    candidate_cell.push_back(slot);
  }

  // 2. Connected components of occupied cells within `neighbour_cells` of each other.
  std::vector<int> parent(occupied.size());
  std::iota(parent.begin(), parent.end(), 0);
  const int reach = std::max(1, options.neighbour_cells());
  for (std::size_t c = 0; c < occupied.size(); ++c) {
    const int ix = occupied[c] % side, iy = occupied[c] / side;
    for (int dy = 0; dy <= reach; ++dy) {
      for (int dx = -reach; dx <= reach; ++dx) {
        if (dy == 0 && dx <= 0) continue;  // each pair once: the forward half of the neighbourhood
        const int nx = ix + dx, ny = iy + dy;
        if (nx < 0 || ny >= side || nx >= side) continue;
        const int other = grid[std::size_t(ny) * side + nx];
        if (other >= 0) Union(parent, static_cast<int>(c), other);
      }
    }
  }
  for (int g : occupied) grid[g] = -1;  // leave the grid clean for the next scan on this thread

  // 3. Number the components in order of their root, count points, drop the small ones.
  std::vector<int> count(occupied.size(), 0);
  for (int c : candidate_cell) ++count[Find(parent, c)];
  std::vector<int> cluster_of_root(occupied.size(), -1);
  Clusters out;
  out.begin.push_back(0);
  for (std::size_t root = 0; root < occupied.size(); ++root) {
    if (parent[root] != static_cast<int>(root) || count[root] < options.min_points()) continue;
    cluster_of_root[root] = out.size();
    out.begin.push_back(out.begin.back() + count[root]);
  }
  // 4. Counting sort of the points into their clusters (stable: point order within a cluster).
  out.point_indices.resize(out.begin.back());
  std::vector<int> cursor(out.begin.begin(), out.begin.end() - 1);
  for (std::size_t k = 0; k < candidate.size(); ++k) {
    const int cluster = cluster_of_root[Find(parent, candidate_cell[k])];
    if (cluster >= 0) out.point_indices[cursor[cluster]++] = candidate[k];
  }
  return out;
}

}  // namespace longtail::pipeline
