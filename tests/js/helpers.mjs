// Shared helpers of the Node tests: paths, file loading and tiny TFLite models built with flatc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFields, parseFields } from '../../scripts/onnx_resize.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = resolve(ROOT, '../shared');
export const TFLITE_DIR = join(SHARED, 'conformance/tflite');
export const IMAGES_DIR = join(SHARED, 'conformance/images');
export const SCHEMA = join(ROOT, 'src/model/tflite_schema.fbs');

export const MOBILENET_V1 = join(TFLITE_DIR, 'mobilenet_v1_0.25_128_quant.tflite');
export const MOBILENET_V2 = join(TFLITE_DIR, 'tf2_mobilenet_v2_1.0_224_ptq.tflite');
export const LABELS = join(TFLITE_DIR, 'imagenet_labels.txt');
export const GRACE_HOPPER = join(IMAGES_DIR, 'grace_hopper.bmp');

/** The package entry (dist/index.js, built by scripts/build.sh). */
export async function importApi() {
  return import(join(ROOT, 'dist/index.js'));
}

/** File bytes as a Uint8Array. */
export function bytesOf(path) {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** imagenet_labels.txt as an array (1001 entries, 'background' first). */
export function labels() {
  return readFileSync(LABELS, 'utf8').split(/\r?\n/).filter((l, i, a) => l !== '' || i < a.length - 1);
}

/** Serializes a TFLite model given as JSON (schema field names) with flatc. */
export function flatcBinary(model) {
  const dir = mkdtempSync(join(tmpdir(), 'featherdet-flatc-'));
  try {
    const json = join(dir, 'model.json');
    writeFileSync(json, JSON.stringify(model));
    execFileSync('flatc', ['-b', '-o', dir, SCHEMA, json], { stdio: 'pipe' });
    return bytesOf(join(dir, 'model.tflite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses a real .tflite file into JSON with flatc (fields outside featherdet's schema drop). */
export function flatcJson(path) {
  const dir = mkdtempSync(join(tmpdir(), 'featherdet-flatc-'));
  try {
    execFileSync('flatc', ['--json', '--strict-json', '--raw-binary', '-o', dir, SCHEMA, '--', path], {
      stdio: 'pipe',
      maxBuffer: 1 << 30,
    });
    const name = path.split('/').pop().replace(/\.tflite$/, '.json');
    return JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A tiny INT8 model: node 0 RESHAPE [1, 2, 3, 1] -> [1, 6], then optionally node 1 with builtin
 * `secondOp` [1, 6] -> [1, 6]. `inputType` overrides the input tensor's type name.
 */
export function tinyModel({ secondOp = null, inputType = 'INT8' } = {}) {
  const quant = { scale: [0.5], zero_point: [1] };
  const tensors = [
    { shape: [1, 2, 3, 1], type: inputType, buffer: 0, name: 'input', quantization: quant },
    { shape: [1, 6], type: 'INT8', buffer: 0, name: 'reshaped', quantization: quant },
  ];
  const operator_codes = [{ deprecated_builtin_code: 22, builtin_code: 'RESHAPE', version: 1 }];
  const operators = [
    { opcode_index: 0, inputs: [0], outputs: [1], builtin_options_type: 'ReshapeOptions', builtin_options: { new_shape: [1, 6] } },
  ];
  let output = 1;
  if (secondOp) {
    tensors.push({ shape: [1, 6], type: 'INT8', buffer: 0, name: 'second', quantization: quant });
    operator_codes.push({ deprecated_builtin_code: secondOp.code, builtin_code: secondOp.name, version: 1 });
    operators.push({ opcode_index: 1, inputs: [1], outputs: [2] });
    output = 2;
  }
  return flatcBinary({
    version: 3,
    operator_codes,
    subgraphs: [{ tensors, inputs: [0], outputs: [output], operators, name: 'main' }],
    description: 'featherdet test model',
    buffers: [{}],
  });
}

/** Dequantized scores of a classifier output and the index of the best one. */
export function top1(output) {
  const { data, info } = output;
  const q = info.scale.length > 0 && info.dtype !== 'FLOAT32';
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < data.length; ++i) {
    const s = q ? (Number(data[i]) - info.zeroPoint[0]) * info.scale[0] : Number(data[i]);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return { index: best, score: bestScore };
}

/**
 * ONNX model bytes with the input of every Sigmoid node that writes a graph output added as an
 * extra FLOAT graph output, and the map output name -> that logit tensor's name. `names`:
 * intermediate tensors made graph outputs first (a head the converter cut before the graph's end). onnxruntime's CPU
 * Sigmoid is a polynomial approximation accurate to ~1e-7 absolute, not relative: on scores of
 * 1e-5..1e-3 it alone moves a relative L2 comparison by up to 5e-4, so references for those
 * outputs are better computed exactly from onnxruntime's logits. Field numbers (onnx.proto):
 * ModelProto.graph 7; GraphProto node 1, output 12; NodeProto input 1, output 2, op_type 4;
 * ValueInfoProto name 1, type 2; TypeProto tensor_type 1; TypeProto.Tensor elem_type 1 (FLOAT 1).
 */
export function exposeSigmoidLogits(bytes, names = []) {
  const text = (f) => f.value.toString('utf8');
  const model = parseFields(Buffer.from(bytes));
  const logits = new Map();
  const out = model.map((g) => {
    if (g.field !== 7 || g.wire !== 2) return g;
    const graph = parseFields(g.value);
    const declared = new Set(graph.filter((f) => f.field === 12).map((f) => text(parseFields(f.value).find((x) => x.field === 1))));
    const outputs = new Set([...declared, ...names]);
    for (const f of graph.filter((x) => x.field === 1)) {
      const node = parseFields(f.value);
      const op = node.find((x) => x.field === 4);
      const output = node.find((x) => x.field === 2);
      const input = node.find((x) => x.field === 1);
      if (op && text(op) === 'Sigmoid' && output && input && outputs.has(text(output))) logits.set(text(output), text(input));
    }
    const tensorType = encodeFields([{ field: 1, wire: 0, value: 1n }]);
    const type = encodeFields([{ field: 1, wire: 2, value: tensorType }]);
    const added = [...names.filter((n) => !declared.has(n)), ...logits.values()].map((name) => ({
      field: 12, wire: 2, value: encodeFields([{ field: 1, wire: 2, value: Buffer.from(name) }, { field: 2, wire: 2, value: type }]),
    }));
    return { ...g, value: encodeFields([...graph, ...added]) };
  });
  return { bytes: new Uint8Array(encodeFields(out)), logits };
}
