// Unit tests of the conformance metrics and limits (pure Node, no browser).
import { describe, expect, test } from 'vitest';
import { compareCase, compareTensor, decodeTensor, pairOutputs, tensorKind, topK } from './compare.mjs';

const t = (name, dtype, shape, values, quant = {}) => ({
  name, dtype, shape, scale: 0, zeroPoint: 0, ...quant, data: typed(dtype, values),
});
function typed(dtype, values) {
  return {
    uint8: Uint8Array, int8: Int8Array, int32: Int32Array, float32: Float32Array,
    int64: BigInt64Array,
  }[dtype].from(values);
}

describe('compareTensor', () => {
  test('quantized outputs are compared in steps', () => {
    const ref = t('q', 'uint8', [1, 4], [10, 20, 30, 40], { scale: 0.1 });
    const fd = t('q', 'uint8', [1, 4], [11, 20, 28, 40], { scale: 0.1 });
    const r = compareTensor(fd, ref);
    expect(r.kind).toBe('quantized');
    expect(r.maxSteps).toBe(2);
    expect(r.meanSteps).toBeCloseTo(0.75);
    expect(r.overOneShare).toBeCloseTo(0.25);
    expect(r.failures).toHaveLength(1);
  });

  test('more than 3 steps anywhere fails; 1 step everywhere passes', () => {
    const ref = t('q', 'int8', [200], new Array(200).fill(0));
    expect(compareTensor(t('q', 'int8', [200], new Array(200).fill(-1)), ref).failures).toEqual([]);
    const far = new Array(200).fill(0);
    far[7] = 4;
    expect(compareTensor(t('q', 'int8', [200], far), ref).failures[0]).toMatch(/max difference 4 steps/);
    const two = new Array(200).fill(0);
    two[1] = 2;
    two[2] = 2;
    two[3] = 2;
    expect(compareTensor(t('q', 'int8', [200], two), ref).failures[0]).toMatch(/1.50% of elements/);
  });

  test('float outputs use relative L2 error', () => {
    const ref = t('f', 'float32', [2], [3, 4]);
    expect(compareTensor(t('f', 'float32', [2], [3, 4.004]), ref).failures).toEqual([]);
    const bad = compareTensor(t('f', 'float32', [2], [3, 4.1]), ref);
    expect(bad.relL2).toBeCloseTo(0.02, 5);
    expect(bad.failures[0]).toMatch(/relative L2/);
    expect(compareTensor(t('f', 'float32', [2], [NaN, 4]), ref).failures[0]).toMatch(/NaN/);
  });

  test('INT64 arg-max maps are labels: >= 99% must agree', () => {
    const ref = t('l', 'int64', [1, 100], new Array(100).fill(3n));
    expect(tensorKind(ref)).toBe('label');
    const one = new Array(100).fill(3n);
    one[0] = 15n;
    expect(compareTensor(t('l', 'int64', [1, 100], one), ref).failures).toEqual([]);
    one[1] = 15n;
    const r = compareTensor(t('l', 'int64', [1, 100], one), ref);
    expect(r.agreement).toBeCloseTo(0.98);
    expect(r.failures).toHaveLength(1);
  });

  test('dtype or shape mismatch fails', () => {
    const ref = t('x', 'uint8', [1, 2], [1, 2]);
    expect(compareTensor(t('x', 'int8', [1, 2], [1, 2]), ref).failures).toHaveLength(1);
    expect(compareTensor(t('x', 'uint8', [2, 1], [1, 2]), ref).failures).toHaveLength(1);
  });
});

describe('task metrics', () => {
  test('topK breaks ties by lower index', () => {
    expect(topK(Uint8Array.from([5, 9, 9, 1, 7]), 3)).toEqual([1, 2, 4]);
  });

  test('classifier top-1 difference fails even within the step limits', () => {
    const model = { kind: 'classifier' };
    const ref = t('p', 'uint8', [1, 4], [10, 50, 49, 0], { scale: 1 / 256 });
    const fd = t('p', 'uint8', [1, 4], [10, 49, 50, 0], { scale: 1 / 256 });
    const r = compareCase(model, [fd], [ref]);
    expect(r.task).toMatchObject({ top1Agree: false, fdTop1: 2, refTop1: 1, top5Overlap: 4 });
    expect(r.failures).toEqual(['top-1 class 2 (featherdet) vs 1 (LiteRT.js)']);
  });

  test('pose keypoint distance', () => {
    const ref = t('k', 'float32', [1, 1, 2, 3], [0.5, 0.5, 0.9, 0.2, 0.2, 0.8]);
    const fd = t('k', 'float32', [1, 1, 2, 3], [0.5, 0.5, 0.9, 0.23, 0.24, 0.8]);
    const r = compareCase({ kind: 'pose' }, [fd], [ref]);
    expect(r.task.meanKeypointDist).toBeCloseTo(0.025, 6);
    expect(r.task.maxKeypointDist).toBeCloseTo(0.05, 6);
  });

  test('outputs pair by name when both runtimes name them alike, else by index', () => {
    const a = t('a', 'uint8', [1], [1]);
    const b = t('b', 'uint8', [1], [2]);
    expect(pairOutputs([b, a], [a, b]).map(([fd]) => fd.name)).toEqual(['a', 'b']);
    const c = t('c', 'uint8', [1], [3]);
    expect(pairOutputs([c, b], [a, b]).map(([fd]) => fd.name)).toEqual(['c', 'b']);
  });
});

test('decodeTensor restores typed data from base64 bytes', () => {
  const src = BigInt64Array.from([1n, -2n, 3n]);
  const wire = { name: 'x', dtype: 'int64', shape: [3], bytes: Buffer.from(src.buffer).toString('base64') };
  expect(Array.from(decodeTensor(wire).data)).toEqual([1n, -2n, 3n]);
  expect(() => decodeTensor({ ...wire, shape: [4] })).toThrow(/3 elements/);
});

test('float outputs dequantized from int8 also report steps of the source (informational)', () => {
  const ref = t('f', 'float32', [4], [0.5, 0.25, 0.75, 1]);
  const fd = { ...t('f', 'float32', [4], [0.5, 0.25 + 0.004, 0.75, 1 - 0.008]), stepScale: 0.004 };
  const r = compareCase({ kind: 'tensor' }, [fd], [ref]);
  expect(r.tensors[0].sourceSteps).toEqual({ max: 2, overOneShare: 0.25 });
  expect(r.failures[0]).toMatch(/relative L2/);
});

test('dequantizedOutputScales finds MoveNet\'s DEQUANTIZE output and not BlazeFace\'s', async () => {
  const { readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const { REPO_ROOT } = await import('./server.mjs');
  const { dequantizedOutputScales } = await import('./tflite_walk.mjs');
  const load = (p) => new Uint8Array(readFileSync(path.resolve(REPO_ROOT, '../shared', p)));
  const [movenet] = dequantizedOutputScales(load('conformance/tflite/movenet_single_pose_lightning_ptq.tflite'));
  expect(movenet).toBeCloseTo(0.0040968540124595165, 10);
  expect(dequantizedOutputScales(load('models/upstream/blazeface_short_range.tflite'))).toEqual([null, null]);
});
