// The Replay view's Research panel (issue 21) in the release build, in headless Chromium: on the
// shipped BTC/USD sample, a walk-forward research runs in slices with progress, Cancel stops it,
// a full run shows the per-fold table, the verdict and the charts, and its report JSON (the
// download) is byte for byte what `harvest research` writes for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, harvestBinary, screenshot, useServedApp, watchPage } from './harness.mjs';

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
  await r(page, 'replay-load-sample').click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=replay-chart]')?.dataset.paints ?? 0) > 0,
    null,
    { timeout: 120_000 },
  );
  await r(page, 'replay-progress').waitFor({ state: 'hidden', timeout: 120_000 });
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

  // Cancel a bigger grid (10 × 10) in the first frame that shows the progress card: no report.
  await setValue(page, 'research-axis-0-n', 10);
  await setValue(page, 'research-axis-1-n', 10);
  await r(page, 'research-run').click();
  const seen = await page.evaluate(
    () =>
      new Promise((done) => {
        const q = (id) => document.querySelector(`[data-testid=replay-view] [data-testid=${id}]`);
        const tick = () => {
          if (!q('research-progress').hidden) {
            q('research-cancel').click();
            return done(true);
          }
          if (/^Done/.test(q('research-last-job').textContent)) return done(false);
          requestAnimationFrame(tick);
        };
        tick();
      }),
  );
  assert.ok(seen, 'the progress card showed while the research ran');
  await r(page, 'research-progress').waitFor({ state: 'hidden', timeout: 10_000 });
  assert.match(await r(page, 'research-last-job').textContent(), /^Cancelled: Research: 3 folds × 100 cells \+ the base theta: [\d,]+ of [\d,]+ trades · /);
  assert.equal(await r(page, 'research-fold-table').isVisible(), false, 'no report after Cancel');
  await setValue(page, 'research-axis-0-n', 3);
  await setValue(page, 'research-axis-1-n', 3);

  // The whole run: progress, then the report; the page paints meanwhile.
  const t0 = Date.now();
  await r(page, 'research-run').click();
  await r(page, 'research-progress').waitFor({ state: 'visible' });
  const frames = await page.evaluate(
    () =>
      new Promise((done) => {
        let n = 0;
        const t = performance.now();
        const tick = () => {
          n += 1;
          if (performance.now() - t < 1000) requestAnimationFrame(tick);
          else done(n);
        };
        requestAnimationFrame(tick);
      }),
  );
  await r(page, 'research-progress').waitFor({ state: 'hidden', timeout: 300_000 });
  const ms = Date.now() - t0;
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
  console.log(`research in the page: 3 folds × 9 cells on the sample (every 48 bars, both sides) in ${ms} ms; ${frames} frames painted in the first second of the run`);
  assert.ok(frames >= 20, `the page keeps painting while the research runs (${frames} frames in 1 s)`);
  assert.deepEqual(watch.problems(), []);
  await context.close();
});
