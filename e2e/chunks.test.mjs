// Code splitting: the dashboard downloads the explorer only; the other views (here the reviewer
// and the tuning view) are wasm chunks fetched the first time they are opened, kept afterwards; a chunk that cannot be
// downloaded is reported in its view while the explorer keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServedApp, watchPage } from './harness.mjs';

const env = useServedApp();

const wasmPaths = (watch) =>
  watch
    .responses()
    .map((r) => new URL(r.url()).pathname)
    .filter((p) => p.endsWith('.wasm'))
    .map((p) => p.slice(p.lastIndexOf('/') + 1));
// A chunk's file name carries a hash of its content (as the app's own files do).
const chunk = (name) => new RegExp(`^${name}-[0-9a-f]{16}\\.wasm$`);
const REVIEW = chunk('split_review_chunk');
const TUNE = chunk('split_tune_chunk');
const has = (paths, re) => paths.some((p) => re.test(p));

// Test ids found in more than one view (explorer, reviewer, tuning view) in the page now.
const sharedTestIds = (page) =>
  page.evaluate(() => {
    const views = {
      explorer: document.querySelector('.layout'),
      review: document.querySelector('[data-testid=review-view]'),
      tune: document.querySelector('[data-testid=tuning-view]'),
    };
    const where = new Map();
    for (const [name, root] of Object.entries(views)) {
      for (const el of root?.querySelectorAll('[data-testid]') ?? []) {
        const id = el.dataset.testid;
        where.set(id, new Set([...(where.get(id) ?? []), name]));
      }
    }
    return [...where].filter(([, v]) => v.size > 1).map(([id, v]) => `${id}: ${[...v].join(', ')}`);
  });

test('the explorer downloads one wasm; each view fetches its chunk once, when first opened', async () => {
  const page = await env.browser.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}#pnl=4.1`);
  await page.getByTestId('action').waitFor();
  await page.waitForLoadState('networkidle');
  const first = wasmPaths(watch);
  assert.equal(first.length, 1, `one wasm for the explorer, got ${first.join(', ')}`);
  assert.match(first[0], /^harvest-lab-[0-9a-f]+_bg\.wasm$/);

  await page.getByTestId('view-review').click();
  await page.getByTestId('review-view').waitFor({ state: 'visible', timeout: 30_000 });
  const afterReview = wasmPaths(watch);
  assert.ok(has(afterReview, REVIEW), afterReview.join(', '));
  assert.ok(!has(afterReview, TUNE), 'the tuning chunk waits for its view');

  // The reviewer keeps what it loaded across a trip to the explorer and the tuning view.
  await page.getByTestId('review-load-sample').click();
  await page.waitForSelector('[data-testid=review-batch][data-status=done]', { timeout: 60_000 });
  await page.getByTestId('view-tune').click();
  await page.getByTestId('tuning-view').waitFor({ state: 'visible', timeout: 30_000 });
  assert.ok(has(wasmPaths(watch), TUNE));
  // All three views are in the page now (the tuning view fills its content while shown): no
  // test id is used by two of them, so a test or a script finds the one in its view.
  assert.ok((await page.locator('[data-testid=tuning-view] [data-testid]').count()) > 50);
  assert.ok((await page.locator('[data-testid=review-view] [data-testid]').count()) > 20);
  assert.deepEqual(await sharedTestIds(page), [], 'test ids used in more than one view');
  await page.getByTestId('view-explorer').click();
  assert.equal(await page.getByTestId('input-pnl-number').inputValue(), '4.1');
  await page.getByTestId('view-review').click();
  await page.getByTestId('review-view').waitFor({ state: 'visible' });
  assert.equal(await page.locator('[data-testid=review-batch][data-status=done]').count(), 1);

  // Each chunk was fetched once.
  const all = wasmPaths(watch);
  for (const c of [REVIEW, TUNE]) {
    assert.equal(all.filter((p) => c.test(p)).length, 1, `${c} fetched once: ${all.join(', ')}`);
  }
  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('a chunk that cannot be downloaded is reported in its view; the explorer keeps working', async () => {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(/\/split_review_chunk-[0-9a-f]{16}\.wasm$/, (route) => route.abort('internetdisconnected'));
  await page.goto(`${env.app.url}#pnl=4.1`);
  await page.getByTestId('action').waitFor();

  await page.getByTestId('view-review').click();
  const err = page.getByTestId('view-error').filter({ hasText: 'reviewer could not be downloaded' });
  await err.waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await page.getByTestId('view-loading').isVisible(), false);

  await page.getByTestId('view-explorer').click();
  assert.equal(await err.isVisible(), false);
  const before = await page.getByTestId('action').textContent();
  await page.getByTestId('input-pnl-number').fill('6.2');
  await page.getByTestId('input-pnl-number').press('Enter');
  await page.waitForFunction((b) => document.querySelector('[data-testid=action]').textContent !== b, before);
  assert.deepEqual(errors, [], 'no uncaught error: the page is alive');
  await page.close();
});
