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

test('a fault inside the wasm shows a notice at the top of the page', async () => {
  const page = await env.browser.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(env.app.url, { waitUntil: 'load' });
  await page.locator('[data-testid=app]').first().waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=crash]').count(), 0, 'no notice while all is well');

  // A real wasm trap, uncaught, as a panic in the release build ends (`unreachable`): a
  // one-function module whose body is `unreachable`, called from a timer.
  await page.evaluate(() => {
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
      0x03, 0x02, 0x01, 0x00, // one function of that type
      0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
      0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // body: unreachable
    ]);
    const trap = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f;
    setTimeout(trap, 0);
  });
  const notice = page.locator('[data-testid=crash]');
  await notice.waitFor({ state: 'visible', timeout: 5_000 });
  const text = await notice.textContent();
  assert.match(text, /stopped working after an internal error \(unreachable\)/);
  assert.match(text, /Reload the page/);
  assert.equal(await notice.getAttribute('role'), 'alert');
  // The notice sits above the app, once.
  assert.equal(await page.locator('[data-testid=crash]').count(), 1);
  const [noticeBox, appBox] = await Promise.all([notice.boundingBox(), page.locator('[data-testid=app]').boundingBox()]);
  assert.ok(noticeBox.y <= appBox.y, 'the notice is at the top');
  assert.deepEqual(
    watch.problems().filter((p) => !p.startsWith('uncaught: unreachable')),
    [],
    'nothing else went wrong',
  );
  await page.close();
});

test('the page carries a Content-Security-Policy that refuses what it did not ship', async () => {
  const page = await env.browser.newPage();
  const watch = watchPage(page, env.app.origin);
  await page.goto(env.app.url, { waitUntil: 'load' });
  await page.locator('[data-testid=app]').first().waitFor({ state: 'visible', timeout: 30_000 });
  const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+;/, 'hashes for the inline scripts');
  assert.match(policy, /connect-src 'self'/);
  assert.equal(watch.problems().length, 0, `the app itself runs within the policy: ${watch.problems()}`);

  // An inline script the build did not ship is refused, and the watcher reports it: so every
  // e2e test, on every view, fails on a violation.
  const outcome = await page.evaluate(
    () =>
      new Promise((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true;';
        document.body.append(s);
        setTimeout(() => resolve(window.__injected ? 'it ran' : 'no violation event'), 3_000);
      }),
  );
  assert.match(outcome, /^script-src/);
  assert.equal(await page.evaluate(() => window.__injected === true), false, 'the injected script did not run');
  await page.waitForTimeout(100);
  assert.ok(
    watch.problems().some((p) => p.includes('CSP violation: script-src')),
    `the watcher reports the violation: ${watch.problems()}`,
  );
  await page.close();
});
