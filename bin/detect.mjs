// `featherdet detect <image...>`: runs a detection model (a bundled model id or a .tflite file)
// on images through the wasm Detector (dist/, Embind `Detector.detectEncoded`) and prints the
// detections in source-image pixels, as text or JSON lines; --out writes annotated PNGs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { drawDetections, encodePng } from './annotate.mjs';

/** Repository / package root (one level above bin/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundled model ids `--model` accepts. */
export const BUNDLED_MODELS = ['face', 'objects', 'nanodet-m', 'objects-320', 'objects-tiny'];

/** An error the user can act on: printed as one line, exit code 1. */
export class CliError extends Error {}

export const DETECT_USAGE = `usage: featherdet detect <image...> [--model face|objects|nanodet-m|objects-320|objects-tiny|FILE.tflite]
                         [--json] [--score-threshold T] [--iou-threshold T] [--max-results N] [--out DIR]

  Detects faces or objects in JPEG/PNG/BMP images (default model: face) and prints one line per
  detection, or with --json one JSON object per image and line:
  {image, width, height, detections: [{box: {x, y, width, height}, score, label, labelId,
  keypoints: [{x, y, name}]}]} with boxes and keypoints in source-image pixels, scores in [0, 1].

  --model M             bundled model id (built by 'npm run models') or a .tflite file with
                        featherdet or Ultralytics metadata (e.g. best_full_integer_quant.tflite)
  --score-threshold T   minimum score (default: the model's)
  --iou-threshold T     NMS IoU threshold (default: the model's)
  --max-results N       at most N detections per image (default: the model's)
  --out DIR             also write DIR/<image name>.png with boxes and keypoints drawn
  --wasm PATH           featherdet.wasm to use (default: the one in dist/)`;

/**
 * Path of a model: a bundled id (models/dist/<id>[.fp32].tflite, else dist/models/) or a file.
 * Throws a CliError saying how to build a missing bundled model.
 */
export function resolveModel(name, { fp32 = false } = {}) {
  if (BUNDLED_MODELS.includes(name)) {
    const file = `${name}${fp32 ? '.fp32' : ''}.tflite`;
    const candidates = [path.join(PACKAGE_ROOT, 'models/dist', file), path.join(PACKAGE_ROOT, 'dist/models', file)];
    const found = candidates.find((p) => existsSync(p));
    if (!found) throw new CliError(`model '${name}' is not built (${path.relative(process.cwd(), candidates[0])}): run 'npm run models'`);
    return found;
  }
  if (!existsSync(name)) {
    throw new CliError(`model '${name}' is neither a bundled model (${BUNDLED_MODELS.join(', ')}) nor an existing file`);
  }
  return name;
}

/** Reads a file or throws a CliError naming it. */
export function readInputFile(file, what) {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new CliError(`cannot read ${what} '${file}': ${why}`);
  }
}

/** The package's dist/, or $FEATHERDET_DIST_DIR (a private build) when set. */
export function distUrl() {
  const dir = process.env.FEATHERDET_DIST_DIR;
  return dir ? pathToFileURL(path.resolve(dir) + path.sep) : new URL('../dist/', import.meta.url);
}

/** The package's conversion of an options object to the wasm Detector's typed options (dist/core.js). */
let pipelineOptions;

/**
 * The loaded wasm runtime of dist/, or of $FEATHERDET_DIST_DIR (a private build) when set;
 * `wasmBuild` 'auto' (default), 'relaxed' or 'baseline' picks the wasm build.
 */
export async function loadRuntime(wasmPath, wasmBuild = 'auto') {
  const dist = distUrl();
  let api;
  try {
    api = await import(new URL('index.js', dist).href);
    ({ pipelineOptions } = await import(new URL('core.js', dist).href));
  } catch (e) {
    throw new CliError(`the featherdet runtime is not built (dist/index.js): run 'npm run build' (${e.message})`);
  }
  const runtime = await api.loadRuntime(wasmPath ? { wasmPath, wasmBuild } : { wasmBuild });
  if (typeof runtime.module.Detector !== 'function') {
    throw new CliError("this featherdet build has no Detector: run 'npm run build'");
  }
  return runtime;
}

/**
 * A wasm Detector loaded with model bytes and options ({scoreThreshold, iouThreshold,
 * maxResults, ...}); returns {detector, info (info()), detect(bytes), close()}.
 */
export function openDetector(runtime, modelBytes, options, modelName) {
  const detector = new runtime.module.Detector();
  const err = detector.load(modelBytes, pipelineOptions(options));
  if (err) {
    detector.delete();
    throw new CliError(`${modelName}: ${err}`);
  }
  const info = detector.info();
  const keypointNames = info.keypoints ?? [];
  return {
    detector,
    info,
    /** Detects in encoded image bytes: {width, height, detections} in source pixels. */
    detect(imageBytes, imageName) {
      const n = detector.detectEncoded(imageBytes, false, 0);
      if (n < 0) throw new CliError(`${imageName}: ${detector.lastError()}`);
      const r = detector.results();
      const stride = 7 + 2 * keypointNames.length;
      const detections = [];
      for (let i = 0; i < n; i++) {
        const o = i * stride;
        const labelId = Math.round(r[o + 5]);
        const count = Math.min(Math.round(r[o + 6]), keypointNames.length);
        const keypoints = [];
        for (let k = 0; k < count; k++) {
          keypoints.push({ x: r[o + 7 + 2 * k], y: r[o + 8 + 2 * k], name: keypointNames[k] });
        }
        detections.push({
          box: { x: r[o], y: r[o + 1], width: r[o + 2], height: r[o + 3] },
          score: r[o + 4],
          label: info.labels?.[labelId] ?? String(labelId),
          labelId,
          keypoints,
        });
      }
      return { width: detector.sourceWidth(), height: detector.sourceHeight(), detections };
    },
    close() {
      detector.delete();
    },
  };
}

const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;

/** JSON form of one detection with pixel values to 0.01 and scores to 1e-4. */
function jsonDetection(d) {
  return {
    box: { x: round(d.box.x, 2), y: round(d.box.y, 2), width: round(d.box.width, 2), height: round(d.box.height, 2) },
    score: round(d.score, 4),
    label: d.label,
    labelId: d.labelId,
    keypoints: d.keypoints.map((k) => ({ x: round(k.x, 2), y: round(k.y, 2), name: k.name })),
  };
}

function parseDetectArgs(argv) {
  const opts = { model: 'face', json: false, out: null, wasm: undefined, options: {}, images: [] };
  const value = (name, i) => {
    if (argv[i] === undefined) throw new CliError(`${name} needs a value`);
    return argv[i];
  };
  const number = (name, i, check, what) => {
    const v = value(name, i);
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new CliError(`${name}: '${v}' is not ${what}`);
    return n;
  };
  const unit = (n) => n >= 0 && n <= 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--model': opts.model = value(a, ++i); break;
      case '--json': opts.json = true; break;
      case '--out': opts.out = value(a, ++i); break;
      case '--wasm': opts.wasm = value(a, ++i); break;
      case '--score-threshold': opts.options.scoreThreshold = number(a, ++i, unit, 'a number in [0, 1]'); break;
      case '--iou-threshold': opts.options.iouThreshold = number(a, ++i, unit, 'a number in [0, 1]'); break;
      case '--max-results':
        opts.options.maxResults = number(a, ++i, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
        break;
      case '-h': case '--help': opts.help = true; break;
      default:
        if (a.startsWith('-')) throw new CliError(`unknown option ${a}\n${DETECT_USAGE}`);
        opts.images.push(a);
    }
  }
  return opts;
}

/** Text line of one detection. */
function textLine(d) {
  const b = d.box;
  const kp = d.keypoints.length ? `, ${d.keypoints.length} keypoints` : '';
  return `  ${d.label} ${d.score.toFixed(3)} at x=${b.x.toFixed(1)} y=${b.y.toFixed(1)} width=${b.width.toFixed(1)} height=${b.height.toFixed(1)}${kp}`;
}

/** Runs `featherdet detect` with argv (the arguments after 'detect'). */
export async function detectMain(argv) {
  const opts = parseDetectArgs(argv);
  if (opts.help) {
    process.stdout.write(DETECT_USAGE + '\n');
    return;
  }
  if (opts.images.length === 0) throw new CliError(`no image given\n${DETECT_USAGE}`);
  const modelPath = resolveModel(opts.model);
  const modelBytes = readInputFile(modelPath, 'model');
  const images = opts.images.map((file) => ({ file, bytes: readInputFile(file, 'image') }));
  const runtime = await loadRuntime(opts.wasm);
  const det = openDetector(runtime, modelBytes, opts.options, path.basename(modelPath));
  try {
    if (opts.out) mkdirSync(opts.out, { recursive: true });
    for (const { file, bytes } of images) {
      const result = det.detect(bytes, path.basename(file));
      if (opts.json) {
        process.stdout.write(JSON.stringify({
          image: file, width: result.width, height: result.height, detections: result.detections.map(jsonDetection),
        }) + '\n');
      } else {
        const n = result.detections.length;
        process.stdout.write(`${file} (${result.width}x${result.height}): ${n} detection${n === 1 ? '' : 's'}\n`);
        for (const d of result.detections) process.stdout.write(textLine(d) + '\n');
      }
      if (opts.out) {
        const img = runtime.decodeImage(bytes);
        drawDetections(img, result.detections);
        const target = path.join(opts.out, `${path.parse(file).name}.png`);
        writeFileSync(target, encodePng(img.pixels, img.width, img.height));
        if (!opts.json) process.stdout.write(`  wrote ${target}\n`);
      }
    }
  } finally {
    det.close();
  }
}
