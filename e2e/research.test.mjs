// The Replay view's Research panel (issue 21) in the release build, in headless Chromium: on the
// shipped BTC/USD sample, a walk-forward research runs in a Web Worker (the page's main thread
// keeps painting) with progress, Cancel stops it mid-run (the worker terminated), a worker that
// cannot be loaded is a message in the panel,
// a full run shows the per-fold table, the verdict and the charts, and its report JSON (the
// download) is byte for byte what `harvest research` writes for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BASE, ROOT, harvestBinary, loadSample, screenshot, useServedApp, watchPage } from './harness.mjs';

const env = useServedApp();
const run = promisify(execFile);

/** Locator of a test id inside the Replay view. */
const r = (page, id) => page.locator(`[data-testid=replay-view] [data-testid="${id}"]`);

async function setValue(page, id, value) {
  await r(page, id).fill(String(value));
  await r(page, id).dispatchEvent('change');
}

test('research: in the page with progress and Cancel, the same report as harvest research', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1100 }, acceptDownloads: true });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}?view=replay`, { waitUntil: 'load' });
  await loadSample(page);
  assert.equal(await r(page, 'research-symbol').textContent(), 'BTCUSD');

  // 3 folds, entries every 48 bars on both sides, kill_threshold × T1_R (3 × 3).
  await setValue(page, 'research-fold-count', 3);
  await setValue(page, 'research-every', 48);
  await r(page, 'research-sides').selectOption('both');
  await setValue(page, 'research-axis-0-lo', 0.4);
  await setValue(page, 'research-axis-0-hi', 0.8);
  await setValue(page, 'research-axis-0-n', 3);
  await setValue(page, 'research-axis-1-lo', 1);
  await setValue(page, 'research-axis-1-hi', 3);
  await setValue(page, 'research-axis-1-n', 3);
  assert.match(await r(page, 'research-grid-note').textContent(), /^9 cells \+ the base theta/);

  // The research runs in a Web Worker of this origin, started on Run.
  const workers = [];
  page.on('worker', (w) => {
    const seen = { url: w.url(), closed: false };
    w.on('close', () => (seen.closed = true));
    workers.push(seen);
  });

  // Cancel a bigger grid (10 × 10) mid-run, once the worker has reported progress: the worker
  // is gone at once, the progress stops where it was, and no report.
  await setValue(page, 'research-axis-0-n', 10);
  await setValue(page, 'research-axis-1-n', 10);
  await r(page, 'research-run').click();
  await page.waitForFunction(
    () => /^[1-9][\d,]* of /.test(document.querySelector('[data-testid=replay-view] [data-testid=research-progress-text]')?.textContent ?? ''),
    null,
    { timeout: 120_000 },
  );
  assert.equal(workers.length, 1, 'Run started one worker');
  assert.equal(new URL(workers[0].url).pathname, `${BASE}research-worker.js`);
  await r(page, 'research-cancel').click();
  await r(page, 'research-progress').waitFor({ state: 'hidden', timeout: 2_000 });
  const cancelled = await r(page, 'research-last-job').textContent();
  assert.match(cancelled, /^Cancelled: Research: 3 folds × 100 cells \+ the base theta: [1-9][\d,]* of ([\d,]+) trades · /);
  const [, doneAt, totalAt] = cancelled.match(/: ([\d,]+) of ([\d,]+) trades/);
  assert.notEqual(doneAt, totalAt, 'cancelled before the end');
  await page.waitForTimeout(500);
  assert.equal(await r(page, 'research-last-job').textContent(), cancelled, 'the progress stopped');
  // (Playwright hears of a busy worker's end a little late.)
  for (let i = 0; i < 50 && !workers[0].closed; i++) await page.waitForTimeout(100);
  assert.ok(workers[0].closed, 'Cancel terminated the worker');
  assert.equal(await r(page, 'research-fold-table').isVisible(), false, 'no report after Cancel');
  assert.equal(await r(page, 'research-error').isVisible(), false);
  await setValue(page, 'research-axis-0-n', 3);
  await setValue(page, 'research-axis-1-n', 3);

  // The whole run, in a fresh worker: progress, then the report; the page's main thread paints
  // every frame meanwhile (its longest gap between two frames stays short).
  const t0 = Date.now();
  await r(page, 'research-run').click();
  await r(page, 'research-progress').waitFor({ state: 'visible' });
  const paint = page.evaluate(
    () =>
      new Promise((done) => {
        const card = document.querySelector('[data-testid=replay-view] [data-testid=research-progress]');
        const frames = [];
        const tick = (t) => {
          frames.push(t);
          if (!card.hidden) return requestAnimationFrame(tick);
          const gaps = frames.slice(1).map((f, i) => f - frames[i]);
          const first = frames.filter((f) => f - frames[0] <= 1000).length;
          done({ first, frames: frames.length, gap: Math.max(0, ...gaps), ms: frames.at(-1) - frames[0] });
        };
        requestAnimationFrame(tick);
      }),
  );
  await r(page, 'research-progress').waitFor({ state: 'hidden', timeout: 300_000 });
  const ms = Date.now() - t0;
  const frames = await paint;
  assert.equal(workers.length, 2, 'the second run started a fresh worker');
  for (let i = 0; i < 50 && !workers[1].closed; i++) await page.waitForTimeout(100);
  assert.ok(workers[1].closed, 'and ended it when done');
  assert.match(await r(page, 'research-last-job').textContent(), /^Done: Research: 3 folds × 9 cells \+ the base theta: ([\d,]+) of \1 trades · (\d+ ms|\d+\.\d s|\d+ min \d\d s)$/);
  assert.equal(await r(page, 'research-fold').count(), 3);
  assert.match(await r(page, 'research-heading').textContent(), /^expectancy \(R per trade\) on BTCUSD \(3 folds, rolling scheme, 9 cells tried\)$/);
  const verdict = await r(page, 'research-verdict').textContent();
  assert.match(verdict, /Out of sample \(\d+ trades over 3 folds\)/);
  assert.match(verdict, /Probability of backtest overfitting|No PBO/);
  assert.match(verdict, /Deflated Sharpe ratio/);
  assert.match(verdict, /plateau|spike|flat/);
  for (const id of ['research-equity', 'research-grid-map']) {
    await page.waitForFunction((t) => Number(document.querySelector(`[data-testid=replay-view] [data-testid=${t}]`).dataset.paints ?? 0) > 0, id);
    assert.equal(await r(page, id).getAttribute('data-paint-error'), null);
  }
  await r(page, 'research-equity').scrollIntoViewIfNeeded();
  await screenshot(page, 'replay-research');

  // The same figures as `harvest research` on the same inputs: the same choices, theta file and
  // policy JSON byte for byte; every number of the report equal to within 1e-9 relative (the
  // browser's floating-point maths library, for ln/exp in P0, may round the last bit
  // differently from the native one); the fold table and the verdict as the CLI prints them.
  const dir = await mkdtemp(join(tmpdir(), 'harvest-research-'));
  const cli = await run(harvestBinary(), [
    'research', join(ROOT, 'assets/prices/Coinbase_BTCUSD_1h.csv'),
    '--folds', '3', '--every', '48', '--side', 'both',
    '--grid', 'kill_threshold=0.4:0.8:3', '--grid', 'T1_R=1:3:3',
    '--out', dir,
  ]);
  const got = {};
  for (const name of ['report.json', 'theta.json', 'harvest_params.json', 'report.html']) {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      r(page, `research-download-${name.replace('.', '-')}`).click(),
    ]);
    assert.equal(dl.suggestedFilename(), name);
    got[name] = await readFile(await dl.path(), 'utf8');
  }
  for (const name of ['theta.json', 'harvest_params.json']) {
    assert.ok(got[name] === (await readFile(join(dir, name), 'utf8')), `${name}: the page's download equals harvest research's`);
  }
  const want = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
  const mismatches = [];
  const same = (a, b, path) => {
    if (typeof a === 'number' && typeof b === 'number') {
      if (!(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)))) mismatches.push(`${path}: ${a} vs ${b}`);
    } else if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) mismatches.push(`${path}: length ${a.length} vs ${b.length}`);
      else a.forEach((x, i) => same(x, b[i], `${path}[${i}]`));
    } else if (a && b && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) same(a[k], b[k], `${path}.${k}`);
    } else if (a !== b) mismatches.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  same(JSON.parse(got['report.json']), want, 'report');
  assert.deepEqual(mismatches.slice(0, 10), [], 'the report JSON agrees with harvest research');
  const rows = await r(page, 'research-fold').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  const cliRows = cli.stderr.split('\n').filter((l) => /^ {2,}\d+ {2}\d{4}-/.test(l));
  assert.equal(cliRows.length, 3, cli.stderr);
  rows.forEach((cells, i) => {
    const [fold, , oos, choice, is, oosV, ratio, rank, base, trail] = cells;
    for (const want of [fold, oos, choice, is, oosV, ratio, rank, base, trail]) {
      assert.ok(cliRows[i].includes(want), `fold ${i}: "${want}" in the CLI's line "${cliRows[i]}"`);
    }
  });
  const verdicts = await r(page, 'research-verdict').locator('li').allTextContents();
  for (const v of verdicts) assert.ok(cli.stderr.includes(v), `the CLI prints "${v}"`);
  assert.ok(got['report.html'].startsWith('<!DOCTYPE html>') || got['report.html'].startsWith('<!doctype html>'), 'a whole HTML page');
  assert.ok(got['report.html'].includes('<svg'), 'with its charts');
  assert.equal(verdicts.length, want.verdict.length);
  console.log(
    `research in the page (Web Worker): 3 folds × 9 cells on the sample (every 48 bars, both sides) in ${ms} ms; ` +
      `main thread: ${frames.first} frames painted in the first second, ${frames.frames} in ${frames.ms.toFixed(0)} ms, longest gap ${frames.gap.toFixed(1)} ms`,
  );
  assert.ok(frames.first >= 40, `the page keeps painting while the research runs (${frames.first} frames in 1 s)`);
  assert.ok(frames.gap < 150, `no long stall of the main thread while the research runs (longest gap ${frames.gap.toFixed(1)} ms)`);
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('research: a worker that cannot be loaded or fails is a message in the panel, which stays usable', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const page = await context.newPage();
  // While `__breakWorker` says so, the page's workers are started from a script that is not
  // there (a deployment that lost the file); the page is not told.
  await page.addInitScript(() => {
    const Real = window.Worker;
    window.__breakWorker = 'script';
    window.Worker = function (url, options) {
      return new Real(window.__breakWorker === 'script' ? String(url).replace('research-worker.js', 'research-worker-gone.js') : url, options);
    };
  });
  // And while `wasm` is asked for, the worker's WebAssembly comes back damaged.
  let damaged = false;
  await context.route(/\/harvest-research-worker_bg\.wasm$/, (route) =>
    damaged ? route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('not wasm') }) : route.continue(),
  );
  await page.goto(`${env.app.url}?view=replay`, { waitUntil: 'load' });
  await r(page, 'replay-load-sample').click();
  await r(page, 'replay-progress').waitFor({ state: 'visible' });
  await r(page, 'replay-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  await setValue(page, 'research-fold-count', 2);
  await setValue(page, 'research-every', 96);
  await setValue(page, 'research-axis-0-n', 2);
  await setValue(page, 'research-axis-1-n', 2);

  await r(page, 'research-run').click();
  await r(page, 'research-error').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await r(page, 'research-error').textContent(), /^The research worker failed: its script could not be loaded\. Run it again; if it fails again, reload the page\.$/);
  assert.match(await r(page, 'research-last-job').textContent(), /^Failed: Research: 2 folds × 4 cells/);
  assert.equal(await r(page, 'research-progress').isHidden(), true);
  assert.equal(await r(page, 'research-run').isEnabled(), true);

  await page.evaluate(() => (window.__breakWorker = ''));
  damaged = true;
  await r(page, 'research-run').click();
  await r(page, 'research-error').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await r(page, 'research-error').textContent(), /^The research could not run: the research worker could not load its WebAssembly \(.+\)\.$/);
  assert.match(await r(page, 'research-last-job').textContent(), /^Failed: Research: 2 folds × 4 cells/);

  // Fixed: the next run finishes, the error gone.
  damaged = false;
  await r(page, 'research-run').click();
  await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid=replay-view] [data-testid=research-last-job]').textContent), null, { timeout: 120_000 });
  assert.equal(await r(page, 'research-error').isVisible(), false);
  assert.equal(await r(page, 'research-fold').count(), 2);
  await context.close();
});
