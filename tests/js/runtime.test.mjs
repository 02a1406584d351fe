// The wasm runtime under Node: loading, tensor metadata, running real TFLite classifiers on a
// real photo, image decoding and resizing through the bindings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  GRACE_HOPPER, IMAGES_DIR, MOBILENET_V1, MOBILENET_V2, ROOT, bytesOf, importApi, labels, tinyModel, top1,
} from './helpers.mjs';

let api;
let runtime;
beforeAll(async () => {
  api = await importApi();
  runtime = await api.loadRuntime();
});

/** Indices of the five best scores. */
function top5(output) {
  return Array.from(output.data.keys()).sort((a, b) => output.data[b] - output.data[a] || a - b).slice(0, 5);
}

/** grace_hopper.bmp resized to the model input and converted to its dtype. */
function graceHopperInput(model) {
  const info = model.inputs[0];
  const [, h, w] = info.shape;
  const img = runtime.decodeImage(bytesOf(GRACE_HOPPER));
  const rgb = runtime.resizeRgb(img.pixels, img.width, img.height, w, h);
  if (info.dtype === 'UINT8') return rgb;
  if (info.dtype === 'INT8') return Int8Array.from(rgb, (v) => v - 128);
  return Float32Array.from(rgb, (v) => (v - 127.5) / 127.5);
}

describe('loader', () => {
  test('loadRuntime caches one module per wasm location and accepts explicit wasm bytes', async () => {
    expect(await api.loadRuntime()).toBe(runtime);
    const wasmPath = join(ROOT, 'dist/featherdet.wasm');
    const byPath = await api.loadRuntime({ wasmPath });
    expect(byPath).not.toBe(runtime);
    const byBytes = await api.loadRuntime({ wasmBinary: readFileSync(wasmPath) });
    expect(byBytes.decodeImage(bytesOf(GRACE_HOPPER)).width).toBe(512);
  });

  test('a missing wasm file is a clear error', async () => {
    await expect(api.loadRuntime({ wasmPath: '/nonexistent/featherdet.wasm' })).rejects.toThrow(
      /cannot start the featherdet wasm runtime: .*no such file/i,
    );
  });
});

describe('images', () => {
  test('decodeImage returns RGB8 of the right size for BMP and JPEG', () => {
    const bmp = runtime.decodeImage(bytesOf(GRACE_HOPPER));
    expect([bmp.width, bmp.height, bmp.pixels.length]).toEqual([512, 600, 512 * 600 * 3]);
    // BMP stores bottom-up BGR: the first decoded pixel is the file's last row, channels swapped.
    const raw = bytesOf(GRACE_HOPPER);
    const offset = raw[10] | (raw[11] << 8);
    const last = offset + 599 * 512 * 3;
    expect(Array.from(bmp.pixels.slice(0, 3))).toEqual([raw[last + 2], raw[last + 1], raw[last]]);
    const jpg = runtime.decodeImage(bytesOf(join(IMAGES_DIR, 'face.jpg')));
    expect([jpg.width, jpg.height, jpg.pixels.length]).toEqual([512, 355, 512 * 355 * 3]);
  });

  test('decodeImage errors are thrown with the decoder message', async () => {
    expect(() => runtime.decodeImage(new Uint8Array([1, 2, 3]))).toThrow(/not a JPEG, PNG or BMP/);
    const cut = bytesOf(join(IMAGES_DIR, 'face.jpg')).slice(0, 200);
    expect(() => runtime.decodeImage(cut)).toThrow(/cannot decode JPEG image/);
    await expect(api.decodeImage(new Uint8Array(0))).rejects.toThrow(/empty/);
  });

  test('resizeRgb halves by averaging 2x2 blocks and validates its arguments', async () => {
    // 2x2 RGB -> 1x1: the mean of the four pixels.
    const src = new Uint8Array([0, 10, 20, 40, 50, 60, 80, 90, 100, 120, 130, 140]);
    expect(Array.from(runtime.resizeRgb(src, 2, 2, 1, 1))).toEqual([60, 70, 80]);
    expect(Array.from(await api.resizeRgb(src, 2, 2, 2, 2))).toEqual(Array.from(src));
    expect(() => runtime.resizeRgb(src, 3, 2, 1, 1)).toThrow(/needs 18/);
    expect(() => runtime.resizeRgb(src, 2, 2, 0, 1)).toThrow(/positive integer/);
  });
});

describe('TfliteModel', () => {
  test('tiny INT8 reshape model: metadata, run copies outputs, close', async () => {
    const model = await api.TfliteModel.create(tinyModel());
    expect(model.inputs).toEqual([
      { name: 'input', dtype: 'INT8', shape: [1, 2, 3, 1], scale: [0.5], zeroPoint: [1], quantizedDimension: 0 },
    ]);
    expect(model.outputs.map((o) => [o.name, o.dtype, o.shape])).toEqual([['reshaped', 'INT8', [1, 6]]]);
    expect(model.arenaBytes).toBeGreaterThanOrEqual(6);
    const [out] = model.run([new Int8Array([1, -2, 3, -4, 5, -128])]);
    expect(out.data).toBeInstanceOf(Int8Array);
    expect(Array.from(out.data)).toEqual([1, -2, 3, -4, 5, -128]);
    const [again] = model.run([new Int8Array([7, 7, 7, 7, 7, 7])]);
    expect(Array.from(out.data)).toEqual([1, -2, 3, -4, 5, -128]);  // the first result is a copy
    expect(Array.from(again.data)).toEqual([7, 7, 7, 7, 7, 7]);
    model.close();
    expect(() => model.run([new Int8Array(6)])).toThrow(/closed/);
  });

  test('run rejects inputs of the wrong count, type or size', async () => {
    const model = await api.TfliteModel.create(tinyModel());
    expect(() => model.run([])).toThrow(/has 1 input/);
    expect(() => model.run([new Uint8Array(6)])).toThrow(/INT8: pass a Int8Array, got Uint8Array/);
    expect(() => model.run([new Int8Array(5)])).toThrow(/needs 6 elements .*got 5/);
    expect(Array.from(model.run([new DataView(new Int8Array([1, 2, 3, 4, 5, 6]).buffer)])[0].data)).toEqual([1, 2, 3, 4, 5, 6]);
    model.close();
  });

  test('mobilenet_v1 0.25 uint8: metadata and top-1 on grace_hopper', async () => {
    const model = await api.TfliteModel.create(bytesOf(MOBILENET_V1), { runtime });
    const [input] = model.inputs;
    expect(input.dtype).toBe('UINT8');
    expect(input.shape).toEqual([1, 128, 128, 3]);
    expect(input.scale[0]).toBeCloseTo(0.0078125, 7);
    expect(input.zeroPoint).toEqual([128]);
    expect(model.outputs[0].shape).toEqual([1, 1001]);
    const [out] = model.run([graceHopperInput(model)]);
    expect(out.data).toBeInstanceOf(Uint8Array);
    // LiteRT.js (TFLite + XNNPACK) gives the same bytes on this input: this small 0.25-width
    // model ranks 'academic gown' first and 'military uniform' fifth.
    const best = top1(out);
    expect(best.index).toBe(401);
    expect(labels()[best.index]).toBe("academic gown, academic robe, judge's robe");
    expect(top5(out)).toContain(653);
    // Runs are deterministic.
    expect(Array.from(model.run([graceHopperInput(model)])[0].data)).toEqual(Array.from(out.data));
    model.close();
  });

  test('tf2 mobilenet_v2 int8 (per-channel): top-1 on grace_hopper', async () => {
    const model = await api.TfliteModel.create(bytesOf(MOBILENET_V2));
    expect(model.inputs[0].shape).toEqual([1, 224, 224, 3]);
    expect(model.outputs[0].shape).toEqual([1, 1001]);
    const [out] = model.run([graceHopperInput(model)]);
    const best = top1(out);
    expect(labels()[best.index]).toBe('military uniform');
    expect(best.score).toBeGreaterThan(0.3);
    model.close();
  });
});
