// Damaged and unusual ROS logs: truncated and corrupt ROS 1 bags (the real Luminar bag and
// hand-made ones with bz2 and uncompressed chunks, no index), truncated ROS 2 MCAP, rosbag2 .db3
// files with bad rows, unknown types and a tf tree with no path to the lidar. Each must end,
// report what it lost with the file and offset, and return the rest.
#include <bzlib.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "sensors/log_reader.h"
#include "tests/sensors/ros/message_writer.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;
using ros::testing::Bytes;
using ros::testing::MessageWriter;

Bytes ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}
fs::path WriteBytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

struct ReadBack {
  LogInfo info;
  std::vector<std::size_t> points;
  std::vector<DataIssue> issues;
};
ReadBack ReadAll(const fs::path& path) {
  IssueLog issues;
  ReadBack out;
  auto reader = OpenLog(path.string(), issues);
  while (auto frame = reader->Next()) out.points.push_back(frame->lidar.points.size());
  out.info = reader->info();
  out.issues = issues.issues();
  return out;
}
bool HasNote(const LogInfo& info, const std::string& text) {
  for (const std::string& note : info.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

// --- ROS 1 bags built by hand --------------------------------------------------------------

void Append(Bytes* out, const Bytes& more) { out->insert(out->end(), more.begin(), more.end()); }
template <typename T>
Bytes Le(T value) {
  Bytes raw(sizeof(T));
  std::memcpy(raw.data(), &value, sizeof(T));
  return raw;
}
Bytes Field(const std::string& name, const Bytes& value) {
  Bytes out = Le<std::uint32_t>(static_cast<std::uint32_t>(name.size() + 1 + value.size()));
  Append(&out, Bytes(name.begin(), name.end()));
  out.push_back('=');
  Append(&out, value);
  return out;
}
Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes Record(const std::vector<Bytes>& fields, const Bytes& data) {
  Bytes header;
  for (const Bytes& f : fields) Append(&header, f);
  Bytes out = Le<std::uint32_t>(static_cast<std::uint32_t>(header.size()));
  Append(&out, header);
  Append(&out, Le<std::uint32_t>(static_cast<std::uint32_t>(data.size())));
  Append(&out, data);
  return out;
}
Bytes ConnectionRecord() {
  Bytes data;
  for (const Bytes& f :
       {Field("topic", Text("/points")), Field("type", Text("sensor_msgs/PointCloud2")),
        Field("md5sum", Text("1158d486dd51d683ce2f1be655c3c181")),
        Field("message_definition", Text(ros::testing::kRos1PointCloud2Definition))}) {
    Append(&data, f);
  }
  return Record(
      {Field("op", {0x07}), Field("conn", Le<std::uint32_t>(0)), Field("topic", Text("/points"))},
      data);
}
Bytes MessageRecord(std::uint32_t sec, const Bytes& message) {
  return Record({Field("op", {0x02}), Field("conn", Le<std::uint32_t>(0)),
                 Field("time", Le<std::uint64_t>(sec))},
                message);
}
Bytes Chunk(const std::string& compression, const Bytes& inner) {
  Bytes data = inner;
  if (compression == "bz2") {
    data.resize(inner.size() + inner.size() / 100 + 600);
    auto length = static_cast<unsigned int>(data.size());
    EXPECT_EQ(
        BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(data.data()), &length,
                                 const_cast<char*>(reinterpret_cast<const char*>(inner.data())),
                                 static_cast<unsigned int>(inner.size()), 9, 0, 0),
        BZ_OK);
    data.resize(length);
  }
  return Record({Field("op", {0x05}), Field("compression", Text(compression)),
                 Field("size", Le<std::uint32_t>(static_cast<std::uint32_t>(inner.size())))},
                data);
}
// A bag without index records: what a recorder killed before closing leaves.
Bytes HandMadeBag() {
  const std::string magic = "#ROSBAG V2.0\n";
  Bytes bag(magic.begin(), magic.end());
  Append(&bag, Record({Field("op", {0x03}), Field("index_pos", Le<std::uint64_t>(0)),
                       Field("conn_count", Le<std::uint32_t>(0)),
                       Field("chunk_count", Le<std::uint32_t>(0))},
                      Bytes(64, ' ')));
  Bytes first = ConnectionRecord();
  Append(&first,
         MessageRecord(
             100, MessageWriter(false).Cloud(100, "lidar", {{1, 2, 3, 4}, {5, 6, 7, 8}}).bytes));
  Append(&bag, Chunk("bz2", first));
  // rosbag repeats a connection record in every chunk that holds the connection's messages.
  Bytes second = ConnectionRecord();
  Append(&second,
         MessageRecord(101, MessageWriter(false).Cloud(101, "lidar", {{1, 1, 1, 0}}).bytes));
  Append(&bag, Chunk("none", second));
  return bag;
}

TEST(Ros1BagDamage, UnindexedBagWithBz2AndUncompressedChunksIsReadByAFullScan) {
  const ReadBack log = ReadAll(WriteBytes(testing::ScratchDir() / "hand.bag", HandMadeBag()));
  EXPECT_EQ(log.info.format, "ros1-bag");
  EXPECT_TRUE(log.issues.empty()) << ToString(log.issues.front());
  EXPECT_EQ(log.points, (std::vector<std::size_t>{2, 1}));
  EXPECT_TRUE(HasNote(log.info, "no index for 2 of 2 chunks"));
}

TEST(Ros1BagDamage, CorruptBz2ChunkIsReportedAtItsOffsetAndTheNextChunkStillRead) {
  Bytes bag = HandMadeBag();
  // The bz2 stream starts with "BZh9"; break a byte well inside it.
  const std::string bzh = "BZh9";
  const auto at = std::search(bag.begin(), bag.end(), bzh.begin(), bzh.end());
  ASSERT_NE(at, bag.end());
  at[40] ^= 0xFF;
  const ReadBack log = ReadAll(WriteBytes(testing::ScratchDir() / "bad.bag", bag));
  EXPECT_EQ(log.points, (std::vector<std::size_t>{1}));
  ASSERT_FALSE(log.issues.empty());
  EXPECT_NE(log.issues.front().reason.find("fails to decompress"), std::string::npos);
  EXPECT_GT(log.issues.front().offset, 13u);
  EXPECT_NE(log.issues.front().file.find("bad.bag"), std::string::npos);
}

TEST(Ros1BagDamage, UnknownCompressionAndAbsurdChunkSizeAreSkipped) {
  Bytes bag = HandMadeBag();
  const std::string name = "compression=bz2";
  auto at = std::search(bag.begin(), bag.end(), name.begin(), name.end());
  ASSERT_NE(at, bag.end());
  std::copy_n("xz2", 3, at + 12);
  const ReadBack log = ReadAll(WriteBytes(testing::ScratchDir() / "xz.bag", bag));
  EXPECT_EQ(log.points, (std::vector<std::size_t>{1}));
  ASSERT_EQ(log.issues.size(), 1u);
  EXPECT_NE(log.issues.front().reason.find("unknown chunk compression 'xz2'"), std::string::npos);
}

TEST(Ros1BagDamage, TruncatedLuminarBagKeepsTheScansBeforeTheCut) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/ros1-bag-luminar");
  const Bytes full = ReadBytes(dir / "test.bag");
  std::size_t previous = 0;
  for (std::size_t cut : {std::size_t{13}, std::size_t{5000}, full.size() / 4, full.size() / 2,
                          full.size() * 3 / 4, full.size() - 100}) {
    const fs::path path = WriteBytes(testing::ScratchDir() / "cut.bag",
                                     Bytes(full.begin(), full.begin() + static_cast<long>(cut)));
    const ReadBack log = ReadAll(path);
    EXPECT_LE(log.points.size(), 5u) << "cut at " << cut;
    EXPECT_GE(log.points.size(), previous) << "cut at " << cut;
    previous = log.points.size();
    ASSERT_FALSE(log.issues.empty()) << "cut at " << cut << " went unreported";
    EXPECT_LE(log.issues.front().offset, cut);
    EXPECT_NE(log.issues.front().reason.find("truncated"), std::string::npos);
    for (std::size_t n : log.points) EXPECT_GT(n, 35000u);  // only whole scans come out
  }
  EXPECT_GE(previous, 4u);  // 100 bytes short of the end loses at most the index and one chunk
}

TEST(Ros1BagDamage, CorruptLz4ChunkInTheLuminarBag) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/ros1-bag-luminar");
  Bytes bag = ReadBytes(dir / "test.bag");
  // Chunks are records with op=0x05 and compression=lz4; break the LZ4 data of the third one.
  const std::string marker = "compression=lz4";
  auto at = bag.begin();
  for (int i = 0; i < 3; ++i) {
    at = std::search(at + 1, bag.end(), marker.begin(), marker.end());
    ASSERT_NE(at, bag.end());
  }
  for (int i = 0; i < 64; ++i) at[200 + i * 97] ^= 0x5A;
  const ReadBack log = ReadAll(WriteBytes(testing::ScratchDir() / "lz4.bag", bag));
  EXPECT_LT(log.points.size(), 5u);
  EXPECT_GE(log.points.size(), 3u);
  bool reported = false;
  for (const DataIssue& issue : log.issues) {
    reported = reported || issue.reason.find("(lz4) fails to decompress") != std::string::npos;
  }
  EXPECT_TRUE(reported);
}

// --- ROS 2 MCAP ------------------------------------------------------------------------------

TEST(McapRosDamage, TruncatedOusterMcapReportsAndKeepsWholeScans) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/mcap-ros2-ouster");
  const Bytes full = ReadBytes(dir / "pointcloudset_os1_ros2_0.mcap");
  for (std::size_t cut : {full.size() / 3, full.size() * 2 / 3, full.size() - 50}) {
    const fs::path path = WriteBytes(testing::ScratchDir() / "cut.mcap",
                                     Bytes(full.begin(), full.begin() + static_cast<long>(cut)));
    const ReadBack log = ReadAll(path);
    EXPECT_EQ(log.info.format, "mcap-ros2");
    EXPECT_LE(log.points.size(), 2u);
    ASSERT_FALSE(log.issues.empty()) << "cut at " << cut;
    EXPECT_LE(log.issues.front().offset, cut);
    for (std::size_t n : log.points) EXPECT_TRUE(n == 45716u || n == 45809u) << n;
  }
}

// --- rosbag2 .db3 built with SQLite ----------------------------------------------------------

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
}
void Insert(sqlite3* db, int topic, std::int64_t time, const Bytes& data) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO messages(topic_id, timestamp, data) VALUES (?, ?, ?)", -1,
                     &stmt, nullptr);
  sqlite3_bind_int(stmt, 1, topic);
  sqlite3_bind_int64(stmt, 2, time);
  sqlite3_bind_blob(stmt, 3, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
}
// The table layout of the genuine Humble bag in ../shared/data/ros-logs (schema_version 3).
fs::path MakeDb3(const fs::path& dir, int clouds) {
  fs::create_directories(dir);
  const fs::path path = dir / "bag_0.db3";
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Exec(db,
       "CREATE TABLE schema(schema_version INTEGER PRIMARY KEY,ros_distro TEXT NOT NULL);"
       "INSERT INTO schema VALUES (3, 'humble');"
       "CREATE TABLE metadata(id INTEGER PRIMARY KEY,metadata_version INTEGER NOT NULL,"
       "metadata TEXT NOT NULL);"
       "CREATE TABLE topics(id INTEGER PRIMARY KEY,name TEXT NOT NULL,type TEXT NOT NULL,"
       "serialization_format TEXT NOT NULL,offered_qos_profiles TEXT NOT NULL);"
       "CREATE TABLE messages(id INTEGER PRIMARY KEY,topic_id INTEGER NOT NULL,"
       "timestamp INTEGER NOT NULL, data BLOB NOT NULL);"
       "CREATE INDEX timestamp_idx ON messages (timestamp ASC);"
       "INSERT INTO topics VALUES (1, '/points', 'sensor_msgs/msg/PointCloud2', 'cdr', '');"
       "INSERT INTO topics VALUES (2, '/tf_static', 'tf2_msgs/msg/TFMessage', 'cdr', '');"
       "INSERT INTO topics VALUES (3, '/weird', 'my_msgs/msg/Weird', 'cdr', '');");
  Exec(db, "BEGIN");
  // A static transform between two frames, neither of them the lidar's.
  MessageWriter tf(true);
  tf.Put<std::uint32_t>(1).Header(1, 0, "base_link").String("camera");
  for (double v : {1., 0., 0., 0., 0., 0., 1.}) tf.Put<double>(v);
  Insert(db, 2, 1'000'000'000, tf.bytes);
  for (int i = 0; i < clouds; ++i) {
    std::vector<std::vector<float>> points(200, {1.f, 2.f, 3.f, 0.5f});
    points[0] = {0.f, 0.f, 0.f, 0.f};  // no return
    Insert(db, 1, 1'000'000'000 + std::int64_t{i} * 100'000'000,
           MessageWriter(true).Cloud(1, "lidar", points).bytes);
    Insert(db, 3, 1'000'000'000 + std::int64_t{i} * 100'000'000, Bytes{1, 2, 3});
  }
  Exec(db, "COMMIT");
  sqlite3_close(db);
  return path;
}

TEST(Rosbag2Db3Damage, StandardDefinitionsDecodeCloudsWithoutASchemaInTheFile) {
  const fs::path dir = testing::ScratchDir() / "bag";
  MakeDb3(dir, 3);
  const ReadBack log = ReadAll(dir);
  EXPECT_EQ(log.info.format, "rosbag2-db3");
  EXPECT_TRUE(log.issues.empty());
  EXPECT_EQ(log.points, (std::vector<std::size_t>{199, 199, 199}));
  EXPECT_TRUE(HasNote(log.info, "no tf path from base_link to the lidar frame lidar"));
  EXPECT_TRUE(HasNote(log.info, "topic /weird (my_msgs/Weird): not a type longtail decodes"));
  EXPECT_TRUE(HasNote(log.info, "3 invalid points"));
}

TEST(Rosbag2Db3Damage, CorruptMessageIsReportedAndSkipped) {
  const fs::path dir = testing::ScratchDir() / "bag";
  const fs::path path = MakeDb3(dir, 3);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // Cut the second cloud's CDR in half.
  Exec(db,
       "UPDATE messages SET data = substr(data, 1, length(data) / 2) WHERE topic_id = 1 AND "
       "timestamp = 1100000000");
  sqlite3_close(db);
  const ReadBack log = ReadAll(dir);
  EXPECT_EQ(log.points.size(), 2u);
  ASSERT_EQ(log.issues.size(), 1u);
  EXPECT_NE(log.issues.front().reason.find("topic /points, message at log_time 1100000000"),
            std::string::npos)
      << log.issues.front().reason;
  EXPECT_NE(log.issues.front().file.find("bag"), std::string::npos);
}

TEST(Rosbag2Db3Damage, TwoCloudTopicsNeedALidarTopicChoice) {
  const fs::path dir = testing::ScratchDir() / "bag";
  const fs::path path = MakeDb3(dir, 2);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Exec(db,
       "INSERT INTO topics VALUES (4, '/front/points', 'sensor_msgs/msg/PointCloud2', 'cdr', '')");
  Insert(db, 4, 1'050'000'000, MessageWriter(true).Cloud(1, "front", {{1, 2, 3, 4}}).bytes);
  sqlite3_close(db);

  const ReadBack ambiguous = ReadAll(dir);
  EXPECT_TRUE(ambiguous.points.empty());
  EXPECT_TRUE(HasNote(ambiguous.info, "several PointCloud2 topics (/front/points, /points)"));

  IssueLog issues;
  LogOpenOptions options;
  options.lidar_topic = "/front/points";
  auto reader = OpenLog(dir.string(), issues, options);
  std::vector<std::size_t> points;
  while (auto frame = reader->Next()) points.push_back(frame->lidar.points.size());
  EXPECT_EQ(points, (std::vector<std::size_t>{1}));

  options.lidar_topic = "/nope";
  EXPECT_THROW(OpenLog(dir.string(), issues, options), LogError);
}

TEST(Rosbag2Db3Damage, TruncatedDatabaseIsReportedNotFatal) {
  const fs::path dir = testing::ScratchDir() / "bag";
  const fs::path path = MakeDb3(dir, 400);
  const Bytes full = ReadBytes(path);
  WriteBytes(path, Bytes(full.begin(), full.begin() + static_cast<long>(full.size() / 2)));
  IssueLog issues;
  std::size_t frames = 0;
  try {
    auto reader = OpenLog(dir.string(), issues);
    while (auto frame = reader->Next()) {
      if (++frames > 2000) {
        ADD_FAILURE() << "reader does not end; frame " << frame->index << " at "
                      << ToNanos(frame->lidar.stamp);
        break;
      }
    }
    EXPECT_LT(frames, 400u);
    EXPECT_GE(issues.count(), 1u);
  } catch (const LogError& e) {
    // SQLite may refuse the file outright: then the error names it.
    EXPECT_NE(std::string(e.what()).find("bag_0.db3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace longtail::sensors
