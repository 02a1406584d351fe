// `featherdet eval`: accuracy of the bundled models, fp32 file (featherdet's float path) and INT8
// file side by side. Faces: AP@0.5 on the WIDER FACE evaluation split of ../shared/data/widerface-val
// (the images not used for calibration; faces under 16 px tall are ignored). Objects: COCO
// mAP@[.5:.95] and mAP@0.5 on ../shared/data/coco128/val2017.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { averagePrecision, cocoMap } from './ap.mjs';
import { BUNDLED_MODELS, CliError, PACKAGE_ROOT, loadRuntime, openDetector, readInputFile, resolveModel } from './detect.mjs';

export const EVAL_USAGE = `usage: featherdet eval [--model face|objects|nanodet-m|objects-320|objects-tiny|all] [--limit N] [--json] [--int8 FILE]
       featherdet eval --file FILE.tflite [--file ...] [--set coco128|widerface] [--limit N] [--json]

  Evaluates each model's fp32 file (models/dist/<id>.fp32.tflite) and INT8 file
  (models/dist/<id>.tflite; both built by 'npm run models') with score threshold 0.01 and prints
  model | metric | fp32 AP | int8 AP | delta | int8 vs fp32 (AP in points, 0-100). The last
  column scores the INT8 detections against the fp32 file's own (score >= 0.3) instead of the
  labels: quantization fidelity without the labels' sampling noise (100 = identical).
  face: AP@0.5 on the 100 WIDER FACE evaluation images (faces under 16 px tall ignored);
  objects*: COCO mAP@[.5:.95] and mAP@0.5 on the 96 coco128 val2017 images.

  --model M   one model id or 'all' (default all)
  --limit N   evaluate the first N images only
  --json      print the results as JSON
  --wasm PATH featherdet.wasm to use (default: the one in dist/)
  --int8 FILE evaluate this INT8 file (e.g. one converted with other options) in place of
              models/dist/<id>.tflite; needs one --model
  --file FILE evaluate any detection file with its own metadata (featherdet or Ultralytics; no
              decoder option) on one evaluation set: --set coco128 (default; class ids of the
              COCO 80-class order) or widerface`;

/** Faces shorter than this (source pixels) are ignored by the face AP. */
export const MIN_FACE_HEIGHT = 16;

/** Detector options for AP: every candidate down to a low score. */
const EVAL_OPTIONS = {
  face: { scoreThreshold: 0.01, maxResults: 1000 },
  objects: { scoreThreshold: 0.01, maxResults: 100 },
};

function sharedDir() {
  return path.resolve(PACKAGE_ROOT, process.env.FEATHERDET_SHARED_DIR || '../shared');
}

function manifest() {
  return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'models/manifest.json'), 'utf8'));
}

/**
 * Parses WIDER labels.txt ("# path W H" then "x1 y1 x2 y2" lines) into
 * [{file (base name), groundTruth: [{box, ignore}]}].
 */
export function parseWiderLabels(text) {
  const images = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('#')) {
      images.push({ file: path.basename(t.slice(1).trim().split(/\s+/)[0]), groundTruth: [] });
      continue;
    }
    const [x1, y1, x2, y2] = t.split(/\s+/).map(Number);
    const box = { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
    images.at(-1).groundTruth.push({ box, ignore: box.height < MIN_FACE_HEIGHT });
  }
  return images;
}

/** YOLO label lines ("class cx cy w h", normalized) as pixel ground truth of a w x h image. */
export function parseYoloLabels(text, width, height) {
  return text.split(/\r?\n/).filter((l) => l.trim()).map((l) => {
    const [c, cx, cy, w, h] = l.trim().split(/\s+/).map(Number);
    return { labelId: c, box: { x: (cx - w / 2) * width, y: (cy - h / 2) * height, width: w * width, height: h * height } };
  });
}

/** The evaluation images of a model: [{file (path), groundTruth(width, height)}]. */
function evaluationSet(model) {
  const shared = sharedDir();
  if (model.id === 'face') {
    const dir = path.join(shared, model.evaluation.dir);
    const calib = new Set(model.calibration.files);
    return parseWiderLabels(readFileSync(path.join(dir, 'labels.txt'), 'utf8'))
      .filter((img) => !calib.has(img.file))
      .map((img) => ({ file: path.join(dir, 'images', img.file), groundTruth: () => img.groundTruth }));
  }
  const dir = path.join(shared, model.evaluation.dir);
  return readdirSync(path.join(dir, 'images')).sort().map((f) => {
    const labels = path.join(dir, 'labels', `${path.parse(f).name}.txt`);
    const text = existsSync(labels) ? readFileSync(labels, 'utf8') : '';
    return { file: path.join(dir, 'images', f), groundTruth: (w, h) => parseYoloLabels(text, w, h) };
  });
}

/** Runs one model file over the images; returns [{detections, groundTruth}] and timing. */
function runModel(runtime, file, images, options) {
  const det = openDetector(runtime, readInputFile(file, 'model'), options, path.basename(file));
  try {
    const t0 = performance.now();
    const results = images.map((img) => {
      const r = det.detect(img.bytes, path.basename(img.file));
      return { detections: r.detections, groundTruth: img.groundTruth(r.width, r.height) };
    });
    return { results, msPerImage: (performance.now() - t0) / Math.max(1, images.length), inputType: det.info.inputType };
  } finally {
    det.close();
  }
}

/** fp32 detections at or above this score are the reference of the INT8-vs-fp32 agreement. */
export const AGREEMENT_MIN_SCORE = 0.3;

/**
 * The INT8 detections scored against the fp32 model's own detections (score >= AGREEMENT_MIN_SCORE)
 * instead of the labels: how faithfully the INT8 file reproduces the float model, free of the
 * labels' sampling noise (100 = the same detections).
 */
export function agreementSet(fp32Results, int8Results) {
  return int8Results.map((r, i) => ({
    detections: r.detections,
    groundTruth: fp32Results[i].detections.filter((d) => d.score >= AGREEMENT_MIN_SCORE)
      .map((d) => ({ box: d.box, labelId: d.labelId })),
  }));
}

/** Metrics of one model variant: {metric name: AP in points}. */
function metrics(modelId, results) {
  if (modelId === 'face') return { 'AP@0.5': 100 * averagePrecision(results, 0.5, 'all') };
  const m = cocoMap(results);
  return { 'mAP@[.5:.95]': 100 * m.map, 'mAP@0.5': 100 * m.map50 };
}

function parseEvalArgs(argv) {
  const opts = { model: 'all', limit: Infinity, json: false, wasm: undefined, int8: undefined, files: [], set: 'coco128' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--model') opts.model = argv[++i];
    else if (a === '--limit') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new CliError(`--limit: '${argv[i]}' is not a positive integer`);
      opts.limit = n;
    } else if (a === '--json') opts.json = true;
    else if (a === '--wasm') opts.wasm = argv[++i];
    else if (a === '--int8') opts.int8 = argv[++i];
    else if (a === '--file') opts.files.push(argv[++i]);
    else if (a === '--set') opts.set = argv[++i];
    else if (a === '-h' || a === '--help') opts.help = true;
    else throw new CliError(`unknown argument ${a}\n${EVAL_USAGE}`);
  }
  if (opts.model !== 'all' && !BUNDLED_MODELS.includes(opts.model)) {
    throw new CliError(`--model: '${opts.model}' is not one of ${BUNDLED_MODELS.join(', ')}, all`);
  }
  if (!['coco128', 'widerface'].includes(opts.set)) throw new CliError(`--set: '${opts.set}' is not coco128 or widerface`);
  if (opts.files.some((f) => !f)) throw new CliError('--file needs a .tflite path');
  if (opts.int8 !== undefined && (opts.model === 'all' || !opts.int8)) {
    throw new CliError('--int8 FILE needs one --model (the model whose evaluation set and fp32 file to use)');
  }
  return opts;
}

/** Fixed-width text table. */
function table(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((x, c) => (c >= 2 ? String(x).padStart(widths[c]) : String(x).padEnd(widths[c]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Runs `featherdet eval` with argv (the arguments after 'eval'). */
export async function evalMain(argv) {
  const opts = parseEvalArgs(argv);
  if (opts.help) {
    process.stdout.write(EVAL_USAGE + '\n');
    return;
  }
  if (opts.files.length) return evalFiles(opts);
  const ids = opts.model === 'all' ? BUNDLED_MODELS : [opts.model];
  const models = manifest().models.filter((m) => ids.includes(m.id));
  const files = models.map((m) => ({ fp32: resolveModel(m.id, { fp32: true }), int8: opts.int8 ? path.resolve(opts.int8) : resolveModel(m.id) }));
  const runtime = await loadRuntime(opts.wasm);
  const report = [];
  for (const [i, model] of models.entries()) {
    const images = evaluationSet(model).slice(0, opts.limit).map((img) => ({ ...img, bytes: readInputFile(img.file, 'image') }));
    const options = EVAL_OPTIONS[model.id === 'face' ? 'face' : 'objects'];
    const entry = { id: model.id, name: model.name, images: images.length, options };
    const runs = {};
    for (const variant of ['fp32', 'int8']) {
      if (!opts.json) process.stderr.write(`eval: ${model.id} ${variant} on ${images.length} images\n`);
      const run = runModel(runtime, files[i][variant], images, options);
      runs[variant] = run.results;
      entry[variant] = {
        file: path.relative(PACKAGE_ROOT, files[i][variant]),
        inputType: run.inputType,
        msPerImage: Math.round(run.msPerImage * 10) / 10,
        metrics: metrics(model.id, run.results),
      };
    }
    entry.agreement = metrics(model.id, agreementSet(runs.fp32, runs.int8));
    report.push(entry);
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify({ models: report }, null, 2) + '\n');
    return;
  }
  const rows = report.flatMap((e) => Object.keys(e.fp32.metrics).map((metric) => {
    const a = e.fp32.metrics[metric];
    const b = e.int8.metrics[metric];
    const d = b - a;
    return [e.id, metric, a.toFixed(2), b.toFixed(2), `${d >= 0 ? '+' : ''}${d.toFixed(2)}`, e.agreement[metric].toFixed(2), e.images];
  }));
  process.stdout.write(table(['model', 'metric', 'fp32 AP', 'int8 AP', 'delta', 'int8 vs fp32', 'images'], rows) + '\n');
}

/** `eval --file`: each file alone, with its own metadata, on the coco128 or WIDER FACE set. */
async function evalFiles(opts) {
  const model = manifest().models.find((m) => (opts.set === 'widerface' ? m.id === 'face' : m.id === 'objects'));
  const images = evaluationSet(model).slice(0, opts.limit).map((img) => ({ ...img, bytes: readInputFile(img.file, 'image') }));
  const options = EVAL_OPTIONS[opts.set === 'widerface' ? 'face' : 'objects'];
  const runtime = await loadRuntime(opts.wasm);
  const report = [];
  for (const file of opts.files) {
    if (!opts.json) process.stderr.write(`eval: ${path.basename(file)} on ${images.length} ${opts.set} images\n`);
    const run = runModel(runtime, path.resolve(file), images, options);
    report.push({ file, set: opts.set, images: images.length, inputType: run.inputType,
      msPerImage: Math.round(run.msPerImage * 10) / 10, metrics: metrics(model.id, run.results) });
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify({ files: report }, null, 2) + '\n');
    return;
  }
  const rows = report.flatMap((e) => Object.entries(e.metrics).map(([metric, ap]) =>
    [path.basename(e.file), metric, ap.toFixed(2), e.inputType, e.msPerImage, e.images]));
  process.stdout.write(table(['file', 'metric', 'AP', 'input', 'ms/image', 'images'], rows) + '\n');
}
