// The Live view's chart (issue 20 item 6) on the whole chain, as scripts/demo.sh runs it: a real
// redis-server, `harvest feed` playing the shipped BTC/USD sample with paper positions from a
// backtest's entries, `harvest publish-market` (P0.5), `publish-risk` (P1.5) and `publish`
// (P2.5), and `harvest serve --redis` serving the release build. Clicking the symbol opens its
// chart: the candles from Redis, at least one proposal marker, and it follows new bars.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  harvestBinary,
  launchChromium,
  screenshot,
  startHarvestServe,
  startRedis,
  watchPage,
} from './harness.mjs';

const SAMPLE = join(ROOT, 'assets/prices/Coinbase_BTCUSD_1h.csv');
const SYMBOL = 'BTCUSD';
const HOUR = 3600;

let redis;
let serve;
let browser;
let work;
const children = [];

/** A chain service as its systemd unit runs it (env only, as in deploy/*.env). */
function service(args, env) {
  const child = spawn(harvestBinary(), args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  children.push(child);
  return child;
}

/** The canvas's data-* stamps as numbers. */
async function stamps(page) {
  return page.getByTestId('live-chart-canvas').evaluate((c) => ({
    paints: Number(c.dataset.paints ?? 0),
    candles: Number(c.dataset.candles ?? 0),
    proposals: Number(c.dataset.proposals ?? 0),
    markers: Number(c.dataset.markers ?? 0),
    lastBar: Number(c.dataset.lastBar ?? 0),
    error: c.dataset.paintError ?? null,
  }));
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'harvest-live-chart-'));
  redis = await startRedis();
  // Paper positions at a backtest's entries on the same prices (a long every 24 bars).
  const trades = execFileSync(harvestBinary(), ['backtest', SAMPLE, '--every', '24', '--side', 'long'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  }).toString();
  writeFileSync(join(work, 'trades.jsonl'), trades);
  const entry = Number(trades.match(/"entry_time":(\d+)/g)[19].split(':')[1]);
  const common = { SYMBOLS: SYMBOL, PUBLISH_INTERVAL_SEC: '0.5', ENABLE_STREAM: 'true', REDIS_URL: redis.url };
  service(['publish-market'], {
    MARKETSTATE_REDIS_URL: redis.url,
    MARKETSTATE_SYMBOLS: SYMBOL,
    MARKETSTATE_PUBLISH_INTERVAL: '0.5',
  });
  service(['publish-risk'], common);
  service(['publish'], common);
  serve = await startHarvestServe(['--redis', redis.url, '--poll-ms', '200']);
  browser = await launchChromium();
  // The history (300 bars) at once, then a bar a second from 2 bars before the 20th entry: its
  // paper position opens, is proposed on, and closes after 16 bars; bars go on coming.
  service(
    [
      'feed',
      `${SYMBOL}=${SAMPLE}`,
      '--redis-url',
      redis.url,
      '--speed',
      String(HOUR),
      '--from',
      String(entry - 2 * HOUR),
      '--until',
      String(entry + 60 * HOUR),
      '--positions',
      join(work, 'trades.jsonl'),
      '--hold',
      '16',
    ],
    {},
  );
});

after(async () => {
  for (const c of children) c.kill();
  await browser?.close();
  serve?.close();
  redis?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('clicking a symbol opens its live chart: candles from Redis, proposal markers, new bars followed', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  const watch = watchPage(page, serve.origin);
  await page.goto(`${serve.url}?view=live`);
  await page.getByTestId('live-view').waitFor({ state: 'visible', timeout: 30_000 });
  const row = page.locator(`[data-testid=live-row][data-symbol=${SYMBOL}]`);
  await row.waitFor({ timeout: 60_000 });
  // The table stays the overview; the chart is not shown until asked for.
  assert.equal(await page.getByTestId('live-chart').isVisible(), false);
  const open = row.getByTestId('live-chart-open');
  assert.equal(await open.getAttribute('aria-pressed'), 'false');
  await open.click();
  assert.equal(await open.getAttribute('aria-pressed'), 'true');
  await page.getByTestId('live-chart').waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await page.getByTestId('live-chart').getAttribute('data-symbol'), SYMBOL);
  // Keyboard users land on the chart's heading.
  await page.waitForFunction(() => document.activeElement?.id === 'live-chart-title', null, { timeout: 5_000 });
  // Candles from Redis and at least one action marker (the paper position's proposals).
  await page.waitForFunction(
    () => {
      const c = document.querySelector('[data-testid=live-chart-canvas]');
      return c && Number(c.dataset.candles) >= 100 && Number(c.dataset.markers) >= 1;
    },
    null,
    { timeout: 90_000 },
  );
  let s = await stamps(page);
  assert.equal(s.error, null);
  assert.ok(s.proposals >= 1, JSON.stringify(s));
  // All the cache's bars (the feed's 300 of history and those played since) are there; the
  // newest of them (about 10 px a bar) are shown.
  assert.match(await page.getByTestId('live-chart-source').textContent(), /^30\d bars from candles:BTCUSD:1m \(the newest 1\d\d shown\)/);
  const headline = await page.getByTestId('live-chart-headline').textContent();
  assert.match(headline, /^BTCUSD: 1\d\d bars of 1 h, last [\d.]+ at \d{4}-\d\d-\d\d \d\d:\d\d; now (LONG|SHORT) /);
  assert.match(await page.getByTestId('live-chart-canvas').getAttribute('aria-label'), /^BTCUSD: /);
  // It follows new bars: the newest bar's time moves on and the canvas is painted again.
  const before = s;
  await page.waitForFunction(
    (last) => Number(document.querySelector('[data-testid=live-chart-canvas]')?.dataset.lastBar) > last,
    before.lastBar,
    { timeout: 30_000 },
  );
  s = await stamps(page);
  assert.ok(s.paints > before.paints, JSON.stringify({ before, s }));
  await page.waitForTimeout(300);
  await screenshot(page, 'live-chart');
  // The Explorer button still opens the record in the explorer; the chart closes with its button.
  await page.getByTestId('live-chart-close').click();
  await page.getByTestId('live-chart').waitFor({ state: 'hidden', timeout: 5_000 });
  assert.equal(await open.getAttribute('aria-pressed'), 'false');
  // Closing the chart ends its stream (the browser reports the request as aborted): nothing else.
  const closed = (p) => /^request failed: .*\/api\/live\/chart\?symbol=BTCUSD \(net::ERR_ABORTED\)$/.test(p);
  assert.deepEqual(watch.problems().filter((p) => !closed(p)), []);
  await page.close();
});

test('the live chart at 390 px: the same chart, the table scrolls beside it', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const watch = watchPage(page, serve.origin);
  await page.goto(`${serve.url}?view=live`);
  const row = page.locator(`[data-testid=live-row][data-symbol=${SYMBOL}]`);
  await row.waitFor({ timeout: 60_000 });
  await row.getByTestId('live-chart-open').click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=live-chart-canvas]')?.dataset.candles) >= 30,
    null,
    { timeout: 60_000 },
  );
  // The chart fits the screen: no wider than the viewport.
  const box = await page.getByTestId('live-chart-canvas').boundingBox();
  assert.ok(box.width <= 390 && box.width > 300, JSON.stringify(box));
  await page.waitForTimeout(300);
  await screenshot(page, 'live-chart-390');
  assert.deepEqual(watch.problems(), []);
  await page.close();
});
