// Accessibility (issue 19, item 6) of the release build served by `harvest serve --redis`, in
// headless Chromium: axe-core (from npm, injected through the DevTools protocol so the page's
// strict Content-Security-Policy stays as it is) reports no violation on any view, light and
// dark, on a desktop and at 390 px: the explorer, the reviewer with records loaded and one
// opened, the tuning view, the Replay view with a trade, a backtest and a sweep shown (then with
// three symbols loaded), and the Live view with a row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { launchChromium, loadSample, publishOnce, screenshot, seedAdaPosition, startHarvestServe, startRedis, watchPage } from './harness.mjs';
import { csvFile, walkCsv } from './prices.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');

let axeSource;
let redis;
let serve;
let browser;

before(async () => {
  axeSource = await readFile(AXE_SOURCE_PATH, 'utf8');
  redis = await startRedis();
  // One position as the running system's apply layer writes it, its market state, and one
  // P2.5 cycle: the Live view has a row with a second opinion.
  await seedAdaPosition(redis, 5);
  serve = await startHarvestServe(['--redis', redis.url, '--poll-ms', '500']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  serve?.close();
  redis?.close();
});

/**
 * axe-core's violations on the page as it is now (WCAG 2.x A and AA and axe's best practices),
 * one line each: `rule (impact): target — summary`. axe is evaluated through the DevTools
 * protocol (Runtime.evaluate is not subject to the page's CSP; a <script> tag would be refused).
 */
async function axeViolations(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const has = await cdp.send('Runtime.evaluate', { expression: 'typeof window.axe', returnByValue: true });
    if (has.result.value !== 'object') {
      const loaded = await cdp.send('Runtime.evaluate', { expression: axeSource });
      assert.equal(loaded.exceptionDetails, undefined, 'axe-core loads');
    }
    const run = await cdp.send('Runtime.evaluate', {
      expression: `axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations'],
      }).then((r) => r.violations.flatMap((v) => v.nodes.map((n) =>
        v.id + ' (' + v.impact + '): ' + n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' '))))`,
      awaitPromise: true,
      returnByValue: true,
    });
    assert.equal(run.exceptionDetails, undefined, `axe.run: ${JSON.stringify(run.exceptionDetails)}`);
    return run.result.value;
  } finally {
    await cdp.detach();
  }
}

/**
 * Checks the page in light and in dark (prefers-color-scheme, which the page follows live), on
 * a desktop and on a phone (390 px wide), and leaves it as it was (desktop, light).
 */
async function checkEveryWay(page, what, found) {
  for (const [width, height] of [
    [1400, 1000],
    [390, 844],
  ]) {
    await page.setViewportSize({ width, height });
    const where = width === 390 ? `${what} at 390 px` : what;
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      // The canvases repaint on a scheme change or a resize; axe reads the DOM and CSS.
      await page.waitForTimeout(150);
      const v = await axeViolations(page);
      for (const line of v) found.push(`${where}, ${scheme}: ${line}`);
      await screenshot(page, `a11y-${what}-${width}-${scheme}`);
    }
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.emulateMedia({ colorScheme: 'light' });
}

const r = (page, id) => page.locator(`[data-testid=replay-view] [data-testid="${id}"]`);

/** Sets the Replay view's number box `id` to `value` as a user does (typed, then committed). */
async function setBox(page, id, value) {
  await r(page, id).fill(value);
  await r(page, id).dispatchEvent('change');
}

/**
 * Runs the Replay view's backtest every `every` bars and then its sweep (`n` values a tunable,
 * if given), each until `backtestShows` / `sweepShows` is visible and its progress bar gone.
 */
async function backtestAndSweep(page, { every, n, backtestShows, sweepShows }) {
  await setBox(page, 'bt-every', every);
  await r(page, 'bt-run').click();
  await r(page, backtestShows).waitFor({ state: 'visible', timeout: 120_000 });
  await r(page, 'bt-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  if (n) await setBox(page, 'sweep-n', n);
  await r(page, 'sweep-run').click();
  await r(page, sweepShows).waitFor({ state: 'visible', timeout: 300_000 });
  await r(page, 'sweep-progress').waitFor({ state: 'hidden', timeout: 300_000 });
}

test('axe-core: no violations on any view, light and dark, desktop and 390 px', { timeout: 900_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  const watch = watchPage(page, serve.origin);
  const found = [];

  // The explorer.
  await page.goto(serve.url);
  await page.locator('[data-testid=action][data-action]').waitFor({ timeout: 30_000 });
  await checkEveryWay(page, 'explorer', found);

  // The reviewer with the sample loaded and a mismatching record opened.
  await page.getByTestId('view-review').click();
  await page.getByTestId('review-load-sample').click();
  await page.waitForSelector('[data-testid=review-batch][data-status=done]', { timeout: 60_000 });
  // Each MISMATCH shows its explanation and diff under its row.
  await page.getByTestId('review-diff').first().waitFor({ timeout: 10_000 });
  await checkEveryWay(page, 'reviewer', found);

  // The tuning view, its map painted.
  await page.getByTestId('view-tune').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=tuning-view] [data-testid=action-map]')?.dataset.cells === '200x200',
    null,
    { timeout: 30_000 },
  );
  await checkEveryWay(page, 'tuning', found);

  // The Replay view: the sample, a trade, a backtest, a sweep.
  await page.getByTestId('view-replay').click();
  await loadSample(page);
  await backtestAndSweep(page, { every: '200', backtestShows: 'bt-summary', sweepShows: 'sweep-map' });
  // The Research panel (its own chunk, there once prices are loaded) is checked with the view.
  await r(page, 'research-run').waitFor({ state: 'visible', timeout: 60_000 });
  await checkEveryWay(page, 'replay', found);

  // The sweep's heatmap from the keyboard: one Tab stop, arrows move a cursor cell read out
  // below it, Enter uses its values (the shared theta, so the link, changes).
  const heat = r(page, 'sweep-map');
  await heat.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  const said = await r(page, 'sweep-cursor').textContent();
  assert.match(said, /^[A-Za-z0-9_]+ [-\d.k]+, [A-Za-z0-9_]+ [-\d.k]+: (expectancy [-\d.ek]+ R|no trades) \(cell \d+, \d+ of \d+ × \d+\); Enter uses these values$/);
  const hash0 = await page.evaluate(() => location.hash);
  await page.keyboard.press('Enter');
  await page.waitForFunction((h) => location.hash !== h, hash0, { timeout: 5_000 });
  await page.keyboard.press('Escape');
  assert.equal((await r(page, 'sweep-cursor').textContent()).trim(), '');

  // Several symbols: two more price files beside the sample, the list with its Remove buttons,
  // the symbol pickers, the per-symbol table with its pooled row, the sweep's symbol picker.
  await r(page, 'replay-file').setInputFiles([
    csvFile('Bitstamp_ETHUSD_1h.csv', walkCsv(700, 1_600_000_000, 7, 400)),
    csvFile('SOLUSDT-1h-2024-01.csv', walkCsv(600, 1_600_005_400, 11, 30)),
  ]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=replay-symbol]').length === 3, null, { timeout: 60_000 });
  await r(page, 'replay-progress').waitFor({ state: 'hidden', timeout: 60_000 });
  await backtestAndSweep(page, { every: '100', n: '2', backtestShows: 'bt-symbols', sweepShows: 'sweep-symbol' });
  await checkEveryWay(page, 'replay-symbols', found);

  // The Live view with its row (published now: a proposal lives in Redis for a limited time).
  publishOnce(redis, 'ADAUSDT');
  await page.getByTestId('view-live').click();
  await page.locator('[data-testid=live-row][data-symbol=ADAUSDT]').waitFor({ timeout: 30_000 });
  await checkEveryWay(page, 'live', found);

  if (found.length) console.log(found.join('\n'));
  assert.deepEqual(found, [], `axe-core violations:\n${found.join('\n')}`);
  assert.deepEqual(watch.problems(), []);
  await page.close();
});
