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

// The dense grid stored as 4 x 4 tiles of cells, one 64-byte cache line each: the cells a point
// and its neighbours touch are then a line or two, where a row-major grid of 800 x 800 cells
// (2.6 MB, more than the cache) needs one line per row.
class TiledGrid {
 public:
  explicit TiledGrid(int side) : tiles_per_row_((side + 3) / 4) {}
  std::size_t Size() const { return std::size_t(tiles_per_row_) * tiles_per_row_ * 16; }
  std::size_t Index(int ix, int iy) const {
    return (std::size_t(iy >> 2) * tiles_per_row_ + (ix >> 2)) * 16 + (iy & 3) * 4 + (ix & 3);
  }
  // The inverse of Index.
  void Cell(std::size_t index, int* ix, int* iy) const {
    const int tile = static_cast<int>(index >> 4), within = static_cast<int>(index & 15);
    *ix = (tile % tiles_per_row_) * 4 + (within & 3);
    *iy = (tile / tiles_per_row_) * 4 + (within >> 2);
  }

 private:
  int tiles_per_row_;
};

}  // namespace

Clusters ClusterPoints(const std::vector<Eigen::Vector3f>& points, const std::vector<int>& indices,
                       const GroundSegmentation& ground, const proto::ClusterOptions& options) {
  const double cell = options.cell_m();
  const int side = std::max(1, static_cast<int>(std::ceil(2 * options.grid_half_size_m() / cell)));
  const double origin_x = ground.sensor_xy.x() - options.grid_half_size_m();
  const double origin_y = ground.sensor_xy.y() - options.grid_half_size_m();
  const TiledGrid layout(side);

  // The dense grid maps a cell to its occupied-cell number. It is large (side^2 ints), so each
  // thread keeps one and clears only the cells it touched: perception stays allocation-light and
  // thread-safe when frames run in parallel.
  thread_local std::vector<int> thread_grid;
  std::vector<int>& grid = thread_grid;
  if (grid.size() != layout.Size()) grid.assign(layout.Size(), -1);

  // 1. The candidate points (in the grid, not too high) and their grid slots, then the occupied
  // cells in order of first use. Two passes: the second's reads of the grid, which is larger than
  // the cache, are then prefetched a few candidates ahead from a plain array.
  std::vector<int> candidate;               // point index
  std::vector<std::uint32_t> candidate_at;  // its slot in `grid`
  candidate.reserve(indices.size());
  candidate_at.reserve(indices.size());
  const float inv_cell = static_cast<float>(1 / cell);
  const float max_height = FloatAtMost(options.max_height_above_ground_m());
  for (const int i : indices) {
    const Eigen::Vector3f& p = points[i];
    const int ix = static_cast<int>((p.x() - origin_x) * inv_cell);
    const int iy = static_cast<int>((p.y() - origin_y) * inv_cell);
    if (ix < 0 || iy < 0 || ix >= side || iy >= side) continue;
    if (p.z() - ground.HeightUnderPoint(i) > max_height) continue;
    candidate.push_back(i);
    candidate_at.push_back(static_cast<std::uint32_t>(layout.Index(ix, iy)));
  }
  std::vector<std::uint32_t> occupied;  // grid slot of each occupied cell
  std::vector<int> cell_points;         // candidate points in each occupied cell
  std::vector<int> candidate_cell;      // occupied-cell number of each candidate
  candidate_cell.resize(candidate.size());
  constexpr std::size_t kAhead = 16;
  for (std::size_t k = 0; k < candidate.size(); ++k) {
    if (k + kAhead < candidate.size()) __builtin_prefetch(&grid[candidate_at[k + kAhead]], 1);
    int& slot = grid[candidate_at[k]];
    if (slot < 0) {
      slot = static_cast<int>(occupied.size());
      occupied.push_back(candidate_at[k]);
      cell_points.push_back(0);
    }
    ++cell_points[slot];
    candidate_cell[k] = slot;
  }

  // 2. Connected components of occupied cells within `neighbour_cells` of each other.
  std::vector<int> parent(occupied.size());
  std::iota(parent.begin(), parent.end(), 0);
  const int reach = std::max(1, options.neighbour_cells());
  for (std::size_t c = 0; c < occupied.size(); ++c) {
    int ix, iy;
    layout.Cell(occupied[c], &ix, &iy);
    for (int dy = 0; dy <= reach; ++dy) {
      for (int dx = -reach; dx <= reach; ++dx) {
        if (dy == 0 && dx <= 0) continue;  // each pair once: the forward half of the neighbourhood
        const int nx = ix + dx, ny = iy + dy;
        if (nx < 0 || ny >= side || nx >= side) continue;
        const int other = grid[layout.Index(nx, ny)];
        if (other >= 0) Union(parent, static_cast<int>(c), other);
      }
    }
  }
  for (const std::uint32_t at : occupied) grid[at] = -1;  // clean for the next scan

  // 3. Each cell's root: a parent is always a smaller number than its child (unions and path
  // halving only ever point to smaller roots and ancestors), so one pass in increasing order
  // resolves every cell. Number the components in order of their root, drop the small ones.
  std::vector<int> count(occupied.size(), 0);
  for (std::size_t c = 0; c < occupied.size(); ++c) {
    if (parent[c] != static_cast<int>(c)) parent[c] = parent[parent[c]];
    count[parent[c]] += cell_points[c];
  }
  std::vector<int> cluster_of_cell(occupied.size(), -1);
  Clusters out;
  out.begin.push_back(0);
  for (std::size_t c = 0; c < occupied.size(); ++c) {
    const int root = parent[c];
    if (root == static_cast<int>(c) && count[root] >= options.min_points()) {
      cluster_of_cell[c] = out.size();
      out.begin.push_back(out.begin.back() + count[root]);
    } else if (root != static_cast<int>(c)) {
      cluster_of_cell[c] = cluster_of_cell[root];
    }
  }
  // 4. Counting sort of the points into their clusters (stable: point order within a cluster).
  out.point_indices.resize(out.begin.back());
  std::vector<int> cursor(out.begin.begin(), out.begin.end() - 1);
  for (std::size_t k = 0; k < candidate.size(); ++k) {
    const int cluster = cluster_of_cell[candidate_cell[k]];
    if (cluster >= 0) out.point_indices[cursor[cluster]++] = candidate[k];
  }
  return out;
}

}  // namespace longtail::pipeline
