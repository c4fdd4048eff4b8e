// The review page logging in (headless Debian chromium via playwright-core): the queue has a
// reviewer account, so the page asks for a token instead of a name; a wrong token is refused with
// the dialog shown again; the right one claims a task (points and images fetched with it) under
// the account's name, and the review Enter submits is recorded under that name whatever the page
// was told before. Run by ctest (js_review_login) with LONGTAIL_BIN set; `npm ci` must have run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {after, before, test} from 'node:test';
import {chromium} from 'playwright-core';

import {chromiumPath, launchChromium, longtail, minedQueue, nextClaim, openPage, scratch, startServer, stopServer,} from './review/fixture.mjs';

const available = fs.existsSync(chromiumPath);
if (!available && process.env.CI === 'true') assert.fail(`${chromiumPath} is absent`);

let dir, queue, server, browser, token;

before(async () => {
  if (!available) return;
  dir = scratch();
  queue = minedQueue(dir, 1);
  token = longtail('reviewers', 'add', 'alice', '--queue', queue).trim();
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

test(
    'review page: asks for the token once, refuses a wrong one, reviews as the account',
    {skip: !available && `${chromiumPath} is absent`}, async () => {
      // A name stored by an earlier session without accounts must not be what gets recorded.
      const {context, page, errors} = await openPage(browser, server.url, 'mallory');
      await page.waitForSelector('#token-input', {state: 'visible', timeout: 60000});
      assert.equal(await page.isVisible('#name-dialog'), false, 'no name is asked with accounts');
      assert.equal(
          await page.evaluate(() => window.__review.state.claim), null, 'nothing claimed yet');

      // --- A wrong token: refused, and the dialog comes back saying so.
      const [id] = token.split('.');
      await page.fill('#token-input', `${id}.${'0'.repeat(64)}`);
      await page.press('#token-input', 'Enter');
      await page.waitForFunction(
          () => !document.getElementById('token-dialog').hidden &&
              /wrong/.test(document.getElementById('token-message').textContent),
          null, {timeout: 60000});

      // --- The right token: the page claims a task and draws its first frame.
      await page.fill('#token-input', token);
      await page.press('#token-input', 'Enter');
      const claim = await nextClaim(page, null);
      assert.ok(claim, 'logged in, the page claimed a task');
      assert.equal(await page.isVisible('#token-dialog'), false);
      const seen = await page.evaluate(() => ({
                                         reviewer: window.__review.state.reviewer,
                                         role: window.__review.state.role,
                                         header: document.getElementById('reviewer-info')
                                                     .textContent,
                                         stored: sessionStorage.getItem('longtail.token'),
                                         pointsLoaded: window.__review.stats.frameLoads.length,
                                       }));
      assert.equal(seen.reviewer, 'alice');
      assert.equal(seen.role, 'reviewer');
      assert.match(seen.header, /alice/);
      assert.equal(seen.stored, token, 'the token lasts as long as the tab');
      assert.ok(seen.pointsLoaded > 0, 'the frame (points and images) loaded with the token');

      // --- Enter accepts; the queue records alice, not the name the page had stored.
      await page.keyboard.press('Enter');
      await nextClaim(page, claim.claim_id);
      const shown =
          JSON.parse(longtail('queue', 'show', String(claim.task_id), '--queue', queue, '--json'));
      assert.deepEqual(shown.reviews.map((r) => [r.reviewer, r.state]), [['alice', 'submitted']]);
      const actors = shown.audit.filter((a) => a.action === 'claim' || a.action === 'submit')
                         .map((a) => a.actor);
      assert.deepEqual(actors, ['alice', 'alice']);

      // --- A reload in the same tab does not ask again.
      await page.reload();
      await page.waitForFunction(
          () => window.__review && window.__review.state.reviewer === 'alice', null,
          {timeout: 60000});
      assert.equal(await page.isVisible('#token-dialog'), false);
      await context.close();
      assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
    });
