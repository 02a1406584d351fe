// Models written by `featherdet convert` run in LiteRT.js (TFLite + XNNPACK) and in featherdet
// with the same outputs: each CONVERTED case is converted with the native converter (found as
// `featherdet convert` finds it: FEATHERDET_CONVERT or FEATHERDET_NATIVE_DIR, default build/native)
// into a temporary file, then compared on photos in headless Chromium with the runtime-core
// limits (compare.mjs: quantized outputs within 3 steps everywhere, within 1 step on >= 99%).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';
import { FEATHERDET_DIST, HARNESS_PAGE, IMAGES } from './cases.mjs';
import { compareCase, decodeTensor, describeTensor, formatTable } from './compare.mjs';
import { dequantizedOutputScales } from './tflite_walk.mjs';
import { converterPath } from '../../bin/convert.mjs';

const SHARED = path.resolve(REPO_ROOT, '../shared');

/** Conversions under test: id and the converter arguments (model path first, then options). */
export const CONVERTED = [
  {
    id: 'yunet_n_320_int8',
    family: 'yunet',
    outputs: 12,
    args: [`${SHARED}/models/upstream/yunet_n_320_320.onnx`, '--preset', 'yunet',
      '--calib', `${SHARED}/data/widerface-val/images`, '--calib-limit', '8'],
  },
  {
    id: 'yunet_n_320_mixed',
    family: 'yunet',
    outputs: 12,
    args: [`${SHARED}/models/upstream/yunet_n_320_320.onnx`, '--preset', 'yunet',
      '--calib', `${SHARED}/data/widerface-val/images`, '--calib-limit', '4', '--keep-float', '212', '#4',
      '--float-outputs'],
  },
  {
    // INT4 weights (TFLite's INT4 tensor type) on the layers the size budget needs.
    id: 'yunet_n_320_int4',
    family: 'yunet',
    outputs: 12,
    maxBytes: 100000,
    args: [`${SHARED}/models/upstream/yunet_n_320_320.onnx`, '--preset', 'yunet',
      '--calib', `${SHARED}/data/widerface-val/images`, '--calib-limit', '4', '--size-budget', '100000'],
  },
  {
    // The same INT4 layers, the float graph fine-tuned around them first (cells weighted by
    // objectness).
    id: 'yunet_n_320_int4_finetuned',
    family: 'yunet',
    outputs: 12,
    maxBytes: 100000,
    finetuned: true,
    args: [`${SHARED}/models/upstream/yunet_n_320_320.onnx`, '--preset', 'yunet',
      '--calib', `${SHARED}/data/widerface-val/images`, '--calib-limit', '4', '--size-budget', '100000',
      '--int4-finetune', '3'],
  },
  {
    // Aggressive mode: INT4 depthwise layers too. LiteRT.js runs those off XNNPACK with other
    // rounding (1 step apart at such a layer, tens at the outputs), so it runs the INT8 twin
    // (--int8-twin: the same values stored as INT8), which featherdet's INT4 file must match.
    id: 'yunet_n_320_int4_aggressive',
    family: 'yunet',
    outputs: 12,
    maxBytes: 85000,
    twin: true,
    args: [`${SHARED}/models/upstream/yunet_n_320_320.onnx`, '--preset', 'yunet',
      '--calib', `${SHARED}/data/widerface-val/images`, '--calib-limit', '4', '--int4-mode', 'aggressive'],
  },
  {
    // Space-to-depth stem folded, head cut into 9 outputs, stem chain split into channel groups.
    id: 'yolox_nano_416_int8',
    family: 'yolox',
    outputs: 9,
    args: [`${SHARED}/models/upstream/yolox_nano.onnx`, '--preset', 'yolox',
      '--calib', `${SHARED}/data/coco128/train2017/images`, '--calib-limit', '4'],
  },
  {
    id: 'fastestdet_352_int8',
    family: 'fastestdet',
    outputs: 1,
    args: [`${SHARED}/models/upstream/fastestdet_352.onnx`, '--preset', 'fastestdet',
      '--calib', `${SHARED}/data/coco128/train2017/images`, '--calib-limit', '4'],
  },
];

const CASE_IMAGES = IMAGES.filter((i) => ['face', 'grace_hopper', 'kite_and_cold'].includes(i.id));
const HEADER = ['model', 'image', 'outputs', 'fd ms', 'lt ms', 'verdict'];
const rows = [];
const run = promisify(execFile);
const files = {};
const twins = {};
const logs = {};
let tmp;
let server;
let browser;
let page;

beforeAll(async () => {
  const exe = converterPath();
  if (!existsSync(exe)) throw new Error(`the native converter is not built (${exe}): run npm run build`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'featherdet-converted-'));
  for (const c of CONVERTED) {
    const out = path.join(tmp, `${c.id}.tflite`);
    const twin = path.join(tmp, `${c.id}.twin.tflite`);
    // Asynchronous: the conversions take over a minute together, and a worker whose event loop is
    // blocked that long misses its RPC deadline with the Vitest main process.
    const r = await run(exe, [...c.args, '-o', out, ...(c.twin ? ['--int8-twin', twin] : [])], { encoding: 'utf8' })
      .catch((e) => { throw new Error(`featherdet-convert failed for ${c.id}: ${e.stderr ?? e.message}`); });
    files[c.id] = new Uint8Array(readFileSync(out));
    if (c.twin) twins[c.id] = new Uint8Array(readFileSync(twin));
    logs[c.id] = r.stderr;
  }
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage(`${server.url}${HARNESS_PAGE}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  const info = await page.evaluate((dist) => window.harness.init({ featherdet: true, dist }), FEATHERDET_DIST);
  if (info.featherdet !== true) {
    throw new Error(`featherdet (dist/index.js) did not load; run \`npm run build\` first: ${info.featherdet}`);
  }
}, 300_000);

afterAll(async () => {
  if (rows.length) console.log(`\nconverted models: featherdet vs LiteRT.js\n${formatTable(HEADER, rows)}\n`);
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe.each(CONVERTED.map((c) => [c.id, c]))('%s', (id, conv) => {
  test('is a full-integer model with featherdet metadata', () => {
    const bytes = files[id];
    expect(Buffer.from(bytes.subarray(4, 8)).toString()).toBe('TFL3');
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain(`"family":"${conv.family}"`);
    expect(text).toContain('"range":"raw"');
    if (conv.maxBytes) {
      expect(bytes.length).toBeLessThanOrEqual(conv.maxBytes);
      expect(logs[id]).toMatch(/INT4 weights: [1-9]\d* layer/);
    }
    if (conv.twin) {
      // Half a byte more per INT4 weight: the aggressive file holds most of YuNet-n's 74k weights so.
      expect(twins[id].length).toBeGreaterThan(bytes.length + 30000);
    }
    if (conv.finetuned) {
      // The training lowered the INT4 graph's output error (on all four images: too few to hold any out).
      const m = logs[id].match(/INT4 fine-tuning: held-out output error ([\d.]+) -> ([\d.]+)/);
      expect(m).not.toBeNull();
      expect(Number(m[2])).toBeLessThan(Number(m[1]));
      // YuNet has objectness outputs: the loss weighs each cell by it.
      expect(logs[id]).toContain('INT4 fine-tuning: output cells weighted by objectness');
    }
  });

  test.each(CASE_IMAGES.map((i) => [i.id, i]))('%s', async (_, image) => {
    const bytes = files[id];
    const result = await page.evaluate(
      (args) => window.harness.runCase(args),
      {
        modelBase64: Buffer.from(bytes).toString('base64'),
        litertModelBase64: twins[id] && Buffer.from(twins[id]).toString('base64'),
        imageUrl: image.url,
      },
    );
    expect(result.input.dtype).toBe('int8');
    const fdOutputs = result.featherdet.outputs.map(decodeTensor);
    const refOutputs = result.litert.outputs.map(decodeTensor);
    const stepScales = dequantizedOutputScales(bytes);
    fdOutputs.forEach((t, i) => { t.stepScale = stepScales[i]; });
    const cmp = compareCase({ id, kind: 'tensor' }, fdOutputs, refOutputs);
    const row = [id, image.id, cmp.tensors.map(describeTensor).join('; '),
      result.featherdet.runMs.toFixed(1), result.litert.runMs.toFixed(1), cmp.failures.length ? 'FAIL' : 'ok'];
    rows.push(row);
    console.log(row.join(' | '));
    expect(cmp.tensors.length).toBe(conv.outputs);
    expect(cmp.failures, `${id} on ${image.id}: ${cmp.failures.join('; ')}`).toEqual([]);
  }, 120_000);
});

test('the harness page raised no uncaught exceptions', () => {
  expect(page.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
});
