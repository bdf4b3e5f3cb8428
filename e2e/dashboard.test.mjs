// The dashboard, end to end, against the release build (dist/ served under /harvest-lab/) in
// headless Chromium: real drags and key presses on the sliders, presets, shared links, invalid
// theta, pixels of the charts, and no request outside the page's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, dragSlider, screenshot, useServedApp, watchPage } from './harness.mjs';

const env = useServedApp();

/** A fresh page (own context: empty localStorage) at `hash`, with the app rendered. */
async function open(hash = '', { width = 1400, height = 1000 } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(env.app.url + hash);
  await page.locator('[data-testid=action][data-action]').first().waitFor({ timeout: 30_000 });
  return { page, watch, context };
}

/** Waits for the next animation frame in the page (every effect of an input has run by then). */
const frame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));

/** The outputs as the page shows them. */
async function outputs(page) {
  await frame(page);
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    const num = (id) => {
      const v = q(id)?.dataset.value;
      return v === undefined || v === '' ? null : Number(v);
    };
    return {
      action: q('action')?.dataset.action,
      actionText: q('action')?.textContent,
      stale: q('action')?.dataset.stale === 'true',
      rNet: num('r-net'),
      rNetText: q('r-net')?.textContent,
      k: num('kill-score'),
      kText: q('kill-score')?.textContent,
      newSl: num('new-sl'),
      newSlText: q('new-sl')?.textContent,
      currentSlText: q('current-sl')?.textContent,
      codes: [...document.querySelectorAll('[data-testid="reason-codes"] [data-code]')].map((c) => c.dataset.code),
      json: q('proposal-json')?.textContent,
      flips: [...document.querySelectorAll('[data-testid="flips"] li')].map((li) => li.textContent),
    };
  });
}

/** Types into a number box and commits it with Enter. */
async function typeNumber(page, testid, text) {
  const box = page.getByTestId(`${testid}-number`);
  await box.fill(text);
  await box.press('Enter');
  await frame(page);
}

test('dragging PnL walks NONE → PARTIAL_25 → PARTIAL_50 → PARTIAL_75 at the right R', async () => {
  const { page, watch, context } = await open();
  const slider = page.getByTestId('input-pnl');
  // Press on the track's left end (the value jumps there), then drag right in small steps.
  const seen = await dragSlider(page, slider, [0, 1], 160, () => outputs(page));
  const order = seen.map((o) => o.action).filter((a, i, all) => i === 0 || a !== all[i - 1]);
  assert.deepEqual(order, ['NONE', 'PARTIAL_25', 'PARTIAL_50', 'PARTIAL_75'], 'the action only ever rises, one tranche at a time');
  // Each change happens where R_net crosses T1_R = 2, T2_R = 4, T3_R = 6.
  for (const [action, t] of [['PARTIAL_25', 2], ['PARTIAL_50', 4], ['PARTIAL_75', 6]]) {
    const i = seen.findIndex((o) => o.action === action);
    assert.ok(seen[i].rNet >= t, `${action} first seen at R_net ${seen[i].rNet} ≥ ${t}`);
    assert.ok(seen[i - 1].rNet < t, `the step before ${action} had R_net ${seen[i - 1].rNet} < ${t}`);
  }
  // The drag covered −3 R … +10 R and the field followed the slider.
  assert.ok(seen[0].rNet <= -2.9, `starts near −3 R: ${seen[0].rNet}`);
  assert.ok(seen.at(-1).rNet >= 9.9, `ends near +10 R: ${seen.at(-1).rNet}`);
  const boxValue = Number(await page.getByTestId('input-pnl-number').inputValue());
  assert.ok(Math.abs(boxValue - Number(await slider.inputValue())) < 1e-9);
  // Keyboard: Home then End on the focused slider, every key an input event.
  await slider.focus();
  await page.keyboard.press('Home');
  assert.equal((await outputs(page)).action, 'NONE');
  await page.keyboard.press('End');
  assert.equal((await outputs(page)).action, 'PARTIAL_75');
  // Just below a trigger: R_net (4.1 − 0.1) / 2 = 1.9999999999999998 shows as 2.000, its exact
  // value on hover, and the R ladder says the next tranche is less than 0.01 R away.
  await typeNumber(page, 'input-pnl', '4.1');
  const near = await outputs(page);
  assert.equal(near.action, 'NONE');
  assert.equal(near.rNetText, '2.000');
  assert.equal(await page.getByTestId('r-net').getAttribute('title'), '1.9999999999999998');
  assert.match(await page.getByTestId('chart-r-ladder').getAttribute('aria-label'), /25 % in < 0\.01 R/);
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('dropping p_trend to 0.1 proposes FULL_CLOSE_PROPOSED with the published K 0.734', async () => {
  const { page, watch, context } = await open();
  await typeNumber(page, 'input-pnl', '3');
  let o = await outputs(page);
  assert.equal(o.action, 'NONE');
  assert.equal(o.kText, '0.503');
  assert.equal(o.rNetText, '1.450');
  // Keyboard on the range input: Home (0), then 10 × ArrowRight (step 0.01) = 0.1.
  const slider = page.getByTestId('input-p-trend');
  await slider.focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await slider.inputValue(), '0.1');
  o = await outputs(page);
  assert.equal(o.action, 'FULL_CLOSE_PROPOSED');
  assert.equal(o.kText, '0.734');
  assert.ok(Math.abs(o.k - 0.734) < 5e-4);
  assert.deepEqual(o.codes, ['kill_score_triggered', 'regime_flip']);
  // The other two probabilities were rescaled to keep the sum at 1.
  assert.equal(await page.getByTestId('input-p-mr-number').inputValue(), '0.45');
  assert.equal(await page.getByTestId('input-p-chop-number').inputValue(), '0.45');
  assert.equal(await page.getByTestId('p-sum').textContent(), '1.000');
  // The explanation says what would undo it.
  assert.ok(o.flips.some((f) => f.startsWith('p_trend ≥ 0.3 → NONE')), o.flips.join(' | '));
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('the profit lock moves the SL to break-even plus for LONG and SHORT', async () => {
  const { page, watch, context } = await open();
  let o = await outputs(page);
  assert.equal(o.newSl, null);
  assert.equal(o.newSlText, 'SL unchanged');
  await typeNumber(page, 'input-pnl', '4');
  o = await outputs(page);
  assert.equal(o.rNetText, '1.950');
  assert.equal(o.action, 'NONE');
  assert.ok(Math.abs(o.newSl - 100.2) < 1e-9, `LONG: ${o.newSl}`);
  assert.equal(o.currentSlText, ' (current 99)');
  assert.deepEqual(o.codes, ['profit_lock']);
  await page.getByTestId('input-side').selectOption('SHORT');
  o = await outputs(page);
  assert.equal(o.currentSlText, ' (current 101)', 'the stop is mirrored to the other side of entry');
  assert.ok(Math.abs(o.newSl - 99.8) < 1e-9, `SHORT: ${o.newSl}`);
  assert.deepEqual(o.codes, ['profit_lock']);
  // A stop already tighter than BE+ is never loosened.
  await typeNumber(page, 'input-sl', '99.5');
  o = await outputs(page);
  assert.equal(o.newSl, null);
  // No stop at all: the lock places one.
  await page.getByTestId('input-sl-none').check();
  o = await outputs(page);
  assert.ok(Math.abs(o.newSl - 99.8) < 1e-9);
  assert.equal(o.currentSlText, ' (current: none)');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('a preset loads its inputs and its steps can be stepped through', async () => {
  const { page, watch, context } = await open();
  const pick = page.getByTestId('preset');
  await pick.selectOption('6');
  let o = await outputs(page);
  assert.equal(o.action, 'FULL_CLOSE_PROPOSED');
  assert.equal(o.kText, '0.917');
  assert.deepEqual(o.codes, ['kill_score_triggered', 'regime_flip', 'sigma_spike', 'age_penalty']);
  assert.equal(await page.getByTestId('theta-kill-threshold-number').inputValue(), '0.5');
  assert.match(await page.getByTestId('preset-published').textContent(), /K 0\.917/);

  await pick.selectOption('1');
  const actions = [(await outputs(page)).action];
  const next = page.getByTestId('preset-next');
  while (await next.isEnabled()) {
    await next.click();
    actions.push((await outputs(page)).action);
  }
  assert.deepEqual(actions, ['NONE', 'PARTIAL_25', 'PARTIAL_50', 'PARTIAL_75']);
  assert.match(await page.getByTestId('preset-step').textContent(), /Step 4 of 4/);
  await page.getByTestId('preset-prev').click();
  o = await outputs(page);
  assert.equal(o.action, 'PARTIAL_50');
  assert.equal(o.rNetText, '4.450');
  assert.ok(Math.abs(o.newSl - 100.2) < 1e-9);

  // Scenario 8: no P1, the fallback stop.
  await pick.selectOption('8');
  o = await outputs(page);
  assert.equal(o.action, 'PARTIAL_25');
  assert.equal(o.rNetText, '2.450');
  assert.ok(await page.getByTestId('input-p1-off').isChecked());
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('a shared link restores exactly what the sender saw; the last state persists', async () => {
  const sender = await open();
  await sender.page.getByTestId('preset').selectOption('7');
  await sender.page.getByTestId('preset-next').click();
  await typeNumber(sender.page, 'theta-kill-threshold', '0.55');
  await typeNumber(sender.page, 'input-age', '30.5');
  await sender.page.getByTestId('copy-link').click();
  const link = await sender.page.getByTestId('share-url').inputValue();
  assert.equal(link, sender.page.url());
  assert.ok(link.startsWith(env.app.url), `relative to the app's own address: ${link}`);
  assert.match(link, /#.*side=short/);
  assert.match(link, /kill_threshold=0\.55/);
  const sent = await outputs(sender.page);

  const receiver = await open(link.slice(env.app.url.length));
  const got = await outputs(receiver.page);
  assert.deepEqual(got, sent, 'same outputs, same proposal JSON');
  assert.equal(await receiver.page.getByTestId('theta-kill-threshold-number').inputValue(), '0.55');
  assert.equal(await receiver.page.getByTestId('input-side').inputValue(), 'SHORT');
  assert.equal(await receiver.page.getByTestId('notice').count(), 0);

  // The sender reloads the bare address: localStorage brings the state back.
  await sender.page.goto(env.app.url);
  await sender.page.locator('[data-testid=action][data-action]').waitFor();
  assert.deepEqual(await outputs(sender.page), sent);
  assert.deepEqual(sender.watch.problems(), []);
  assert.deepEqual(receiver.watch.problems(), []);
  await sender.context.close();
  await receiver.context.close();
});

test('a corrupt link falls back to defaults with a visible notice', async () => {
  const { page, watch, context } = await open('#pnl=abc&bogus=1&side=sideways&%%%');
  const notice = page.getByTestId('notice');
  await notice.waitFor();
  const text = await notice.textContent();
  assert.match(text, /position\.unrealized_pnl/);
  assert.match(text, /bogus/);
  const o = await outputs(page);
  assert.equal(o.action, 'NONE');
  assert.equal(o.rNetText, '-0.050');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('a nonsense theta computes with a warning; one the kernel cannot compute shows its error inline, keeps the last proposal (stale) and the page alive', async () => {
  const { page, watch, context } = await open();
  await typeNumber(page, 'input-pnl', '9');
  const before = await outputs(page);
  assert.equal(before.action, 'PARTIAL_50');
  assert.equal(await page.getByTestId('error').isVisible(), false);
  assert.equal(await page.getByTestId('warnings').textContent(), '');

  // T3_R below T2_R: computed as the running P2 system does (T3_R, then T2_R, then T1_R), with
  // a warning in the proposal; a fresh proposal, not a stale one.
  await typeNumber(page, 'theta-T3-R', '3');
  let o = await outputs(page);
  assert.equal(o.stale, false, 'fresh, not stale');
  assert.equal(o.action, 'PARTIAL_75', 'R 4.45 ≥ T3_R 3, checked first');
  assert.match(await page.getByTestId('warnings').textContent(), /T3_R = 3 ≤ T2_R = 4/);
  assert.match(o.json, /"thresholds_unordered"/);
  assert.equal(await page.getByTestId('theta-T3-R-error').isVisible(), false);
  assert.equal(await page.getByTestId('error').isVisible(), false);
  const warned = o;

  // sigma_ref = 0: the kernel cannot compute (it divides by it): the error, next to the field
  // and in the banner; the last proposal stays, marked stale.
  await typeNumber(page, 'theta-sigma-ref', '0');
  const inline = page.getByTestId('theta-sigma-ref-error');
  await inline.waitFor();
  assert.match(await inline.textContent(), /theta\.sigma_ref = 0 is out of range: expected a finite number ≠ 0/);
  const banner = page.getByTestId('error');
  assert.ok(await banner.isVisible());
  assert.match(await banner.textContent(), /theta\.sigma_ref/);
  o = await outputs(page);
  assert.ok(o.stale, 'marked stale');
  assert.equal(o.action, warned.action, 'the last valid proposal stays');
  assert.equal(o.json, warned.json);

  // Moving an input while invalid keeps the last valid proposal.
  await typeNumber(page, 'input-pnl', '20');
  o = await outputs(page);
  assert.equal(o.action, 'PARTIAL_75');
  assert.ok(o.stale);

  // Text that is no number: refused, with the field and its sensible range; the value stays.
  await typeNumber(page, 'theta-kill-threshold', 'abc');
  const err = await page.getByTestId('theta-kill-threshold-error').textContent();
  assert.match(err, /kill_threshold/);
  assert.match(err, /0 < value < 1/);
  assert.equal(await page.getByTestId('theta-kill-threshold-number').inputValue(), '0.6');
  await typeNumber(page, 'input-entry', '-5');
  assert.match(await page.getByTestId('input-entry-error').textContent(), /position\.entry_price .*> 0/);
  assert.equal(await page.getByTestId('input-entry-number').inputValue(), '100');

  // Reset fixes it: fresh proposal for the current inputs, then no warning either.
  await page.getByTestId('theta-sigma-ref-reset').click();
  o = await outputs(page);
  assert.equal(o.stale, false);
  assert.equal(await banner.isVisible(), false);
  assert.match(await page.getByTestId('warnings').textContent(), /T3_R = 3/);
  await page.getByTestId('theta-T3-R-reset').click();
  o = await outputs(page);
  assert.equal(o.action, 'PARTIAL_75', 'PnL 20 is R 9.95');
  assert.equal(await page.getByTestId('warnings').textContent(), '');
  assert.deepEqual(watch.problems(), [], 'no panic, no console error');
  await context.close();
});

test('the three charts are painted (not blank) and repaint on input', async () => {
  const { page, watch, context } = await open();
  const stats = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        const colours = new Map();
        for (let i = 0; i < data.length; i += 4) {
          const k = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
          colours.set(k, (colours.get(k) ?? 0) + 1);
        }
        const bg = Math.max(...colours.values());
        return {
          id: c.dataset.testid,
          paints: Number(c.dataset.paints ?? 0),
          error: c.dataset.paintError ?? null,
          w: c.width,
          h: c.height,
          colours: colours.size,
          inked: 1 - bg / (data.length / 4),
        };
      }),
    );
  const first = await stats();
  assert.deepEqual(first.map((s) => s.id).sort(), ['chart-kill', 'chart-r-ladder', 'chart-stop-ladder']);
  for (const s of first) {
    assert.equal(s.error, null, `${s.id} painted without error`);
    assert.ok(s.w >= 200 && s.h >= 100, `${s.id} has a size: ${s.w}×${s.h}`);
    assert.ok(s.colours >= 8, `${s.id} has ${s.colours} colours`);
    assert.ok(s.inked > 0.03, `${s.id}: ${(s.inked * 100).toFixed(1)} % of pixels are not background`);
  }
  // PnL moves R_net and the stop: the R and stop ladders repaint; K does not change.
  const byId = (list) => Object.fromEntries(list.map((s) => [s.id, s]));
  await typeNumber(page, 'input-pnl', '13');
  const second = byId(await stats());
  const f = byId(first);
  assert.ok(second['chart-r-ladder'].paints > f['chart-r-ladder'].paints, 'R ladder repainted');
  assert.ok(second['chart-stop-ladder'].paints > f['chart-stop-ladder'].paints, 'stop ladder repainted');
  assert.equal(second['chart-kill'].paints, f['chart-kill'].paints, 'kill explainer unchanged');
  // σ moves K: the kill explainer repaints.
  await typeNumber(page, 'input-sigma', '0.03');
  const third = byId(await stats());
  assert.ok(third['chart-kill'].paints > second['chart-kill'].paints, 'kill explainer repainted');
  assert.ok(third['chart-kill'].inked > 0.03);
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('readable and operable at 360 px: no horizontal scroll, labelled controls', async () => {
  const { page, watch, context } = await open('', { width: 360, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow} px`);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && !el.labels?.length && !el.getAttribute('aria-label'))
      .map((el) => el.dataset.testid ?? el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  // Keyboard: Tab reaches the PnL slider, arrows move it.
  await page.getByTestId('input-pnl').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('input-pnl-number').inputValue(), '0.02');
  await screenshot(page, 'dashboard-360');
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

/** The result line (`result-bar`) and the summary card's action as the page shows them, with their boxes. */
async function resultBar(page) {
  await frame(page);
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    const r = q('result-bar').getBoundingClientRect();
    return {
      action: q('result-bar').dataset.action,
      text: q('result-bar').textContent,
      top: r.top,
      bottom: r.bottom,
      card: q('action').getBoundingClientRect().top,
      scrollY: window.scrollY,
    };
  });
}

test('on a phone (390 × 844) the result stays in view while PnL is dragged', async () => {
  const { page, watch, context } = await open('', { width: 390, height: 844 });
  const slider = page.getByTestId('input-pnl');
  // Scroll the inputs so the PnL slider sits 200 px down the screen (the header, the presets
  // and the top of the position card are scrolled away).
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid=input-pnl]');
    window.scrollBy(0, el.getBoundingClientRect().top - 200);
  });
  const scrolled = await page.evaluate(() => window.scrollY);
  assert.ok(scrolled > 0, 'the page scrolled');
  // The summary card is more than a screen below: only the result line can show the proposal.
  const card = await page.getByTestId('action').boundingBox();
  assert.ok(card.y > 844, `the summary card starts at ${card.y} px`);

  // A real drag on the range input, left to right; the result line is read at every step.
  const box = await slider.boundingBox();
  const seen = await dragSlider(page, slider, [0, 1], 60, () => resultBar(page));
  for (const s of seen) {
    assert.ok(s.top >= 0 && s.bottom <= 844, `the result line is on screen: ${s.top}…${s.bottom}`);
    assert.ok(s.bottom <= box.y, 'and above the slider, not over it');
    assert.ok(s.card > 844, 'while the card is off screen');
    assert.equal(s.scrollY, scrolled, 'nothing scrolled');
    assert.equal(s.bottom - s.top, seen[0].bottom - seen[0].top, 'the line keeps its height');
    assert.ok(s.text.startsWith(`${s.action} · R_net `), s.text);
  }
  assert.ok(seen[0].top < 1, `stuck to the top of the screen: ${seen[0].top}`);
  const order = seen.map((s) => s.action).filter((a, i, all) => i === 0 || a !== all[i - 1]);
  assert.deepEqual(order, ['NONE', 'PARTIAL_25', 'PARTIAL_50', 'PARTIAL_75'], 'the action changed in view');
  // The line says what the card says.
  const o = await outputs(page);
  const last = seen.at(-1);
  assert.equal(last.action, o.action);
  assert.equal(last.text, `${o.action} · R_net ${o.rNetText}\nK ${o.kText} < 0.6 · SL → 100.2`);
  assert.ok(o.newSlText.includes('100.2'));
  assert.match(seen[0].text, /^NONE · R_net -\d\.\d{3}\nK 0\.503 < 0\.6 · SL stays$/);
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'explorer-390-drag.png') });
  assert.deepEqual(watch.problems(), []);
  await context.close();
});

test('the page makes no request outside its own origin', async () => {
  const { page, watch, context } = await open();
  const hosts = new Set();
  page.on('request', (r) => hosts.add(new URL(r.url()).origin));
  await page.getByTestId('preset').selectOption('3');
  await page.getByTestId('copy-json').click();
  await page.getByText('Export / import theta').click();
  await page.getByTestId('theta-export-json').click();
  await page.getByTestId('theta-text').fill('{"kill_threshold": 0.7}');
  await page.getByTestId('theta-import').click();
  // The importer is its own wasm chunk, fetched on the first import.
  await page.getByTestId('theta-msg').filter({ hasText: 'Imported:' }).waitFor();
  assert.equal(await page.getByTestId('theta-kill-threshold-number').inputValue(), '0.7');
  await page.reload();
  await page.locator('[data-testid=action][data-action]').waitFor();
  await page.waitForLoadState('networkidle');
  for (const h of hosts) assert.ok(h === env.app.origin || h === 'null', `request to ${h}`);
  const all = watch.responses().map((r) => new URL(r.url()));
  assert.ok(all.length > 0);
  assert.ok(all.every((u) => u.origin === env.app.origin && u.pathname.startsWith('/harvest-lab/')), all.map(String).join(' '));
  assert.deepEqual(watch.problems(), []);
  await context.close();
});
