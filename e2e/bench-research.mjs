// The Research panel's speed in the page (issue 21): 5 folds × a 10×10 grid (kill_threshold
// 0.4…0.9 × T1_R 1…4, plus the base theta) on the shipped BTC/USD sample, entries every 24 bars
// on both sides — the run `harvest research` times natively in BENCHMARKS.md ("Theta research").
//
//   node e2e/bench-research.mjs [runs=1]
//
// Serves dist/ under /harvest-lab/ and opens the Replay view in headless Chromium (1400×1000),
// loads the sample, sets the form, clicks Run research and waits for the report. While it runs,
// a requestAnimationFrame loop in the page records every frame: the wall time, the frames
// painted, the frame rate and the longest gap between two frames (the page "painting every
// frame" means no gap much over 16.7 ms; the job runs in the panel's Web Worker, the main
// thread only builds the job's text and, at the end, the report from the worker's results).
// Prints one line a run, with where any gap over 50 ms fell.
import { launchChromium, serveDist } from './harness.mjs';

const runs = Number(process.argv[2] ?? 1);
const app = await serveDist();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  let workers = 0;
  page.on('worker', () => (workers += 1));
  await page.goto(`${app.url}?view=replay`);
  const q = (id) => page.locator(`[data-testid=replay-view] [data-testid="${id}"]`);
  await q('replay-load-sample').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=replay-chart]')?.dataset.paints ?? 0) > 0, null, { timeout: 120_000 });
  await q('replay-progress').waitFor({ state: 'hidden', timeout: 120_000 });
  const set = async (id, v) => {
    await q(id).fill(String(v));
    await q(id).dispatchEvent('change');
  };
  await set('research-fold-count', 5);
  await set('research-every', 24);
  await q('research-sides').selectOption('both');
  await set('research-axis-0-lo', 0.4);
  await set('research-axis-0-hi', 0.9);
  await set('research-axis-0-n', 10);
  await set('research-axis-1-lo', 1);
  await set('research-axis-1-hi', 4);
  await set('research-axis-1-n', 10);
  for (let k = 0; k < runs; k++) {
    const r = await page.evaluate(
      () =>
        new Promise((done) => {
          const q = (id) => document.querySelector(`[data-testid=replay-view] [data-testid="${id}"]`);
          const frames = [];
          const t0 = performance.now();
          let started = false;
          const tick = (t) => {
            frames.push(t);
            const card = q('research-progress');
            if (!card.hidden) started = true;
            if (started && card.hidden) {
              const ms = performance.now() - t0;
              let gap = 0;
              for (let i = 1; i < frames.length; i++) gap = Math.max(gap, frames[i] - frames[i - 1]);
              // Where the gaps over 50 ms fell: ms after the click, ms before the end.
              const slow = frames
                .slice(1)
                .map((f, i) => [f - frames[i], frames[i] - t0, frames.at(-1) - f])
                .filter(([g]) => g > 50)
                .map(([g, from, left]) => `${g.toFixed(0)} ms at +${from.toFixed(0)} ms (${left.toFixed(0)} ms before the end)`);
              done({ ms, frames: frames.length, gap, slow, line: q('research-last-job').textContent });
              return;
            }
            requestAnimationFrame(tick);
          };
          q('research-run').click();
          requestAnimationFrame(tick);
        }),
    );
    console.log(
      `research in the page, run ${k + 1}: ${(r.ms / 1000).toFixed(2)} s wall; ${r.frames} frames (${(r.frames / (r.ms / 1000)).toFixed(1)} per s), longest gap between frames ${r.gap.toFixed(1)} ms, ${r.slow.length} gaps over 50 ms${r.slow.length ? ` (${r.slow.join('; ')})` : ''}; ${workers} Web Worker(s) started so far; "${r.line}"`,
    );
  }
} finally {
  await browser.close();
  await app.close();
}
