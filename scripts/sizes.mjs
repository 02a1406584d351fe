#!/usr/bin/env node
// Prints the raw and brotli-compressed (quality 11) sizes of the package's files: both wasm builds,
// the JS entry points, the runtime total a page downloads with either build, and each bundled model.
// usage: node scripts/sizes.mjs [DIST_DIR] [--json]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dist = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'dist'));

/** Raw and brotli sizes of one file. */
export function sizeOf(file) {
  const bytes = readFileSync(file);
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  return { raw: bytes.length, brotli: br.length };
}

const rows = [];
const row = (name, rel) => {
  const f = path.join(dist, rel);
  if (existsSync(f)) rows.push({ name, file: rel, ...sizeOf(f) });
};
row('wasm, baseline SIMD128 build', 'featherdet.wasm');
row('wasm, relaxed-SIMD build', 'featherdet-relaxed.wasm');
row('ESM bundle (self-contained JS)', 'featherdet.esm.js');
row('script-tag bundle', 'featherdet.iife.js');
row('worker script (worker: true only)', 'featherdet.worker.js');
const esm = rows.find((r) => r.file === 'featherdet.esm.js');
// A page downloads one of the two wasm builds (the loader picks it) and the JS.
for (const [label, file] of [['baseline', 'featherdet.wasm'], ['relaxed', 'featherdet-relaxed.wasm']]) {
  const wasm = rows.find((r) => r.file === file);
  if (wasm && esm) rows.push({ name: `runtime total, ${label} (wasm + ESM JS)`, file: '', raw: wasm.raw + esm.raw, brotli: wasm.brotli + esm.brotli });
}
const modelsDir = path.join(dist, 'models');
if (existsSync(modelsDir)) for (const f of readdirSync(modelsDir).sort()) row(`model ${f.replace(/\.tflite$/, '')}`, `models/${f}`);

if (args.includes('--json')) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`| file | raw | brotli |\n| --- | ---: | ---: |`);
  for (const r of rows) console.log(`| ${r.name}${r.file ? ` (\`${r.file}\`)` : ''} | ${kb(r.raw)} | ${kb(r.brotli)} |`);
}
