// The Node half of `npm run bench`: featherdet's INT8 files (the wasm build Node picks: baseline
// SIMD128 on Node 20 without flags) against onnxruntime-web running the upstream fp32 ONNX files,
// one thread each, interleaved in one process; then the whole detect() of each bundled model
// (preprocess from RGBA, invoke, decode, NMS) and the first detect() after create().
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { REPO_ROOT } from '../tests/e2e/server.mjs';
import { formatTable } from '../tests/e2e/compare.mjs';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const UPSTREAM = path.resolve(REPO_ROOT, '../shared/models/upstream');
const IMAGE = path.resolve(REPO_ROOT, '../shared/conformance/images/kite_and_cold.jpg');

/** featherdet model id, its upstream ONNX file and input side. */
const PAIRS = [
  { id: 'face', onnx: 'yunet_n_320_320.onnx', side: 320, name: 'YuNet-n 320' },
  { id: 'objects-tiny', onnx: 'fastestdet_352.onnx', side: 352, name: 'FastestDet 352' },
  { id: 'objects', onnx: 'yolox_nano.onnx', side: 416, name: 'YOLOX-Nano 416' },
  { id: 'nanodet-m', onnx: 'nanodet_m_416.onnx', side: 416, name: 'NanoDet-m 416' },
];

/** Median of numbers. */
export const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Medians of interleaved rounds of async functions `fns` (name -> fn). */
async function interleaved(fns, warmup, runs) {
  const times = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let round = 0; round < warmup + runs; ++round) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      await fn();
      if (round >= warmup) times[name].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)]));
}

export async function benchNode({ runs = 20, warmup = 5, models = [] } = {}) {
  const api = await import(pathToFileURL(path.join(REPO_ROOT, 'dist/index.js')).href);
  const runtime = await api.loadRuntime();
  const photo = runtime.decodeImage(readFileSync(IMAGE));
  const pairs = PAIRS.filter((p) => !models.length || models.some((s) => p.id.includes(s) || p.name.includes(s)));
  const rows = [];
  const out = { node: process.version, kernels: runtime.kernels, models: {} };
  for (const p of pairs) {
    const model = await api.TfliteModel.create(readFileSync(path.join(REPO_ROOT, `models/dist/${p.id}.tflite`)), { runtime });
    const info = model.inputs[0];
    const rgb = runtime.resizeRgb(photo.pixels, photo.width, photo.height, info.shape[2], info.shape[1]);
    const input = info.dtype === 'INT8' ? Int8Array.from(rgb, (v) => v - 128) : rgb;
    const session = await ort.InferenceSession.create(path.join(UPSTREAM, p.onnx), { logSeverityLevel: 3 });
    const chw = new Float32Array(3 * p.side * p.side);
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', chw, [1, 3, p.side, p.side]) };
    const t = await interleaved({
      featherdet: () => model.run([input]),
      ort: () => session.run(feeds),
    }, warmup, runs);
    model.close();
    await session.release();
    out.models[p.id] = { featherdetMs: t.featherdet, ortMs: t.ort, speedup: t.ort / t.featherdet };
    rows.push([`${p.id} (${p.name})`, t.featherdet.toFixed(2), t.ort.toFixed(2), (t.ort / t.featherdet).toFixed(2)]);
  }
  console.log(`\nNode ${process.version}: featherdet ${out.kernels.isa} (${out.kernels.gemm}) INT8 vs onnxruntime-web 1.30.0 fp32 (wasm, 1 thread), interleaved, median of ${runs}`);
  console.log(formatTable(['model', 'featherdet INT8 ms', 'onnxruntime-web fp32 ms', 'speed-up'], rows));

  const detRows = [];
  for (const p of pairs) {
    const t0 = performance.now();
    const Detector = p.id === 'face' ? api.FaceDetector : api.ObjectDetector;
    const detector = await Detector.create(p.id === 'face' ? { cache: false } : { model: p.id, cache: false });
    const createMs = performance.now() - t0;
    const src = { width: photo.width, height: photo.height, data: new Uint8ClampedArray(photo.width * photo.height * 4) };
    for (let i = 0; i < photo.width * photo.height; ++i) {
      src.data.set(photo.pixels.subarray(3 * i, 3 * i + 3), 4 * i);
      src.data[4 * i + 3] = 255;
    }
    const t1 = performance.now();
    detector.detect(src);
    const firstMs = performance.now() - t1;
    const t = await interleaved({ detect: () => detector.detect(src) }, warmup, runs);
    detector.close();
    out.models[p.id] = { ...out.models[p.id], createMs, firstDetectMs: firstMs, detectMs: t.detect };
    detRows.push([p.id, `${photo.width}x${photo.height}`, t.detect.toFixed(2), createMs.toFixed(1), firstMs.toFixed(1)]);
  }
  console.log(`\nNode: detect() end to end (RGBA frame -> detections), median of ${runs}; create() and the first detect() once each`);
  console.log(formatTable(['model', 'frame', 'detect() ms', 'create() ms', 'first detect() ms'], detRows));
  return out;
}
