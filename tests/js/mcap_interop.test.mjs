// longtail's MCAP against an independent implementation, the npm packages @mcap/core and
// @mcap/support: files longtail writes must read back there with CRC validation on and decode as
// Foxglove schemas, and a file @mcap/core writes must read in longtail.
// Run by ctest (tests/js/CMakeLists.txt) with LONGTAIL_BIN set; `npm ci` must have been run.
import { McapIndexedReader, McapStreamReader, McapWriter } from "@mcap/core";
import { loadDecompressHandlers, protobufFromBinaryDescriptor, protobufToDescriptor } from "@mcap/support";
import internal from "@foxglove/schemas/internal.js";
import protobuf from "protobufjs";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { longtail, minedTasks } from "./mined_tasks.mjs";
import { test } from "node:test";

const sourceDir = process.env.LONGTAIL_SOURCE_DIR ?? path.resolve(import.meta.dirname, "../..");
const sharedData = process.env.LONGTAIL_SHARED_DATA ?? path.resolve(sourceDir, "../shared/data");
const drive = path.join(sharedData, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");

// Real data is required under CI and skipped (with a reason) elsewhere, like LONGTAIL_REQUIRE_DATA.
function requireData(t) {
  if (fs.existsSync(drive)) return true;
  if (process.env.CI === "true") assert.fail(`${drive} is absent`);
  t.skip(`${drive} is absent`);
  return false;
}

function scratch() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "longtail-js-"));
}


// An IReadable over a file, for McapIndexedReader.
function fileReadable(file) {
  const fd = fs.openSync(file, "r");
  const size = BigInt(fs.fstatSync(fd).size);
  return {
    size: async () => size,
    read: async (offset, length) => {
      const buffer = Buffer.alloc(Number(length));
      fs.readSync(fd, buffer, 0, Number(length), Number(offset));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    },
    close: () => fs.closeSync(fd),
  };
}

// KITTI's "2011-09-26 13:02:25.964389445" as seconds and nanoseconds since the epoch.
function kittiStamp(line) {
  const [date, time] = line.trim().split(" ");
  const [hms, frac = "0"] = time.split(".");
  const seconds = Date.parse(`${date}T${hms}Z`) / 1000;
  return { seconds, nanos: Number(frac.padEnd(9, "0").slice(0, 9)) };
}

for (const compression of ["zstd", "lz4"]) {
  test(`@mcap/core reads a ${compression} MCAP written by longtail, CRCs validated`, async (t) => {
    if (!requireData(t)) return;
    const out = path.join(scratch(), "drive.mcap");
    const convert = longtail("convert", drive, "-o", out, "--compression", compression);
    assert.equal(convert.status, 0, convert.stdout + convert.stderr);
    const decompressHandlers = await loadDecompressHandlers();

    // Streaming, every record, CRCs on.
    const stream = new McapStreamReader({ decompressHandlers, validateCrcs: true });
    stream.append(fs.readFileSync(out));
    const channels = new Map();
    const schemas = new Map();
    const counts = new Map();
    const compressions = new Set();
    let footer = false;
    let chunks = 0;
    for (let record; (record = stream.nextRecord()); ) {
      if (record.type === "Schema") schemas.set(record.id, record);
      if (record.type === "Channel") channels.set(record.id, record);
      if (record.type === "Message") {
        const topic = channels.get(record.channelId).topic;
        counts.set(topic, (counts.get(topic) ?? 0) + 1);
      }
      if (record.type === "ChunkIndex") {
        chunks++;
        compressions.add(record.compression);
      }
      if (record.type === "Footer") footer = true;
    }
    assert.ok(stream.done());
    assert.ok(footer);
    assert.ok(chunks > 1);
    assert.deepEqual([...compressions], [compression]);
    assert.equal(counts.get("/lidar/points"), 30);
    assert.equal(counts.get("/camera/image_02/compressed"), 30);
    assert.equal(counts.get("/tf_static"), 1);
    const schemaOf = (topic) =>
      schemas.get([...channels.values()].find((c) => c.topic === topic).schemaId).name;
    assert.equal(schemaOf("/lidar/points"), "foxglove.PointCloud");
    assert.equal(schemaOf("/camera/image_02/compressed"), "foxglove.CompressedImage");
    assert.equal(schemaOf("/camera/image_02/calibration"), "foxglove.CameraCalibration");
    assert.equal(schemaOf("/tf_static"), "foxglove.FrameTransforms");
    for (const channel of channels.values()) assert.equal(channel.messageEncoding, "protobuf");

    // Indexed, CRCs on: the summary agrees, and the first scan decodes to the source .bin.
    const readable = fileReadable(out);
    const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers });
    assert.equal(reader.statistics.messageCount, BigInt([...counts.values()].reduce((a, b) => a + b)));
    let first;
    let total = 0;
    for await (const message of reader.readMessages({ validateCrcs: true })) {
      total++;
      if (!first && reader.channelsById.get(message.channelId).topic === "/lidar/points") first = message;
    }
    readable.close();
    assert.equal(BigInt(total), reader.statistics.messageCount);
    const schema = reader.schemasById.get(reader.channelsById.get(first.channelId).schemaId);
    const PointCloud = protobufFromBinaryDescriptor(schema.data).lookupType("foxglove.PointCloud");
    const cloud = PointCloud.toObject(PointCloud.decode(first.data), { longs: Number, defaults: true });
    const bin = fs.readFileSync(path.join(drive, "velodyne_points/data/0000000000.bin"));
    assert.equal(cloud.point_stride, 16);
    assert.deepEqual(cloud.fields.map((f) => [f.name, f.offset, f.type]), [
      ["x", 0, 7], ["y", 4, 7], ["z", 8, 7], ["intensity", 12, 7],
    ]);
    assert.ok(Buffer.from(cloud.data).equals(bin), "PointCloud data differs from the .bin");
    const stamp = kittiStamp(
      fs.readFileSync(path.join(drive, "velodyne_points/timestamps.txt"), "utf8").split("\n")[0],
    );
    assert.equal(cloud.timestamp.seconds, stamp.seconds);
    assert.equal(cloud.timestamp.nanos, stamp.nanos);
    assert.equal(first.logTime, BigInt(stamp.seconds) * 1000000000n + BigInt(stamp.nanos));
  });
}

// The Foxglove PointCloud schema built here from the @foxglove/schemas generator with protobufjs,
// independently of longtail's protoc build.
function foxgloveRoot() {
  const { generateProto, foxgloveMessageSchemas, foxgloveEnumSchemas } = internal;
  const root = new protobuf.Root();
  root.addJSON(protobuf.common.get("google/protobuf/timestamp.proto").nested);
  for (const name of ["PointCloud", "PackedElementField", "Pose", "Vector3", "Quaternion"]) {
    const schema = foxgloveMessageSchemas[name];
    const enums = Object.values(foxgloveEnumSchemas).filter((e) => e.parentSchemaName === name);
    protobuf.parse(generateProto(schema, enums), root, { keepCase: true });
  }
  root.resolveAll();
  return root;
}

test("longtail reads an MCAP written by @mcap/core", async () => {
  const dir = scratch();
  const file = path.join(dir, "from-js.mcap");
  const chunks = [];
  let position = 0n;
  const writer = new McapWriter({
    writable: {
      position: () => position,
      write: async (buffer) => {
        chunks.push(Buffer.from(buffer));
        position += BigInt(buffer.byteLength);
      },
    },
    chunkSize: 1024,
  });
  await writer.start({ profile: "", library: "@mcap/core test" });
  const root = foxgloveRoot();
  const PointCloud = root.lookupType("foxglove.PointCloud");
  const descriptor = protobufToDescriptor(root);
  const schemaId = await writer.registerSchema({
    name: "foxglove.PointCloud",
    encoding: "protobuf",
    data: descriptor.constructor.encode(descriptor).finish(),
  });
  const lidar = await writer.registerChannel({
    topic: "/lidar/points", schemaId, messageEncoding: "protobuf", metadata: new Map(),
  });
  const other = await writer.registerChannel({
    topic: "/diagnostics", schemaId: 0, messageEncoding: "json", metadata: new Map(),
  });
  const scans = [];
  for (let i = 0; i < 5; i++) {
    const points = new Float32Array([i, 1.5, -2, 0.25, 10, 20 + i, 30, 1]);
    scans.push(Buffer.from(points.buffer));
    const message = PointCloud.fromObject({
      timestamp: { seconds: 1000 + i, nanos: 500 },
      frame_id: "lidar",
      pose: { position: {}, orientation: { w: 1 } },
      point_stride: 16,
      fields: ["x", "y", "z", "intensity"].map((name, k) => ({ name, offset: 4 * k, type: 7 })),
      data: new Uint8Array(points.buffer),
    });
    const logTime = BigInt(1000 + i) * 1000000000n + 500n;
    await writer.addMessage({
      channelId: lidar, sequence: i, logTime, publishTime: logTime,
      data: PointCloud.encode(message).finish(),
    });
    await writer.addMessage({
      channelId: other, sequence: i, logTime: logTime + 1n, publishTime: logTime + 1n,
      data: new TextEncoder().encode('{"ok":true}'),
    });
  }
  await writer.end();
  fs.writeFileSync(file, Buffer.concat(chunks));

  const doctor = longtail("doctor", file);
  assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /healthy/);

  const inspect = longtail("inspect", "--json", file);
  assert.equal(inspect.status, 0, inspect.stdout + inspect.stderr);
  const info = JSON.parse(inspect.stdout);
  assert.equal(info.format, "mcap");
  const lidarInfo = info.streams.find((s) => s.name === "/lidar/points");
  assert.equal(lidarInfo.kind, "lidar");
  assert.equal(lidarInfo.count, 5);
  assert.ok(info.notes.some((n) => n.includes("/diagnostics") && n.includes("unsupported")));

  // Through longtail's frames and back out as MCAP: the scans must survive bit for bit.
  const again = path.join(dir, "again.mcap");
  const convert = longtail("convert", file, "-o", again);
  assert.equal(convert.status, 0, convert.stdout + convert.stderr);
  assert.match(convert.stdout, /5 frames/);
  const readable = fileReadable(again);
  const reader = await McapIndexedReader.Initialize({
    readable, decompressHandlers: await loadDecompressHandlers(),
  });
  let i = 0;
  for await (const message of reader.readMessages({ topics: ["/lidar/points"], validateCrcs: true })) {
    const cloud = PointCloud.decode(message.data);
    assert.ok(Buffer.from(cloud.data).equals(scans[i]), `scan ${i} differs`);
    assert.equal(message.logTime, BigInt(1000 + i) * 1000000000n + 500n);
    i++;
  }
  readable.close();
  assert.equal(i, 5);
});

test("longtail doctor exits 3 on a damaged MCAP", async (t) => {
  if (!requireData(t)) return;
  const dir = scratch();
  const good = path.join(dir, "drive.mcap");
  assert.equal(longtail("convert", drive, "-o", good).status, 0);
  const bytes = fs.readFileSync(good);
  bytes[Math.floor(bytes.length / 3)] ^= 0xff;
  const bad = path.join(dir, "bad.mcap");
  fs.writeFileSync(bad, bytes);
  const doctor = longtail("doctor", bad);
  assert.equal(doctor.status, 3, doctor.stdout);
  assert.match(doctor.stdout, /problem/);
  const cut = path.join(dir, "cut.mcap");
  fs.writeFileSync(cut, bytes.subarray(0, 1000000));
  assert.equal(longtail("doctor", cut).status, 3);
});

test("mining a KITTI drive and its MCAP gives the same tasks and pre-labels", async (t) => {
  if (!requireData(t)) return;
  const dir = scratch();
  const mcapFile = path.join(dir, "drive.mcap");
  assert.equal(longtail("convert", drive, "-o", mcapFile).status, 0);
  const tasks = (log, queue) => {
    const { log: summary, shown } = minedTasks(log, queue);
    const { events_by_type, frames, windows, invalid_points } = summary;
    return { counts: { events_by_type, frames, windows, invalid_points }, shown };
  };
  const fromKitti = tasks(drive, path.join(dir, "kitti.db"));
  const fromMcap = tasks(mcapFile, path.join(dir, "mcap.db"));
  assert.ok(fromKitti.shown.length > 0, "drive 0052 should flag at least one window");
  assert.deepEqual(fromMcap.counts, fromKitti.counts);
  assert.deepEqual(fromMcap.shown, fromKitti.shown);
});

test("longtail convert KITTI -> MCAP -> KITTI gives byte-identical .bin and .png files", async (t) => {
  if (!requireData(t)) return;
  const dir = scratch();
  const mcapFile = path.join(dir, "drive.mcap");
  assert.equal(longtail("convert", drive, "-o", mcapFile).status, 0);
  const back = path.join(dir, "2011_09_26", "2011_09_26_drive_0052_sync");
  const convert = longtail("convert", mcapFile, "-o", back);
  assert.equal(convert.status, 0, convert.stdout + convert.stderr);
  let compared = 0;
  for (const stream of ["velodyne_points", "image_02"]) {
    for (const name of fs.readdirSync(path.join(drive, stream, "data"))) {
      const original = fs.readFileSync(path.join(drive, stream, "data", name));
      const copy = fs.readFileSync(path.join(back, stream, "data", name));
      assert.ok(copy.equals(original), `${stream}/${name} differs`);
      compared++;
    }
  }
  assert.equal(compared, 60);
});
