// longtail's ROS readers against independent writers: KITTI drive 0052 (clouds, images, the
// calibration as CameraInfo and /tf_static) written as a ROS 2 MCAP with the npm packages
// @mcap/core and @foxglove/rosmsg2-serialization, and the same CDR messages as a rosbag2 .db3 by
// Debian's sqlite3 in the table layout of the genuine Humble bag in ../shared/data/ros-logs.
// Mining each must give the tasks mining the KITTI folder gives (numbers within float tolerance:
// the camera mounting goes through a quaternion in tf).
// Run by ctest (tests/js/CMakeLists.txt) with LONGTAIL_BIN set; `npm ci` must have been run.
import { McapWriter } from "@mcap/core";
import { parse } from "@foxglove/rosmsg";
import { MessageWriter } from "@foxglove/rosmsg2-serialization";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { longtail, minedTasks as mined } from "./mined_tasks.mjs";
import { test } from "node:test";

const sourceDir = process.env.LONGTAIL_SOURCE_DIR ?? path.resolve(import.meta.dirname, "../..");
const sharedData = process.env.LONGTAIL_SHARED_DATA ?? path.resolve(sourceDir, "../shared/data");
const drive = path.join(sharedData, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");

function requireData(t) {
  if (fs.existsSync(drive)) return true;
  if (process.env.CI === "true") assert.fail(`${drive} is absent`);
  t.skip(`${drive} is absent`);
  return false;
}


// The standard ROS 2 definitions (ros2msg text, dependencies after '=' lines), as rosbag2 writes
// them into MCAP schemas.
const SEP = "=".repeat(80) + "\n";
const HEADER = `${SEP}MSG: std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n` +
  `${SEP}MSG: builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n`;
const DEFINITIONS = {
  "sensor_msgs/msg/PointCloud2":
    "std_msgs/Header header\nuint32 height\nuint32 width\nPointField[] fields\nbool is_bigendian\n" +
    "uint32 point_step\nuint32 row_step\nuint8[] data\nbool is_dense\n" + HEADER +
    `${SEP}MSG: sensor_msgs/PointField\nuint8 FLOAT32 = 7\nstring name\nuint32 offset\n` +
    "uint8 datatype\nuint32 count\n",
  "sensor_msgs/msg/CompressedImage": "std_msgs/Header header\nstring format\nuint8[] data\n" + HEADER,
  "sensor_msgs/msg/CameraInfo":
    "std_msgs/Header header\nuint32 height\nuint32 width\nstring distortion_model\nfloat64[] d\n" +
    "float64[9] k\nfloat64[9] r\nfloat64[12] p\nuint32 binning_x\nuint32 binning_y\n" +
    "RegionOfInterest roi\n" + HEADER +
    `${SEP}MSG: sensor_msgs/RegionOfInterest\nuint32 x_offset\nuint32 y_offset\nuint32 height\n` +
    "uint32 width\nbool do_rectify\n",
  "tf2_msgs/msg/TFMessage":
    "geometry_msgs/TransformStamped[] transforms\n" +
    `${SEP}MSG: geometry_msgs/TransformStamped\nstd_msgs/Header header\nstring child_frame_id\n` +
    "Transform transform\n" +
    `${SEP}MSG: geometry_msgs/Transform\nVector3 translation\nQuaternion rotation\n` +
    `${SEP}MSG: geometry_msgs/Vector3\nfloat64 x\nfloat64 y\nfloat64 z\n` +
    `${SEP}MSG: geometry_msgs/Quaternion\nfloat64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1\n` +
    HEADER,
};

// KITTI's "2011-09-26 13:02:25.964389445" as a ROS Time and as nanoseconds.
function kittiStamp(line) {
  const [date, time] = line.trim().split(" ");
  const [hms, frac = "0"] = time.split(".");
  const sec = Date.parse(`${date}T${hms}Z`) / 1000;
  const nanosec = Number(frac.padEnd(9, "0").slice(0, 9));
  return { stamp: { sec, nanosec }, ns: BigInt(sec) * 1000000000n + BigInt(nanosec) };
}

function calibValues(file, key) {
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon) === key) {
      return line.slice(colon + 1).trim().split(/\s+/).map(Number);
    }
  }
  throw new Error(`${key} missing in ${file}`);
}

// Rotation matrix (row-major 3x3) to a unit quaternion (Shepperd's method).
function quaternion(m) {
  const [a, b, c, d, e, f, g, h, i] = m;
  const trace = a + e + i;
  let q;
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    q = { w: s / 4, x: (h - f) / s, y: (c - g) / s, z: (d - b) / s };
  } else if (a > e && a > i) {
    const s = Math.sqrt(1 + a - e - i) * 2;
    q = { w: (h - f) / s, x: s / 4, y: (b + d) / s, z: (c + g) / s };
  } else if (e > i) {
    const s = Math.sqrt(1 + e - a - i) * 2;
    q = { w: (c - g) / s, x: (b + d) / s, y: s / 4, z: (f + h) / s };
  } else {
    const s = Math.sqrt(1 + i - a - e) * 2;
    q = { w: (d - b) / s, x: (c + g) / s, y: (f + h) / s, z: s / 4 };
  }
  const n = Math.hypot(q.w, q.x, q.y, q.z);
  return { x: q.x / n, y: q.y / n, z: q.z / n, w: q.w / n };
}

// Every message of the drive as { topic, type, logTime (ns), data (CDR) }, in time order.
function kittiAsRos2Messages() {
  const writers = Object.fromEntries(
    Object.entries(DEFINITIONS).map(([type, text]) => [type, new MessageWriter(parse(text, { ros2: true }))]),
  );
  const messages = [];
  const add = (topic, type, ns, message) =>
    messages.push({ topic, type, logTime: ns, data: writers[type].writeMessage(message) });

  const calibDir = path.dirname(drive);
  const P = calibValues(path.join(calibDir, "calib_cam_to_cam.txt"), "P_rect_02");
  const [width, height] = calibValues(path.join(calibDir, "calib_cam_to_cam.txt"), "S_rect_02");
  const Rr = calibValues(path.join(calibDir, "calib_cam_to_cam.txt"), "R_rect_00");
  const R = calibValues(path.join(calibDir, "calib_velo_to_cam.txt"), "R");
  const T = calibValues(path.join(calibDir, "calib_velo_to_cam.txt"), "T");
  // camera_from_vehicle = R_rect_00 * [R|T] (the vehicle frame is the Velodyne's, as in KITTI);
  // tf carries its inverse, vehicle_from_camera = [A^T | -A^T b].
  const A = [], b = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) A.push(Rr[3 * r] * R[c] + Rr[3 * r + 1] * R[3 + c] + Rr[3 * r + 2] * R[6 + c]);
    b.push(Rr[3 * r] * T[0] + Rr[3 * r + 1] * T[1] + Rr[3 * r + 2] * T[2]);
  }
  const At = [A[0], A[3], A[6], A[1], A[4], A[7], A[2], A[5], A[8]];
  const t = [0, 1, 2].map((r) => -(At[3 * r] * b[0] + At[3 * r + 1] * b[1] + At[3 * r + 2] * b[2]));

  const lidarTimes = fs.readFileSync(path.join(drive, "velodyne_points/timestamps.txt"), "utf8")
    .trim().split("\n").map(kittiStamp);
  const imageTimes = fs.readFileSync(path.join(drive, "image_02/timestamps.txt"), "utf8")
    .trim().split("\n").map(kittiStamp);
  const first = lidarTimes[0].ns < imageTimes[0].ns ? lidarTimes[0] : imageTimes[0];
  add("/tf_static", "tf2_msgs/msg/TFMessage", first.ns, {
    transforms: [
      { header: { stamp: first.stamp, frame_id: "base_link" }, child_frame_id: "velodyne",
        transform: { translation: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 } } },
      { header: { stamp: first.stamp, frame_id: "base_link" }, child_frame_id: "image_02_optical",
        transform: { translation: { x: t[0], y: t[1], z: t[2] }, rotation: quaternion(At) } },
    ],
  });
  add("/image_02/camera_info", "sensor_msgs/msg/CameraInfo", first.ns, {
    header: { stamp: first.stamp, frame_id: "image_02_optical" }, height, width,
    distortion_model: "plumb_bob", d: [], k: [P[0], P[1], P[2], P[4], P[5], P[6], P[8], P[9], P[10]],
    r: [1, 0, 0, 0, 1, 0, 0, 0, 1], p: P, binning_x: 0, binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  });
  lidarTimes.forEach(({ stamp, ns }, i) => {
    const bytes = fs.readFileSync(path.join(drive, `velodyne_points/data/${String(i).padStart(10, "0")}.bin`));
    const n = bytes.length / 16;
    add("/velodyne_points", "sensor_msgs/msg/PointCloud2", ns, {
      header: { stamp, frame_id: "velodyne" }, height: 1, width: n,
      fields: ["x", "y", "z", "intensity"].map((name, k) => ({ name, offset: 4 * k, datatype: 7, count: 1 })),
      is_bigendian: false, point_step: 16, row_step: 16 * n, data: new Uint8Array(bytes), is_dense: true,
    });
  });
  imageTimes.forEach(({ stamp, ns }, i) => {
    const png = fs.readFileSync(path.join(drive, `image_02/data/${String(i).padStart(10, "0")}.png`));
    add("/image_02/image/compressed", "sensor_msgs/msg/CompressedImage", ns, {
      header: { stamp, frame_id: "image_02_optical" }, format: "png", data: new Uint8Array(png),
    });
  });
  messages.sort((x, y) => (x.logTime < y.logTime ? -1 : x.logTime > y.logTime ? 1 : 0));
  return messages;
}

async function writeRos2Mcap(file, messages) {
  const fd = fs.openSync(file, "w");
  let position = 0n;
  const writer = new McapWriter({
    writable: {
      position: () => position,
      write: async (buffer) => {
        fs.writeSync(fd, buffer);
        position += BigInt(buffer.byteLength);
      },
    },
  });
  await writer.start({ profile: "ros2", library: "@mcap/core + @foxglove/rosmsg2-serialization" });
  const channels = new Map();
  for (const m of messages) {
    if (!channels.has(m.topic)) {
      const schemaId = await writer.registerSchema({
        name: m.type, encoding: "ros2msg", data: new TextEncoder().encode(DEFINITIONS[m.type]),
      });
      channels.set(m.topic, await writer.registerChannel({
        topic: m.topic, schemaId, messageEncoding: "cdr", metadata: new Map(),
      }));
    }
  }
  let sequence = 0;
  for (const m of messages) {
    await writer.addMessage({
      channelId: channels.get(m.topic), sequence: sequence++, logTime: m.logTime,
      publishTime: m.logTime, data: m.data,
    });
  }
  await writer.end();
  fs.closeSync(fd);
}

// rosbag2's SQLite layout (schema_version 3, as the genuine Humble bag), written by sqlite3.
function writeDb3(dir, messages) {
  fs.mkdirSync(dir);
  const blobs = path.join(dir, "..", "blobs");
  fs.mkdirSync(blobs, { recursive: true });
  const topics = [...new Map(messages.map((m) => [m.topic, m.type])).entries()];
  let sql = "CREATE TABLE schema(schema_version INTEGER PRIMARY KEY,ros_distro TEXT NOT NULL);\n" +
    "INSERT INTO schema VALUES (3, 'humble');\n" +
    "CREATE TABLE metadata(id INTEGER PRIMARY KEY,metadata_version INTEGER NOT NULL,metadata TEXT NOT NULL);\n" +
    "CREATE TABLE topics(id INTEGER PRIMARY KEY,name TEXT NOT NULL,type TEXT NOT NULL," +
    "serialization_format TEXT NOT NULL,offered_qos_profiles TEXT NOT NULL);\n" +
    "CREATE TABLE messages(id INTEGER PRIMARY KEY,topic_id INTEGER NOT NULL,timestamp INTEGER NOT NULL, data BLOB NOT NULL);\n" +
    "CREATE INDEX timestamp_idx ON messages (timestamp ASC);\nBEGIN;\n";
  topics.forEach(([topic, type], i) => {
    sql += `INSERT INTO topics VALUES (${i + 1}, '${topic}', '${type}', 'cdr', '');\n`;
  });
  messages.forEach((m, i) => {
    const blob = path.join(blobs, `${i}.cdr`);
    fs.writeFileSync(blob, m.data);
    const topicId = topics.findIndex(([topic]) => topic === m.topic) + 1;
    sql += `INSERT INTO messages(topic_id, timestamp, data) VALUES (${topicId}, ${m.logTime}, readfile('${blob}'));\n`;
  });
  sql += "COMMIT;\n";
  const run = spawnSync("sqlite3", [path.join(dir, "kitti_0.db3")], { input: sql, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  fs.writeFileSync(path.join(dir, "metadata.yaml"),
    "rosbag2_bagfile_information:\n  version: 5\n  storage_identifier: sqlite3\n" +
    "  relative_file_paths:\n    - kitti_0.db3\n");
}

// The tasks mining `log` queues, and the counts that must match between copies of one drive.
function minedTasks(log, queue) {
  const { log: summary, shown } = mined(log, queue);
  const { events_by_type, frames, windows } = summary;
  return { counts: { events_by_type, frames, windows }, shown };
}

// Deep equality with numbers equal within `tolerance` (absolute, or relative for large ones).
function assertClose(actual, expected, where = "") {
  if (typeof expected === "number" && typeof actual === "number") {
    const tolerance = 1e-3 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tolerance, `${where}: ${actual} vs ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== "object") {
    assert.equal(actual, expected, where);
    return;
  }
  assert.equal(typeof actual, "object", where);
  assert.deepEqual(Object.keys(actual ?? {}).sort(), Object.keys(expected).sort(), where);
  for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], `${where}.${key}`);
}

test("KITTI 0052 as a ROS 2 MCAP and as a rosbag2 .db3 mine like the KITTI folder", async (t) => {
  if (!requireData(t)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "longtail-ros-"));
  const messages = kittiAsRos2Messages();
  const mcapFile = path.join(dir, "kitti_ros2.mcap");
  await writeRos2Mcap(mcapFile, messages);
  const bagDir = path.join(dir, "kitti_db3");
  writeDb3(bagDir, messages);

  const inspect = longtail("inspect", mcapFile, "--json");
  const info = JSON.parse(inspect.stdout);
  assert.equal(info.format, "mcap-ros2");
  assert.ok(info.notes.includes("lidar topic: /velodyne_points"), info.notes.join("\n"));
  assert.ok(info.notes.some((n) => n.startsWith("camera topic: /image_02/image/compressed with")));
  assert.equal(info.has_calibration, true);

  const fromKitti = minedTasks(drive, path.join(dir, "kitti.db"));
  assert.ok(fromKitti.shown.length > 0, "drive 0052 should flag at least one window");
  for (const [name, log] of [["mcap", mcapFile], ["db3", bagDir]]) {
    const fromRos = minedTasks(log, path.join(dir, `${name}.db`));
    assert.deepEqual(fromRos.counts, fromKitti.counts, name);
    assertClose(fromRos.shown, fromKitti.shown, name);
  }
});

// Debian's python3-rosbag (scripts/install-deps.sh --test installs it) writes the same drive as
// ROS 1 bags with bz2 and with lz4 chunks.
test("KITTI 0052 as ROS 1 bags written by python3-rosbag (bz2, lz4) mine like the KITTI folder",
  async (t) => {
    if (!requireData(t)) return;
    const python = "/usr/bin/python3";
    const probe = spawnSync(python, ["-c", "import rosbag, sensor_msgs.msg, tf2_msgs.msg"]);
    if (probe.status !== 0) {
      if (process.env.CI === "true") assert.fail("python3-rosbag is not installed");
      t.skip("python3-rosbag is not installed");
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "longtail-ros1-"));
    const fromKitti = minedTasks(drive, path.join(dir, "kitti.db"));
    assert.ok(fromKitti.shown.length > 0);
    for (const compression of ["bz2", "lz4"]) {
      const bag = path.join(dir, `kitti_${compression}.bag`);
      const write = spawnSync(python, [path.join(import.meta.dirname, "write_kitti_ros1_bag.py"),
        drive, bag, compression], { encoding: "utf8" });
      assert.equal(write.status, 0, write.stderr);
      const info = JSON.parse(longtail("inspect", bag, "--json").stdout);
      assert.equal(info.format, "ros1-bag");
      assert.deepEqual(info.issues, []);
      const fromBag = minedTasks(bag, path.join(dir, `${compression}.db`));
      assert.deepEqual(fromBag.counts, fromKitti.counts, compression);
      assertClose(fromBag.shown, fromKitti.shown, compression);
    }
  });
