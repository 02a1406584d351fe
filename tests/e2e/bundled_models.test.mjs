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

// A third-party file whose SiLU activations (LOGISTIC then MUL) featherdet runs as one table per
// pair (runtime/lut_fusion.h): every output element identical with LiteRT.js.
const YOLO = '/shared/models/thirdparty/ultralytics-yolov8n/yolov8n_full_integer_quant.tflite';
test.each(['/shared/conformance/images/kite_and_cold.jpg', '/shared/data/coco128/val2017/images/000000000139.jpg'])(
  'Ultralytics YOLOv8n full-integer export on %s: bit-identical with LiteRT.js', async (imageUrl) => {
    const result = await page.evaluate((args) => window.harness.runCase(args), { modelUrl: YOLO, imageUrl });
    const fd = result.featherdet.outputs.map(decodeTensor);
    const lt = result.litert.outputs.map(decodeTensor);
    expect(fd.length).toBe(lt.length);
    fd.forEach((t, i) => {
      expect(t.data.length).toBe(lt[i].data.length);
      const differing = t.data.filter((v, j) => v !== lt[i].data[j]).length;
      expect(differing, `output ${i}: ${differing} of ${t.data.length} elements differ`).toBe(0);
    });
  }, 120_000);

test('the harness page raised no uncaught exceptions', () => {
  expect(page.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
});
