// The README's screenshot: the dashboard in headless Chromium, light theme, 1440×1100.
//
//   node e2e/screenshot.mjs [out=assets/screenshot.png]
//
// The state (a shared link): PnL 9 (R_net 4.45: PARTIAL_50 and the profit lock), σ 0.015 (a
// σ spike that brings K to 0.565, just under the 0.6 threshold). Fails if the page logs an error.
import { resolve } from 'node:path';
import { launchChromium, ROOT, serveDist, watchPage } from './harness.mjs';

const out = resolve(ROOT, process.argv[2] ?? 'assets/screenshot.png');
const app = await serveDist();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, colorScheme: 'light' });
  const watch = watchPage(page, app.origin);
  await page.goto(`${app.url}#pnl=9&sigma=0.015`);
  await page.locator('[data-testid=action][data-action=PARTIAL_50]').waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: out });
  if (watch.problems().length) throw new Error(watch.problems().join('\n'));
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await app.close();
}
