// `npm run bench`: median inference latency of featherdet and LiteRT.js (TFLite + XNNPACK,
// single-threaded, 'wasm' accelerator) in one headless Chromium page, on the bundled models, a
// real Ultralytics YOLOv8n INT8 export and the conformance models, plus the all-INT8 twin of each
// bundled model that carries INT4 layers (built into models/dist on first use). Two phases in the
// same page: featherdet's relaxed-SIMD build against LiteRT.js's relaxed-SIMD build, then featherdet's
// baseline (SIMD128) build against LiteRT.js's compat (SIMD128) build. Within a phase the
// runtimes are interleaved (one run of each per round, so both see the same machine load); a run
// is input handoff to outputs readable as typed arrays, on a real photo. Then Node: featherdet
// (baseline build) against onnxruntime-web (fp32, the upstream ONNX files), interleaved, and the
// whole detect() of each bundled model; and the time from create() to the first detection in a
// page, cold and cached (bench/first_detection.mjs). Not part of the tests.
//
// Options: --runs N (default 20), --warmup N (default 5), --model SUBSTRING (repeatable),
//          --no-node (browser table only), --no-browser (Node table only), --profile (per-node
//          tables of featherdet's relaxed build in the page, top 25 nodes), --json (print the
//          raw results as JSON as well),
//          --file PATH.tflite (repeatable: your own model, added to the browser table; a file
//          given here is in the geometric mean only with --target).
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from '../tests/e2e/server.mjs';
import { launchBrowser } from '../tests/e2e/browser.mjs';
import { FEATHERDET_DIST, HARNESS_PAGE, IMAGES, MODELS as CONFORMANCE } from '../tests/e2e/cases.mjs';
import { formatTable } from '../tests/e2e/compare.mjs';
import { benchNode } from './node.mjs';
import { benchFirstDetection } from './first_detection.mjs';
import { buildModels, hasInt8Twin, readManifest } from '../scripts/models.mjs';
import { printOpTotals, printTable, profileRows } from '../bin/bench.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    model: { type: 'string', multiple: true, default: [] },
    'no-node': { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    file: { type: 'string', multiple: true, default: [] },
    target: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
const warmup = Number(opts.warmup);
if (!(runs >= 1) || !(warmup >= 0)) throw new Error('--runs must be >= 1 and --warmup >= 0');
if (opts['no-browser']) {
  const node = await benchNode({ runs, warmup, models: opts.model });
  if (opts.json) console.log(JSON.stringify({ node }, null, 2));
  process.exit(0);
}
// The all-INT8 twins of bundled models that carry INT4 layers (built once into models/dist, about
// two minutes for YOLOX-Nano; kept up to date like the bundled files).
await buildModels({ only: readManifest().models.filter(hasInt8Twin).map((m) => m.id), variants: ['int8-twin'] });

const YOLO = '/shared/models/thirdparty/ultralytics-yolov8n/yolov8n_full_integer_quant.tflite';
/** Models of the browser table; `target`: in the acceptance set (ratio <= 1, geometric mean <= 0.9). */
const ALL = [
  { id: 'face (YuNet-n 320)', url: '/models/dist/face.tflite', target: true },
  { id: 'objects-tiny (FastestDet 352)', url: '/models/dist/objects-tiny.tflite', target: true },
  { id: 'objects-320 (NanoDet-m 320)', url: '/models/dist/objects-320.tflite' },
  { id: 'objects (YOLOX-Nano 416)', url: '/models/dist/objects.tflite', target: true },
  // The same recipe without the size budget, every layer INT8: LiteRT.js runs the bundled file's
  // INT4 convolutions off XNNPACK's fast path, so this is the like-for-like row for `objects`.
  { id: 'objects INT8 twin (no INT4 layers)', url: '/models/dist/objects.int8-twin.tflite', twinOf: 'objects (YOLOX-Nano 416)' },
  { id: 'nanodet-m (NanoDet-m 416)', url: '/models/dist/nanodet-m.tflite', target: true },
  { id: 'yolov8n_full_integer_quant (640)', url: YOLO, target: true },
  ...CONFORMANCE.map((m) => ({ ...m, target: m.id === 'tf2_mobilenet_v2_1.0_224_ptq' })),
];
const USER_FILES = opts.file.map((f, i) => {
  if (!existsSync(f)) throw new Error(`--file ${f}: no such file`);
  return { id: `${path.basename(f)} (--file)`, url: `/user-models/${i}/${path.basename(f)}`, path: path.resolve(f), target: opts.target };
});
const models = ALL.filter((m) => existsSync(path.join(REPO_ROOT, m.url.startsWith('/shared/') ? `../shared${m.url.slice(7)}` : m.url)))
  .filter((m) => !opts.model.length || opts.model.some((s) => m.id.includes(s)))
  .concat(USER_FILES);
const image = IMAGES[0];

const PHASES = [
  { name: 'relaxed', litert: 'auto', featherdet: 'featherdet-relaxed' },
  { name: 'baseline', litert: 'compat', featherdet: 'featherdet-baseline' },
];

const server = await startServer({ files: Object.fromEntries(USER_FILES.map((m) => [m.url, m.path])) });
const browser = await launchBrowser();
const results = Object.fromEntries(models.map((m) => [m.id, {}]));
let header = '';
let firstDetection = null;
try {
  const page = await browser.newPage(`${server.url}${HARNESS_PAGE}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  for (const phase of PHASES) {
    const info = await page.evaluate((args) => window.harness.init(args), { featherdet: true, dist: FEATHERDET_DIST, litert: phase.litert });
    if (info.featherdet !== true) throw new Error(`featherdet not loaded (run \`npm run build\`): ${info.featherdet.split('\n')[0]}`);
    const kernels = await page.evaluate(() => window.harness.kernels());
    const fd = kernels[phase.name];
    header += `${phase.name}: featherdet ${fd.isa} (${fd.gemm}) vs LiteRT.js ${info.litertWasm.filter((f) => !header.includes(f)).join(', ') || 'wasm'}\n`;
    for (const model of models) {
      let entry;
      try {
        entry = await page.evaluate(
          (args) => window.harness.bench(args),
          { runtimes: [phase.featherdet, 'litert'], modelUrl: model.url, imageUrl: image.url, warmup, runs },
        );
      } catch (err) {
        entry = { [phase.featherdet]: { error: err.message.split('\n')[0] }, litert: { error: err.message.split('\n')[0] } };
      }
      results[model.id][phase.name] = { featherdet: entry[phase.featherdet], litert: entry.litert };
    }
  }
  if (opts.profile) {
    for (const model of models) {
      const { profile, peakGmacs } = await page.evaluate(
        (args) => window.harness.profile(args), { build: 'relaxed', modelUrl: model.url, imageUrl: image.url, warmup, runs });
      const rows = profileRows(profile, peakGmacs);
      console.log(`\n${model.id}: featherdet ${profile.isa} per node (mean of ${runs} runs, page timer), dot peak ${peakGmacs.toFixed(1)} GMAC/s`);
      printTable(rows.slice(0, 25), rows.slice(0, 25).reduce((a, r) => a + r.ms, 0));
      printOpTotals(rows);
    }
  }
  firstDetection = await benchFirstDetection(browser, server, FEATHERDET_DIST);
  const version = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  header = `Chromium ${version}; LiteRT.js @litertjs/core 2.5.3, 1 thread; image ${image.id}; ${warmup} warm-up + ${runs} timed rounds per model and phase (runtimes interleaved)\n${header}`;
} finally {
  await browser.close();
  await server.close();
}

const ms = (r) => (r === undefined ? 'n/a' : r.error ? 'error' : r.medianMs.toFixed(2));
const ratio = (p) => (p?.featherdet?.medianMs && p?.litert?.medianMs ? p.featherdet.medianMs / p.litert.medianMs : null);
const rows = models.map((m) => {
  const r = results[m.id];
  const a = ratio(r.relaxed);
  const b = ratio(r.baseline);
  return [m.id, ms(r.relaxed?.featherdet), ms(r.relaxed?.litert), a === null ? 'n/a' : a.toFixed(2),
    ms(r.baseline?.featherdet), ms(r.baseline?.litert), b === null ? 'n/a' : b.toFixed(2)];
});
const geo = (vals) => (vals.length ? Math.exp(vals.reduce((s, v) => s + Math.log(v), 0) / vals.length) : null);
const target = models.filter((m) => m.target);
const geoRelaxed = geo(target.map((m) => ratio(results[m.id].relaxed)).filter((v) => v !== null));
const geoBaseline = geo(target.map((m) => ratio(results[m.id].baseline)).filter((v) => v !== null));
console.log(header);
console.log(formatTable(['model', 'featherdet relaxed ms', 'LiteRT.js relaxed ms', 'ratio', 'featherdet baseline ms', 'LiteRT.js compat ms', 'ratio'], rows));
if (geoRelaxed !== null) {
  console.log(`geometric mean of the ratios over ${target.map((m) => m.id.split(' ')[0]).join(', ')}: ` +
    `relaxed ${geoRelaxed.toFixed(2)}, baseline ${geoBaseline?.toFixed(2) ?? 'n/a'}`);
  // Like for like: each INT4-carrying file replaced by its all-INT8 twin.
  const like = target.map((m) => models.find((t) => t.twinOf === m.id) ?? m);
  if (like.some((m, i) => m !== target[i])) {
    const g = (phase) => geo(like.map((m) => ratio(results[m.id][phase])).filter((v) => v !== null));
    console.log(`like for like (INT8 twins in place of INT4-carrying files): relaxed ${g('relaxed')?.toFixed(2) ?? 'n/a'}, ` +
      `baseline ${g('baseline')?.toFixed(2) ?? 'n/a'}`);
  }
}
for (const m of models) {
  for (const [phase, p] of Object.entries(results[m.id])) {
    for (const [rt, r] of Object.entries(p)) if (r?.error) console.log(`${m.id} ${phase} ${rt}: ${r.error}`);
  }
}

firstDetection?.print();

let node = null;
if (!opts['no-node']) node = await benchNode({ runs, warmup, models: opts.model });
if (opts.json) console.log(JSON.stringify({ browser: results, firstDetection: { cold: firstDetection?.cold, cached: firstDetection?.cached }, node }, null, 2));
