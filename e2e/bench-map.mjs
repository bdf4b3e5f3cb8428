// Benchmark: the tuning view's action map while a slider is dragged, in headless Chromium.
//
//   node e2e/bench-map.mjs [frames]        (HARVEST_DIST=dist by default, as the e2e tests)
//
// Opens ?view=tune (PnL × σ, 1400 × 1000 viewport), then drags kill_threshold back and forth:
// each step sets the range input's value and fires `input` (what a drag does), then waits until
// the map has painted (a MutationObserver on the canvas's `data-paints`). The Rust side times
// each frame with performance.now() and stamps the canvas: `data-compute-ms` (action_map_into)
// and `data-paint-ms` (paint_action_map: pixel blit + axes, contour, point, legend). Reported:
// p50 / p95 / max of compute, paint and compute + paint over the frames at 100 × 100 cells, of
// input → painted (JS clock), the resolutions seen, and the 200 × 200 refine once the drag stops.
// Writes target/e2e/bench-map.json too.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, launchChromium, serveDist, watchPage } from './harness.mjs';

const FRAMES = Number(process.argv[2] ?? 300);

const app = await serveDist();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const watch = watchPage(page, app.origin);
  await page.goto(`${app.url}?view=tune`, { waitUntil: 'load' });
  await page.waitForFunction(
    () => document.querySelector('[data-testid=tuning-view] [data-testid=action-map]')?.dataset.cells === '200x200',
    null,
    { timeout: 30_000 },
  );

  const run = await page.evaluate(async (frames) => {
    const root = document.querySelector('[data-testid=tuning-view]');
    const canvas = root.querySelector('[data-testid=action-map]');
    const slider = root.querySelector('[data-testid=tune-kill_threshold]');
    const painted = () =>
      new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          mo.disconnect();
          resolve(performance.now());
        });
        mo.observe(canvas, { attributes: true, attributeFilter: ['data-paints'] });
      });
    const out = [];
    const lo = 0.3;
    const hi = 0.9;
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) {
      // A triangle wave over [lo, hi], one slider step per frame-ish.
      const phase = (i % 120) / 60;
      const v = lo + (hi - lo) * (phase <= 1 ? phase : 2 - phase);
      const done = painted();
      const start = performance.now();
      slider.value = v.toFixed(3);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      const end = await done;
      out.push({
        cells: canvas.dataset.cells,
        compute: Number(canvas.dataset.computeMs),
        paint: Number(canvas.dataset.paintMs),
        latency: end - start,
      });
    }
    const elapsed = performance.now() - t0;
    // The drag stops: the map refines to 200 × 200.
    const refined = await new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        if (canvas.dataset.cells === '200x200') {
          mo.disconnect();
          resolve({ compute: Number(canvas.dataset.computeMs), paint: Number(canvas.dataset.paintMs) });
        }
      });
      mo.observe(canvas, { attributes: true, attributeFilter: ['data-paints'] });
    });
    return { out, elapsed, refined, dpr: devicePixelRatio, css: [canvas.clientWidth, canvas.clientHeight] };
  }, FRAMES);

  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  };
  const stats = (xs) => ({ p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs), n: xs.length });
  const at100 = run.out.filter((f) => f.cells === '100x100');
  const cells = {};
  for (const f of run.out) cells[f.cells] = (cells[f.cells] ?? 0) + 1;
  const result = {
    date: new Date().toISOString(),
    chromium: browser.version(),
    frames: run.out.length,
    fps: (1000 * run.out.length) / run.elapsed,
    canvas_css_px: run.css,
    device_pixel_ratio: run.dpr,
    resolutions: cells,
    at_100x100: {
      compute_ms: stats(at100.map((f) => f.compute)),
      paint_ms: stats(at100.map((f) => f.paint)),
      compute_plus_paint_ms: stats(at100.map((f) => f.compute + f.paint)),
      input_to_painted_ms: stats(at100.map((f) => f.latency)),
    },
    refine_200x200_ms: run.refined,
    page_problems: watch.problems(),
  };
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'bench-map.json'), JSON.stringify(result, null, 2) + '\n');
  const f = (s) => `p50 ${s.p50.toFixed(2)} / p95 ${s.p95.toFixed(2)} / max ${s.max.toFixed(2)} ms`;
  console.log(`Chromium ${result.chromium}, ${result.frames} frames in ${run.elapsed.toFixed(0)} ms (${result.fps.toFixed(1)} per s), canvas ${run.css.join('×')} CSS px at dpr ${run.dpr}`);
  console.log(`resolutions while dragging: ${JSON.stringify(cells)}`);
  console.log(`100×100 compute          ${f(result.at_100x100.compute_ms)}`);
  console.log(`100×100 paint            ${f(result.at_100x100.paint_ms)}`);
  console.log(`100×100 compute + paint  ${f(result.at_100x100.compute_plus_paint_ms)}`);
  console.log(`input → painted          ${f(result.at_100x100.input_to_painted_ms)}`);
  console.log(`refine 200×200: compute ${run.refined.compute.toFixed(2)} ms + paint ${run.refined.paint.toFixed(2)} ms`);
  if (result.page_problems.length) console.log('page problems:', result.page_problems);
} finally {
  await browser.close();
  await app.close();
}
