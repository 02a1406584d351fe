// `featherdet bench <model id | file.tflite>`: latency of a model in this Node process: invoke
// alone (the model on a real photo's pixels) and the whole detect() (decode is excluded:
// preprocess, invoke, decode, NMS from RGBA pixels), median and p90; with --profile a per-node
// table (op, shapes, MACs, ms, GMAC/s, share, % of the measured peak of the GEMM's dot
// instruction).
import path from 'node:path';
import { BUNDLED_MODELS, CliError, distUrl, loadRuntime, openDetector, readInputFile, resolveModel } from './detect.mjs';

export const BENCH_USAGE = `usage: featherdet bench <model id | FILE.tflite> [--runs N] [--warmup N] [--profile] [--json]
                        [--image FILE] [--build auto|relaxed|baseline] [--wasm PATH]

  Times a model in this Node process: invoke (the model alone) and detect() (preprocess, invoke,
  decode, NMS from RGBA pixels; models with featherdet or decoder metadata), median and p90 in ms.
  Bundled ids: ${BUNDLED_MODELS.join(', ')}.

  --runs N      timed runs (default 50)
  --warmup N    untimed runs first (default 10)
  --profile     per-node table sorted by time: op, input -> output shapes, MACs, ms, GMAC/s,
                share of the total and % of the peak (a tight loop of the dot instruction the
                GEMM kernel uses)
  --json        print the results as one JSON object
  --image FILE  the photo to run on (default: a conformance image from ../shared, else grey)
  --build B     wasm build: auto (relaxed SIMD when the engine has it; Node 20 needs
                --experimental-wasm-relaxed-simd), relaxed or baseline
  --wasm PATH   featherdet.wasm to use (default: the one in dist/)`;

function parseBenchArgs(argv) {
  const opts = { runs: 50, warmup: 10, profile: false, json: false, image: null, build: 'auto', wasm: undefined, model: null };
  const count = (name, v, min) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new CliError(`${name} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    switch (a) {
      case '--runs': opts.runs = count(a, argv[++i], 1); break;
      case '--warmup': opts.warmup = count(a, argv[++i], 0); break;
      case '--profile': opts.profile = true; break;
      case '--json': opts.json = true; break;
      case '--image': opts.image = argv[++i]; if (!opts.image) throw new CliError('--image needs a file'); break;
      case '--build':
        opts.build = argv[++i];
        if (!['auto', 'relaxed', 'baseline'].includes(opts.build)) throw new CliError('--build needs auto, relaxed or baseline');
        break;
      case '--wasm': opts.wasm = argv[++i]; if (!opts.wasm) throw new CliError('--wasm needs a path'); break;
      case '-h': case '--help': opts.help = true; break;
      default:
        if (a.startsWith('-')) throw new CliError(`unknown option ${a}\n${BENCH_USAGE}`);
        if (opts.model) throw new CliError(`one model at a time (got '${opts.model}' and '${a}')`);
        opts.model = a;
    }
  }
  return opts;
}

/** The q-th quantile (0..1) of `values` (nearest rank). */
export function quantile(values, q) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Times `fn` over `runs` calls after `warmup` calls; milliseconds per call. */
function time(fn, warmup, runs) {
  for (let i = 0; i < warmup; ++i) fn();
  const ms = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return { medianMs: quantile(ms, 0.5), p90Ms: quantile(ms, 0.9), runs };
}

/** RGB pixels of the photo resized to w x h, converted to the input tensor's dtype. */
function inputTensor(runtime, rgb, info) {
  const [, h, w, c] = info.shape;
  if (info.shape.length !== 4 || c !== 3) {
    return new (info.dtype === 'FLOAT32' ? Float32Array : info.dtype === 'INT8' ? Int8Array : Uint8Array)(
      info.shape.reduce((a, b) => a * b, 1));
  }
  const px = runtime.resizeRgb(rgb.pixels, rgb.width, rgb.height, w, h);
  switch (info.dtype) {
    case 'UINT8': return px;
    case 'INT8': return Int8Array.from(px, (v) => v - 128);
    case 'FLOAT32': return Float32Array.from(px, (v) => v / 127.5 - 1);
    default: throw new CliError(`input '${info.name}' has type ${info.dtype}: bench feeds UINT8, INT8 or FLOAT32 images`);
  }
}

function defaultImage() {
  const shared = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../shared/conformance/images/grace_hopper.bmp');
  try {
    return readInputFile(shared, 'image');
  } catch {
    return null;
  }
}

/** Rows of the per-node table, sorted by time, with shares and % of `peakGmacs`. */
export function profileRows(profile, peakGmacs) {
  const total = profile.nodes.reduce((a, n) => a + n.ms, 0);
  return profile.nodes
    .map((n) => {
      const gmacs = n.macs > 0 && n.ms > 0 ? n.macs / (n.ms * 1e6) : 0;
      return {
        index: n.index,
        op: n.op,
        shapes: `${n.inputs.map((s) => `[${s.join('x')}]`).join(' ')} -> [${n.output.join('x')}]`,
        macs: n.macs,
        ms: n.ms,
        gmacs,
        share: total > 0 ? n.ms / total : 0,
        peak: peakGmacs > 0 && gmacs > 0 ? gmacs / peakGmacs : 0,
      };
    })
    .sort((a, b) => b.ms - a.ms);
}

/** Prints profileRows() as an aligned table, then the total. */
export function printTable(rows, total) {
  const head = ['node', 'op', 'input -> output', 'MMACs', 'ms', 'GMAC/s', 'share', '% peak'];
  const body = rows.map((r) => [String(r.index), r.op, r.shapes, r.macs ? (r.macs / 1e6).toFixed(2) : '',
    r.ms.toFixed(3), r.gmacs ? r.gmacs.toFixed(1) : '', `${(100 * r.share).toFixed(1)}%`, r.peak ? `${(100 * r.peak).toFixed(0)}%` : '']);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i <= 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  process.stdout.write(`${line(head)}\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
  process.stdout.write(`total ${total.toFixed(3)} ms over ${rows.length} nodes\n`);
}

/** One line: time per op type over all `rows`, largest first. */
export function printOpTotals(rows) {
  const byOp = new Map();
  for (const r of rows) byOp.set(r.op, (byOp.get(r.op) ?? 0) + r.ms);
  const total = rows.reduce((a, r) => a + r.ms, 0);
  const parts = [...byOp].sort((a, b) => b[1] - a[1])
    .map(([op, ms]) => `${op} ${ms.toFixed(2)} ms (${((100 * ms) / total).toFixed(1)}%)`);
  process.stdout.write(`by op (all ${rows.length} nodes, ${total.toFixed(3)} ms): ${parts.join(', ')}\n`);
}

export async function benchMain(argv) {
  const opts = parseBenchArgs(argv);
  if (opts.help) {
    process.stdout.write(BENCH_USAGE + '\n');
    return;
  }
  if (!opts.model) throw new CliError(`no model given\n${BENCH_USAGE}`);
  const modelPath = resolveModel(opts.model);
  const modelBytes = readInputFile(modelPath, 'model');
  const imageBytes = opts.image ? readInputFile(opts.image, 'image') : defaultImage();
  const runtime = await loadRuntime(opts.wasm, opts.build);
  const api = await import(new URL('index.js', distUrl()).href);
  const rgb = imageBytes ? runtime.decodeImage(imageBytes) : { width: 64, height: 64, pixels: new Uint8Array(64 * 64 * 3).fill(128) };
  const result = { model: path.basename(modelPath), node: process.version, kernels: runtime.kernels };

  let model;
  try {
    model = await api.TfliteModel.create(modelBytes, { runtime, profile: opts.profile });
  } catch (e) {
    throw new CliError(`${path.basename(modelPath)}: ${e.message}`);
  }
  try {
    const inputs = model.inputs.map((info) => inputTensor(runtime, rgb, info));
    result.invoke = time(() => model.run(inputs), opts.warmup, opts.runs);
    if (opts.profile) {
      model.resetProfile();
      for (let i = 0; i < opts.runs; ++i) model.run(inputs);
      result.peakGmacs = runtime.measurePeakGmacs(0.3);
      result.profile = profileRows(model.profile(), result.peakGmacs);
    }
  } finally {
    model.close();
  }

  let det = null;
  try {
    det = openDetector(runtime, modelBytes, {}, path.basename(modelPath));
  } catch (e) {
    result.detectSkipped = e.message;
  }
  if (det) {
    try {
      const rgba = new Uint8Array(rgb.width * rgb.height * 4);
      for (let i = 0; i < rgb.width * rgb.height; ++i) {
        rgba.set(rgb.pixels.subarray(3 * i, 3 * i + 3), 4 * i);
        rgba[4 * i + 3] = 255;
      }
      const detect = () => {
        det.detector.frameBuffer(rgb.width, rgb.height).set(rgba);
        if (det.detector.detect(rgb.width, rgb.height, false, 0) < 0) throw new CliError(det.detector.lastError());
      };
      result.detect = time(detect, opts.warmup, opts.runs);
    } finally {
      det.close();
    }
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const fmt = (t) => `median ${t.medianMs.toFixed(2)} ms, p90 ${t.p90Ms.toFixed(2)} ms (${t.runs} runs)`;
  process.stdout.write(`${result.model}: kernels ${result.kernels.isa} (${result.kernels.gemm}), Node ${process.version}\n`);
  process.stdout.write(`invoke   ${fmt(result.invoke)}\n`);
  process.stdout.write(result.detect ? `detect() ${fmt(result.detect)}  (${rgb.width}x${rgb.height} RGBA)\n`
    : `detect() not timed: ${result.detectSkipped}\n`);
  if (result.profile) {
    process.stdout.write(`\nper node (mean of ${opts.runs} runs); peak of the dot instruction: ${result.peakGmacs.toFixed(1)} GMAC/s\n`);
    printTable(result.profile, result.profile.reduce((a, r) => a + r.ms, 0));
    printOpTotals(result.profile);
  }
}
