// Reviewer mode (issue #4) against the release build: the sample, filters and sorting, opening a
// record in the explorer, malformed files next to earlier records, tolerance, exports, cancel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, screenshot, useServedApp, watchPage } from './harness.mjs';

const SAMPLE_PATH = join(ROOT, 'assets', 'sample-proposals.jsonl');
const MISMATCH_LINES = [17, 42, 77, 105, 150, 188, 230, 266];
// What src/sample.rs altered on each mismatching line.
const ALTERED = {
  17: 'harvest_action',
  42: 'kill_score',
  77: 'new_sl_proposed',
  105: 'reason_codes',
  150: 'R_net',
  188: 'audit.k_components.sigma_spike',
  230: 'cost_est',
  266: 'harvest_action',
};
const CSV_HEADER =
  'line,verdict,kind,symbol,side,recorded_action,action,R_net,kill_score,reason_codes,diff_fields,diffs,error,second_opinion';

const env = useServedApp();
let sampleBytes;
let sampleLines;
let tmp;

before(async () => {
  sampleBytes = await readFile(SAMPLE_PATH);
  sampleLines = sampleBytes.toString('utf8').split('\n');
  tmp = await mkdtemp(join(tmpdir(), 'harvest-reviewer-'));
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A fresh page on the reviewer (optionally with an explorer state in the hash). */
async function openReviewer(hash = '') {
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}?view=review${hash}`);
  await page.getByTestId('review-view').waitFor({ state: 'visible', timeout: 30_000 });
  return { page, watch };
}

const count = async (page, testid) => Number(await page.getByTestId(testid).getAttribute('data-count'));

async function waitRecords(page, n) {
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=count-records]')?.dataset.count === String(n),
    n,
    { timeout: 60_000 },
  );
}

async function loadSample(page) {
  await page.getByTestId('review-load-sample').click();
  await waitRecords(page, 302);
  await page.waitForSelector('[data-testid=review-batch][data-status=done]');
}

async function rowLines(page) {
  return page.getByTestId('review-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.line)));
}

/** A shown number (6 significant digits) equals `v`. */
function sameShown(shown, v, what) {
  const x = Number(shown);
  assert.ok(Number.isFinite(x), `${what}: “${shown}” is a number`);
  const tol = Math.max(Math.abs(v) * 5e-6, 1e-12);
  assert.ok(Math.abs(x - v) <= tol, `${what}: shown ${shown}, record ${v}`);
}

async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('reviewer: the sample gives 292 MATCH / 8 MISMATCH / 2 INVALID; filters, diffs, errors, sorting', async () => {
  const { page, watch } = await openReviewer();
  // The explorer is hidden, the reviewer shows; the sample comes from the site itself.
  assert.equal(await page.locator('.layout').isVisible(), false);
  await loadSample(page);

  assert.equal(await count(page, 'count-MATCH'), 292);
  assert.equal(await count(page, 'count-MISMATCH'), 8);
  assert.equal(await count(page, 'count-INVALID'), 2);
  assert.equal(await count(page, 'count-COMPUTED'), 0);
  let actions = 0;
  for (const a of ['NONE', 'PARTIAL_25', 'PARTIAL_50', 'PARTIAL_75', 'FULL_CLOSE_PROPOSED']) {
    actions += await count(page, `count-${a}`);
  }
  assert.equal(actions, 300, 'every readable record has an action');

  // One page of 100 rows, not 302.
  assert.equal(await page.getByTestId('review-row').count(), 100);
  assert.match(await page.getByTestId('review-page-info').textContent(), /1–100 of 302/);
  await page.getByTestId('review-page-last').click();
  assert.deepEqual(await rowLines(page), [301, 302]);

  // Mismatches: 8 rows, each with its field-level diff and the tolerance.
  await page.getByTestId('review-filter-verdict').selectOption('MISMATCH');
  assert.deepEqual(await rowLines(page), MISMATCH_LINES);
  for (const [line, field] of Object.entries(ALTERED)) {
    const diff = page.locator(`[data-testid=review-diff][data-line="${line}"]`);
    assert.equal(await diff.locator(`tr[data-field="${field}"]`).count(), 1, `line ${line} differs in ${field}`);
    assert.match(await diff.getByTestId('review-diff-tolerance').textContent(), /abs 1e-9, rel 1e-9/);
  }
  await page.locator('[data-testid=review-diff][data-line="42"]').scrollIntoViewIfNeeded();
  await screenshot(page, 'reviewer-mismatches');

  // Filters combine: mismatches the kernel closes fully; then by symbol.
  await page.getByTestId('review-filter-action').selectOption('FULL_CLOSE_PROPOSED');
  const full = await rowLines(page);
  assert.ok(full.length > 0 && full.length < 8, `${full}`);
  await page.getByTestId('review-filter-clear').click();
  await page.getByTestId('review-filter-symbol').fill('xrp');
  const xrp = await page.getByTestId('review-row').evaluateAll((rows) => rows.map((r) => r.children[1].textContent));
  assert.ok(xrp.length > 0 && xrp.every((s) => s === 'XRPUSDT'), `${xrp}`);
  await page.getByTestId('review-filter-symbol').fill('');
  await page.getByTestId('review-filter-code').selectOption('kill_score_triggered');
  assert.equal(await count(page, 'review-shown'), await count(page, 'count-FULL_CLOSE_PROPOSED'));
  await page.getByTestId('review-filter-clear').click();

  // Invalid lines: the line number and the library's message.
  await page.getByTestId('count-INVALID').click();
  assert.deepEqual(await rowLines(page), [120, 240]);
  assert.match(await page.locator('[data-testid=review-error][data-line="120"]').textContent(), /Line 120: .*EOF/);
  assert.match(await page.locator('[data-testid=review-error][data-line="240"]').textContent(), /sigma.*NaN/);
  await page.getByTestId('count-INVALID').click(); // again: all

  // Sorting by clicking a header, and with the keyboard.
  await page.getByTestId('review-sort-r_net').click();
  assert.equal(await page.locator('th.col-r_net').getAttribute('aria-sort'), 'ascending');
  await page.getByTestId('review-sort-k').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('th.col-k').getAttribute('aria-sort'), 'descending');
  const ks = await page
    .getByTestId('review-row')
    .evaluateAll((rows) => rows.map((r) => Number(r.querySelector('td:nth-child(6)').textContent)));
  assert.ok(ks.every((k, i) => i === 0 || ks[i - 1] >= k), 'K descending');

  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: a row opens in the explorer with the exact inputs and theta, next to the recorded proposal', async () => {
  const { page, watch } = await openReviewer();
  await loadSample(page);
  await page.getByTestId('review-filter-verdict').selectOption('MISMATCH');

  // Line 42: the recorded kill score was altered; everything else matches the kernel.
  const rec = JSON.parse(sampleLines[41]);
  await page.locator('[data-testid=review-row][data-line="42"]').click();
  await page.getByTestId('reviewed-record').waitFor();
  assert.equal(await page.getByTestId('review-view').isVisible(), false);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('view'), null, 'the URL names the explorer');
  assert.ok(url.hash.includes(`entry=${rec.audit.position.entry_price}`), url.hash);

  const p = rec.audit.position;
  const m = rec.audit.market_state;
  const box = (id) => page.getByTestId(`${id}-number`).inputValue();
  assert.equal(await page.getByTestId('input-side').inputValue(), p.side);
  sameShown(await box('input-entry'), p.entry_price, 'entry');
  sameShown(await box('input-qty'), p.qty, 'qty');
  sameShown(await box('input-pnl'), p.unrealized_pnl, 'pnl');
  if (p.current_sl !== null) sameShown(await box('input-sl'), p.current_sl, 'sl');
  sameShown(await box('input-age'), p.age_sec / 3600, 'age (h)');
  sameShown(await box('input-sigma'), m.sigma, 'sigma');
  sameShown(await box('input-ts'), m.ts, 'ts');
  sameShown(await box('input-p-trend'), m.p_trend, 'p_trend');
  sameShown(await box('input-p-mr'), m.p_mr, 'p_mr');
  sameShown(await box('input-p-chop'), m.p_chop, 'p_chop');
  if (rec.audit.p1_proposal) sameShown(await box('input-stop'), rec.audit.p1_proposal.stop_dist_pct, 'stop');
  for (const [k, v] of Object.entries(rec.audit.theta)) {
    sameShown(await box(`theta-${k.replaceAll('_', '-')}`), v, `theta ${k}`);
  }
  // Same inputs, same kernel: R_net exactly as recorded; K as recomputed (the record's was altered).
  const value = async (id) => Number(await page.getByTestId(id).getAttribute('data-value'));
  assert.equal(await value('r-net'), rec.R_net);
  assert.notEqual(await value('kill-score'), rec.kill_score);
  assert.equal(await page.getByTestId('action').getAttribute('data-action'), rec.harvest_action);

  // The panel: recorded against now, the altered field marked.
  const panel = page.getByTestId('reviewed-record');
  assert.equal(await panel.getAttribute('data-line'), '42');
  assert.match(await panel.textContent(), /Reviewed record \(line 42\)/);
  assert.equal(Number(await page.getByTestId('reviewed-then-kill_score').textContent()), rec.kill_score);
  assert.equal(await panel.locator('tr.differs').getAttribute('data-field'), 'kill_score');
  assert.equal(await page.getByTestId('reviewed-then-harvest_action').textContent(), rec.harvest_action);
  await screenshot(page, 'reviewer-opened-in-explorer');

  // Moving an input keeps the record in view; "back to the record's inputs" restores them.
  await page.getByTestId('input-pnl-number').fill(String(p.unrealized_pnl * 3));
  await page.getByTestId('input-pnl-number').press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=reviewed-inputs]').textContent.includes('changed'));
  assert.equal(await panel.locator('tr[data-field="R_net"]').getAttribute('class'), 'differs');
  await page.getByTestId('reviewed-restore').click();
  assert.equal(await value('r-net'), rec.R_net);

  // Back: the reviewer, with its filter, as it was.
  await page.goBack();
  await page.getByTestId('review-view').waitFor({ state: 'visible' });
  assert.deepEqual(await rowLines(page), MISMATCH_LINES);
  // A matching line opens the same way; closing the panel removes it.
  await page.getByTestId('review-filter-verdict').selectOption('MATCH');
  const line1 = JSON.parse(sampleLines[0]);
  await page.locator('[data-testid=review-row][data-line="1"] [data-testid=review-open]').press('Enter');
  await page.getByTestId('reviewed-record').waitFor();
  assert.equal(await value('r-net'), line1.R_net);
  // K goes through exp(), whose last bit may differ between wasm and the native C library.
  assert.ok(Math.abs((await value('kill-score')) - line1.kill_score) <= 1e-15, 'K');
  assert.equal(await page.getByTestId('action').getAttribute('data-action'), line1.harvest_action);
  assert.equal(await page.locator('[data-testid=reviewed-record] tr.differs').count(), 0);
  await page.getByTestId('reviewed-close').click();
  assert.equal(await page.getByTestId('reviewed-record').count(), 0);

  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: malformed input gets per-line errors; earlier records and the explorer state are kept', async () => {
  const { page, watch } = await openReviewer('#pnl=4.1');
  await loadSample(page);

  const nan = sampleLines[0].replace(/"sigma":[0-9.e-]+/, '"sigma":"NaN"');
  assert.notEqual(nan, sampleLines[0]);
  const bad = Buffer.concat([
    Buffer.from('{"harvest_action":"NONE","audit":{"position":{"side":"LONG"\n'), // 1: truncated
    Buffer.from(`${nan}\n`), // 2: NaN string
    Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0a]), // 3: binary
    Buffer.from('\n'), // 4: empty
    Buffer.from(`{"x":"${'y'.repeat(2 * 1024 * 1024)}"}\n`), // 5: a 2 MiB line
    Buffer.from('{"position": {"side": "LONG"}, "market_state": {}}\n'), // 6: missing fields
    Buffer.from('{"position": {"side": "LONG", "entry_price": "100"}, "market_state": {}}\n'), // 7: wrong type
    Buffer.from(`${sampleLines[0]}\n`), // 8: a good proposal
  ]);
  await page.getByTestId('review-file').setInputFiles({ name: 'bad.jsonl', mimeType: 'application/jsonl', buffer: bad });
  await page.waitForSelector('[data-testid=review-batch][data-batch="2"][data-status=done]', { timeout: 30_000 });

  // The sample is still there, next to the new file.
  await waitRecords(page, 302 + 7);
  assert.equal(await page.getByTestId('review-batch').count(), 2);
  assert.match(
    await page.locator('[data-testid=review-batch][data-batch="1"] [data-testid=review-batch-counts]').textContent(),
    /302 records: 292 MATCH · 8 MISMATCH · 2 INVALID/,
  );
  assert.equal(await count(page, 'count-INVALID'), 2 + 6);
  assert.equal(await count(page, 'count-MATCH'), 293);

  await page.getByTestId('review-filter-verdict').selectOption('INVALID');
  const invalid = await page
    .locator('[data-testid=review-row][data-batch="2"]')
    .evaluateAll((rows) => rows.map((r) => Number(r.dataset.line)));
  assert.deepEqual(invalid, [1, 2, 3, 5, 6, 7]);
  const err = async (line) =>
    page.locator(`tr.detail:has([data-testid=review-error][data-line="${line}"])`).last().textContent();
  assert.match(await err(1), /Line 1: .*EOF/);
  assert.match(await err(2), /Line 2: .*sigma.*NaN/);
  assert.match(await err(3), /Line 3: binary data/);
  assert.match(await err(5), /Line 5: line is .* bytes, longer than/);
  assert.match(await err(6), /Line 6: position: missing field `entry_price`/);
  assert.match(await err(7), /Line 7: position.entry_price: invalid type: string "100", expected f64/);
  await screenshot(page, 'reviewer-malformed');

  // A binary file and pasted garbage: more batches, nothing lost.
  const binary = Buffer.alloc(64 * 1024);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919 + 13) % 256;
  await page.getByTestId('review-file').setInputFiles({ name: 'picture.png', mimeType: 'image/png', buffer: binary });
  await page.waitForSelector('[data-testid=review-batch][data-batch="3"][data-status=done]', { timeout: 30_000 });
  const bin = await page.locator('[data-testid=review-batch][data-batch="3"] [data-testid=review-batch-error]').first().textContent();
  assert.match(bin, /binary data/);
  await page.getByTestId('review-paste').fill('{"audit": oops');
  await page.getByTestId('review-paste-submit').click();
  await page.waitForSelector('[data-testid=review-batch][data-batch="4"][data-status=done]');
  // A pasted pretty-printed proposal is one record.
  await page.getByTestId('review-paste').fill(JSON.stringify(JSON.parse(sampleLines[4]), null, 2));
  await page.getByTestId('review-paste-submit').click();
  await page.waitForSelector('[data-testid=review-batch][data-batch="5"][data-status=done]');
  assert.match(
    await page.locator('[data-testid=review-batch][data-batch="5"] [data-testid=review-batch-counts]').textContent(),
    /^1 records: 1 MATCH$/,
  );
  assert.equal(await page.getByTestId('review-batch').count(), 5);
  assert.match(
    await page.locator('[data-testid=review-batch][data-batch="1"] [data-testid=review-batch-counts]').textContent(),
    /302 records/,
  );
  // The explorer's state in the URL is untouched, and the explorer still shows it.
  assert.equal(new URL(page.url()).hash, '#pnl=4.1');
  await page.getByTestId('view-explorer').click();
  assert.equal(await page.getByTestId('input-pnl-number').inputValue(), '4.1');

  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: exports download the review (JSON Lines, CSV) and the receipt', async () => {
  const { page, watch } = await openReviewer();
  await loadSample(page);

  const jsonl = await download(page, 'export-jsonl');
  assert.equal(jsonl.name, 'sample-proposals.review.jsonl');
  const rows = jsonl.text.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 302);
  assert.deepEqual(
    rows.filter((r) => r.verdict === 'MISMATCH').map((r) => r.line),
    MISMATCH_LINES,
  );
  assert.equal(rows[16].diffs[0].field, 'harvest_action');
  assert.equal(rows[119].verdict, 'INVALID');
  assert.match(rows[119].error, /EOF/);
  assert.equal(rows[0].input, undefined, 'inputs are not exported');

  const csv = await download(page, 'export-csv');
  assert.equal(csv.name, 'sample-proposals.review.csv');
  const csvLines = csv.text.trimEnd().split('\n');
  assert.equal(csvLines[0], CSV_HEADER);
  assert.equal(csvLines.length, 303);
  assert.ok(csvLines[42].startsWith('42,MISMATCH,proposal,'), csvLines[42]);

  const receipt = await download(page, 'export-receipt');
  assert.equal(receipt.name, 'sample-proposals.receipt.json');
  const r = JSON.parse(receipt.text);
  assert.equal(r.tool, 'harvest-lab review');
  assert.match(r.kernel_version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(r.tolerance, { abs: 1e-9, rel: 1e-9 });
  assert.equal(r.input_sha256, createHash('sha256').update(sampleBytes).digest('hex'));
  assert.equal(r.input_bytes, sampleBytes.length);
  assert.equal(r.lines, 302);
  assert.deepEqual(r.counts.verdicts, { INVALID: 2, MATCH: 292, MISMATCH: 8 });
  assert.equal(r.counts.records, 302);

  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: editing the tolerance re-reviews everything loaded', async () => {
  const { page, watch } = await openReviewer();
  await loadSample(page);
  await page.getByTestId('review-tol-abs').fill('1');
  await page.getByTestId('review-tol-rel').fill('0.5');
  await page.getByTestId('review-tol-rel').press('Enter');
  await page.getByTestId('review-tol-rel').blur();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=review-batch]').textContent.includes('tolerance abs 1e0, rel 5e-1'),
  );
  await page.waitForSelector('[data-testid=review-progress]', { state: 'hidden' });
  // Only the non-numeric alterations (actions, reason codes) are left.
  assert.ok((await count(page, 'count-MISMATCH')) < 8);
  assert.ok((await count(page, 'count-MISMATCH')) >= 3);
  assert.equal(await count(page, 'count-INVALID'), 2);
  const receipt = JSON.parse((await download(page, 'export-receipt')).text);
  assert.deepEqual(receipt.tolerance, { abs: 1, rel: 0.5 });
  // Bad text is refused with a message; the default comes back with its 8 mismatches.
  await page.getByTestId('review-tol-abs').fill('-1');
  await page.getByTestId('review-tol-abs').press('Enter');
  await page.getByTestId('review-tol-abs').blur();
  assert.match(await page.getByTestId('review-tol-error').textContent(), /not a number ≥ 0/);
  await page.getByTestId('review-tol-reset').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=count-MISMATCH]').dataset.count === '8');

  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: the view is in the URL next to the explorer state; the explorer URL keeps working', async () => {
  const page = await env.browser.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(`${env.app.url}#pnl=4.1`);
  await page.getByTestId('input-pnl-number').waitFor();
  assert.equal(await page.getByTestId('review-view').isVisible(), false);
  assert.equal(await page.getByTestId('input-pnl-number').inputValue(), '4.1');

  await page.getByTestId('view-review').click();
  // The reviewer is a chunk of its own, downloaded on this first visit.
  await page.getByTestId('review-view').waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await page.getByTestId('view-loading').isVisible(), false);
  let url = new URL(page.url());
  assert.equal(url.search, '?view=review');
  assert.equal(url.hash, '#pnl=4.1');
  await page.reload();
  await page.getByTestId('review-view').waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await page.getByTestId('view-review').getAttribute('aria-current'), 'page');

  await page.getByTestId('view-explorer').click();
  url = new URL(page.url());
  assert.equal(url.search, '');
  assert.equal(url.hash, '#pnl=4.1');
  assert.equal(await page.getByTestId('input-pnl-number').inputValue(), '4.1');
  assert.equal(await page.getByTestId('review-view').isVisible(), false);

  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: files dropped on the view are reviewed, one entry each', async () => {
  const { page, watch } = await openReviewer();
  const lines = [sampleLines[0], sampleLines[16], '{"position": {"side": "LONG", "entry_price": 100, "age_sec": 0, "unrealized_pnl": 1}, "market_state": {"sigma": 0.01, "ts": 0.4, "p_trend": 0.6, "p_mr": 0.2, "p_chop": 0.2}}'];
  const dt = await page.evaluateHandle((lines) => {
    const dt = new DataTransfer();
    dt.items.add(new File([lines.join('\n') + '\n'], 'dropped.jsonl', { type: 'application/jsonl' }));
    dt.items.add(new File(['not json\n'], 'second.txt', { type: 'text/plain' }));
    return dt;
  }, lines);
  await page.dispatchEvent('[data-testid=review-view]', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('[data-testid=review-view]', 'drop', { dataTransfer: dt });
  await page.waitForSelector('[data-testid=review-batch][data-batch="2"][data-status=done]');
  assert.equal(await page.locator('[data-testid=review-batch][data-batch="1"] [data-testid=review-batch-name]').textContent(), 'dropped.jsonl');
  assert.match(
    await page.locator('[data-testid=review-batch][data-batch="1"] [data-testid=review-batch-counts]').textContent(),
    /^3 records: 1 MATCH · 1 MISMATCH · 1 COMPUTED$/,
  );
  assert.equal(await count(page, 'count-COMPUTED'), 1);
  assert.equal(await count(page, 'count-INVALID'), 1);
  assert.deepEqual(watch.problems(), []);
  await page.close();
});

test('reviewer: a big file shows progress and can be cancelled, keeping what was read', async () => {
  // ~20,000 lines (~24 MB): long enough to catch it in the middle.
  const body = sampleLines.filter((l) => l.startsWith('{"R_net"')).join('\n') + '\n';
  const path = join(tmp, 'big.jsonl');
  await writeFile(path, body.repeat(Math.ceil(20_000 / 300)));
  const { page, watch } = await openReviewer();
  await page.getByTestId('review-file').setInputFiles(path);
  await page.getByTestId('review-progress').waitFor({ timeout: 10_000 });
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=review-progress-text]')?.dataset.lines) > 500,
    null,
    { timeout: 30_000 },
  );
  assert.match(await page.getByTestId('review-progress-text').textContent(), /MB of \d+\.\d MB · [\d,]+ lines/);
  await page.getByTestId('review-cancel').click();
  await page.waitForSelector('[data-testid=review-batch][data-status=cancelled]', { timeout: 10_000 });
  await page.waitForSelector('[data-testid=review-progress]', { state: 'hidden' });
  const n = await count(page, 'count-records');
  assert.ok(n > 500 && n < 20_000, `${n} records kept`);
  assert.equal(await page.getByTestId('export-receipt').isDisabled(), true, 'no receipt for a partial read');
  assert.equal(await page.getByTestId('export-jsonl').isDisabled(), false);
  // Paged: the DOM holds 100 rows whatever the count.
  assert.equal(await page.getByTestId('review-row').count(), 100);

  assert.deepEqual(watch.problems(), []);
  await page.close();
});
