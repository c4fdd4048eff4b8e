// The review page in a real browser (Debian chromium via playwright-core, WebGL on SwiftShader):
// the point cloud and the projected boxes are drawn without page errors; two reviewers never get
// the same task; low-scored boxes are hidden until h is pressed; by keyboard alone one task is
// accepted, one corrected (a box moved and resized) and one rejected, and the queue then holds
// exactly those outcomes with the edited box's values. Prints time to first render and frame times
// for a ~124k-point cloud, and writes a screenshot to $LONGTAIL_SCREENSHOT (ctest:
// build/review-page.png; docs/review-page.png is a copy of one). Run by ctest
// (tests/js/CMakeLists.txt) with LONGTAIL_BIN set; `npm ci` must have been run.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {chromium} from 'playwright-core';

import {LabelSet} from '../../labeling/review/web/editing.js';
import {boxCorners, labelAnchor, NEAR_CLIP_M, projectBoxEdges} from '../../labeling/review/web/geometry.js';
import {actionFor} from '../../labeling/review/web/keys.js';

import {bin, chromiumPath, launchChromium, longtail, minedQueue, nextClaim, openPage, scratch, sourceDir, startServer, stopServer,} from './review/fixture.mjs';

const available = fs.existsSync(chromiumPath);
if (!available && process.env.CI === 'true') assert.fail(`${chromiumPath} is absent`);

let dir, queue, server, browser;

before(async () => {
  if (!available) return;
  dir = scratch();
  queue = minedQueue(dir, 4);
  server = await startServer(queue);
  browser = await launchChromium(chromium, dir);
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const {code} = await stopServer(server);
    assert.equal(code, 0, 'longtail review stops cleanly on SIGTERM');
  }
  if (dir) fs.rmSync(dir, {recursive: true, force: true});
});

const show = (id) => JSON.parse(longtail('queue', 'show', String(id), '--queue', queue, '--json'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile =
    (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

test(
    'review page: render, concurrent reviewers, accept / correct / reject by keyboard',
    {skip: !available && `${chromiumPath} is absent`}, async () => {
      // --- Alice opens the page alone first, so time to first render is not shared with other
      // pages.
      const alice = await openPage(browser, server.url, 'alice');
      const aliceClaim = await nextClaim(alice.page, null);
      assert.ok(aliceClaim, 'alice got a task');

      // --- Two more reviewers open the page at the same moment; a fourth types his name into the
      // page's prompt. Nobody gets a task someone else holds.
      const [bob, carol] = await Promise.all([
        openPage(browser, server.url, 'bob'),
        openPage(browser, server.url, 'carol'),
      ]);
      const [bobClaim, carolClaim] =
          await Promise.all([nextClaim(bob.page, null), nextClaim(carol.page, null)]);
      const dave = await openPage(browser, server.url, null);
      await dave.page.waitForSelector('#name-input', {state: 'visible'});
      await dave.page.keyboard.type('dave');
      await dave.page.keyboard.press('Enter');
      const daveClaim = await nextClaim(dave.page, null);
      const others =
          [[bob, bobClaim, 'bob'], [carol, carolClaim, 'carol'], [dave, daveClaim, 'dave']];
      const taskIds = [aliceClaim, bobClaim, carolClaim, daveClaim].map((c) => c && c.task_id);
      assert.equal(
          new Set(taskIds).size, 4, `four reviewers hold four different tasks: ${taskIds}`);
      assert.equal(JSON.parse(longtail('queue', 'stats', '--queue', queue, '--json')).claimed, 4);
      // The three give their tasks back and leave.
      for (const [reviewer, claim, name] of others) {
        const released = await reviewer.page.evaluate(async ({claim, name}) => {
          const r = await fetch('/api/release', {
            method: 'POST',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({claim_id: claim.claim_id, reviewer: name})
          });
          return r.status;
        }, {claim, name});
        assert.equal(released, 200);
        await reviewer.context.close();
        assert.deepEqual(reviewer.errors, []);
      }

      // --- The point cloud really rendered and the boxes are projected into the camera image.
      const page = alice.page;
      await page.waitForFunction(
          () => window.__review.stats.firstRenderMs !== null, null, {timeout: 60000});
      const view = await page.evaluate(
          () => ({
            coverage: window.__review.cloudView.coverage(),
            points: window.__review.stats.pointsInView,
            drawnBoxes: window.__review.cameraView.drawnBoxes,
            boxes: window.__review.state.labels.boxes(window.__review.state.frameIndex).length,
            firstRenderMs: window.__review.stats.firstRenderMs,
            frameLoadMs: window.__review.stats.frameLoads[0],
            marks: window.__review.stats.marks,
          }));
      assert.ok(
          view.coverage > 0.005, `the WebGL canvas is not blank (lit fraction ${view.coverage})`);
      assert.ok(view.boxes > 0, 'the frame has pre-labels');
      assert.ok(view.drawnBoxes > 0, 'projected boxes are drawn in the camera image');
      // Camera image pixels under the canvas are not all background: the image was drawn.
      const imagePixels = await page.evaluate(() => {
        const c = document.getElementById('camera-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        for (let i = 0; i < d.length; i += 4 * 13)
          if (d[i] + d[i + 1] + d[i + 2] > 80) lit += 1;
        return lit;
      });
      assert.ok(imagePixels > 100, 'the camera image is drawn');

      // --- The timeline speaks episodes: one bar per episode with a mark at its peak, titled
      // with the reason at the peak.
      const timeline = await page.evaluate(
          () => ({
            bars: [...document.querySelectorAll('#timeline .episode')].map((b) => b.title),
            peaks: document.querySelectorAll('#timeline .episode .peak').length,
            episodes: window.__review.state.task.events.map((e) => e.reason),
            taskPeak: window.__review.state.task.task.peak_frame,
          }));
      assert.ok(timeline.episodes.length > 0, 'the task has episodes');
      assert.equal(timeline.bars.length, timeline.episodes.length, 'one bar per episode');
      assert.equal(timeline.peaks, timeline.episodes.length, 'a peak mark on every bar');
      timeline.episodes.forEach(
          (reason, i) => assert.ok(timeline.bars[i].endsWith(reason), timeline.bars[i]));
      assert.equal(typeof timeline.taskPeak, 'number', 'the task names its peak frame');

      // --- Responsiveness with a ~124k-point cloud: printed, not asserted (no timed assertions).
      const frameTimes = await page.evaluate(() => window.__review.cloudView.benchmark(60));
      console.log(
          `review page: ${view.points} points; time to first render ${
              view.firstRenderMs.toFixed(0)} ms ` +
          `after navigation (first frame fetched in ${view.frameLoadMs.toFixed(0)} ms); ` +
          `orbit frame time median ${median(frameTimes).toFixed(1)} ms, ` +
          `p95 ${percentile(frameTimes, 0.95).toFixed(1)} ms over ${frameTimes.length} frames`);
      console.log(`review page: milestones after navigation, ms: ${
          JSON.stringify(view.marks, (k, v) => typeof v === 'number' ? Math.round(v) : v)}`);
      assert.ok(view.points > 100000, 'the synthesised cloud is a full 64-beam scan');

      // --- Low-scored boxes (clutter the classifier doubts) are hidden by default; h shows them
      // and h hides them again. Scores are calibrated probabilities; the threshold is 0.5.
      const boxCounts = () => page.evaluate(() => {
        const r = window.__review;
        const all = r.state.labels.boxes(r.state.frameIndex);
        const visible = r.visibleBoxes();
        return {
          all: all.length,
          low: all.filter((b) => b.score < 0.5).length,
          visible: visible.length,
          visibleLow: visible.filter((b) => b.score < 0.5 && b.uid !== r.state.selected).length,
        };
      });
      const hidden = await boxCounts();
      assert.ok(hidden.low > 0, 'the synthesised frame has low-scored boxes (scenery clutter)');
      assert.equal(hidden.visibleLow, 0, 'no low-scored box is shown by default');
      assert.equal(hidden.visible, hidden.all - hidden.low, 'every confident box is shown');
      await page.keyboard.press('h');
      const shown = await boxCounts();
      assert.equal(shown.visible, shown.all, 'h shows every box');
      await page.keyboard.press('h');
      assert.equal((await boxCounts()).visibleLow, 0, 'h again hides the low-scored boxes');

      // --- Screenshot of the synthesised log with a box selected (the README shows it).
      await page.keyboard.press('Tab');
      await page.waitForTimeout(300);
      await page.screenshot(
          {path: process.env.LONGTAIL_SCREENSHOT || path.join(os.tmpdir(), 'review-page.png')});
      await page.keyboard.press('?');
      assert.equal(await page.isVisible('#help-dialog'), true, '? shows the keys');
      await page.keyboard.press('?');

      // --- Accept the first task with Enter.
      const accepted = aliceClaim.task_id;
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
      const second = await nextClaim(page, aliceClaim.claim_id);
      assert.ok(second, 'a second task was claimed');

      // --- Correct the second: select a box (Tab through the objects to one at least 0.5 m long
      // and wide, so no size hits the page's 0.1 m floor), move it 0.5 m forward and 1 m left, make
      // it 0.3 m longer and 0.2 m wider, then submit.
      for (let i = 0; i < 50; ++i) {
        await page.keyboard.press('Tab');
        const big = await page.evaluate(() => {
          const s = window.__review.state;
          const b = s.labels.find(s.frameIndex, s.selected);
          return b && b.length >= 0.5 && b.width >= 0.5;
        });
        if (big) break;
      }
      const before = await page.evaluate(() => {
        const s = window.__review.state;
        return {frame: s.frameIndex, box: s.labels.find(s.frameIndex, s.selected)};
      });
      assert.ok(before.box, 'a box is selected');
      for (let i = 0; i < 5; ++i) await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Shift+ArrowLeft');
      for (let i = 0; i < 3; ++i) await page.keyboard.press('i');
      for (let i = 0; i < 2; ++i) await page.keyboard.press('l');
      // Undo and redo one step: the result must be the same.
      await page.keyboard.press('Control+z');
      await page.keyboard.press('Control+y');
      const edited = await page.evaluate(() => {
        const s = window.__review.state;
        const {uid, ...box} = s.labels.find(s.frameIndex, s.selected);
        return box;
      });
      assert.ok(Math.abs(edited.x - (before.box.x + 0.5)) < 1e-9, 'moved forward 0.5 m');
      assert.ok(Math.abs(edited.y - (before.box.y + 1.0)) < 1e-9, 'moved left 1 m');
      assert.ok(Math.abs(edited.length - (before.box.length + 0.3)) < 1e-9, '0.3 m longer');
      assert.ok(Math.abs(edited.width - (before.box.width + 0.2)) < 1e-9, '0.2 m wider');
      await page.keyboard.press('Enter');
      const third = await nextClaim(page, second.claim_id);
      assert.ok(third, 'a third task was claimed');

      // --- Reject the third: a note, then one key for the reason (3: wrong object). Enter alone
      // does not reject; the dialog asks why.
      const reason = 'not a real event: synthetic test drive';
      await page.keyboard.press('r');
      await page.waitForSelector('#reject-input', {state: 'visible'});
      assert.match(
          await page.locator('#reject-reasons').innerText(),
          /1: false alarm.*\n.*2: real, but not worth review.*\n.*3: wrong object.*\n.*4: wrong box/s);
      await page.keyboard.type(reason);
      await page.keyboard.press('Enter');
      assert.ok(await page.locator('#reject-dialog').isVisible(), 'Enter alone does not reject');
      await page.keyboard.press('3');
      await nextClaim(page, third.claim_id);
      assert.deepEqual(alice.errors, []);

      // --- Mouse editing on the fourth task, in the top-down view: drag a box forward, undo it,
      // and
      // grow it with Ctrl+wheel. Nothing is submitted, so the queue's outcomes stay the three
      // above.
      await page.keyboard.press('t');
      for (let i = 0; i < 50; ++i) {
        await page.keyboard.press('Tab');
        const big = await page.evaluate(() => {
          const s = window.__review.state;
          const b = s.labels.find(s.frameIndex, s.selected);
          return b && b.length >= 1 && b.width >= 1;
        });
        if (big) break;
      }
      const selectedBox = () => page.evaluate(() => {
        const s = window.__review.state;
        const {uid, ...b} = s.labels.find(s.frameIndex, s.selected);
        return b;
      });
      const grabbed = await selectedBox();
      const at =
          await page.evaluate((b) => window.__review.cloudView.screenOf(b.x, b.y, b.z), grabbed);
      // Chrome holds mouse moves until the next animation frame; on a loaded machine that can be
      // after the button is released, so each step waits for a frame.
      const nextFrames = () => page.evaluate(
          () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      await nextFrames();
      const under = await page.evaluate((at) => {
        const hit = window.__review.cloudView.boxUnder({clientX: at.x, clientY: at.y});
        return {element: document.elementFromPoint(at.x, at.y)?.id, box: hit && hit.uid};
      }, at);
      assert.deepEqual(
          under,
          {element: 'cloud-canvas', box: await page.evaluate(() => window.__review.state.selected)},
          'the mouse is over the selected box');
      await page.mouse.move(at.x, at.y);
      await page.mouse.down();
      await nextFrames();
      await page.mouse.move(at.x, at.y - 60, {steps: 6});
      await nextFrames();
      await page.mouse.up();
      const dragged = await selectedBox();
      assert.ok(
          dragged.x - grabbed.x > 0.3,
          `dragging up in top-down moves the box forward (${grabbed.x} -> ${dragged.x})`);
      assert.ok(Math.abs(dragged.y - grabbed.y) < 0.2, 'and not sideways');
      await page.keyboard.press('Control+z');
      assert.deepEqual(await selectedBox(), grabbed, 'one undo takes the whole drag back');
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -100);
      await page.keyboard.up('Control');
      const grown = await selectedBox();
      assert.ok(grown.length > grabbed.length * 1.05, 'Ctrl+wheel makes the box longer');
      assert.deepEqual(alice.errors, []);

      // --- The queue holds exactly those three outcomes.
      const stats = JSON.parse(longtail('queue', 'stats', '--queue', queue, '--json'));
      assert.equal(stats.accepted, 1);
      assert.equal(stats.corrected, 1);
      assert.equal(stats.rejected, 1);
      assert.equal(stats.tasks, 4);
      assert.equal(show(accepted).state, 'accepted');
      const corrected = show(second.task_id);
      assert.equal(corrected.state, 'corrected');
      const review = corrected.reviews.find((r) => r.verdict === 'correct');
      assert.equal(review.reviewer, 'alice');
      const frame = corrected.final_labels.find((f) => f.frame_index === before.frame);
      const stored = frame.boxes.find((b) => b.track_id === before.box.track_id);
      for (const key of ['x', 'y', 'z', 'length', 'width', 'height', 'yaw']) {
        // The queue's JSON names carry units: x_m ... yaw_rad.
        const value = stored[key === 'yaw' ? 'yaw_rad' : `${key}_m`];
        assert.ok(
            Math.abs(value - edited[key]) < 1e-9,
            `stored ${key} ${value} == edited ${edited[key]}`);
      }
      assert.ok(
          corrected.audit.some((a) => a.action === 'edit_labels' && a.actor === 'alice'),
          'the edit is in the audit trail');
      const rejected = show(third.task_id);
      assert.equal(rejected.state, 'rejected');
      const rejection = rejected.reviews.find((r) => r.verdict === 'reject');
      assert.equal(rejection.comment, reason);
      assert.equal(rejection.reject_reason, 'wrong_object');
      assert.equal(rejected.reject_reason, 'wrong_object');
    });

test(
    'longtail review: an unusable queue, a bad port or a port in use is one clear error line',
    {skip: !available && `${chromiumPath} is absent`}, () => {
      const run = (...args) =>
          spawnSync(bin, ['review', ...args], {encoding: 'utf8', timeout: 20000});
      const missing = run('--queue', path.join(dir, 'no/such/dir/q.db'), '--port', '0');
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^longtail review: .*no\/such\/dir\/q\.db.*\n$/);
      const badPort = run('--queue', queue, '--port', '70000');
      assert.equal(badPort.status, 2);
      const inUse = run('--queue', queue, '--port', new URL(server.url).port);
      assert.equal(inUse.status, 1);
      assert.match(inUse.stderr, /^longtail review: cannot bind 127\.0\.0\.1:\d+ .*\n$/);
    });

test('keys: Shift makes letter steps bigger without losing N and P', () => {
  const press = (key, shiftKey = false, ctrlKey = false) => actionFor({key, shiftKey, ctrlKey});
  assert.equal(press('I', true), 'longer');
  assert.equal(press('N', true), 'nextTask');
  assert.equal(press('n', false), null);
  assert.equal(press('3'), 'class');
  assert.equal(press('z', false, true), 'undo');
  assert.equal(press('Z', true, true), 'redo');
  assert.equal(press('Tab', true), 'selectPrev');
});

// --- The page's pure modules, without a browser.
// ----------------------------------------------------

// A camera at the vehicle origin looking forward: camera x = -vehicle y, y = -vehicle z, z = x.
const CAMERA = {
  width: 1200,
  height: 400,
  camera_from_vehicle: [0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0, 1],
  projection: [700, 0, 600, 0, 0, 700, 200, 0, 0, 0, 1, 0],
};
const box = (x, extra = {}) => ({
  x,
  y: 0,
  z: 0,
  length: 4,
  width: 2,
  height: 1.5,
  yaw: 0,
  class: 'Car',
  track_id: 1,
  score: 0.9,
  ...extra
});

test('geometry: corners start front-left on the bottom face', () => {
  const c = boxCorners(box(10, {yaw: 0}));
  assert.deepEqual(c[0], [12, 1, -0.75]);
  assert.deepEqual(c[6], [8, -1, 0.75]);
});

test('geometry: a box ahead projects all 14 edges around its centre', () => {
  const segments = projectBoxEdges(box(10), CAMERA);
  assert.equal(segments.length, 14);
  const us = segments.flat().map((p) => p[0]);
  assert.ok(Math.min(...us) < 600 && Math.max(...us) > 600);
  assert.deepEqual(labelAnchor(box(10), CAMERA).map(Math.round), [600, 148]);
});

test('geometry: edges crossing the camera plane are clipped, a box behind draws nothing', () => {
  const straddling = projectBoxEdges(box(0.5), CAMERA);  // spans x = -1.5 .. 2.5
  assert.ok(straddling.length > 0 && straddling.length < 14);
  for (const [a, b] of straddling)
    for (const v of [...a, ...b]) assert.ok(Number.isFinite(v));
  // The clipped far face lies on the near plane: 700 px per metre at 0.1 m, way outside the image.
  assert.ok(straddling.flat().some((p) => Math.abs(p[0] - 600) >= 700 * 1 / NEAR_CLIP_M - 1));
  assert.deepEqual(projectBoxEdges(box(-10), CAMERA), []);
  assert.equal(labelAnchor(box(-10), CAMERA), null);
});

test('editing: edits, undo/redo and corrections of changed frames only', () => {
  const labels =
      new LabelSet([{frame_index: 0, boxes: [box(10)]}, {frame_index: 1, boxes: [box(11)]}]);
  const uid = labels.boxes(0)[0].uid;
  labels.move(0, uid, 0.5, -1);
  labels.resize(0, uid, 0.3, -5, 0);
  assert.equal(labels.find(0, uid).width, 0.1, 'sizes stop at 0.1 m');
  assert.ok(labels.undo());
  assert.equal(labels.find(0, uid).width, 2);
  assert.ok(labels.redo());
  const corrections = labels.corrections();
  assert.equal(corrections.length, 1);
  assert.equal(corrections[0].frame_index, 0);
  assert.deepEqual(corrections[0].boxes[0], {...box(10.5, {y: -1, length: 4.3, width: 0.1})});
  labels.undo();
  labels.undo();
  assert.deepEqual(labels.corrections(), []);
});

test('editing: propagation keeps following the track and copies an added box', () => {
  const labels = new LabelSet([0, 1, 2].map((i) => ({frame_index: i, boxes: [box(10 + i)]})));
  const uid = labels.boxes(1)[0].uid;
  labels.move(1, uid, 0, 0.5);
  labels.resize(1, uid, 1, 0, 0);
  labels.setClass(1, uid, 'Van');
  assert.equal(labels.propagate(1, uid), 2);
  for (const i of [0, 2]) {
    const b = labels.boxes(i)[0];
    assert.equal(b.x, 10 + i);
    assert.equal(b.y, 0.5);
    assert.equal(b.length, 5);
    assert.equal(b.class, 'Van');
  }
  const added = labels.add(0, 5, 5, -1.73, 'Pedestrian');
  assert.equal(labels.find(0, added).track_id, 2);
  labels.propagate(0, added);
  assert.equal(labels.boxes(2).filter((b) => b.track_id === 2).length, 1);
  labels.remove(2, labels.boxes(2).find((b) => b.track_id === 2).uid);
  assert.equal(labels.boxes(2).length, 1);
  assert.equal(labels.corrections().length, 3);
});
