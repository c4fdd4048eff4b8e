#include "pipeline/frame_history.h"

#include <gtest/gtest.h>

#include <vector>

namespace longtail::pipeline {
namespace {

FrameResult Frame(std::int64_t index) {
  FrameResult frame;
  frame.index = index;
  frame.tracks.resize(static_cast<std::size_t>(index % 3));  // something to move along
  return frame;
}

std::vector<std::int64_t> Indices(const FrameHistory& history) {
  std::vector<std::int64_t> indices;
  for (const FrameResult& frame : history.frames()) indices.push_back(frame.index);
  return indices;
}

TEST(FrameHistory, StartsEmpty) {
  const FrameHistory history;
  EXPECT_TRUE(history.empty());
  EXPECT_EQ(history.size(), 0u);
  EXPECT_TRUE(history.frames().empty());
  EXPECT_EQ(history.stored(), 0u);
}

TEST(FrameHistory, KeepsFramesOldestFirstAcrossPushesAndPops) {
  FrameHistory history;
  for (std::int64_t i = 0; i < 10; ++i) history.push_back(Frame(i));
  for (int i = 0; i < 3; ++i) history.pop_front();
  for (std::int64_t i = 10; i < 13; ++i) history.push_back(Frame(i));
  EXPECT_EQ(Indices(history), (std::vector<std::int64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(history.size(), 10u);
  EXPECT_EQ(history.front().index, 3);
  EXPECT_EQ(history.back().index, 12);
  EXPECT_EQ(history[4].index, 7);
  EXPECT_EQ(history[4].tracks.size(), 1u);  // moved whole, not just its index
}

TEST(FrameHistory, CompactsOnceHalfIsDroppedAndKeepsTheOrder) {
  FrameHistory history;
  for (std::int64_t i = 0; i < 8; ++i) history.push_back(Frame(i));
  for (int i = 0; i < 3; ++i) history.pop_front();
  EXPECT_EQ(history.stored(), 8u);  // 3 dropped slots, 5 live: not compacted yet
  history.pop_front();              // 4 dropped, 4 live: compacted
  EXPECT_EQ(history.stored(), 4u);
  EXPECT_EQ(Indices(history), (std::vector<std::int64_t>{4, 5, 6, 7}));
  EXPECT_EQ(history[0].tracks.size(), 1u);
  EXPECT_EQ(history[2].tracks.size(), 0u);
}

TEST(FrameHistory, StorageStaysBelowTwiceTheLiveFramesWhileSliding) {
  // The runner's pattern: one frame in, the frames no longer needed out, over a long log.
  FrameHistory history;
  std::int64_t oldest = 0;
  for (std::int64_t i = 0; i < 1000; ++i) {
    history.push_back(Frame(i));
    const std::int64_t keep = 1 + i % 7;  // a window that grows and shrinks
    while (static_cast<std::int64_t>(history.size()) > keep) {
      history.pop_front();
      ++oldest;
      ASSERT_LT(history.stored(), 2 * history.size()) << "after frame " << i;
    }
    ASSERT_EQ(history.front().index, oldest);
    ASSERT_EQ(history.back().index, i);
    ASSERT_EQ(Indices(history).size(), history.size());
    for (std::size_t k = 0; k < history.size(); ++k) {
      ASSERT_EQ(history[k].index, oldest + static_cast<std::int64_t>(k));
    }
  }
}

TEST(FrameHistory, PoppingTheLastFrameFreesTheStorage) {
  FrameHistory history;
  history.push_back(Frame(0));
  history.push_back(Frame(1));
  history.pop_front();
  history.pop_front();
  EXPECT_TRUE(history.empty());
  EXPECT_EQ(history.stored(), 0u);
  history.push_back(Frame(2));
  EXPECT_EQ(Indices(history), (std::vector<std::int64_t>{2}));
}

TEST(FrameHistory, ClearDropsEverything) {
  FrameHistory history;
  for (std::int64_t i = 0; i < 5; ++i) history.push_back(Frame(i));
  history.pop_front();
  history.clear();
  EXPECT_TRUE(history.empty());
  EXPECT_EQ(history.stored(), 0u);
  EXPECT_TRUE(history.frames().empty());
}

}  // namespace
}  // namespace longtail::pipeline
