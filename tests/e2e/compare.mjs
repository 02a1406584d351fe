// Node-side comparison of featherdet outputs against LiteRT.js outputs (the reference) for the
// conformance test: per-tensor error metrics, task-level agreement (classifier top-k, MoveNet
// keypoints, segmentation labels) and the pass/fail limits.

/**
 * Pass/fail limits. Quantized outputs are compared in quantization steps (integer difference of
 * the stored values). Integer outputs without quantization (INT64/INT32 arg-max maps) are class
 * labels, not quantized values, so a step count is meaningless there: at least
 * `labelAgreement` of the elements must carry the same label.
 */
export const LIMITS = {
  maxSteps: 3,
  overOneStepShare: 0.01,
  floatRelL2: 1e-3,
  labelAgreement: 0.99,
};

const TYPED_ARRAYS = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
};

/** Decodes a wire tensor from the page ({ dtype, shape, bytes: base64, ... }) into { ..., data }. */
export function decodeTensor(wire) {
  const Ctor = TYPED_ARRAYS[wire.dtype];
  if (!Ctor) throw new Error(`tensor ${wire.name}: unsupported dtype ${wire.dtype}`);
  const buf = Buffer.from(wire.bytes, 'base64');
  const bytes = new Uint8Array(buf.length);
  bytes.set(buf);
  const data = new Ctor(bytes.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
  const count = wire.shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`tensor ${wire.name}: ${data.length} elements for shape [${wire.shape}]`);
  }
  return { ...wire, data };
}

/** How a tensor is compared: 'float', 'quantized' (steps) or 'label' (exact integer labels). */
export function tensorKind(t) {
  if (t.dtype === 'float32') return 'float';
  if ((t.dtype === 'int32' || t.dtype === 'int64') && !(t.scale > 0)) return 'label';
  return 'quantized';
}

/** Element-wise comparison of featherdet tensor `fd` against reference `ref` (same dtype, shape). */
export function compareTensor(fd, ref) {
  const out = { name: ref.name, dtype: ref.dtype, shape: ref.shape, kind: tensorKind(ref), failures: [] };
  if (fd.dtype !== ref.dtype || fd.shape.join() !== ref.shape.join()) {
    out.failures.push(`${ref.name}: featherdet ${fd.dtype}[${fd.shape}] vs LiteRT.js ${ref.dtype}[${ref.shape}]`);
    return out;
  }
  const n = ref.data.length;
  const a = fd.data;
  const b = ref.data;
  if (out.kind === 'label') {
    let same = 0;
    for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
    out.agreement = n ? same / n : 1;
    if (out.agreement < LIMITS.labelAgreement) {
      out.failures.push(`${ref.name}: labels agree on ${pct(out.agreement)} of elements (< ${pct(LIMITS.labelAgreement)})`);
    }
    return out;
  }
  if (out.kind === 'quantized') {
    let max = 0;
    let sum = 0;
    let over = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(Number(a[i]) - Number(b[i]));
      if (d > max) max = d;
      sum += d;
      if (d > 1) over++;
    }
    Object.assign(out, { maxSteps: max, meanSteps: n ? sum / n : 0, overOneShare: n ? over / n : 0 });
    if (max > LIMITS.maxSteps) out.failures.push(`${ref.name}: max difference ${max} steps (> ${LIMITS.maxSteps})`);
    if (out.overOneShare > LIMITS.overOneStepShare) {
      out.failures.push(`${ref.name}: ${pct(out.overOneShare)} of elements differ by > 1 step (> ${pct(LIMITS.overOneStepShare)})`);
    }
    return out;
  }
  let maxAbs = 0;
  let sumAbs = 0;
  let errSq = 0;
  let refSq = 0;
  let nanMismatch = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) nanMismatch++;
      continue;
    }
    const d = a[i] - b[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
    sumAbs += Math.abs(d);
    errSq += d * d;
    refSq += b[i] * b[i];
  }
  const relL2 = refSq > 0 ? Math.sqrt(errSq / refSq) : errSq > 0 ? Infinity : 0;
  Object.assign(out, { maxAbs, meanAbs: n ? sumAbs / n : 0, relL2, nanMismatch });
  if (ref.stepScale > 0) {
    // Informational: a float output dequantized from a quantized tensor, in that tensor's steps.
    let over = 0;
    for (let i = 0; i < n; i++) if (Math.abs(a[i] - b[i]) / ref.stepScale > 1.5) over++;
    out.sourceSteps = { max: Math.round(maxAbs / ref.stepScale), overOneShare: n ? over / n : 0 };
  }
  if (nanMismatch) out.failures.push(`${ref.name}: ${nanMismatch} elements are NaN in only one runtime`);
  if (!(relL2 <= LIMITS.floatRelL2)) {
    out.failures.push(`${ref.name}: relative L2 error ${relL2.toExponential(2)} (> ${LIMITS.floatRelL2})`);
  }
  return out;
}

/** Indices of the k largest values (ties: lower index first). */
export function topK(data, k) {
  const idx = Array.from(data.keys());
  idx.sort((i, j) => (Number(data[j]) - Number(data[i])) || (i - j));
  return idx.slice(0, k);
}

/** Classifier agreement: { fdTop1, refTop1, top1Agree, top5Overlap (0..5) }. */
export function compareClassifier(fd, ref) {
  const a = topK(fd.data, 5);
  const b = topK(ref.data, 5);
  return { fdTop1: a[0], refTop1: b[0], top1Agree: a[0] === b[0], top5Overlap: a.filter((i) => b.includes(i)).length };
}

/** MoveNet [1, 1, 17, 3] (y, x, score): mean and max keypoint distance (normalized image units). */
export function comparePose(fd, ref) {
  const k = ref.data.length / 3;
  let sum = 0;
  let max = 0;
  let maxScore = 0;
  for (let i = 0; i < k; i++) {
    const dist = Math.hypot(fd.data[3 * i] - ref.data[3 * i], fd.data[3 * i + 1] - ref.data[3 * i + 1]);
    sum += dist;
    max = Math.max(max, dist);
    maxScore = Math.max(maxScore, Math.abs(fd.data[3 * i + 2] - ref.data[3 * i + 2]));
  }
  return { keypoints: k, meanKeypointDist: k ? sum / k : 0, maxKeypointDist: max, maxScoreDiff: maxScore };
}

/** Pairs featherdet outputs with reference outputs: by name when the name sets agree, else by index. */
export function pairOutputs(fdOutputs, refOutputs) {
  if (fdOutputs.length !== refOutputs.length) {
    throw new Error(`featherdet has ${fdOutputs.length} outputs, LiteRT.js ${refOutputs.length}`);
  }
  const names = (list) => list.map((t) => t.name).sort().join('\n');
  const byName = new Set(refOutputs.map((t) => t.name)).size === refOutputs.length
    && names(fdOutputs) === names(refOutputs);
  return refOutputs.map((ref, i) => [byName ? fdOutputs.find((t) => t.name === ref.name) : fdOutputs[i], ref]);
}

/**
 * Compares one (model, image) case. model.kind selects the task metric; a featherdet output's
 * `stepScale` (float outputs made by DEQUANTIZE) adds an informational step count. Returns
 * { tensors: [compareTensor results], task: {...} | null, failures: [strings] }.
 */
export function compareCase(model, fdOutputs, refOutputs) {
  const pairs = pairOutputs(fdOutputs, refOutputs);
  const tensors = pairs.map(([fd, ref]) => compareTensor(fd, { ...ref, stepScale: ref.stepScale ?? fd.stepScale }));
  const failures = tensors.flatMap((t) => t.failures);
  let task = null;
  const [fd0, ref0] = pairs[0];
  const sameLayout = fd0.data.length === ref0.data.length;
  if (model.kind === 'classifier' && sameLayout) {
    task = compareClassifier(fd0, ref0);
    if (!task.top1Agree) failures.push(`top-1 class ${task.fdTop1} (featherdet) vs ${task.refTop1} (LiteRT.js)`);
  } else if (model.kind === 'pose' && sameLayout) {
    task = comparePose(fd0, ref0);
  } else if (model.kind === 'segmenter' && sameLayout) {
    task = { labelAgreement: tensors[0].agreement };
  }
  return { tensors, task, failures };
}

function pct(x) {
  return `${(100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 2)}%`;
}

function num(x) {
  if (x === 0) return '0';
  return Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toFixed(3) : x.toExponential(2);
}

/** One-line summary of a tensor comparison, e.g. "Predictions u8: max 1 st, mean 0.02 st, >1st 0.00%". */
export function describeTensor(t) {
  const head = `${t.name} ${t.dtype}`;
  if (t.kind === 'label') return `${head}: labels agree ${t.agreement === undefined ? '-' : pct(t.agreement)}`;
  if (t.kind === 'quantized') {
    if (t.maxSteps === undefined) return `${head}: not comparable`;
    return `${head}: max ${t.maxSteps} st, mean ${t.meanSteps.toFixed(3)} st, >1st ${pct(t.overOneShare)}`;
  }
  if (t.relL2 === undefined) return `${head}: not comparable`;
  const steps = t.sourceSteps
    ? ` (dequantized: max ${t.sourceSteps.max} st, >1st ${pct(t.sourceSteps.overOneShare)})`
    : '';
  return `${head}: max|d| ${num(t.maxAbs)}, mean|d| ${num(t.meanAbs)}, relL2 ${num(t.relL2)}${steps}`;
}

/** One-line summary of the task metric. */
export function describeTask(task) {
  if (!task) return '';
  if ('top1Agree' in task) return `top-1 ${task.top1Agree ? 'same' : 'DIFF'} (${task.refTop1}), top-5 ${task.top5Overlap}/5`;
  if ('meanKeypointDist' in task) return `kp dist mean ${num(task.meanKeypointDist)}, max ${num(task.maxKeypointDist)}`;
  if ('labelAgreement' in task) return `pixels agree ${pct(task.labelAgreement)}`;
  return '';
}

/** Renders rows (arrays of cells) as a fixed-width text table with a header. */
export function formatTable(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((x, c) => String(x).padEnd(widths[c])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
