// Benchmark (not part of `node --test e2e/`): how long the reviewer takes to verify N proposal
// lines in headless Chromium, whether the page keeps painting meanwhile, and the CLI's time on
// the same file. Results go to stdout; BENCHMARKS.md records them.
//
//   node e2e/bench-review.mjs [lines=100000] [runs=3]
//
// Needs the release build in dist/ (or HARVEST_DIST, e.g. another commit's build to compare
// with) and the generator; the CLI's figures are added when its release build is there:
//   scripts/test.sh build-release
//   cargo build --release --bin harvest --example gen_inputs   (or just --example gen_inputs)
//
// Paging and sorting are timed in the page: from the click to the table showing the new rows
// (the reactive update runs in microtasks, so it is done at the next task), and to the next
// frame painted after it ("painted": style, layout and paint of the new rows included).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, launchChromium, serveDist, watchPage } from './harness.mjs';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 3);
const built = (...p) => [join(ROOT, 'target', 'release', ...p), join(ROOT, 'target', 'debug', ...p)].find((f) => existsSync(f));
const GEN = built('examples', 'gen_inputs') ?? join(ROOT, 'target', 'release', 'examples', 'gen_inputs');
const CLI = join(ROOT, 'target', 'release', 'harvest');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tmp = await mkdtemp(join(tmpdir(), 'harvest-bench-'));
const file = join(tmp, `proposals-${N}.jsonl`);
if (!existsSync(GEN)) {
  console.error(`missing ${GEN}: cargo build --release --example gen_inputs`);
  process.exit(2);
}
await writeFile(file, execFileSync(GEN, [String(N), 'proposals'], { maxBuffer: 1 << 30 }));
const bytes = statSync(file).size;
console.log(`input: ${N} proposal lines, ${(bytes / 1e6).toFixed(1)} MB (${file})`);

// --- CLI -------------------------------------------------------------------------------------
if (existsSync(CLI)) {
  for (const threads of ['1', 'auto']) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const args = ['verify', ...(threads === '1' ? ['--threads', '1'] : [])];
      const r = spawnSync('sh', ['-c', `"${CLI}" ${args.join(' ')} < "${file}" > /dev/null`], { encoding: 'utf8' });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (i === 0) console.log(`cli (${threads} thread${threads === '1' ? '' : 's'}): ${r.stderr.trim()}`);
    }
    console.log(`cli verify (threads ${threads}): median ${median(times).toFixed(0)} ms over ${RUNS} runs [${times.map((t) => t.toFixed(0)).join(', ')}] = ${Math.round(N / (median(times) / 1000)).toLocaleString('en')} lines/s`);
  }
} else {
  console.log(`(no CLI at ${CLI}: cargo build --release --bin harvest)`);
}

// --- browser ---------------------------------------------------------------------------------
const app = await serveDist();
const browser = await launchChromium();
const results = [];
for (let run = 0; run < RUNS; run++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const watch = watchPage(page, app.origin);
  await page.addInitScript(() => {
    window.__bench = { frames: [], t0: 0, t1: 0, wasm: null };
    addEventListener('TrunkApplicationStarted', (e) => (window.__bench.wasm = e.detail.wasm));
    document.addEventListener('change', () => (window.__bench.t0 = performance.now()), true);
    const tick = (t) => {
      window.__bench.frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.goto(`${app.url}?view=review`);
  await page.getByTestId('review-view').waitFor({ state: 'visible', timeout: 30_000 });
  const mem0 = await page.evaluate(() => window.__bench.wasm?.memory.buffer.byteLength ?? 0);
  await page.getByTestId('review-file').setInputFiles(file);
  await page.waitForSelector('[data-testid=review-batch][data-status=done]', { timeout: 600_000, polling: 50 });
  const r = await page.evaluate(() => {
    const b = window.__bench;
    b.t1 = performance.now();
    const f = b.frames.filter((t) => t >= b.t0 && t <= b.t1);
    const gaps = f.slice(1).map((t, i) => t - f[i]).sort((a, b) => a - b);
    return {
      ms: b.t1 - b.t0,
      frames: f.length,
      gapMax: gaps.at(-1) ?? 0,
      gapP95: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
      wasmBytes: b.wasm?.memory.buffer.byteLength ?? 0,
      records: Number(document.querySelector('[data-testid=count-records]').dataset.count),
      rows: document.querySelectorAll('[data-testid=review-row]').length,
    };
  });
  // Paging and sorting 100k rows, timed in the page (click to new rows, median of 5 pages).
  const inPage = (testid, until) =>
    page.evaluate(
      async ({ testid, until }) => {
        const first = () => document.querySelector('[data-testid=review-row]')?.dataset.line;
        const info = () => document.querySelector('[data-testid=review-page-info]').textContent;
        const sorted = () => document.querySelector('th.col-r_net')?.getAttribute('aria-sort');
        const before = { line: first(), info: info() };
        // No `new Function`: the page's CSP has no 'unsafe-eval'.
        const done = () =>
          until === 'page' ? info() !== before.info : sorted() === until && first() !== before.line;
        const t0 = performance.now();
        document.querySelector(`[data-testid=${testid}]`).click();
        while (!done()) {
          await new Promise((r) => setTimeout(r, 0));
          if (performance.now() - t0 > 60_000) throw new Error(`${testid}: no change`);
        }
        const ms = performance.now() - t0;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return { ms, painted: performance.now() - t0 };
      },
      { testid, until },
    );
  const pages = [];
  for (let i = 0; i < 5; i++) pages.push(await inPage('review-page-next', 'page'));
  r.pageMs = median(pages.map((p) => p.ms));
  r.pagePaintedMs = median(pages.map((p) => p.painted));
  ({ ms: r.sortMs, painted: r.sortPaintedMs } = await inPage('review-sort-r_net', 'ascending'));
  ({ ms: r.sortBackMs, painted: r.sortBackPaintedMs } = await inPage('review-sort-r_net', 'descending'));
  // Re-reviewing them with another tolerance.
  const timed = async (what, act, done) => {
    const t0 = Date.now();
    await act();
    await done();
    r[what] = Date.now() - t0;
  };
  await timed(
    'rerunMs',
    async () => {
      await page.getByTestId('review-tol-rel').fill('1e-6');
      await page.getByTestId('review-tol-rel').press('Enter');
      await page.getByTestId('review-progress').waitFor();
    },
    () => page.waitForSelector('[data-testid=review-progress]', { state: 'hidden', timeout: 600_000, polling: 50 }),
  );
  r.mem0 = mem0;
  r.problems = watch.problems();
  results.push(r);
  console.log(
    `browser run ${run + 1}: ${r.records} records in ${r.ms.toFixed(0)} ms = ${Math.round(N / (r.ms / 1000)).toLocaleString('en')} lines/s; ` +
      `${r.frames} frames painted meanwhile, longest gap ${r.gapMax.toFixed(0)} ms (p95 ${r.gapP95.toFixed(0)} ms); ` +
      `wasm memory ${(mem0 / 1e6).toFixed(1)} → ${(r.wasmBytes / 1e6).toFixed(1)} MB; ${r.rows} rows in the DOM; ` +
      `page ${r.pageMs.toFixed(1)} ms [${pages.map((p) => p.ms.toFixed(1)).join(', ')}] (painted ${r.pagePaintedMs.toFixed(1)} ms), ` +
      `sort ${r.sortMs.toFixed(0)} ms (reversed ${r.sortBackMs.toFixed(0)} ms; painted ${r.sortPaintedMs.toFixed(0)} / ${r.sortBackPaintedMs.toFixed(0)} ms), re-review ${r.rerunMs} ms${r.problems.length ? `; PROBLEMS ${r.problems}` : ''}`,
  );
  await page.close();
}
const ms = median(results.map((r) => r.ms));
console.log(
  `browser verify: median ${ms.toFixed(0)} ms over ${RUNS} runs = ${Math.round(N / (ms / 1000)).toLocaleString('en')} lines/s; ` +
    `longest frame gap (median of runs) ${median(results.map((r) => r.gapMax)).toFixed(0)} ms; ` +
    `page (median) ${median(results.map((r) => r.pageMs)).toFixed(1)} ms, painted ${median(results.map((r) => r.pagePaintedMs)).toFixed(1)} ms; ` +
    `sort (median) ${median(results.map((r) => r.sortMs)).toFixed(0)} ms, reversed ${median(results.map((r) => r.sortBackMs)).toFixed(0)} ms ` +
    `(painted ${median(results.map((r) => r.sortPaintedMs)).toFixed(0)} / ${median(results.map((r) => r.sortBackPaintedMs)).toFixed(0)} ms); ` +
    `re-review (median) ${median(results.map((r) => r.rerunMs))} ms`,
);
await browser.close();
await app.close();
await rm(tmp, { recursive: true, force: true });
