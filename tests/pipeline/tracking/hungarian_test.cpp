#include "pipeline/tracking/hungarian.h"

#include <gtest/gtest.h>

#include <vector>

namespace longtail::pipeline {
namespace {

TEST(SolveAssignment, FindsTheMinimumCostMatching) {
  Eigen::MatrixXd cost(3, 3);
  cost << 4, 1, 3,  //
      2, 0, 5,      //
      3, 2, 2;
  EXPECT_EQ(SolveAssignment(cost), (std::vector<int>{1, 0, 2}));  // 1 + 2 + 2 = 5
}

TEST(SolveAssignment, HandlesMoreRowsOrMoreColumns) {
  Eigen::MatrixXd wide(2, 3);
  wide << 5, 1, 9,  //
      1, 5, 9;
  EXPECT_EQ(SolveAssignment(wide), (std::vector<int>{1, 0}));
  Eigen::MatrixXd tall(3, 2);
  tall << 9, 9,  //
      1, 5,      //
      5, 1;
  EXPECT_EQ(SolveAssignment(tall), (std::vector<int>{-1, 0, 1}));
  EXPECT_TRUE(SolveAssignment(Eigen::MatrixXd(0, 0)).empty());
}

TEST(SolveAssignment, LeavesOutEveryRowWhenThereAreNoColumns) {
  EXPECT_EQ(SolveAssignment(Eigen::MatrixXd(3, 0)), (std::vector<int>{-1, -1, -1}));
  EXPECT_TRUE(SolveAssignment(Eigen::MatrixXd(0, 4)).empty());
}

}  // namespace
}  // namespace longtail::pipeline
