// Smoke test of the release build (dist/, built for /harvest-lab/) in headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, useServedApp, watchPage } from './harness.mjs';

const env = useServedApp();

test('the release build loads under /harvest-lab/, mounts the app, and stays clean', async () => {
  const page = await env.browser.newPage();
  const watch = watchPage(page, env.app.origin);

  const res = await page.goto(env.app.url, { waitUntil: 'load' });
  assert.equal(res.status(), 200, 'index.html is served');

  // The app mounted: its root element is there and visible.
  const root = page.locator('[data-testid=app]');
  await root.first().waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await root.count(), 1, 'exactly one app root');
  assert.equal(await page.title(), 'Harvest Lab');

  // Let late requests and errors surface before judging.
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'smoke');

  // The wasm came from under the sub-path, served as application/wasm.
  const wasm = watch.responses().filter((r) => new URL(r.url()).pathname.endsWith('.wasm'));
  assert.ok(wasm.length >= 1, 'the .wasm module loaded');
  for (const r of wasm) {
    assert.ok(new URL(r.url()).pathname.startsWith('/harvest-lab/'), `wasm under /harvest-lab/: ${r.url()}`);
    assert.equal(r.headers()['content-type'], 'application/wasm');
  }

  assert.deepEqual(watch.problems(), [], 'no console errors, failed requests or foreign requests');
  await page.close();
});
