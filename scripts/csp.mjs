// Content-Security-Policy for the built dashboard (run by scripts/trunk-post-build.sh on release
// builds): reads the finished index.html, hashes every inline <script> (trunk's loader and the
// crash notice) and writes the policy as the first <meta> after the charset, so it governs every
// script the page runs, on any static host, without server configuration.
//
//   node scripts/csp.mjs <index.html>
//
// The policy: only this origin's files (default-src 'self'); scripts from this origin or with one
// of the hashes, and WebAssembly compilation ('wasm-unsafe-eval'); styles from this origin's
// stylesheets (no inline style attributes: components set styles through the CSSOM); images
// from this origin and data: (the inline favicon) and blob: (chart exports); fetch/SSE to this
// origin only; Web Workers from this origin's scripts (the Research panel's); no plugins, no <base> elsewhere, forms post nowhere else.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/csp.mjs <index.html>');
  process.exit(2);
}
let html = readFileSync(file, 'utf8');
if (html.includes('http-equiv="Content-Security-Policy"')) {
  console.error(`csp: ${file} already has a Content-Security-Policy`);
  process.exit(1);
}
const hashes = [];
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
  const [, attrs, body] = m;
  if (/\bsrc\s*=/.test(attrs)) continue;
  hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
}
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}">`;
const charset = /<meta charset="utf-8"\s*\/?>/i;
if (!charset.test(html)) {
  console.error(`csp: no <meta charset="utf-8"> in ${file}`);
  process.exit(1);
}
html = html.replace(charset, (m) => `${m}${meta}`);
writeFileSync(file, html);
console.error(`csp: ${hashes.length} inline script hash(es) in ${file}`);
