// Shared helpers for the end-to-end tests (node --test e2e/): the release build served under
// its sub-path, Debian's Chromium driven by playwright-core, and a page watcher that collects
// everything a clean page must not do.
import { after, before } from 'node:test';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from './static-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = resolve(here, '..');
/** The release build under test (scripts/test.sh builds it with trunk). */
export const DIST = resolve(process.env.HARVEST_DIST ?? join(ROOT, 'dist'));
/** The sub-path the release build was built for (trunk --public-url). */
export const BASE = process.env.HARVEST_BASE ?? '/harvest-lab/';
/** Where tests write screenshots and other artifacts (git-ignored). */
export const ARTIFACTS = resolve(process.env.HARVEST_E2E_ARTIFACTS ?? join(ROOT, 'target', 'e2e'));

/** Chromium flags: headless, as root, with no calls home on this network-less machine. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * Runs in every page before its own scripts: a Content-Security-Policy violation becomes a console
 * error, which `watchPage` reports as a problem, so a test on any view fails on one.
 */
export const CSP_WATCH = `document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    (e.sourceFile ? ' at ' + e.sourceFile + ':' + e.lineNumber : '')));`;

/** Debian's Chromium; every page it opens (`browser.newPage()`) carries CSP_WATCH. */
export async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    await page.addInitScript(CSP_WATCH);
    return page;
  };
  return browser;
}

/**
 * Registers node:test `before`/`after` hooks that serve DIST and launch Chromium for one test
 * file, and returns `{ app, browser }`, filled in once `before` has run.
 */
export function useServedApp() {
  const env = { app: undefined, browser: undefined };
  before(async () => {
    env.app = await serveDist();
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await env.app?.close();
  });
  return env;
}

/** Serve DIST under BASE on a free port of 127.0.0.1. */
export function serveDist() {
  return startStaticServer({ root: DIST, base: BASE, port: 0 });
}

/**
 * Watch a page for console errors, uncaught exceptions, failed or 4xx/5xx requests and any
 * request that leaves `origin`. `problems()` lists them (empty for a clean page).
 */
export function watchPage(page, origin) {
  const problems = [];
  const responses = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) problems.push(`request outside ${origin}: ${url}`);
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    responses.push(res);
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { problems: () => [...problems], responses: () => [...responses] };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ---- The `harvest` binary and a Redis of our own (e2e/live.test.mjs, scripts/demo.sh) ----

/**
 * The built `harvest` binary: target/release/harvest or target/debug/harvest, whichever was
 * built last (scripts/test.sh e2e builds it first).
 */
export function harvestBinary() {
  const found = ['release', 'debug']
    .map((p) => join(ROOT, 'target', p, 'harvest'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error('no target/{release,debug}/harvest: run cargo build -p harvest-cli');
  return found[0];
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Drags the range input `slider` (a locator) with the mouse as a user does: presses on its
 * track at `stops[0]` (a share of the track: 0 its left end, 1 its right end; the value jumps
 * there), moves through the other stops in `steps` moves from one to the next, and lets go.
 * Calls `each()` after the press and after every move; returns what it returned, in order.
 */
export async function dragSlider(page, slider, stops, steps, each) {
  const box = await slider.boundingBox();
  const y = box.y + box.height / 2;
  const x = (share) => box.x + 2 + (box.width - 4) * share;
  await page.mouse.move(x(stops[0]), y);
  await page.mouse.down();
  const seen = [await each()];
  for (let k = 1; k < stops.length; k++) {
    for (let i = 1; i <= steps; i++) {
      await page.mouse.move(x(stops[k - 1] + ((stops[k] - stops[k - 1]) * i) / steps), y);
      seen.push(await each());
    }
  }
  await page.mouse.up();
  return seen;
}

/** Debian's redis-server on a free loopback port; `{ port, url, cli(...args), close() }`. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const cli = (...args) =>
    new Promise((ok, fail) =>
      execFile('redis-cli', ['-p', String(port), ...args], (err, stdout) => (err ? fail(err) : ok(stdout.trim()))),
    );
  for (let i = 0; ; i++) {
    try {
      if ((await cli('PING')) === 'PONG') break;
    } catch {
      /* not up yet */
    }
    if (i > 200) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    cli,
    close: () => {
      child.kill();
    },
  };
}

/**
 * One position as the running system's apply layer writes it (no age_sec, no current_price;
 * stop_loss and created_at, which the running publisher does not read): ADAUSDT LONG 1200 from
 * 0.95, 30.0 up, opened `hoursAgo` hours ago, with its market state as P0.5 writes it.
 */
export async function seedAdaPosition(redis, hoursAgo) {
  const opened = Math.floor(Date.now() / 1000) - hoursAgo * 3600;
  await redis.cli('HSET', 'quantum:marketstate:ADAUSDT', 'sigma', '0.01200000', 'ts', '0.350000', 'p_trend', '0.550000', 'p_mr', '0.250000', 'p_chop', '0.200000');
  await redis.cli('HSET', 'quantum:state:positions:ADAUSDT', 'symbol', 'ADAUSDT', 'side', 'LONG', 'quantity', '1200', 'entry_price', '0.95', 'stop_loss', '0.93', 'take_profit', '1.02', 'created_at', String(opened), 'unrealized_pnl', '30.0');
}

/** One P2.5 cycle (`harvest publish --once`) for `symbols` on `redis`. */
export function publishOnce(redis, symbols) {
  execFileSync(harvestBinary(), ['publish', '--once', '--redis-url', redis.url, '--symbols', symbols], { stdio: 'pipe' });
}

/**
 * `harvest serve --port 0 …args` serving DIST under BASE; resolves to `{ origin, url, close() }`
 * once it printed its address.
 */
export function startHarvestServe(args) {
  const child = spawn(harvestBinary(), ['serve', '--port', '0', '--dist', DIST, '--base', BASE, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        const origin = `http://127.0.0.1:${m[1]}`;
        ok({ origin, url: `${origin}${BASE}`, log: () => err, close: () => child.kill() });
      }
    });
    child.once('exit', (code) => fail(new Error(`harvest serve exited ${code}: ${err}`)));
  });
}

/** Loads the shipped sample in the Replay view and waits until its chart has painted and the
 * market states are computed (the progress line gone). */
export async function loadSample(page) {
  await page.getByTestId('replay-load-sample').click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=replay-chart]')?.dataset.paints ?? 0) > 0,
    null,
    { timeout: 120_000 },
  );
  await page.getByTestId('replay-progress').waitFor({ state: 'hidden', timeout: 120_000 });
}
