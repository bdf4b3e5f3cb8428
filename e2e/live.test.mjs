// The Live view (issue 13) against the release build served by `harvest serve --redis`, with a
// real redis-server: published records appear as rows with the page's verdicts, a new record
// is highlighted where it changed, a click opens it in the explorer; served as static files the
// dashboard offers no Live view and makes no request for it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  harvestBinary,
  launchChromium,
  publishOnce,
  screenshot,
  seedAdaPosition,
  serveDist,
  startHarvestServe,
  startRedis,
  watchPage,
} from './harness.mjs';

const STREAM = 'quantum:stream:harvest.proposal';
const KEY = (sym) => `quantum:harvest:proposal:${sym}`;

/** The kernel's proposals for `inputs` (`harvest propose`): [{ line, p }]. */
function propose(inputs) {
  const out = execFileSync(harvestBinary(), ['propose'], {
    input: inputs.map((i) => JSON.stringify(i)).join('\n') + '\n',
  }).toString();
  return out
    .trim()
    .split('\n')
    .map((line) => ({ line, p: JSON.parse(line) }));
}

const input = (symbol, pnl, age = 3600) => ({
  position: { symbol, side: 'LONG', entry_price: 100, current_price: 100 + pnl, age_sec: age, unrealized_pnl: pnl, current_sl: 99 },
  market_state: { sigma: 0.01, ts: 0.4, p_trend: 0.6, p_mr: 0.2, p_chop: 0.2 },
  p1_proposal: { stop_dist_pct: 0.02 },
});

/** The record P2.5 publishes for a proposal, as alternating field, value arguments. */
function record({ line, p }, epoch, withJson = true) {
  const a = p.audit;
  const f = {
    harvest_action: p.harvest_action,
    new_sl_proposed: p.new_sl_proposed === null ? 'None' : String(p.new_sl_proposed),
    R_net: String(p.R_net),
    risk_unit: String(p.risk_unit),
    cost_est: String(p.cost_est),
    kill_score: String(p.kill_score),
    reason_codes: p.reason_codes.join(','),
    k_regime_flip: String(a.k_components.regime_flip),
    k_sigma_spike: String(a.k_components.sigma_spike),
    k_ts_drop: String(a.k_components.ts_drop),
    k_age_penalty: String(a.k_components.age_penalty),
    sigma: String(a.market_state.sigma),
    ts: String(a.market_state.ts),
    p_trend: String(a.market_state.p_trend),
    p_mr: String(a.market_state.p_mr),
    p_chop: String(a.market_state.p_chop),
    computed_at_utc: new Date(epoch * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    last_update_epoch: String(epoch),
    position_side: a.position.side,
    position_age_sec: String(a.position.age_sec),
    position_current_price: String(a.position.current_price),
    position_entry_price: String(a.position.entry_price),
    position_unrealized_pnl: String(a.position.unrealized_pnl),
  };
  if (withJson) Object.assign(f, { proposal_json: line, kernel_version: 'e2e' });
  return f;
}
const args = (f) => Object.entries(f).flat();

let redis;
let serve;
let browser;

before(async () => {
  redis = await startRedis();
  const [btc, eth, sol] = propose([input('BTCUSDT', 1), input('ETHUSDT', 5), input('SOLUSDT', 0.5, 80000)]);
  const epoch = 1_764_000_000;
  await redis.cli('HSET', KEY('BTCUSDT'), ...args(record(btc, epoch)));
  await redis.cli('HSET', KEY('ETHUSDT'), ...args(record(eth, epoch, false))); // the running system's own
  await redis.cli('HSET', KEY('SOLUSDT'), ...args({ ...record(sol, epoch), kill_score: '0.91' })); // altered
  serve = await startHarvestServe(['--redis', redis.url, '--poll-ms', '200']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  serve?.close();
  redis?.close();
});

const rowOf = (page, sym) => page.locator(`[data-testid=live-row][data-symbol=${sym}]`);

test('published records appear verified; a new one is highlighted; a click opens it in the explorer', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
  const watch = watchPage(page, serve.origin);
  await page.goto(serve.url);
  // The tab is offered (the page was served with Redis); the view is a chunk of its own.
  await page.getByTestId('view-live').click();
  await page.getByTestId('live-view').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(page.url(), /\?view=live(#|$)/);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=live-row]').length === 3, null, {
    timeout: 30_000,
  });
  const verdicts = await page
    .getByTestId('live-row')
    .evaluateAll((rows) => rows.map((r) => [r.dataset.symbol, r.dataset.verdict]));
  assert.deepEqual(verdicts, [
    ['BTCUSDT', 'MATCH'],
    ['ETHUSDT', 'MATCH'],
    ['SOLUSDT', 'MISMATCH'],
  ]);
  assert.match(await page.getByTestId('live-status').textContent(), /connected/);
  assert.match(await rowOf(page, 'SOLUSDT').getByTestId('live-note').textContent(), /hash\.kill_score: published 0\.91/);
  assert.match(await rowOf(page, 'ETHUSDT').getByTestId('live-note').textContent(), /not checked: theta, risk_unit/);
  assert.equal(await rowOf(page, 'BTCUSDT').getAttribute('data-changed'), '');
  assert.equal(await page.locator('[data-testid=live-row] td.changed').count(), 0);

  // A new BTCUSDT proposal in the stream: R_net crosses T1_R (PARTIAL_25 and the profit lock).
  const [btc2] = propose([input('BTCUSDT', 5, 3700)]);
  // As the publisher does: the hash, then the stream.
  const rec2 = record(btc2, 1_764_000_010);
  await redis.cli('HSET', KEY('BTCUSDT'), ...args(rec2));
  await redis.cli('XADD', STREAM, '*', 'symbol', 'BTCUSDT', ...args(rec2));
  const btc = rowOf(page, 'BTCUSDT');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=live-row][data-symbol=BTCUSDT]')?.dataset.updates === '2',
    null,
    { timeout: 15_000 },
  );
  assert.equal(await btc.getAttribute('data-verdict'), 'MATCH');
  assert.equal(await btc.getAttribute('data-changed'), 'harvest_action new_sl_proposed R_net kill_score');
  assert.equal(await btc.getByTestId('live-action').textContent(), 'PARTIAL_25');
  assert.equal(await btc.locator('td.changed').count(), 4);
  assert.equal(await btc.getByTestId('live-spark').getAttribute('data-points'), '2');
  assert.equal(await rowOf(page, 'ETHUSDT').getAttribute('data-changed'), '', 'other rows stay as they were');
  await page.waitForTimeout(300);
  await screenshot(page, 'live-view');

  // Open it: the explorer with the record's inputs, and the record beside it.
  await btc.getByTestId('live-open').click();
  await page.getByTestId('reviewed-record').waitFor({ state: 'visible', timeout: 30_000 });
  assert.doesNotMatch(page.url(), /view=live/);
  assert.equal(Number(await page.getByTestId('input-pnl-number').inputValue()), 5);
  assert.equal(await page.locator('[data-testid=action]').getAttribute('data-action'), 'PARTIAL_25');
  assert.equal(await page.getByTestId('live-view').isVisible(), false);
  // Back to the Live view: still connected, still three rows.
  await page.getByTestId('view-live').click();
  assert.equal(await page.getByTestId('live-row').count(), 3);
  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('a position that goes: its proposal is deleted, the row is marked closed, then gone; the second opinion and the theta in force are shown', async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 }, colorScheme: 'light' });
  const watch = watchPage(page, serve.origin);
  // A position as the running system's apply layer writes it, opened 26 h ago.
  await seedAdaPosition(redis, 26);
  const publish = () => publishOnce(redis, 'ADAUSDT');
  publish();
  await page.goto(`${serve.url}?view=live`);
  await page.getByTestId('live-view').waitFor({ state: 'visible', timeout: 30_000 });
  const ada = rowOf(page, 'ADAUSDT');
  await ada.waitFor({ timeout: 30_000 });
  assert.equal(await ada.getAttribute('data-verdict'), 'MATCH');
  assert.equal(await ada.getAttribute('data-closed'), 'false');
  const second = await ada.getByTestId('live-second').textContent();
  assert.match(second, /^age 26 h is not in the record \(created_at\): with it K = /);
  assert.match(second, /quantity 1200 is not in the computation/);
  assert.match(await page.getByTestId('live-theta').textContent(), /^Theta in force: the defaults \(no policy/);
  assert.match(await page.getByTestId('live-count').textContent(), /with a second opinion/);
  await screenshot(page, 'live-second-opinion');

  // The position goes: the publisher deletes its proposal; the row is marked closed, then gone.
  await redis.cli('DEL', 'quantum:state:positions:ADAUSDT');
  publish();
  assert.equal(await redis.cli('EXISTS', KEY('ADAUSDT')), '0');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=live-row][data-symbol=ADAUSDT]')?.dataset.closed === 'true',
    null,
    { timeout: 15_000 },
  );
  assert.match(await ada.getByTestId('live-note').textContent(), /^closed: the proposal is gone from Redis/);
  assert.match(await page.getByTestId('live-count').textContent(), /1 closed/);
  await screenshot(page, 'live-closed');
  await page.waitForFunction(() => !document.querySelector('[data-testid=live-row][data-symbol=ADAUSDT]'), null, {
    timeout: 30_000,
  });
  // The other rows are still there.
  assert.ok((await page.getByTestId('live-row').count()) >= 3);
  // A fresh page never shows it.
  const fresh = await browser.newPage();
  await fresh.goto(`${serve.url}?view=live`);
  await fresh.waitForFunction(() => document.querySelectorAll('[data-testid=live-row]').length >= 3, null, {
    timeout: 30_000,
  });
  assert.equal(await fresh.locator('[data-testid=live-row][data-symbol=ADAUSDT]').count(), 0);
  await fresh.close();
  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('served as static files there is no Live tab, and ?view=live is the explorer', async () => {
  const app = await serveDist();
  try {
    const page = await browser.newPage();
    const watch = watchPage(page, app.origin);
    await page.goto(`${app.url}?view=live`);
    await page.getByTestId('view-explorer').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=action]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('view-live').count(), 0);
    assert.equal(await page.getByTestId('live-view').count(), 0);
    await page.waitForLoadState('networkidle');
    const asked = watch.responses().filter((r) => r.url().includes('/api/live') || /live_chunk/.test(r.url()));
    assert.deepEqual(asked.map((r) => r.url()), [], 'no request for the live stream or its chunk');
    assert.deepEqual(watch.problems(), []);
    await page.close();
  } finally {
    await app.close();
  }
});
