// Shared by the interop tests: run the `longtail` binary (LONGTAIL_BIN) and read back what mining a
// log queued, without what differs by design between two copies of one drive (where the log
// lives, when it was queued).
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

export function longtail(...args) {
  assert.ok(process.env.LONGTAIL_BIN, "LONGTAIL_BIN must name the longtail binary");
  return spawnSync(process.env.LONGTAIL_BIN, args, { encoding: "utf8", maxBuffer: 1 << 28 });
}

// Mines `log` into `queue` and returns the log's summary and every task it queued. 0052's queue
// behind a stopped car is ordinary: every episode is queued, not only the rare ones.
export function minedTasks(log, queue) {
  const config = path.join(path.dirname(queue), "all.pbtxt");
  fs.writeFileSync(config, "runner { min_severity: 0 }\n");
  const mine = longtail("mine", log, "--queue", queue, "--json", "--threads", "2", "--config", config);
  assert.equal(mine.status, 0, mine.stdout + mine.stderr);
  const summary = JSON.parse(mine.stdout);
  const shown = [];
  for (let id = 1; id <= summary.tasks_in_queue; id++) {
    const show = longtail("queue", "show", "--queue", queue, String(id), "--json");
    assert.equal(show.status, 0, show.stderr);
    const task = JSON.parse(show.stdout);
    for (const key of ["audit", "created_ns", "updated_ns", "log_id", "log_path", "log_format"]) {
      delete task[key];
    }
    shown.push(task);
  }
  return { log: summary.logs[0], shown };
}
