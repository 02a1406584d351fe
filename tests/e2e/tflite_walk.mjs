// Minimal read-only walker of .tflite flatbuffers for the divergence tool: operators, tensors
// (dtype, shape, quantization), subgraph outputs, and a patch that makes an intermediate tensor
// the model's first output. Written from the published TFLite schema field ids (Model, SubGraph,
// Tensor, Operator, OperatorCode, SignatureDef, TensorMap); subgraph 0 only.

/** TFLite TensorType values by id. */
export const TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8'];

/** Names of the builtin operators these tests meet (others print as BUILTIN_<code>). */
const OP_NAMES = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D',
  6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU',
  21: 'RELU6', 22: 'RESHAPE', 23: 'RESIZE_BILINEAR', 25: 'SOFTMAX', 28: 'TANH', 34: 'PAD',
  36: 'GATHER', 39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB', 42: 'DIV', 43: 'SQUEEZE',
  45: 'STRIDED_SLICE', 49: 'SPLIT', 53: 'CAST', 56: 'ARG_MAX', 60: 'PADV2', 75: 'SQRT',
  83: 'PACK', 88: 'UNPACK', 90: 'FLOOR_DIV', 97: 'RESIZE_NEAREST_NEIGHBOR', 107: 'GATHER_ND',
  114: 'QUANTIZE', 117: 'HARD_SWISH',
};

/** Name of a builtin operator code. */
export function opName(code) {
  return OP_NAMES[code] ?? `BUILTIN_${code}`;
}

/** Flatbuffer accessors over bytes (a Uint8Array). */
function reader(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (p) => dv.getUint32(p, true);
  const table = (pos) => {
    const vtable = pos - dv.getInt32(pos, true);
    const vsize = dv.getUint16(vtable, true);
    // Absolute position of field `id`, or 0 when absent (default value).
    const field = (id) => {
      const at = 4 + 2 * id;
      const off = at < vsize ? dv.getUint16(vtable + at, true) : 0;
      return off ? pos + off : 0;
    };
    const deref = (id) => {
      const f = field(id);
      return f ? f + u32(f) : 0;
    };
    return { field, deref };
  };
  const vector = (t, id, elem) => {
    const p = t.deref(id);
    if (!p) return [];
    return Array.from({ length: u32(p) }, (_, i) => elem(p + 4 + 4 * i));
  };
  const tables = (t, id) => vector(t, id, (e) => table(e + u32(e)));
  const string = (t, id) => {
    const p = t.deref(id);
    return p ? new TextDecoder().decode(bytes.subarray(p + 4, p + 4 + u32(p))) : '';
  };
  const scalar = (t, id, get, dflt = 0) => {
    const f = t.field(id);
    return f ? get(f) : dflt;
  };
  return { dv, u32, table, vector, tables, string, scalar };
}

/**
 * Parses subgraph 0: { tensors: [{ name, dtype, shape, scale[], zeroPoint[] }],
 * ops: [{ index, code, name, inputs, outputs }], outputs: tensor indices,
 * signatures: [{ key, subgraph, outputs: [{ name, tensor }] }] }.
 */
export function readTflite(bytes) {
  const r = reader(bytes);
  const model = r.table(r.u32(0));
  const codes = r.tables(model, 1).map((c) => Math.max(
    r.scalar(c, 0, (f) => r.dv.getInt8(f)),
    r.scalar(c, 3, (f) => r.dv.getInt32(f, true)),
  ));
  const subgraph = r.tables(model, 2)[0];
  if (!subgraph) throw new Error('model has no subgraph');
  const ints = (t, id) => r.vector(t, id, (p) => r.dv.getInt32(p, true));
  const tensors = r.tables(subgraph, 0).map((t) => {
    const q = t.deref(4) ? r.table(t.deref(4)) : null;
    const floats = (id) => {
      const p = q?.deref(id);
      return p ? Array.from({ length: r.u32(p) }, (_, i) => r.dv.getFloat32(p + 4 + 4 * i, true)) : [];
    };
    const longs = (id) => {
      const p = q?.deref(id);
      return p ? Array.from({ length: r.u32(p) }, (_, i) => Number(r.dv.getBigInt64(p + 4 + 8 * i, true))) : [];
    };
    return {
      name: r.string(t, 3),
      dtype: TENSOR_TYPES[r.scalar(t, 1, (f) => r.dv.getInt8(f))] ?? 'unknown',
      shape: ints(t, 0),
      scale: floats(2),
      zeroPoint: longs(3),
    };
  });
  const ops = r.tables(subgraph, 3).map((o, index) => {
    const code = codes[r.scalar(o, 0, (f) => r.u32(f))];
    return { index, code, name: opName(code), inputs: ints(o, 1), outputs: ints(o, 2) };
  });
  const signatures = r.tables(model, 7).map((sig) => ({
    key: r.string(sig, 2),
    subgraph: r.scalar(sig, 4, (f) => r.u32(f)),
    outputs: r.tables(sig, 1).map((m) => ({ name: r.string(m, 0), tensor: r.scalar(m, 1, (f) => r.u32(f)) })),
  }));
  return { tensors, ops, outputs: ints(subgraph, 2), signatures };
}

/**
 * Copy of bytes whose first subgraph output (and first output of every signature of subgraph 0)
 * is tensor `tensorIndex`, so runtimes return that intermediate tensor. Patches in place (same
 * size); throws if the model lacks a field to patch.
 */
export function withFirstOutput(bytes, tensorIndex) {
  const out = new Uint8Array(bytes);
  const r = reader(out);
  const model = r.table(r.u32(0));
  const subgraph = r.tables(model, 2)[0];
  const outputs = subgraph?.deref(2);
  if (!outputs || r.u32(outputs) === 0) throw new Error('model has no outputs to retarget');
  r.dv.setInt32(outputs + 4, tensorIndex, true);
  for (const sig of r.tables(model, 7)) {
    if (r.scalar(sig, 4, (f) => r.u32(f)) !== 0) continue;
    const first = r.tables(sig, 1)[0];
    if (!first) continue;
    const f = first.field(1);
    if (!f) throw new Error('signature output tensor_index is implicit; cannot retarget');
    r.dv.setUint32(f, tensorIndex, true);
  }
  return out;
}

/**
 * For each model output produced by DEQUANTIZE of a quantized tensor: the source's scale (one
 * float step = one quantization step of the source); null for other outputs. Subgraph 0 order.
 */
export function dequantizedOutputScales(bytes) {
  const g = readTflite(bytes);
  return g.outputs.map((k) => {
    const producer = g.ops.find((o) => o.outputs.includes(k));
    if (producer?.name !== 'DEQUANTIZE') return null;
    const src = g.tensors[producer.inputs[0]];
    return ['int8', 'uint8', 'int16'].includes(src.dtype) && src.scale.length === 1 ? src.scale[0] : null;
  });
}
