// Helpers for the review page's browser test: a queue mined from synthesised logs, the
// `longtail review` server on a free port, and a headless Chromium set up as FORMATS.md says.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const bin = process.env.LONGTAIL_BIN;
export const sourceDir =
    process.env.LONGTAIL_SOURCE_DIR ?? path.resolve(import.meta.dirname, '../../..');
export const chromiumPath = process.env.LONGTAIL_CHROMIUM ?? '/usr/bin/chromium';

export function scratch() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'longtail-review-'));
}

export function longtail(...args) {
  assert.ok(bin, 'LONGTAIL_BIN must name the longtail binary');
  const run = spawnSync(bin, args, {encoding: 'utf8', maxBuffer: 64 << 20});
  assert.equal(run.status, 0, `longtail ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

// A pedestrian stepping into the ego lane, a parked car, a slower car ahead: every detector run
// flags one window, so each synthesised log becomes one review task. Lidar: ~124k points a scan.
const SCENARIO = `
name: "review_page_sample"
description: "A pedestrian steps into the ego lane ahead; a parked car on the right; a slower car ahead."
duration_s: 2.0
ego { speed_mps { value: 8 } }
actors { id: 1 class: "Pedestrian" x_m { value: 22 } y_m { value: -5 } heading_deg { value: 90 }
         speed_mps { value: 1.5 } }
actors { id: 2 class: "Car" x_m { value: 30 } y_m { value: -4.5 } }
actors { id: 3 class: "Car" x_m { value: 40 } y_m { value: 0 } speed_mps { value: 4 } }
`;

// Synthesises `count` logs (seeds 1..count) and mines them into one SQLite queue.
export function minedQueue(dir, count) {
  const scenario = path.join(dir, 'scenario.pbtxt');
  fs.writeFileSync(scenario, SCENARIO);
  const drives = [];
  for (let seed = 1; seed <= count; ++seed) {
    const drive = String(seed).padStart(4, '0');
    longtail(
        'synth', scenario, '-o', path.join(dir, 'logs'), '--seed', String(seed), '--drive', drive);
    const date = fs.readdirSync(path.join(dir, 'logs'))[0];
    drives.push(path.join(dir, 'logs', date, `${date}_drive_${drive}_sync`));
  }
  const queue = path.join(dir, 'queue.db');
  longtail('mine', ...drives, '--queue', queue);
  return queue;
}

// Starts `longtail review` on a free port; resolves with {url, process} once it prints its URL.
export function startServer(queue) {
  const child =
      spawn(bin, ['review', '--queue', queue, '--port', '0'], {stdio: ['ignore', 'pipe', 'pipe']});
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = stdout.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (match) resolve({url: match[1], process: child});
    });
    child.on('exit', (code) => reject(new Error(`longtail review exited with ${code}: ${stderr}`)));
  });
}

export function stopServer(server) {
  return new Promise((resolve) => {
    server.process.removeAllListeners('exit');
    server.process.on('exit', (code, signal) => resolve({code, signal}));
    server.process.kill('SIGTERM');
  });
}

export async function launchChromium(chromium) {
  // launch() starts Chromium on a fresh temporary profile (its own --user-data-dir, deleted on
  // close); contexts made from it are isolated from each other like two browsers.
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader'
    ],
  });
  return browser;
}

// Opens the page in a new context as `reviewer` (the name the page would ask for, preset), and
// collects page errors and console errors.
export async function openPage(browser, url, reviewer, size = {
  width: 1600,
  height: 1000
}) {
  const context = await browser.newContext({viewport: size});
  if (reviewer) {
    await context.addInitScript(
        (name) => localStorage.setItem('longtail.reviewer', name), reviewer);
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  await page.goto(url);
  return {context, page, errors};
}

// Waits until the page holds a claim different from `previous` (or reports that none is left);
// returns the claim or null.
export async function nextClaim(page, previous) {
  await page.waitForFunction((prev) => {
    const s = window.__review.state;
    if (s.busy) return false;
    const now = s.claim ? s.claim.claim_id : null;
    return now !== prev && (now === null || (s.frame && s.frame.meta.frame_index === s.frameIndex));
  }, previous, {timeout: 60000});
  return page.evaluate(() => window.__review.state.claim);
}
