// The theta-tuning view (?view=tune) of the release build, in headless Chromium: the action map
// and its axes, hover tooltip, robustness and sensitivity, A/B comparison, theta sets in
// localStorage, and the strict theta import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, dragSlider, screenshot, useServedApp, watchPage } from './harness.mjs';

const env = useServedApp();

/** A fresh context (empty localStorage) on the tuning view, its map painted at full resolution. */
async function openTune(viewport = { width: 1400, height: 1000 }) {
  const context = await env.browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}?view=tune`, { waitUntil: 'load' });
  const view = page.getByTestId('tuning-view');
  await view.waitFor({ state: 'visible', timeout: 30_000 });
  await settled(page);
  return { context, page, watch, view };
}

/** Locator of a test id inside the tuning view (the explorer, hidden, has some of the same). */
const t = (page, id) => page.locator(`[data-testid=tuning-view] [data-testid="${id}"]`);

/** Waits until the map has painted after `after` paints and rests at full resolution. */
async function settled(page, after = 0) {
  await page.waitForFunction(
    (n) => {
      const c = document.querySelector('[data-testid=tuning-view] [data-testid=action-map]');
      return c && Number(c.dataset.paints ?? 0) > n && c.dataset.cells === '200x200';
    },
    after,
    { timeout: 20_000 },
  );
  return Number(await t(page, 'action-map').getAttribute('data-paints'));
}

async function paints(page) {
  return Number((await t(page, 'action-map').getAttribute('data-paints')) ?? 0);
}

/** The map's pixels (a data URL of the canvas backing store). */
async function mapPixels(page) {
  return t(page, 'action-map').evaluate((c) => c.toDataURL());
}

/** Moves a range input of the tuning view as a drag would: sets the value, fires `input`. */
async function slide(page, id, value) {
  await t(page, id).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Types a value into a tuning slider's number box and commits it with Enter. */
async function typeValue(page, id, value) {
  const box = t(page, `${id}-number`);
  await box.fill(String(value));
  await box.press('Enter');
}

test('the tuning view: map over picked axes, tooltip, robustness, sensitivity', async () => {
  const { context, page, watch, view } = await openTune();

  // Reachable from the nav, which marks it as the current view.
  await assert.doesNotReject(page.getByTestId('view-tune').waitFor());
  assert.equal(await page.getByTestId('view-tune').getAttribute('aria-current'), 'page');

  // Default axes PnL × σ; a look at the whole view with a tooltip up.
  const box0 = await t(page, 'action-map').boundingBox();
  await page.mouse.move(box0.x + box0.width * 0.62, box0.y + box0.height * 0.55);
  await t(page, 'map-tooltip').waitFor({ state: 'visible' });
  await screenshot(page, 'tuning-default');
  assert.equal(await t(page, 'map-x').inputValue(), 'pnl');
  assert.equal(await t(page, 'map-y').inputValue(), 'sigma');
  assert.match(await t(page, 'map-cell-count').textContent(), /^200 × 200 cells/);
  assert.equal(await t(page, 'action-map').getAttribute('data-paint-error'), null);

  // Pick σ × age: the map repaints with those axes.
  let before = await mapPixels(page);
  let n = await paints(page);
  await t(page, 'map-x').selectOption('sigma'); // y was σ: the axes swap
  assert.equal(await t(page, 'map-y').inputValue(), 'pnl');
  await t(page, 'map-y').selectOption('age_sec');
  n = await settled(page, n);
  assert.equal(await t(page, 'map-x').inputValue(), 'sigma');
  assert.equal(await t(page, 'map-y').inputValue(), 'age_sec');
  assert.match(await t(page, 'action-map').getAttribute('aria-label'), /σ × age/);
  let after = await mapPixels(page);
  assert.notEqual(after, before, 'the map changed with the axes');

  // Moving kill_threshold (a slider drag) repaints a different map: first coarse, then refined.
  before = after;
  await slide(page, 'tune-kill_threshold', 0.45);
  await page.waitForFunction(
    (m) => Number(document.querySelector('[data-testid=tuning-view] [data-testid=action-map]').dataset.paints) > m,
    n,
  );
  n = await settled(page, n);
  after = await mapPixels(page);
  assert.notEqual(after, before, 'the map changed with kill_threshold');
  assert.match(await t(page, 'action-map').getAttribute('aria-label'), /200 × 200 cells/);

  // Hover: the tooltip names the cell's inputs, its action, R_net and K.
  const box = await t(page, 'action-map').boundingBox();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.3);
  const tip = t(page, 'map-tooltip');
  await tip.waitFor({ state: 'visible' });
  const tipText = await tip.textContent();
  assert.match(tipText, /NONE|PARTIAL_(25|50|75)|FULL_CLOSE_PROPOSED/);
  assert.match(tipText, /σ [\d.]+/);
  assert.match(tipText, /R_net -?[\d.]+ · K [\d.]+ [<≥] 0\.45/);
  await page.mouse.move(box.x - 20, box.y - 20);
  await tip.waitFor({ state: 'hidden' });

  // Robustness sentences for every input and kill_threshold.
  const rob = await t(page, 'robustness').textContent();
  for (const axis of ['PnL', 'p_trend', 'σ', 'TS', 'age', 'kill_threshold']) {
    assert.ok(rob.includes(axis), `robustness mentions ${axis}`);
  }
  assert.match(rob, /can (rise|fall) [\d.]+ %/);
  assert.match(rob, /before (NONE|PARTIAL_\d\d|FULL_CLOSE_PROPOSED)/);

  // Sensitivity small multiples painted.
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid=tuning-view] [data-testid=sensitivity]');
    return c && Number(c.dataset.paints ?? 0) > 0;
  });
  assert.equal(await t(page, 'sensitivity').getAttribute('data-paint-error'), null);

  // Click on the map moves the point there (σ and age change, the explorer follows).
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.waitForFunction(() => /sigma=/.test(location.hash) && /age_sec=/.test(location.hash));

  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await tip.waitFor({ state: 'visible' });
  await screenshot(page, 'tuning');
  assert.ok(await view.isVisible());
  assert.deepEqual(watch.problems(), [], 'no console errors, failed or foreign requests');
  await context.close();
});

test('theta sets: save, reload the page, load, delete', async () => {
  const { context, page, watch } = await openTune();
  await typeValue(page, 'tune-kill_threshold', 0.5);
  await t(page, 'theta-set-name').fill('strict kill');
  await t(page, 'theta-set-save').click();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid=tuning-view] [data-testid=theta-set-list] option')].some(
      (o) => o.textContent === 'strict kill',
    ),
  );
  // Another theta, then a reload: the saved set is still there.
  await typeValue(page, 'tune-kill_threshold', 0.7);
  await page.waitForTimeout(300); // the explorer's state is persisted after 150 ms
  await page.reload({ waitUntil: 'load' });
  await settled(page);
  assert.equal(await t(page, 'tune-kill_threshold-number').inputValue(), '0.7');
  await t(page, 'theta-set-list').selectOption('strict kill');
  await t(page, 'theta-set-load').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=tuning-view] [data-testid="tune-kill_threshold-number"]').value === '0.5',
  );
  assert.match(await t(page, 'theta-msg').textContent(), /Loaded “strict kill”/);
  // Delete it: gone after another reload too.
  await t(page, 'theta-set-delete').click();
  const saved = () => t(page, 'theta-set-list').locator('option:not([disabled])').count();
  assert.equal(await saved(), 0);
  await page.reload({ waitUntil: 'load' });
  await settled(page);
  assert.equal(await saved(), 0);
  assert.match(await t(page, 'theta-set-list').textContent(), /No saved sets yet/);
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('A/B: pin A, edit B, see what changes, open a changed position in the explorer', async () => {
  const { context, page, watch } = await openTune();
  const count = () => t(page, 'ab-changed-count').textContent();
  await t(page, 'ab-pin').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=tuning-view] [data-testid=ab-changed-count]')?.textContent === '0',
  );
  assert.match(await t(page, 'ab-summary').textContent(), /same action as A for every position/);

  // B: a lower kill threshold.
  await typeValue(page, 'tune-kill_threshold', 0.55);
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=tuning-view] [data-testid=ab-changed-count]')?.textContent) > 0,
  );
  const scenarios = Number(await count());
  assert.ok(scenarios > 0);
  assert.match(await t(page, 'ab-theta-diff').textContent(), /kill_threshold 0\.6 → 0\.55/);
  assert.match(await t(page, 'ab-summary').textContent(), /B proposes \d+ more full close/);
  assert.match(await t(page, 'ab-summary').textContent(), /of 16 positions \(spec replay steps\): action \d+/);
  assert.equal(await t(page, 'ab-row').count(), scenarios);

  // The grid around the current point: 2340 positions.
  await t(page, 'ab-set').selectOption('grid');
  await page.waitForFunction(() =>
    /of 2340 positions/.test(document.querySelector('[data-testid=tuning-view] [data-testid=ab-summary]').textContent),
  );
  const grid = Number(await count());
  assert.ok(grid > scenarios, `grid ${grid} > scenarios ${scenarios}`);
  assert.ok((await t(page, 'ab-row').count()) > 0);

  await t(page, 'ab-summary').scrollIntoViewIfNeeded();
  await screenshot(page, 'tuning-ab');

  // The reviewer's loaded records: load its sample there, compare them here.
  await page.getByTestId('view-review').click();
  await page.getByTestId('review-load-sample').click();
  await page.waitForSelector('[data-testid=review-batch][data-status=done]', { timeout: 60_000 });
  await page.getByTestId('view-tune').click();
  await settled(page);
  await t(page, 'ab-set').selectOption('reviewer');
  // 302 lines, 2 of them unreadable: 300 records with inputs.
  await page.waitForFunction(() =>
    /of 300 positions \(the reviewer's loaded records\)/.test(
      document.querySelector('[data-testid=tuning-view] [data-testid=ab-summary]').textContent,
    ),
  );
  assert.ok(Number(await count()) > 0, 'kill_threshold 0.55 changes some recorded positions');

  // Open the first changed position: the explorer shows it with theta B.
  const first = t(page, 'ab-row').first();
  const label = await first.locator('td').first().textContent();
  assert.match(label, /\.jsonl:\d+ \w+/);
  await first.getByTestId('ab-open').click();
  await page.getByTestId('tuning-view').waitFor({ state: 'hidden' });
  await page.getByTestId('theta-kill-threshold-number').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('theta-kill-threshold-number').inputValue(), '0.55');
  assert.ok(!new URL(page.url()).search.includes('view=tune'));

  // Back to the tuning view: A is still pinned.
  await page.getByTestId('view-tune').click();
  await settled(page);
  assert.ok(await t(page, 'ab-unpin').isEnabled(), 'A is still pinned');
  assert.match(await t(page, 'ab-theta-diff').textContent(), /kill_threshold 0\.6 → 0\.55/);
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('theta import is strict: every problem is named and theta stays as it was', async () => {
  const { context, page, watch } = await openTune();
  await typeValue(page, 'tune-T1_R', 1.5);

  // Export both formats.
  await t(page, 'theta-export-lines').click();
  const lines = await t(page, 'theta-text').inputValue();
  assert.match(lines, /^theta\.harvest\.T1_R=1\.5$/m);
  assert.match(lines, /^theta\.harvest\.kill_threshold=0\.6$/m);
  await t(page, 'theta-export-json').click();
  const json = JSON.parse(await t(page, 'theta-text').inputValue());
  assert.equal(json.T1_R, 1.5);
  assert.equal(Object.keys(json).length, 22);

  // An unknown key and a value the kernel refuses (sigma_ref divides: 0 is refused; a
  // kill_threshold outside (0, 1) is only a warning since the kernel follows the running
  // system): both named, nothing changes.
  await t(page, 'theta-text').fill('theta.harvest.kill_treshold=0.5\ntheta.harvest.sigma_ref=0\n');
  await t(page, 'theta-import').click();
  const errors = t(page, 'theta-import-errors').locator('li');
  await errors.first().waitFor();
  assert.equal(await errors.count(), 2);
  const text = await t(page, 'theta-import-errors').textContent();
  assert.match(text, /line 1: unknown tunable “theta\.harvest\.kill_treshold”/);
  assert.match(text, /line 2: theta\.sigma_ref = 0 is out of range/);
  assert.match(await t(page, 'theta-msg').textContent(), /Import refused \(2 problems\); the current theta is unchanged/);
  assert.equal(await t(page, 'tune-kill_threshold-number').inputValue(), '0.6');
  assert.equal(await t(page, 'tune-T1_R-number').inputValue(), '1.5');

  // A good import applies (keys not given take the defaults).
  await t(page, 'theta-text').fill('# mine\ntheta.harvest.kill_threshold=0.55\n');
  await t(page, 'theta-import').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=tuning-view] [data-testid="tune-kill_threshold-number"]').value === '0.55',
  );
  assert.equal(await t(page, 'tune-T1_R-number').inputValue(), '2');
  assert.equal(await errors.count(), 0);

  // Round trip of the exported JSON.
  await t(page, 'theta-text').fill(JSON.stringify({ ...json, kill_threshold: 0.65 }));
  await t(page, 'theta-import').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=tuning-view] [data-testid="tune-kill_threshold-number"]').value === '0.65',
  );
  assert.equal(await t(page, 'tune-T1_R-number').inputValue(), '1.5');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

/** The tuning view's result line (`tune-now`) as the page shows it, with its box. */
async function resultLine(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid=tuning-view] [data-testid="${id}"]`);
    const r = q('tune-now').getBoundingClientRect();
    const [first, second] = q('tune-now').textContent.split('\n');
    return {
      action: q('tune-now').dataset.action,
      first,
      k: second.split(' · ')[0],
      sl: second.split(' · ')[1],
      top: r.top,
      bottom: r.bottom,
      scrollY: window.scrollY,
    };
  });
}

test('on a phone (390 × 844) the result stays in view while the sliders are dragged', async () => {
  const { context, page, watch } = await openTune({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow} px`);

  // Drag PnL, then kill_threshold (further down: the page scrolls to it first), with the mouse.
  const drag = async (id, steps) => {
    await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      window.scrollBy(0, el.getBoundingClientRect().top - 500);
    }, `[data-testid=tuning-view] [data-testid="${id}"]`);
    const scrolled = await page.evaluate(() => window.scrollY);
    const box = await t(page, id).boundingBox();
    const seen = await dragSlider(page, t(page, id), [0, 1], steps, () => resultLine(page));
    for (const s of seen) {
      assert.ok(s.top >= 0 && s.bottom <= 844, `${id}: the result line is on screen: ${s.top}…${s.bottom}`);
      assert.ok(s.bottom <= box.y, `${id}: above the slider, not over it`);
      assert.equal(s.scrollY, scrolled, `${id}: nothing scrolled`);
      assert.ok(s.first.startsWith(`${s.action} · R_net `), s.first);
    }
    return { seen, scrolled };
  };

  const pnl = await drag('tune-pnl', 40);
  const order = pnl.seen.map((s) => s.action).filter((a, i, all) => i === 0 || a !== all[i - 1]);
  assert.deepEqual(order, ['NONE', 'PARTIAL_25', 'PARTIAL_50', 'PARTIAL_75'], 'the action changed in view');
  assert.match(pnl.seen.at(-1).sl, /^SL → 100\.2$/);
  assert.match(pnl.seen[0].sl, /^SL stays$/);
  // The line agrees with the slider's own number box.
  assert.equal(await t(page, 'tune-pnl-number').inputValue(), await t(page, 'tune-pnl').inputValue());

  // kill_threshold across K (0.503 at p_trend 0.6): the threshold in the line follows the slider,
  // and below K the action is a full close.
  const kill = await drag('tune-kill_threshold', 30);
  assert.ok(kill.scrolled > 0 && kill.seen[0].top < 1, `stuck to the top: ${kill.seen[0].top}`);
  assert.ok(kill.seen.some((s) => /^K 0\.503 ≥ 0\.[0-4]/.test(s.k) && s.action === 'FULL_CLOSE_PROPOSED'), kill.seen.map((s) => s.k).join(' | '));
  assert.ok(kill.seen.some((s) => /^K 0\.503 < 0\.[6-9]/.test(s.k) && s.action !== 'FULL_CLOSE_PROPOSED'));
  const last = kill.seen.at(-1);
  assert.equal(last.k, `K 0.503 < ${await t(page, 'tune-kill_threshold-number').inputValue()}`);

  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'tuning-390-drag.png') });
  assert.deepEqual(watch.problems(), []);
  await context.close();
});
