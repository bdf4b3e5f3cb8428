// The Replay view (?view=replay) of the release build, in headless Chromium: load the shipped
// BTC/USD sample, replay a trade (markers, the stop's path, the signals), scrub through it, open a
// bar in the explorer, run a backtest with progress and read its summary; Cancel stops a sweep.
// Timings (one trade computed and drawn, a scrub's repaint, the backtest) are printed for
// BENCHMARKS.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, loadSample, screenshot, useServedApp, watchPage } from './harness.mjs';

const env = useServedApp();

/** Locator of a test id inside the Replay view. */
const r = (page, id) => page.locator(`[data-testid=replay-view] [data-testid="${id}"]`);

/** Whether a canvas has pixels of more than one colour (a chart, not a blank fill). */
async function notBlank(locator) {
  return locator.evaluate((c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 97) {
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      if (seen.size > 8) return true;
    }
    return false;
  });
}

async function paints(page) {
  return Number((await r(page, 'replay-chart').getAttribute('data-paints')) ?? 0);
}

/** Moves the scrubber as a drag would: sets the value, fires `input`. */
async function scrub(page, value) {
  await r(page, 'replay-scrubber').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

test('replay: the sample, a trade, the scrubber, the explorer, a backtest', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  // kill_threshold 0.9 (in the link, as any theta): trades run until their stop, the slow case.
  await page.goto(`${env.app.url}?view=replay#kill_threshold=0.9`, { waitUntil: 'load' });
  await r(page, 'replay-load-sample').waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await page.getByTestId('view-replay').getAttribute('aria-current'), 'page');
  assert.match(await r(page, 'replay-theta').textContent(), /Theta: 1 tunable changed/);
  await r(page, 'replay-empty').waitFor({ state: 'visible' });

  // Load the sample: progress shows, then the source line and a trade.
  const t0 = Date.now();
  await r(page, 'replay-load-sample').click();
  await r(page, 'replay-source').waitFor({ state: 'visible', timeout: 60_000 });
  assert.match(await r(page, 'replay-source').textContent(), /Coinbase_BTCUSD_1h\.csv: 20,111 bars/);
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=replay-chart]')?.dataset.paints ?? 0) > 0,
    null,
    { timeout: 120_000 },
  );
  const firstTradeMs = Date.now() - t0;
  await r(page, 'replay-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  const loadMs = Date.now() - t0;
  const statesLine = await r(page, 'replay-last-job').textContent();
  assert.match(statesLine, /^Done: P0 market state of every bar of Coinbase_BTCUSD_1h\.csv: 20,111 of 20,111 bars · (\d+ ms|\d+\.\d s)$/);

  // The trade: markers (entry + at least one exit), the stop's path, signals painted.
  const chart = r(page, 'replay-chart');
  assert.equal(await chart.getAttribute('data-paint-error'), null);
  assert.ok(Number(await chart.getAttribute('data-markers')) >= 2);
  assert.ok(Number(await chart.getAttribute('data-stop-levels')) >= 1);
  assert.ok(await notBlank(chart), 'the trade chart has pixels');
  assert.ok(await notBlank(r(page, 'replay-signals')), 'the signals chart has pixels');
  const headline = await r(page, 'replay-headline').textContent();
  assert.match(headline, /^(LONG|SHORT) at .* R \(\d+ partials?\); hold -?[\d.]+ R, P1 trail -?[\d.]+ R$/);
  assert.match(await chart.getAttribute('aria-label'), /after \d+ bars/);
  const simMs = Number(await chart.getAttribute('data-sim-ms'));
  const paintMs = Number(await chart.getAttribute('data-paint-ms'));
  await screenshot(page, 'replay-trade');

  // Another entry: the trade replays (new headline), timed end to end in the page.
  const entry = Number(await r(page, 'replay-entry').inputValue());
  const before = await paints(page);
  const t1 = await page.evaluate(() => performance.now());
  await r(page, 'replay-next').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=replay-chart]').dataset.paints) > n, before);
  const tradeMs = (await page.evaluate(() => performance.now())) - t1;
  assert.equal(Number(await r(page, 'replay-entry').inputValue()), entry + 24);
  await r(page, 'replay-prev').click();
  await page.waitForFunction((h) => document.querySelector('[data-testid=replay-headline]').textContent === h, headline);

  // Scrub: the bar's readouts follow; each scrub repaints.
  const max = Number(await r(page, 'replay-scrubber').getAttribute('max'));
  assert.ok(max >= 1);
  const k = Math.max(1, Math.floor(max / 2));
  const p0 = await paints(page);
  const left0 = await r(page, 'replay-cursor').getAttribute('style');
  // In the page: from the input event to the next animation frame, the readouts follow.
  const scrubMs = await page.evaluate(async (v) => {
    const el = document.querySelector('[data-testid=replay-view] [data-testid=replay-scrubber]');
    const t = performance.now();
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((res) => requestAnimationFrame(() => res()));
    const followed = document.querySelector('[data-testid=replay-bar-index]').textContent.includes(`(${v} of`);
    return followed ? performance.now() - t : -1;
  }, k);
  assert.ok(scrubMs >= 0, 'the readouts follow the scrubber by the next frame');
  assert.notEqual(await r(page, 'replay-cursor').getAttribute('style'), left0, 'the bar line moved');
  assert.equal(await paints(page), p0, 'scrubbing does not repaint the chart');
  assert.match(await r(page, 'replay-bar-index').textContent(), new RegExp(`^\\d+ \\(${k} of ${max} after entry\\)$`));
  // A bar with a proposal (the last may be the stop's): back off until one is there.
  let bar = k;
  while (!(await r(page, 'replay-bar-r-net').count()) && bar > 1) {
    bar -= 1;
    await scrub(page, bar);
  }
  const action = await r(page, 'replay-bar-action').textContent();
  assert.match(action, /^(NONE|PARTIAL_25|PARTIAL_50|PARTIAL_75|FULL_CLOSE_PROPOSED)$/);
  const rNet = Number(await r(page, 'replay-bar-r-net').textContent());
  assert.ok(Number.isFinite(rNet));
  assert.match(await r(page, 'replay-bar-p1').textContent(), /^SL .* · target .* · stop [\d.]+ %$/);

  // Open in explorer: the explorer shows that bar's proposal.
  await r(page, 'replay-open-explorer').click();
  await page.waitForFunction(() => !location.search.includes('view=replay'));
  const act = page.locator('[data-testid=action][data-action]');
  await act.waitFor({ state: 'visible' });
  assert.equal(await act.getAttribute('data-action'), action);
  const explorerR = Number(await page.getByTestId('r-net').getAttribute('data-value'));
  assert.ok(Math.abs(explorerR - rNet) < 6e-4, `explorer R_net ${explorerR} vs replay ${rNet}`);
  await page.getByTestId('view-replay').click();
  await r(page, 'replay-chart').waitFor({ state: 'visible' });

  // Theta in the view: the same state as the other tabs (the link follows), the trade replays.
  await r(page, 'replay-theta').click();
  const tk = r(page, 'replay-theta-kill-threshold-number');
  await tk.waitFor({ state: 'visible' });
  assert.equal(await tk.inputValue(), '0.9');
  const pt = await paints(page);
  await tk.fill('0.3');
  await tk.press('Enter');
  await page.waitForFunction(() => location.hash.includes('kill_threshold=0.3'), null, { timeout: 5_000 });
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=replay-chart]').dataset.paints) > n, pt, { timeout: 10_000 });
  await tk.fill('0.9');
  await tk.press('Enter');
  await page.waitForFunction(() => location.hash.includes('kill_threshold=0.9'), null, { timeout: 5_000 });
  await page.waitForFunction((h) => document.querySelector('[data-testid=replay-headline]').textContent === h, headline);
  await r(page, 'replay-theta').click();

  // Hover on the trade chart reads the bar out; a click moves the scrubber to it.
  const entryIndex = Number(await r(page, 'replay-entry').inputValue());
  await chart.scrollIntoViewIfNeeded();
  const cb = await chart.boundingBox();
  await page.mouse.move(cb.x + cb.width * 0.55, cb.y + cb.height * 0.5);
  await page.waitForFunction(() =>
    /^\d{4}-\d\d-\d\d \d\d:\d\d · O \S+ H \S+ L \S+ C \S+/.test(document.querySelector('[data-testid=replay-view] [data-testid=replay-hover]').textContent),
  );
  const hovered = Number(await chart.getAttribute('data-hover'));
  assert.ok(hovered >= entryIndex - 12, `hovered bar ${hovered}`);
  const p2 = await paints(page);
  await page.mouse.click(cb.x + cb.width * 0.55, cb.y + cb.height * 0.5);
  const want = Math.min(Math.max(hovered - entryIndex, 0), max);
  await page.waitForFunction((k) => document.querySelector('[data-testid=replay-view] [data-testid=replay-scrubber]').value === String(k), want);
  assert.equal(await paints(page), p2, 'a click scrubs without repainting the chart');
  await screenshot(page, 'replay-hover');
  await page.mouse.move(0, 0);
  // The entry by date and time: the first bar at or after it.
  await r(page, 'replay-entry-at').fill('2018-01-01T00:00');
  await r(page, 'replay-entry-at').dispatchEvent('change');
  await page.waitForFunction(() => document.querySelector('[data-testid=replay-view] [data-testid=replay-entry-time]').textContent.startsWith('2018-01-01 00:00'));
  assert.notEqual(Number(await r(page, 'replay-entry').inputValue()), entryIndex);
  await r(page, 'replay-entry').fill(String(entryIndex));
  await r(page, 'replay-entry').dispatchEvent('change');
  await page.waitForFunction((h) => document.querySelector('[data-testid=replay-headline]').textContent === h, headline);

  // A backtest: progress, then the summary against the baselines and the trade list.
  await r(page, 'bt-every').fill('20');
  await r(page, 'bt-every').dispatchEvent('change');
  await r(page, 'bt-sides').selectOption('both');
  const b0 = await page.evaluate(() => performance.now());
  await r(page, 'bt-run').click();
  // Its last progress figures stay on screen (the bar itself is up too briefly to catch: the
  // market states are computed once at load; the sweep below catches it and cancels).
  await r(page, 'bt-summary').waitFor({ state: 'visible', timeout: 120_000 });
  await r(page, 'bt-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  const backtestMs = (await page.evaluate(() => performance.now())) - b0;
  // Its outcome in the Backtest panel, the time in ms or s as it took (never "0.0 s").
  assert.match(await r(page, 'bt-last-job').textContent(), /^Done: Backtest with theta A: 1,000 of 1,000 trades · (\d+ ms|\d+\.\d s)$/);
  assert.equal(await r(page, 'bt-last-job').evaluate((el) => !!el.closest('.replay-backtest')), true);
  assert.equal(await r(page, 'bt-trade').count(), 100, 'the first 100 trades listed');
  const trades = await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').textContent();
  assert.ok(trades.includes('LONG') && trades.includes('SHORT'));
  const sentence = await r(page, 'bt-sentence').textContent();
  assert.match(sentence, /^1000 trades: expectancy -?[\d.]+ R per trade, (better than|worse than|level with) holding/);
  assert.equal((await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').locator('tbody tr').count()), 100);
  assert.equal((await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').locator('thead th').count()), 10);
  assert.equal((await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').locator('[data-n="0"]').count()), 1);
  assert.equal((await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').locator('[data-n="99"]').count()), 1);
  assert.equal(await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').isVisible(), true);
  assert.equal((await page.locator('[data-testid=replay-view] table[data-testid=bt-trades]').locator('tbody tr td').first().textContent()).trim(), '1');
  assert.equal((await r(page, 'bt-row-trades').locator('td').first().textContent()).trim(), '1000');
  assert.ok((await r(page, 'bt-histogram').locator('.hist-row').count()) >= 3);
  await screenshot(page, 'replay-backtest');

  // Click a trade: it is replayed above.
  const row = r(page, 'bt-trade').nth(3);
  const rowEntry = (await row.locator('td').nth(2).textContent()).trim();
  await row.click();
  await page.waitForFunction((t) => document.querySelector('[data-testid=replay-entry-time]').textContent.startsWith(t), rowEntry);

  // A/B: pin A, change theta in the explorer (that is B), run again on the same trades.
  await r(page, 'bt-pin').click();
  await page.getByTestId('view-explorer').click();
  const box = page.getByTestId('theta-kill-threshold-number');
  await box.fill('0.6');
  await box.press('Enter');
  await page.getByTestId('view-replay').click();
  await r(page, 'bt-ab-diff').waitFor({ state: 'visible' });
  assert.match(await r(page, 'bt-ab-diff').textContent(), /B differs from A in kill_threshold/);
  await r(page, 'bt-stale').waitFor({ state: 'hidden' });
  await r(page, 'bt-run').click();
  await r(page, 'bt-ab').waitFor({ state: 'visible', timeout: 120_000 });
  assert.match(await r(page, 'bt-ab').textContent(), /^On the same 1000 trades: A expectancy .* B is better on \d+, worse on \d+/);
  await r(page, 'bt-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  // A and B in two columns (B − A beside them), the histograms overlaid, both curves.
  await r(page, 'bt-ab-table').waitFor({ state: 'visible' });
  assert.equal((await r(page, 'bt-ab-row-trades').locator('td').first().textContent()).trim(), '1000');
  assert.match((await r(page, 'bt-ab-row-expectancy').locator('td').nth(2).textContent()).trim(), /^[+-]\d+\.\d{3}$/);
  await page.waitForFunction(() => document.querySelector('[data-testid=replay-view] [data-testid=bt-curves]').dataset.curves === '2');
  assert.equal(await r(page, 'bt-curves').getAttribute('data-paint-error'), null);
  assert.ok(await notBlank(r(page, 'bt-curves')), 'the equity and drawdown curves have pixels');
  assert.match(await r(page, 'bt-curves-headline').textContent(), /^Cumulative R over 1000 trades: A [+-]?[\d.]+ R \(worst drawdown [\d.]+ R\), B [+-]?[\d.]+ R/);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=replay-view] [data-testid=bt-ab-hist]').dataset.paints ?? 0) > 0);
  assert.ok(await notBlank(r(page, 'bt-ab-hist')), 'the overlaid histograms have pixels');
  await r(page, 'bt-curves').scrollIntoViewIfNeeded();
  await screenshot(page, 'replay-ab');

  // The first sweep after a backtest: the heatmap is painted (it once stayed blank: "canvas is
  // not laid out (0×0 CSS px)"), with no paint error, in the Sweep panel's own progress.
  await r(page, 'sweep-run').click();
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 180_000 });
  await r(page, 'sweep-map').waitFor({ state: 'visible' });
  await page.waitForFunction(
    () => document.querySelector('[data-testid=replay-view] [data-testid=sweep-map]')?.dataset.cells === '36',
    null,
    { timeout: 10_000 },
  );
  assert.equal(await r(page, 'sweep-map').getAttribute('data-paint-error'), null);
  assert.ok(await notBlank(r(page, 'sweep-map')), 'the heatmap after a backtest has pixels');
  assert.match(await r(page, 'sweep-last-job').textContent(), /^Done: Sweep of kill_threshold × T1_R: 10,800 of 10,800 trades · (\d+ ms|\d+\.\d s)$/);

  console.log(
    `replay timings: first trade on screen ${firstTradeMs} ms after Load sample, all states ${loadMs} ms (${statesLine}), trade sim ${simMs} ms + paint ${paintMs} ms, next trade end to end ${tradeMs.toFixed(1)} ms, scrub (input to next frame, readouts updated) ${scrubMs.toFixed(1)} ms, backtest of 1000 trades ${backtestMs.toFixed(0)} ms`,
  );
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('replay: a sweep runs with progress and Cancel stops it', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}?view=replay#kill_threshold=0.95`, { waitUntil: 'load' });
  await loadSample(page);
  await r(page, 'sweep-x').selectOption('lock_R');
  await r(page, 'sweep-y').selectOption('T1_R');
  assert.match(await r(page, 'sweep-ranges').textContent(), /^lock_R 0\.75 … 2\.25 \(6 values\) × T1_R 1 … 3 \(6 values\)/);
  // Cancel a big sweep (20 × 20 cells of 300 trades) in the first frame that shows its progress
  // (the page paints between slices); the cells done so far stay.
  await r(page, 'sweep-n').fill('20');
  await r(page, 'sweep-n').dispatchEvent('change');
  await r(page, 'sweep-run').click();
  const seen = await page.evaluate(
    () =>
      new Promise((done) => {
        const q = (id) => document.querySelector(`[data-testid=replay-view] [data-testid=${id}]`);
        const tick = () => {
          if (!q('sweep-progress').hidden) {
            q('sweep-cancel').click();
            return done(true);
          }
          if (/^Done/.test(q('sweep-last-job').textContent)) return done(false);
          requestAnimationFrame(tick);
        };
        tick();
      }),
  );
  assert.ok(seen, 'the progress card showed while the sweep ran');
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 10_000 });
  assert.match(await r(page, 'replay-message').first().textContent(), /sweep was cancelled/);
  assert.match(await r(page, 'sweep-last-job').textContent(), /^Cancelled: Sweep of lock_R × T1_R: [\d,]+ of 120,000 trades/);
  const cells = Number((await r(page, 'sweep-map').getAttribute('data-cells')) ?? 0);
  assert.ok(cells < 400, `cells ${cells}`);
  await r(page, 'sweep-n').fill('6');
  await r(page, 'sweep-n').dispatchEvent('change');
  // Run it to the end: 36 cells, and a click on a cell sets theta (the link changes).
  await r(page, 'sweep-run').click();
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 180_000 });
  assert.equal(Number(await r(page, 'sweep-map').getAttribute('data-cells')), 36);
  assert.ok(await notBlank(r(page, 'sweep-map')), 'the heatmap has pixels');
  await r(page, 'sweep-map').scrollIntoViewIfNeeded();
  const box = await r(page, 'sweep-map').boundingBox();
  // The bottom-left cell: the first value of both axes.
  await page.mouse.click(box.x + 80, box.y + box.height - 45);
  await page.waitForFunction(() => location.hash.includes('lock_R=0.75') && location.hash.includes('T1_R=1'), null, { timeout: 5_000 });
  // Hover: the cell's values and expectancy read out under the map.
  await page.mouse.move(box.x + 80, box.y + box.height - 45);
  await page.waitForFunction(() => /^lock_R 0\.75, T1_R 1: [+-]?[\d.]+ R per trade over 300 trades$/.test(document.querySelector('[data-testid=replay-view] [data-testid=sweep-readout]').textContent));
  await screenshot(page, 'replay-sweep');
  // The keyboard: focus the map, move right and up, Enter uses the cell.
  await page.mouse.move(0, 0);
  await r(page, 'sweep-map').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  assert.equal(await r(page, 'sweep-map').getAttribute('data-focus'), '7', 'the cursor cell (outlined) starts at the current theta');
  assert.match(await r(page, 'sweep-cursor').textContent(), /^lock_R 1\.05, T1_R 1\.4: expectancy [-\d.]+ R \(cell 2, 2 of 6 × 6\); Enter uses these values$/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('lock_R=1.05') && location.hash.includes('T1_R=1.4'), null, { timeout: 5_000 });
  // A 20 × 20 grid (on 20 trades): 400 cells painted, labels rounded.
  await r(page, 'bt-limit').fill('20');
  await r(page, 'bt-limit').dispatchEvent('change');
  await r(page, 'sweep-n').fill('20');
  await r(page, 'sweep-n').dispatchEvent('change');
  assert.match(await r(page, 'sweep-ranges').textContent(), /\(20 values\) × T1_R .* \(20 values\)/);
  await r(page, 'sweep-run').click();
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 180_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=replay-view] [data-testid=sweep-map]').dataset.cells === '400', null, { timeout: 10_000 });
  assert.equal(await r(page, 'sweep-map').getAttribute('data-paint-error'), null);
  assert.ok(await notBlank(r(page, 'sweep-map')), 'the 20 × 20 heatmap has pixels');
  await r(page, 'sweep-map').scrollIntoViewIfNeeded();
  await screenshot(page, 'replay-sweep-20');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('replay: on a phone (390 px) nothing is clipped: the trade, a backtest with A/B, the sweep, research', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}?view=replay`, { waitUntil: 'load' });
  await loadSample(page);
  await r(page, 'bt-limit').fill('60');
  await r(page, 'bt-limit').dispatchEvent('change');
  await r(page, 'bt-pin').click();
  await r(page, 'replay-theta').click();
  await r(page, 'replay-theta-kill-threshold-number').fill('0.8');
  await r(page, 'replay-theta-kill-threshold-number').press('Enter');
  await r(page, 'bt-run').click();
  await r(page, 'bt-ab-table').waitFor({ state: 'visible', timeout: 120_000 });
  await r(page, 'bt-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  await r(page, 'sweep-run').click();
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=replay-view] [data-testid=sweep-map]').dataset.paints ?? 0) > 0);
  // Nothing wider than the screen: the page does not scroll sideways, and every element of the
  // view ends inside it (tables scroll inside their own box).
  const over = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('[data-testid=replay-view] *')) {
      if (el.closest('.table-scroll') || el.closest('[hidden]') || el.closest('details:not([open])')) continue;
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      if (b.right > vw + 0.5 || b.left < -0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} ${b.left.toFixed(0)}…${b.right.toFixed(0)}`);
    }
    return { vw, scroll: document.documentElement.scrollWidth, out: out.slice(0, 10) };
  });
  assert.deepEqual(over.out, [], `elements past the ${over.vw} px screen`);
  assert.ok(over.scroll <= over.vw, `the page scrolls sideways: ${over.scroll} > ${over.vw}`);
  for (const id of ['replay-chart', 'sweep-map', 'bt-curves']) {
    assert.equal(await r(page, id).getAttribute('data-paint-error'), null, id);
  }
  await r(page, 'replay-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'replay-390-trade.png') });
  await r(page, 'bt-curves').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'replay-390-ab.png') });
  await r(page, 'sweep-map').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'replay-390-sweep.png') });
  assert.deepEqual(watch.problems(), []);
  await context.close();
});
