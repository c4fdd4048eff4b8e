// The MCAP longtail writes for labels (labeling/formats/mcap_labels.h) read back by an independent
// implementation: @mcap/core with CRC validation, messages decoded with protobufjs from the
// FileDescriptorSets in the file's own schema records (the generated Foxglove schemas).
// The file comes from tests/labeling/formats/write_label_samples ($LONGTAIL_LABEL_SAMPLES).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { McapIndexedReader, McapStreamReader } from '@mcap/core';
import { loadDecompressHandlers, protobufFromBinaryDescriptor } from '@mcap/support';

const repo = path.resolve(import.meta.dirname, '..', '..');
const sharedData = process.env.LONGTAIL_SHARED_DATA ?? path.join(repo, '..', 'shared', 'data');
const drive = path.join(sharedData, 'kitti-raw/2011_09_26/2011_09_26_drive_0052_sync');
const writer = process.env.LONGTAIL_LABEL_SAMPLES ??
    path.join(process.env.LONGTAIL_BINARY_DIR ?? path.join(repo, 'build'), 'tests', 'labeling',
              'formats', 'write_label_samples');

function missing(t, what) {
  if (process.env.CI === 'true') assert.fail(`${what} is missing, and CI must have it`);
  t.skip(`${what} is missing`);
}

function writeSamples() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'longtail-labels-'));
  execFileSync(writer, [out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(out, 'labels.mcap');
}

test('a label MCAP streams back through @mcap/core with every CRC checked', async (t) => {
  if (!fs.existsSync(writer)) return missing(t, writer);
  if (!fs.existsSync(drive)) return missing(t, drive);
  const file = writeSamples();
  const stream = new McapStreamReader({
    decompressHandlers: await loadDecompressHandlers(), validateCrcs: true,
  });
  stream.append(new Uint8Array(fs.readFileSync(file)));
  const kinds = new Map();
  for (let record; (record = stream.nextRecord());) {
    kinds.set(record.type, (kinds.get(record.type) ?? 0) + 1);
  }
  assert.ok(stream.done(), 'the stream reader reached the end magic');
  assert.ok(kinds.get('Message') > 0);
  assert.equal(kinds.get('Footer'), 1);
});

test('its SceneUpdate, ImageAnnotations and Log messages decode as Foxglove schemas', async (t) => {
  if (!fs.existsSync(writer)) return missing(t, writer);
  if (!fs.existsSync(drive)) return missing(t, drive);
  const file = writeSamples();
  const bytes = new Uint8Array(fs.readFileSync(file));
  const readable = {
    size: async () => BigInt(bytes.length),
    read: async (offset, length) => bytes.subarray(Number(offset), Number(offset + length)),
  };
  const reader = await McapIndexedReader.Initialize({
    readable, decompressHandlers: await loadDecompressHandlers(),
  });
  const byTopic = new Map();
  for (const channel of reader.channelsById.values()) {
    const schema = reader.schemasById.get(channel.schemaId);
    assert.equal(schema.encoding, 'protobuf');
    byTopic.set(channel.topic, protobufFromBinaryDescriptor(schema.data).lookupType(schema.name));
  }
  for (const topic of ['/labels/boxes', '/labels/events', '/camera/image_02/labels',
                       '/lidar/points', '/camera/image_02/compressed']) {
    assert.ok(byTopic.has(topic), `topic ${topic} is in the file`);
  }
  const decoded = { '/labels/boxes': [], '/labels/events': [], '/camera/image_02/labels': [] };
  for await (const message of reader.readMessages({ validateCrcs: true })) {
    const topic = reader.channelsById.get(message.channelId).topic;
    if (!(topic in decoded)) continue;
    const type = byTopic.get(topic);
    decoded[topic].push(type.toObject(type.decode(message.data), { longs: Number, enums: String }));
  }
  // write_label_samples: 4 frames of 3 cars (ids 0, 1 and one untracked), one event.
  assert.equal(decoded['/labels/boxes'].length, 4);
  const update = decoded['/labels/boxes'][0];
  assert.equal(update.deletions[0].type, 'ALL');
  assert.equal(update.entities.length, 3);
  const car = update.entities.find((e) => e.id === 'track_0');
  assert.equal(car.frame_id, 'vehicle');
  assert.deepEqual(car.cubes[0].size, { x: 4.1, y: 1.7, z: 1.5 });
  assert.deepEqual(car.metadata.map((kv) => kv.key), ['class', 'track_id', 'score']);
  assert.equal(car.metadata[0].value, 'Car');
  assert.equal(decoded['/labels/events'].length, 1);
  // One Log message per episode: its type, frames and peak, then the reason at the peak.
  assert.match(
      decoded['/labels/events'][0].message, /^object_in_corridor \(frames \d+-\d+, peak \d+\): /);
  assert.equal(decoded['/camera/image_02/labels'].length, 4);
  const lines = decoded['/camera/image_02/labels'][0].points;
  assert.ok(lines.length > 0);
  for (const annotation of lines) {
    assert.equal(annotation.type, 'LINE_LIST');
    assert.equal(annotation.points.length % 2, 0);
  }
});
