// Shrinks the dashboard's wasm after wasm-bindgen, before wasm-opt (run by scripts/tools/wasm-bindgen):
//
// 1. Short import names. wasm-bindgen names every JS function the wasm imports after its Rust
//    name plus a 16-digit hash (`__wbg_closePath_e9e11e034c5d75a3`): some 200 names that gzip
//    cannot compress (the hashes), about 4 KB of the gzipped wasm. They become `a`, `b`, …,
//    `aa`, … in the wasm and, for the same functions, in the import object of the JS glue (where
//    each name is one object key, checked below).
// 2. No exports of classes nothing uses. leptos links wasm-streams (through server_fn, for
//    server functions this app does not have), whose `#[wasm_bindgen]` classes
//    IntoUnderlyingSource / Sink / ByteSource are exported to JS and so kept alive, with their
//    futures machinery. Their exports are removed and wasm-opt drops the code. The glue keeps
//    its (never used) JS wrapper classes: they only reach into the wasm when constructed.
//
// usage: node scripts/wasm-slim.mjs <module>_bg.wasm <module>.js
// Rewrites both files in place; prints one line of what it did; fails (exit 1) if the glue does
// not look as expected, leaving both files untouched.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const DEAD_EXPORT = /^(__wbg_)?intounderlying(source|sink|bytesource)_/;

function fail(msg) {
  console.error(`wasm-slim: ${msg}`);
  process.exit(1);
}

function readLeb(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [result, pos];
  }
}

function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

function name(s) {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([leb(b.length), b]);
}

// a … z, A … Z, then two letters; never a JavaScript keyword.
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const KEYWORDS = new Set(["do", "if", "in"]);
function* shortNames() {
  for (const a of LETTERS) yield a;
  for (const a of LETTERS) for (const b of LETTERS) if (!KEYWORDS.has(a + b)) yield a + b;
}

/** Splits a module into [id, body] sections. */
function sections(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) fail("not a wasm module");
  const out = [];
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, start] = readLeb(buf, pos + 1);
    out.push([id, buf.subarray(start, start + size)]);
    pos = start + size;
  }
  return out;
}

/** Skips an import's description (after its kind byte). */
function skipImportDesc(body, kind, pos) {
  switch (kind) {
    case 0: // function: type index
      return readLeb(body, pos)[1];
    case 1: {
      // table: reftype, limits
      let [flags, p] = readLeb(body, pos + 1);
      p = readLeb(body, p)[1];
      return flags & 1 ? readLeb(body, p)[1] : p;
    }
    case 2: {
      // memory: limits
      let [flags, p] = readLeb(body, pos);
      p = readLeb(body, p)[1];
      return flags & 1 ? readLeb(body, p)[1] : p;
    }
    case 3: // global: valtype, mutability
      return pos + 2;
    case 4: // tag: attribute, type index
      return readLeb(body, pos + 1)[1];
    default:
      fail(`unknown import kind ${kind}`);
  }
}

function readName(body, pos) {
  const [len, start] = readLeb(body, pos);
  return [body.toString("utf8", start, start + len), start + len];
}

const [wasmPath, gluePath] = process.argv.slice(2);
if (!wasmPath || !gluePath) fail("usage: node scripts/wasm-slim.mjs <module>_bg.wasm <module>.js");
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");
// The glue imports its own functions under the module name `./<module>_bg.js`.
const glueModule = `./${basename(wasmPath, ".wasm")}.js`;

const renames = new Map();
let dropped = 0;
const names = shortNames();
const out = [wasm.subarray(0, 8)];
for (const [id, body] of sections(wasm)) {
  let newBody = body;
  if (id === 2) {
    let [count, pos] = readLeb(body, 0);
    const parts = [leb(count)];
    for (let i = 0; i < count; i++) {
      let module, field;
      [module, pos] = readName(body, pos);
      [field, pos] = readName(body, pos);
      const kind = body[pos];
      const end = skipImportDesc(body, kind, pos + 1);
      if (module === glueModule && kind === 0) {
        const short = names.next().value;
        renames.set(field, short);
        field = short;
      }
      parts.push(name(module), name(field), body.subarray(pos, end));
      pos = end;
    }
    newBody = Buffer.concat(parts);
  } else if (id === 7) {
    let [count, pos] = readLeb(body, 0);
    const kept = [];
    for (let i = 0; i < count; i++) {
      const start = pos;
      let field;
      [field, pos] = readName(body, pos);
      pos = readLeb(body, pos + 1)[1]; // kind, index
      if (DEAD_EXPORT.test(field)) dropped++;
      else kept.push(body.subarray(start, pos));
    }
    newBody = Buffer.concat([leb(kept.length), ...kept]);
  }
  out.push(Buffer.from([id]), leb(newBody.length), newBody);
}
if (renames.size === 0) fail(`no imports from ${glueModule} in ${wasmPath}`);

// In the glue each imported function is one key of the import object, `<name>: function(…`;
// a name found anywhere else as well would make the rename unsafe.
const counts = new Map();
for (const m of glue.matchAll(/[A-Za-z_$][\w$]*/g)) {
  if (renames.has(m[0])) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
}
for (const old of renames.keys()) {
  const n = counts.get(old) ?? 0;
  if (n !== 1) fail(`import ${old} occurs ${n} times in ${gluePath}, expected once`);
  if (!glue.includes(`${old}: function(`)) fail(`import ${old} is not a key of the glue's import object`);
}
glue = glue.replace(/[A-Za-z_$][\w$]*/g, (t) => renames.get(t) ?? t);

const slim = Buffer.concat(out);
writeFileSync(wasmPath, slim);
writeFileSync(gluePath, glue);
console.log(
  `wasm-slim: ${renames.size} imports renamed, ${dropped} unused exports removed, ${wasm.length} -> ${slim.length} bytes`,
);
