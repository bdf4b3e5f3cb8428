// A tiny static file server for the release build, serving a dist directory under a sub-path
// (/harvest-lab/ by default), on 127.0.0.1 only. Used by the e2e tests, and by hand to look at
// a release build the way static hosting serves it:
//
//   node e2e/static-server.mjs [dist-dir] [port]     (defaults: dist, 8081; port 0 = any free)
//
// Not a production server: no caching headers, GET/HEAD only; compression (gzip -9, as a
// static host serves the files) only when asked for (`gzip: true`, the load-time benchmark).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The file types a static host sends gzipped. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.txt', '.csv']);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Start serving `root` under `base` (which must start and end with '/').
 * Resolves to { server, url, port, close() } where url is the app's address (with `base`).
 * With `gzip`, compressible files go out gzipped (level 9) to clients that accept it.
 */
export async function startStaticServer({ root, base = '/harvest-lab/', port = 0, host = '127.0.0.1', gzip = false } = {}) {
  const rootDir = resolve(root);
  const st = await stat(join(rootDir, 'index.html')).catch(() => null);
  if (!st) throw new Error(`no index.html in ${rootDir}: build it first (trunk build --release)`);

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const { pathname } = new URL(req.url, 'http://localhost');
      if (pathname === '/' || pathname === base.slice(0, -1)) {
        res.writeHead(302, { Location: base }).end();
        return;
      }
      if (!pathname.startsWith(base)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      let rel = decodeURIComponent(pathname.slice(base.length));
      // Single-page app: extension-less paths get index.html.
      if (rel === '' || rel.endsWith('/') || !extname(rel)) rel = 'index.html';
      const file = resolve(rootDir, rel);
      if (file !== rootDir && !file.startsWith(rootDir + sep)) {
        res.writeHead(403).end();
        return;
      }
      let body = await readFile(file).catch(() => null);
      if (body === null) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      const ext = extname(file).toLowerCase();
      const headers = {
        'Content-Type': MIME[ext] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      };
      if (gzip && COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        body = gzipSync(body, { level: 9 });
        headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err));
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const actualPort = server.address().port;
  return {
    server,
    port: actualPort,
    origin: `http://${host}:${actualPort}`,
    url: `http://${host}:${actualPort}${base}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

// Command line use.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'dist';
  const port = Number(process.argv[3] ?? 8081);
  const { url } = await startStaticServer({ root, port });
  console.log(`serving ${resolve(root)} at ${url} (Ctrl-C to stop)`);
}
