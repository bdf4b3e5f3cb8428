// The README's screenshots: the dashboard's views in headless Chromium, light theme.
//
//   node e2e/screenshot.mjs [dir=assets]
//
// Writes `screenshot.png` (the explorer) and `screenshots/{reviewer,tuning,replay}.png` under
// `dir`, from the release site in `dist/` (or HARVEST_DIST):
// - explorer, 1440×1100: a shared link with PnL 9 (R_net 4.45: PARTIAL_50 and the profit lock)
//   and σ 0.015 (a σ spike that brings K to 0.565, just under the 0.6 threshold);
// - reviewer, 1440×1000: the shipped sample of 302 published proposals, reviewed;
// - tuning, 1440×1100: the action map at full resolution;
// - replay, 1440×1300: the shipped BTC/USD sample and its first trade.
// Fails if a page logs an error.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchChromium, loadSample, ROOT, serveDist, watchPage } from './harness.mjs';

const dir = resolve(ROOT, process.argv[2] ?? 'assets');
mkdirSync(resolve(dir, 'screenshots'), { recursive: true });

const shots = [
  {
    file: 'screenshot.png',
    size: { width: 1440, height: 1100 },
    path: '#pnl=9&sigma=0.015',
    ready: async (page) => {
      await page.locator('[data-testid=action][data-action=PARTIAL_50]').waitFor({ timeout: 30_000 });
    },
  },
  {
    file: 'screenshots/reviewer.png',
    size: { width: 1440, height: 1000 },
    path: '?view=review',
    ready: async (page) => {
      await page.getByTestId('review-load-sample').click();
      await page.waitForSelector('[data-testid=review-batch][data-status=done]', { timeout: 60_000 });
    },
  },
  {
    file: 'screenshots/tuning.png',
    size: { width: 1440, height: 1100 },
    path: '?view=tune',
    ready: async (page) => {
      await page.waitForFunction(
        () => document.querySelector('[data-testid=tuning-view] [data-testid=action-map]')?.dataset.cells === '200x200',
        null,
        { timeout: 30_000 },
      );
    },
  },
  {
    file: 'screenshots/replay.png',
    size: { width: 1440, height: 1300 },
    path: '?view=replay',
    ready: loadSample,
  },
];

const app = await serveDist();
const browser = await launchChromium();
try {
  for (const shot of shots) {
    const page = await browser.newPage({ viewport: shot.size, colorScheme: 'light' });
    const watch = watchPage(page, app.origin);
    await page.goto(`${app.url}${shot.path}`);
    await shot.ready(page);
    await page.waitForLoadState('networkidle');
    // Let the last chart repaint land.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const out = resolve(dir, shot.file);
    await page.screenshot({ path: out });
    if (watch.problems().length) throw new Error(watch.problems().join('\n'));
    console.log(`wrote ${out}`);
    await page.close();
  }
} finally {
  await browser.close();
  await app.close();
}
