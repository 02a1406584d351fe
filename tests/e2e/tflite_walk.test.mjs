// Tests of the .tflite walker used by the divergence tool, on the shared conformance models.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './server.mjs';
import { opName, readTflite, withFirstOutput } from './tflite_walk.mjs';

const shared = (p) => new Uint8Array(readFileSync(path.resolve(REPO_ROOT, '../shared', p)));
const MOVENET = 'conformance/tflite/movenet_single_pose_lightning_ptq.tflite';

test('reads operators, tensors and quantization of MoveNet', () => {
  const g = readTflite(shared(MOVENET));
  expect(g.ops).toHaveLength(157);
  expect(g.ops.slice(0, 6).map((o) => o.name)).toEqual(['CAST', 'QUANTIZE', 'SUB', 'MUL', 'SUB', 'CONV_2D']);
  expect(g.outputs).toEqual([332]);
  expect(g.tensors[332]).toMatchObject({ name: 'StatefulPartitionedCall:0', dtype: 'float32', shape: [1, 1, 17, 3] });
  const sub = g.tensors[g.ops[4].outputs[0]];
  expect(sub).toMatchObject({ name: 'sub_1', dtype: 'int8', shape: [1, 192, 192, 3], zeroPoint: [-1] });
  expect(sub.scale[0]).toBeCloseTo(2 / 255, 8);
  const convWeights = g.tensors[g.ops[5].inputs[1]];
  expect(convWeights.shape).toEqual([32, 3, 3, 3]);
  expect(convWeights.scale).toHaveLength(32);
  expect(g.signatures).toEqual([{ key: 'serving_default', subgraph: 0, outputs: [{ name: 'output_0', tensor: 332 }] }]);
});

test('reads the uint8 models and the float BlazeFace', () => {
  const mnv1 = readTflite(shared('conformance/tflite/mobilenet_v1_0.25_128_quant.tflite'));
  expect(mnv1.ops[0].name).toBe('CONV_2D');
  expect(mnv1.tensors[mnv1.outputs[0]]).toMatchObject({ dtype: 'uint8', shape: [1, 1001] });
  const deeplab = readTflite(shared('conformance/tflite/deeplabv3_mnv2_dm05_pascal_quant.tflite'));
  expect(deeplab.tensors[deeplab.outputs[0]]).toMatchObject({ dtype: 'int64', shape: [1, 513, 513] });
  const face = readTflite(shared('models/upstream/blazeface_short_range.tflite'));
  expect(face.outputs.map((k) => face.tensors[k].shape)).toEqual([[1, 896, 16], [1, 896, 1]]);
  expect(face.ops[0].name).toBe('DEQUANTIZE');
});

test('withFirstOutput retargets the subgraph output and the signature, leaving the input intact', () => {
  const bytes = shared(MOVENET);
  const patched = withFirstOutput(bytes, 178);
  expect(patched.length).toBe(bytes.length);
  const g = readTflite(patched);
  expect(g.outputs).toEqual([178]);
  expect(g.signatures[0].outputs[0].tensor).toBe(178);
  expect(readTflite(bytes).outputs).toEqual([332]);
  let changed = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== patched[i]) changed++;
  expect(changed).toBeLessThanOrEqual(8);
});

test('opName falls back to the builtin code', () => {
  expect(opName(3)).toBe('CONV_2D');
  expect(opName(4242)).toBe('BUILTIN_4242');
});
