// Re-targets a static-shape ONNX export to another input size, for models whose graph hard-codes
// its feature-map sizes (NanoDet-m's ShuffleNet channel shuffles reshape to [1, 2, C, H, W] and
// its FPN resizes to fixed `sizes`). Used by scripts/models.mjs to build NanoDet-m at 320x320
// from the 416x416 file. Rewrites, with a minimal protobuf wire-format codec:
// - the graph input's spatial dims [N, C, H, W];
// - int64 initializers used as Reshape `shape` or Resize `sizes` with rank >= 4: their last two
//   entries (H, W) scaled by the size ratio (they must divide exactly);
// - drops the declared shapes of graph outputs and value_info (they are re-inferred on import).
// Field numbers (onnx.proto): ModelProto.graph 7; GraphProto node 1, initializer 5, input 11,
// output 12, value_info 13; NodeProto input 1, op_type 4; TensorProto dims 1, data_type 2,
// name 8, raw_data 9; ValueInfoProto name 1, type 2; TypeProto tensor_type 1;
// TypeProto.Tensor shape 2; TensorShapeProto dim 1; Dimension dim_value 1.

/** Decodes a varint at pos: [value as BigInt, next pos]. */
function readVarint(buf, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length || shift > 63n) throw new Error('onnx_resize: truncated or overlong varint');
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (!(b & 0x80)) return [value, pos];
  }
}

function writeVarint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

/** Top-level fields of a message: [{ field, wire, value }] (value: BigInt or Buffer). */
export function parseFields(buf) {
  const fields = [];
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value;
    if (wire === 0) {
      [value, pos] = readVarint(buf, pos);
    } else if (wire === 2) {
      let n;
      [n, pos] = readVarint(buf, pos);
      if (pos + Number(n) > buf.length) throw new Error('onnx_resize: length past the end of the message');
      value = buf.subarray(pos, pos + Number(n));
      pos += Number(n);
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new Error('onnx_resize: truncated fixed-size field');
      value = buf.subarray(pos, pos + n);
      pos += n;
    } else {
      throw new Error(`onnx_resize: unsupported wire type ${wire}`);
    }
    fields.push({ field, wire, value });
  }
  return fields;
}

/** Serializes fields produced by parseFields (possibly edited). */
export function encodeFields(fields) {
  const parts = [];
  for (const { field, wire, value } of fields) {
    parts.push(writeVarint((BigInt(field) << 3n) | BigInt(wire)));
    if (wire === 0) parts.push(writeVarint(value));
    else if (wire === 2) parts.push(writeVarint(value.length), value);
    else parts.push(value);
  }
  return Buffer.concat(parts);
}

const strings = (fields, n) => fields.filter((f) => f.field === n).map((f) => f.value.toString('utf8'));

/** Returns the fields with sub-message `n` replaced by edit(parsed sub-fields) (re-encoded). */
function editSub(fields, n, edit) {
  return fields.map((f) => (f.field === n && f.wire === 2 ? { ...f, value: encodeFields(edit(parseFields(f.value))) } : f));
}

/** ValueInfo fields with the tensor shape removed. */
function dropShape(valueInfo) {
  return editSub(valueInfo, 2, (type) => editSub(type, 1, (tensor) => tensor.filter((f) => f.field !== 2)));
}

/**
 * ONNX model bytes re-targeted from input size from = [W, H] to to = [W, H] (see the file
 * comment). Throws when a spatial constant does not scale to a whole number.
 */
export function resizeStaticOnnx(bytes, from, to) {
  const [fw, fh] = from;
  const [tw, th] = to;
  const scale = (v, f, t, what) => {
    const r = (v * t) / f;
    if (!Number.isInteger(r)) throw new Error(`onnx_resize: ${what} ${v} does not scale from ${f} to ${t}`);
    return r;
  };
  const model = parseFields(Buffer.from(bytes));
  let changed = 0;
  const out = editSub(model, 7, (graph) => {
    const nodes = graph.filter((f) => f.field === 1).map((f) => parseFields(f.value));
    const initializerNames = new Set(graph.filter((f) => f.field === 5).map((f) => strings(parseFields(f.value), 8)[0]));
    const spatial = new Set();
    for (const node of nodes) {
      const op = strings(node, 4)[0];
      const inputs = strings(node, 1);
      if (op === 'Reshape' && inputs[1]) spatial.add(inputs[1]);
      if (op === 'Resize' && inputs[3]) spatial.add(inputs[3]);
    }
    return graph.flatMap((f) => {
      if (f.field === 13) return [];
      if (f.field === 12) return [{ ...f, value: encodeFields(dropShape(parseFields(f.value))) }];
      if (f.field === 11) {
        const vi = parseFields(f.value);
        if (initializerNames.has(strings(vi, 1)[0])) return [f];
        const edited = editSub(vi, 2, (type) => editSub(type, 1, (tensor) => editSub(tensor, 2, (shape) => {
          const dims = shape.filter((d) => d.field === 1);
          if (dims.length !== 4) throw new Error(`onnx_resize: input '${strings(vi, 1)[0]}' is not [N, C, H, W]`);
          return shape.map((d) => {
            const k = dims.indexOf(d);
            if (k < 2) return d;
            const size = k === 2 ? [fh, th] : [fw, tw];
            return { ...d, value: encodeFields(parseFields(d.value).map((x) => {
              if (x.field !== 1 || Number(x.value) !== size[0]) throw new Error(`onnx_resize: input dim ${k} is not ${size[0]}`);
              changed++;
              return { ...x, value: BigInt(size[1]) };
            })) };
          });
        })));
        return [{ ...f, value: encodeFields(edited) }];
      }
      if (f.field !== 5) return [f];
      const t = parseFields(f.value);
      const name = strings(t, 8)[0];
      const dims = t.filter((x) => x.field === 1).map((x) => Number(x.value));
      const raw = t.find((x) => x.field === 9);
      const type = Number(t.find((x) => x.field === 2)?.value ?? 0);
      if (!spatial.has(name) || type !== 7 || !raw || dims.length !== 1 || dims[0] < 4) return [f];
      const values = Array.from({ length: dims[0] }, (_, i) => Number(raw.value.readBigInt64LE(8 * i)));
      const n = values.length;
      values[n - 2] = scale(values[n - 2], fh, th, `'${name}' height`);
      values[n - 1] = scale(values[n - 1], fw, tw, `'${name}' width`);
      const data = Buffer.alloc(8 * n);
      values.forEach((v, i) => data.writeBigInt64LE(BigInt(v), 8 * i));
      changed++;
      return [{ ...f, value: encodeFields(t.map((x) => (x === raw ? { ...x, value: data } : x))) }];
    });
  });
  if (changed === 0) throw new Error('onnx_resize: found no input size or spatial constant to change');
  return encodeFields(out);
}
