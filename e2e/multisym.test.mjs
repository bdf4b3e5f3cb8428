// Several price files at once in the Replay view (issue 21, item 1), in headless Chromium on the
// release build: three generated hourly CSVs and a broken one picked together; the symbols from
// the file names (as `harvest backtest` names them) with bars and date range; the broken file is
// an error naming it while the others load; a backtest gives one row a symbol and the pooled row,
// whose expectancy is the CLI's on the same files; the trade list and the sweep's heatmap pick a
// symbol; the Research panel researches the three; removing a symbol pools the rest again. At
// 390 px nothing is clipped. Screenshots in target/e2e.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, harvestBinary, screenshot, useServedApp, watchPage } from './harness.mjs';
import { csvFile, walkCsv } from './prices.mjs';

const env = useServedApp();

/** Locator of a test id inside the Replay view. */
const r = (page, id) => page.locator(`[data-testid=replay-view] [data-testid="${id}"]`);

const FILES = [
  { name: 'Bitstamp_ETHUSD_1h.csv', text: walkCsv(1200, 1_600_000_000, 7, 400), symbol: 'ETHUSD' },
  { name: 'SOLUSDT-1h-2024-01.csv', text: walkCsv(1000, 1_600_005_400, 11, 30), symbol: 'SOLUSDT' },
  { name: 'BTC_USDT-1h.csv', text: walkCsv(900, 1_600_090_000, 13, 20_000), symbol: 'BTC/USDT' },
];

/** The figures `harvest backtest` gives on FILES with the page's default rule. */
function cliSummary() {
  const dir = join(ARTIFACTS, 'multisym-files');
  mkdirSync(dir, { recursive: true });
  const paths = FILES.map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  const summary = join(dir, 'summary.json');
  execFileSync(harvestBinary(), ['backtest', ...paths, '--every', '24', '--side', 'long', '--limit', '1000', '--summary', summary], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return JSON.parse(readFileSync(summary, 'utf8'));
}

const asFile = (f) => csvFile(f.name, f.text);

/** A new context at `width` × `height` with the Replay view open, and its page's watch. */
async function openReplay(width, height) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}?view=replay`, { waitUntil: 'load' });
  return { context, page, watch };
}

test('replay: three price files at once, per symbol and pooled, a broken one named, remove one', async () => {
  const cli = cliSummary();
  const { context, page, watch } = await openReplay(1400, 1100);
  await r(page, 'replay-file').waitFor({ state: 'attached', timeout: 30_000 });
  assert.equal(await r(page, 'replay-file').getAttribute('multiple'), '');

  // Three good files and a broken one, picked together.
  const broken = csvFile('notes.csv', 'hello\nworld\n');
  await r(page, 'replay-file').setInputFiles([...FILES.map(asFile), broken]);
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=replay-view] [data-testid=replay-symbol]').length === 3,
    null,
    { timeout: 60_000 },
  );
  await r(page, 'replay-progress').waitFor({ state: 'hidden', timeout: 60_000 });
  const symbols = await r(page, 'replay-symbol').evaluateAll((els) => els.map((e) => e.dataset.symbol));
  assert.deepEqual(symbols, ['BTC/USDT', 'ETHUSD', 'SOLUSDT'], 'by symbol, as the CLI orders them');
  const eth = await page.locator('[data-testid=replay-symbol][data-symbol=ETHUSD]').textContent();
  assert.match(eth, /^ETHUSD — Bitstamp_ETHUSD_1h\.csv: 1,200 bars, 2020-09-13 \d\d:\d\d – 2020-11-0\d \d\d:\d\d UTC/);
  const messages = await r(page, 'replay-message').allTextContents();
  assert.equal(messages.length, 1, messages.join(' | '));
  assert.match(messages[0], /^notes\.csv could not be read as prices: /);
  // The trade shows the first file's symbol; the picker offers the three.
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=replay-chart]')?.dataset.paints ?? 0) > 0,
    null,
    { timeout: 60_000 },
  );
  assert.equal(await r(page, 'replay-symbol-pick').inputValue(), 'ETHUSD');

  // A backtest of every symbol: one row a symbol and the pooled row.
  const t0 = Date.now();
  await r(page, 'bt-run').click();
  await r(page, 'bt-symbols').waitFor({ state: 'visible', timeout: 120_000 });
  await r(page, 'bt-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  console.log(`multisym: backtest of 3 symbols ${Date.now() - t0} ms; ${await r(page, 'bt-last-job').textContent()}`);
  const cell = (key, col) => page.locator(`[data-testid="bt-sym-${key}"] td[data-col="${col}"]`).textContent();
  const trades = {};
  for (const s of symbols) trades[s] = Number(await cell(s, 0));
  const pooledTrades = Number(await cell('pooled', 0));
  assert.ok(Object.values(trades).every((n) => n > 20), JSON.stringify(trades));
  assert.equal(pooledTrades, Object.values(trades).reduce((a, b) => a + b, 0));
  assert.match(await page.locator('[data-testid="bt-sym-pooled"] th').textContent(), /^Pooled \(3 symbols\)$/);
  // The same figures as `harvest backtest FILE1 FILE2 FILE3`.
  assert.equal(pooledTrades, cli.a.theta.trades);
  assert.equal(await cell('pooled', 4), cli.a.theta.expectancy.toFixed(3), 'pooled expectancy = the CLI’s');
  assert.equal(await cell('pooled', 6), cli.a.theta.max_drawdown_r.toFixed(2), 'pooled drawdown = the CLI’s');
  for (const part of cli.per_symbol) {
    assert.equal(await cell(part.symbol, 5), part.a.theta.total_r.toFixed(2), `${part.symbol} total R`);
  }
  // The summary below is the pooled one.
  assert.equal(Number(await r(page, 'bt-sum-trades').textContent()), pooledTrades);

  // The trade list follows the picked symbol.
  assert.equal(await r(page, 'bt-trade').count(), Math.min(100, trades.ETHUSD));
  await r(page, 'bt-symbol-pick').selectOption('SOLUSDT');
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid=replay-view] [data-testid=bt-trade]').length === n,
    Math.min(100, trades.SOLUSDT),
  );
  assert.equal(await r(page, 'replay-symbol-pick').inputValue(), 'SOLUSDT');
  assert.match(await page.locator('[data-testid=replay-view] .replay-trades h3').textContent(), /^Trades of SOLUSDT \(\d+\)$/);

  // The sweep: pooled by default, one symbol on demand (its cells differ).
  await r(page, 'sweep-n').fill('3');
  await r(page, 'sweep-n').dispatchEvent('change');
  await r(page, 'sweep-run').click();
  await r(page, 'sweep-map').waitFor({ state: 'visible', timeout: 120_000 });
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  assert.equal(await r(page, 'sweep-map').getAttribute('data-cells'), '9');
  const paintsBefore = Number(await r(page, 'sweep-map').getAttribute('data-paints'));
  await r(page, 'sweep-symbol').selectOption('ETHUSD');
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=sweep-map]')?.dataset.paints ?? 0) > n,
    paintsBefore,
  );
  assert.equal(await r(page, 'sweep-map').getAttribute('data-paint-error'), null);
  await screenshot(page, 'replay-multisym');

  // Research takes every loaded symbol (3 folds, a 2 × 2 grid): its report names the three.
  assert.equal(await r(page, 'research-symbol').textContent(), 'BTC/USDT, ETHUSD, SOLUSDT');
  for (const [id, v] of [['research-fold-count', 3], ['research-every', 12], ['research-axis-0-n', 2], ['research-axis-1-n', 2]]) {
    await r(page, id).fill(String(v));
    await r(page, id).dispatchEvent('change');
  }
  await r(page, 'research-run').click();
  await page.waitForFunction(
    () => /^(Done|Failed|Cancelled)/.test(document.querySelector('[data-testid=research-last-job]')?.textContent ?? '') ||
      !document.querySelector('[data-testid=research-error]')?.hidden,
    null,
    { timeout: 300_000 },
  );
  assert.equal(await r(page, 'research-error').isHidden(), true, await r(page, 'research-error').textContent());
  assert.match(await r(page, 'research-last-job').textContent(), /^Done: Research: 3 folds × 4 cells/);
  assert.match(await r(page, 'research-heading').textContent(), / on BTC\/USDT, ETHUSD, SOLUSDT \(3 folds/);

  // Remove a symbol: the rest pooled again, without running the backtest again.
  const ethTrades = trades.ETHUSD;
  await page.locator('[data-testid=replay-symbol][data-symbol=ETHUSD] [data-testid=replay-remove]').click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=replay-view] [data-testid=replay-symbol]').length === 2,
  );
  assert.equal(await page.locator('[data-testid="bt-sym-ETHUSD"]').count(), 0);
  assert.equal(Number(await cell('pooled', 0)), pooledTrades - ethTrades);
  assert.match(await page.locator('[data-testid="bt-sym-pooled"] th').textContent(), /^Pooled \(2 symbols\)$/);
  assert.equal(await r(page, 'sweep-map').isHidden(), true, 'the sweep was of three symbols');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('replay: several symbols at 390 px, nothing clipped', async () => {
  const { context, page, watch } = await openReplay(390, 844);
  await r(page, 'replay-file').setInputFiles(FILES.slice(0, 2).map(asFile));
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=replay-view] [data-testid=replay-symbol]').length === 2,
    null,
    { timeout: 60_000 },
  );
  await r(page, 'replay-progress').waitFor({ state: 'hidden', timeout: 60_000 });
  await r(page, 'bt-run').click();
  await r(page, 'bt-symbols').waitFor({ state: 'visible', timeout: 120_000 });
  await r(page, 'bt-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  // The page does not scroll sideways; wide tables scroll inside their own box.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=replay-symbol], [data-testid=replay-remove], [data-testid=replay-symbol-pick]')]
      .map((e) => e.getBoundingClientRect())
      .filter((b) => b.width > 0 && (b.left < 0 || b.right > window.innerWidth + 0.5))
      .map((b) => `${b.left}..${b.right}`),
  );
  assert.deepEqual(clipped, []);
  await screenshot(page, 'replay-multisym-390');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});
