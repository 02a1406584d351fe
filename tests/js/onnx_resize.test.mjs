// scripts/onnx_resize.mjs: the protobuf codec round-trips real ONNX files byte for byte, and
// NanoDet-m re-targeted from 416 to 320 runs in onnxruntime-web with 320x320 feature maps, and a
// 416 -> 416 re-targeting computes exactly what the original file computes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, test } from 'vitest';
import { encodeFields, parseFields, resizeStaticOnnx } from '../../scripts/onnx_resize.mjs';
import { SHARED } from './helpers.mjs';

ort.env.wasm.numThreads = 1;
const upstream = (f) => readFileSync(join(SHARED, 'models/upstream', f));
const nanodet = upstream('nanodet_m_416.onnx');

async function run(bytes, size, fill) {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const input = new ort.Tensor('float32', new Float32Array(3 * size * size).fill(fill), [1, 3, size, size]);
  return session.run({ [session.inputNames[0]]: input });
}

describe('onnx_resize', () => {
  test.each(['yunet_n_320_320.onnx', 'fastestdet_352.onnx'])('parse/encode round-trips %s', (f) => {
    const bytes = upstream(f);
    expect(Buffer.compare(encodeFields(parseFields(bytes)), bytes)).toBe(0);
  });

  test('NanoDet-m at 320: outputs 1600/400/100 cells', async () => {
    const out = await run(resizeStaticOnnx(nanodet, [416, 416], [320, 320]), 320, 0);
    const dims = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.dims]));
    expect(dims).toEqual({
      792: [1, 1600, 80], 795: [1, 1600, 32], 814: [1, 400, 80], 817: [1, 400, 32], 836: [1, 100, 80], 839: [1, 100, 32],
    });
  }, 60_000);

  test('re-targeting 416 -> 416 keeps the computation (same outputs as the original file)', async () => {
    const a = await run(nanodet, 416, 0.25);
    const b = await run(resizeStaticOnnx(nanodet, [416, 416], [416, 416]), 416, 0.25);
    for (const name of Object.keys(a)) {
      const d = a[name].data.reduce((m, v, i) => Math.max(m, Math.abs(v - b[name].data[i])), 0);
      expect(d, name).toBeLessThan(1e-4);
    }
  }, 60_000);

  test('errors: a size that does not divide the feature maps, a model without spatial constants', () => {
    expect(() => resizeStaticOnnx(nanodet, [416, 416], [300, 300])).toThrow(/does not scale from 416 to 300/);
    expect(() => resizeStaticOnnx(upstream('yunet_n_320_320.onnx'), [416, 416], [320, 320])).toThrow(/input dim 2 is not 416/);
    expect(() => parseFields(nanodet.subarray(0, 1000))).toThrow(/past the end|truncated/);
  });
});
