// The bundled INT8 models (models/dist/*.tflite, built by `npm run models`) in featherdet and in
// LiteRT.js (TFLite + XNNPACK) in headless Chromium: same input bytes, every output compared with
// the runtime-core limits of compare.mjs (quantized outputs: max 3 steps, > 1 step on at most 1%
// of the elements; float outputs: relative L2 <= 1e-3). Also checks that each file is under
// 1,000,000 bytes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';
import { FEATHERDET_DIST, HARNESS_PAGE } from './cases.mjs';
import { compareCase, decodeTensor, describeTensor, formatTable } from './compare.mjs';
import { MAX_MODEL_BYTES } from '../../scripts/models.mjs';

const MODELS = [
  { id: 'face', images: ['/shared/conformance/images/face.jpg', '/shared/data/widerface-val/images/0_Parade_Parade_0_125.jpg'] },
  { id: 'objects', images: ['/shared/conformance/images/kite_and_cold.jpg', '/shared/data/coco128/val2017/images/000000000139.jpg'] },
  { id: 'nanodet-m', images: ['/shared/conformance/images/kite_and_cold.jpg', '/shared/data/coco128/val2017/images/000000000139.jpg'] },
  { id: 'objects-320', images: ['/shared/conformance/images/kite_and_cold.jpg', '/shared/data/coco128/val2017/images/000000000139.jpg'] },
  { id: 'objects-tiny', images: ['/shared/conformance/images/kite_and_cold.jpg', '/shared/data/coco128/val2017/images/000000000139.jpg'] },
];

const rows = [];
let server;
let browser;
let page;

beforeAll(async () => {
  const missing = MODELS.filter((m) => !existsSync(path.join(REPO_ROOT, `models/dist/${m.id}.tflite`)));
  if (missing.length) {
    throw new Error(`models/dist/{${missing.map((m) => m.id).join(',')}}.tflite missing: run 'npm run models' first`);
  }
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage(`${server.url}${HARNESS_PAGE}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  const info = await page.evaluate((dist) => window.harness.init({ featherdet: true, dist }), FEATHERDET_DIST);
  if (info.featherdet !== true) throw new Error(`featherdet did not load: ${info.featherdet}`);
}, 120_000);

afterAll(async () => {
  if (rows.length) {
    console.log(`\nbundled models: featherdet vs LiteRT.js\n${formatTable(['model', 'image', 'outputs', 'fd ms', 'lt ms', 'verdict'], rows)}\n`);
  }
  await browser?.close();
  await server?.close();
}, 60_000);

describe.each(MODELS.map((m) => [m.id, m]))('%s', (id, model) => {
  test(`is an INT8 file under ${MAX_MODEL_BYTES} bytes`, () => {
    const bytes = statSync(path.join(REPO_ROOT, `models/dist/${id}.tflite`)).size;
    console.log(`${id}.tflite: ${bytes} bytes (target < ${MAX_MODEL_BYTES})`);
    expect(bytes).toBeLessThan(MAX_MODEL_BYTES);
  });

  test.each(model.images.map((url) => [path.basename(url), url]))('%s: featherdet matches LiteRT.js', async (image, imageUrl) => {
    const result = await page.evaluate((args) => window.harness.runCase(args), { modelUrl: `/models/dist/${id}.tflite`, imageUrl });
    expect(result.input.dtype).toBe('int8');
    const fd = result.featherdet.outputs.map(decodeTensor);
    const lt = result.litert.outputs.map(decodeTensor);
    const cmp = compareCase({ id, kind: 'tensor' }, fd, lt);
    rows.push([id, image, cmp.tensors.map(describeTensor).join('; '), result.featherdet.runMs.toFixed(1),
      result.litert.runMs.toFixed(1), cmp.failures.length ? 'FAIL' : 'ok']);
    expect(cmp.tensors.length).toBeGreaterThan(0);
    expect(cmp.failures, `${id} on ${image}: ${cmp.failures.join('; ')}`).toEqual([]);
  }, 120_000);
});

// Ultralytics YOLOv8n exports (SiLU as LOGISTIC then MUL, which featherdet runs as one table per
// pair: runtime/lut_fusion.h) against LiteRT.js on two photos. The full-integer and integer files
// (the latter: float input and output around the same INT8 graph) must match element for element
// (the integer file once had 1 of 705,600 elements one step off on kite_and_cold: an exact tie in
// the DFL softmax, which TFLite rounds away from zero, kernels/ref/qx8_softmax_ref.cc). The
// dynamic-range file (INT8 weights, float activations: featherdet dequantizes the weights at load,
// XNNPACK quantizes activations per run) within 1e-2 relative L2.
const YOLO_DIR = '/shared/models/thirdparty/ultralytics-yolov8n';
const YOLO_CASES = [
  { file: 'yolov8n_full_integer_quant.tflite', maxSteps: 0, maxDiffering: 0 },
  { file: 'yolov8n_integer_quant.tflite', maxSteps: 0, maxDiffering: 0 },
  { file: 'yolov8n_int8.tflite', maxRelL2: 1e-2 },
];
const YOLO_IMAGES = ['/shared/conformance/images/kite_and_cold.jpg', '/shared/data/coco128/val2017/images/000000000139.jpg'];
describe.each(YOLO_CASES.map((c) => [c.file, c]))('Ultralytics %s', (file, limits) => {
  test.each(YOLO_IMAGES.map((u) => [path.basename(u), u]))('%s: featherdet vs LiteRT.js', async (image, imageUrl) => {
    const result = await page.evaluate((args) => window.harness.runCase(args), { modelUrl: `${YOLO_DIR}/${file}`, imageUrl });
    const fd = result.featherdet.outputs.map(decodeTensor);
    const lt = result.litert.outputs.map(decodeTensor);
    expect(fd.length).toBe(lt.length);
    fd.forEach((t, i) => {
      const a = t.data;
      const b = lt[i].data;
      expect(a.length).toBe(b.length);
      const step = t.dtype === 'float32' ? 1 / 256 : 1;  // the output's quantization step (scale 1/256 here)
      let differing = 0;
      let maxSteps = 0;
      let err = 0;
      let ref = 0;
      for (let j = 0; j < a.length; j++) {
        const d = Math.abs(a[j] - b[j]);
        if (d > 0) differing++;
        maxSteps = Math.max(maxSteps, d / step);
        err += d * d;
        ref += b[j] * b[j];
      }
      const relL2 = Math.sqrt(err / ref);
      rows.push([file, image, `output ${i}: ${differing} of ${a.length} differ, max ${maxSteps.toFixed(2)} steps, rel L2 ${relL2.toExponential(2)}`,
        result.featherdet.runMs.toFixed(1), result.litert.runMs.toFixed(1), '']);
      if (limits.maxRelL2 !== undefined) {
        expect(relL2).toBeLessThanOrEqual(limits.maxRelL2);
      } else {
        expect(Math.round(maxSteps * 1000) / 1000).toBeLessThanOrEqual(limits.maxSteps);
        expect(differing / a.length).toBeLessThanOrEqual(limits.maxDiffering);
      }
    });
  }, 120_000);
});

test('the harness page raised no uncaught exceptions', () => {
  expect(page.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
});
