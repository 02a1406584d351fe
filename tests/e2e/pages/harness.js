// Browser side of the conformance test and the benchmark: runs one TFLite model on one image in
// featherdet (dist/index.js) and in LiteRT.js (TFLite + XNNPACK, single-threaded, 'wasm'
// accelerator) with byte-identical inputs, and hands outputs (raw bytes, base64) and timings back
// to Node through window.harness.
import { loadLiteRt, unloadLiteRt, loadAndCompile, Tensor, supportsFeature } from '@litertjs/core';

const LITERT_WASM_DIR = '/node_modules/@litertjs/core/wasm/';
/** LiteRT.js builds: 'auto' lets it pick (relaxed SIMD in Chromium), 'compat' its SIMD128-only file. */
const LITERT_BUILDS = { auto: LITERT_WASM_DIR, compat: `${LITERT_WASM_DIR}litert_wasm_compat_internal.js` };

// featherdet: the dist/index.js module; runtime: its loaded FeatherdetRuntime (sync image helpers,
// the build the engine picks); builds: runtimes of the 'relaxed' and 'baseline' builds, loaded on
// demand for the benchmark.
const state = { featherdet: null, runtime: null, builds: {}, featherdetError: null, litertBuild: null };

const TYPED_ARRAYS = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
};

/** Name of the dtype of a typed array (inverse of TYPED_ARRAYS). */
function dtypeOf(array) {
  for (const [name, ctor] of Object.entries(TYPED_ARRAYS)) {
    if (array instanceof ctor) return name;
  }
  throw new Error(`unsupported typed array ${array?.constructor?.name}`);
}

/** Base64 of the bytes viewed by a typed array (chunked: String.fromCharCode has an arg limit). */
function toBase64(array) {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Wire form of one output tensor: { name, dtype, shape, scale, zeroPoint, bytes (base64) }. */
function wireTensor(name, shape, data, quant = {}) {
  return {
    name,
    dtype: dtypeOf(data),
    shape: Array.from(shape, Number),
    scale: quant.scale ?? 0,
    zeroPoint: quant.zeroPoint ?? 0,
    bytes: toBase64(data),
  };
}

/** Bytes of a base64 string. */
function fromBase64(b64) {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes of a same-origin URL; throws on HTTP errors. */
async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Loads LiteRT.js and (unless featherdet === false) featherdet from `${dist}index.js` (default
 * the package's /dist/; another served directory holding the same files can be given).
 * Resolves to { litert, litertWasm (LiteRT.js binaries fetched), relaxedSimd, crossOriginIsolated
 * (fine-grained timers), featherdet: true | error message }.
 */
async function init({ featherdet = true, dist = '/dist/', wasmPath, litert = 'auto' } = {}) {
  if (state.litertBuild !== litert) {
    if (state.litertBuild !== null) unloadLiteRt();
    await loadLiteRt(LITERT_BUILDS[litert]);
    state.litertBuild = litert;
  }
  if (featherdet && !state.featherdet) {
    try {
      const mod = await import(`${dist}index.js`);
      state.runtime = await mod.loadRuntime(wasmPath ? { wasmPath } : {});
      state.featherdet = mod;
      state.featherdetError = null;
    } catch (err) {
      state.featherdetError = String(err?.stack ?? err);
    }
  }
  const litertWasm = performance.getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname.split('/').pop())
    .filter((f) => f.startsWith('litert_wasm') && f.endsWith('.wasm'));
  return {
    litert: state.litertBuild !== null,
    kernels: state.runtime?.kernels ?? null,
    litertWasm: [...new Set(litertWasm)],
    relaxedSimd: await supportsFeature('relaxedSimd'),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    featherdet: state.featherdet ? true : state.featherdetError ?? 'not requested',
  };
}

function requireFeatherdet() {
  if (!state.featherdet) {
    throw new Error(`featherdet is not loaded: ${state.featherdetError ?? 'call init() first'}`);
  }
  return state.featherdet;
}

/**
 * Decodes image bytes and resizes them bilinearly to w x h: RGB8, [h, w, 3]. Uses featherdet's
 * decodeImage/resizeRgb; only when featherdet is not loaded (LiteRT.js-only runs) falls back to
 * the browser's decoder and resampler.
 */
async function preprocessRgb(imageBytes, w, h) {
  if (state.runtime) {
    const img = await state.runtime.decodeImage(imageBytes);
    const rgb = await state.runtime.resizeRgb(img.pixels, img.width, img.height, w, h);
    return { rgb, by: 'featherdet' };
  }
  const bitmap = await createImageBitmap(new Blob([imageBytes]), {
    resizeWidth: w, resizeHeight: h, resizeQuality: 'medium',
  });
  const ctx = new OffscreenCanvas(w, h).getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { rgb, by: 'browser' };
}

/**
 * Builds the model input from RGB8 pixels in the input's dtype: uint8 = raw pixels,
 * int8 = pixel - 128, float32 = (pixel - 127.5) / 127.5 (range [-1, 1]).
 */
function makeInput(rgb, dtype) {
  switch (dtype) {
    case 'uint8':
      return Uint8Array.from(rgb);
    case 'int8':
      return Int8Array.from(rgb, (p) => p - 128);
    case 'float32':
      return Float32Array.from(rgb, (p) => (p - 127.5) / 127.5);
    default:
      throw new Error(`input dtype ${dtype} is not an image input`);
  }
}

/** The image input's spatial size from an NHWC shape [1, H, W, 3]. */
function inputSize(shape) {
  const s = Array.from(shape, Number);
  if (s.length !== 4 || s[0] !== 1 || s[3] !== 3) {
    throw new Error(`expected an image input [1, H, W, 3], got [${s.join(', ')}]`);
  }
  return { h: s[1], w: s[2] };
}

// LiteRT.js reports a model that fails to prepare (e.g. "Node number 6 (DEPTHWISE_CONV_2D)
// failed to prepare") on the console and then returns zero-filled outputs instead of rejecting.
// Its wasm module binds console.error when it loads, so the hook is installed before that.
const liteRtErrors = [];
const consoleError = console.error;
console.error = (...args) => {
  const text = args.map(String).join(' ');
  if (/ERROR: |Failed to allocate/.test(text)) liteRtErrors.push(text.trim());
  consoleError.apply(console, args);
};

/** Runs `fn`; throws if LiteRT.js logged an error meanwhile. */
async function failOnLiteRtErrors(what, fn) {
  liteRtErrors.length = 0;
  const result = await fn();
  if (liteRtErrors.length) throw new Error(`LiteRT.js ${what}: ${liteRtErrors.join(' | ')}`);
  return result;
}

/** LiteRT.js model wrapper: compile once, run(input) -> [{ name, shape, data }]. */
async function litertModel(bytes) {
  const model = await failOnLiteRtErrors('compile', () => loadAndCompile(bytes, { accelerator: 'wasm' }));
  const inputs = model.getInputDetails();
  const outputs = model.getOutputDetails();
  if (inputs.length !== 1) throw new Error(`LiteRT.js: expected one input, got ${inputs.length}`);
  return {
    input: { dtype: inputs[0].dtype, shape: Array.from(inputs[0].shape) },
    async run(data) {
      const tensor = new Tensor(data, inputs[0].shape);
      let results;
      try {
        results = await failOnLiteRtErrors('run', () => model.run([tensor]));
      } finally {
        tensor.delete();
      }
      try {
        return results.map((t, i) => ({
          name: outputs[i].name,
          shape: Array.from(outputs[i].shape),
          data: t.toTypedArray(),
        }));
      } finally {
        for (const t of results) t.delete();
      }
    },
    close: () => model.delete(),
  };
}

/** First entry of a per-tensor quantization field (featherdet reports arrays: one per channel). */
function firstOf(v) {
  return Array.isArray(v) || ArrayBuffer.isView(v) ? Number(v[0] ?? 0) : Number(v ?? 0);
}

/** The featherdet runtime of one wasm build ('relaxed' or 'baseline'), loaded once. */
async function buildRuntime(build) {
  const fd = requireFeatherdet();
  state.builds[build] ??= fd.loadRuntime({ wasmBuild: build });
  return state.builds[build];
}

/** featherdet model wrapper with the same interface as litertModel (dtypes in lower case). */
async function featherdetModel(bytes, runtime = state.runtime) {
  const fd = requireFeatherdet();
  const model = await fd.TfliteModel.create(bytes, { runtime });
  if (model.inputs.length !== 1) {
    model.close();
    throw new Error(`featherdet: expected one input, got ${model.inputs.length}`);
  }
  return {
    input: { dtype: model.inputs[0].dtype.toLowerCase(), shape: Array.from(model.inputs[0].shape) },
    async run(data) {
      return model.run([data]).map(({ info, data: out }) => ({
        name: info.name,
        shape: Array.from(info.shape),
        quant: { scale: firstOf(info.scale), zeroPoint: firstOf(info.zeroPoint) },
        data: out,
      }));
    },
    close: () => model.close(),
  };
}

const OPENERS = {
  litert: litertModel,
  featherdet: (bytes) => featherdetModel(bytes),
  'featherdet-relaxed': async (bytes) => featherdetModel(bytes, await buildRuntime('relaxed')),
  'featherdet-baseline': async (bytes) => featherdetModel(bytes, await buildRuntime('baseline')),
};

/** Kernels of each featherdet build in this page: { relaxed: {isa, gemm}, baseline: {isa, gemm} }. */
async function kernels() {
  return {
    relaxed: (await buildRuntime('relaxed')).kernels,
    baseline: (await buildRuntime('baseline')).kernels,
  };
}

/**
 * Runs modelUrl on imageUrl in each runtime of `runtimes` (default both); modelBase64 /
 * imageBase64 give the bytes directly instead (e.g. a patched model), litertModelBase64 other
 * bytes for LiteRT.js alone (an INT4 file's INT8 twin). Resolves to
 * { input: { dtype, shape, bytes }, <runtime>: { loadMs, runMs, outputs: [wire tensors] } }.
 * Both runtimes get the very same input array; featherdet's output quantization is copied
 * onto the LiteRT.js outputs of the same index (LiteRT.js does not expose it).
 */
async function runCase({ modelUrl, imageUrl, modelBase64, imageBase64, litertModelBase64, runtimes = ['featherdet', 'litert'] }) {
  const [modelBytes, imageBytes] = await Promise.all([
    modelBase64 ? fromBase64(modelBase64) : fetchBytes(modelUrl),
    imageBase64 ? fromBase64(imageBase64) : fetchBytes(imageUrl),
  ]);
  const litertBytes = litertModelBase64 ? fromBase64(litertModelBase64) : modelBytes;
  const result = {};
  const models = {};
  try {
    for (const name of runtimes) {
      const t0 = performance.now();
      models[name] = await OPENERS[name]((name === 'litert' ? litertBytes : modelBytes).slice());
      result[name] = { loadMs: performance.now() - t0 };
    }
    const ref = models[runtimes[0]].input;
    for (const name of runtimes) {
      const other = models[name].input;
      if (other.dtype !== ref.dtype || other.shape.join() !== ref.shape.join()) {
        throw new Error(`input mismatch: ${runtimes[0]} ${ref.dtype}[${ref.shape}] vs ${name} ${other.dtype}[${other.shape}]`);
      }
    }
    const { w, h } = inputSize(ref.shape);
    const { rgb, by } = await preprocessRgb(imageBytes, w, h);
    const input = makeInput(rgb, ref.dtype);
    result.input = { dtype: ref.dtype, shape: ref.shape, preprocess: by, bytes: toBase64(input) };
    const raw = {};
    for (const name of runtimes) {
      const t0 = performance.now();
      raw[name] = await models[name].run(input.slice());
      result[name].runMs = performance.now() - t0;
    }
    const quantSource = raw.featherdet ?? [];
    for (const name of runtimes) {
      result[name].outputs = raw[name].map((o, i) =>
        wireTensor(o.name, o.shape, o.data, o.quant ?? quantSource[i]?.quant));
    }
    return result;
  } finally {
    for (const m of Object.values(models)) m.close();
  }
}

/** Median of an array of numbers. */
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Benchmarks modelUrl in each runtime of `runtimes` on an image input. Runs are interleaved
 * (one run of each runtime per round) so both see the same machine load: `warmup` untimed
 * rounds, then `runs` timed rounds (input handoff to outputs readable as typed arrays).
 * Resolves to { <runtime>: { loadMs, medianMs, minMs, runs } | { error } }.
 */
async function bench({ runtimes = ['featherdet', 'litert'], modelUrl, imageUrl, warmup = 5, runs = 20 }) {
  const [modelBytes, imageBytes] = await Promise.all([fetchBytes(modelUrl), fetchBytes(imageUrl)]);
  const result = {};
  const active = [];
  try {
    for (const name of runtimes) {
      try {
        const t0 = performance.now();
        const model = await OPENERS[name](modelBytes.slice());
        result[name] = { loadMs: performance.now() - t0, times: [] };
        const { w, h } = inputSize(model.input.shape);
        const input = makeInput((await preprocessRgb(imageBytes, w, h)).rgb, model.input.dtype);
        active.push({ name, model, input });
      } catch (err) {
        result[name] = { error: String(err?.message ?? err) };
      }
    }
    for (let round = 0; round < warmup + runs; round++) {
      for (const { name, model, input } of active) {
        const start = performance.now();
        await model.run(input);
        if (round >= warmup) result[name].times.push(performance.now() - start);
      }
    }
    for (const { name } of active) {
      const { times, loadMs } = result[name];
      result[name] = { loadMs, medianMs: median(times), minMs: Math.min(...times), runs };
    }
    return result;
  } finally {
    for (const { model } of active) model.close();
  }
}

/**
 * Per-node profile of modelUrl in one featherdet build ('relaxed' or 'baseline'): `warmup` runs,
 * then `runs` profiled runs on imageUrl. Resolves to { profile (TfliteModel.profile()), peakGmacs }.
 */
async function profile({ build = 'relaxed', modelUrl, imageUrl, warmup = 5, runs = 20 }) {
  const fd = requireFeatherdet();
  const runtime = await buildRuntime(build);
  const [modelBytes, imageBytes] = await Promise.all([fetchBytes(modelUrl), fetchBytes(imageUrl)]);
  const model = await fd.TfliteModel.create(modelBytes, { runtime, profile: true });
  try {
    const { w, h } = inputSize(model.inputs[0].shape);
    const input = makeInput((await preprocessRgb(imageBytes, w, h)).rgb, model.inputs[0].dtype.toLowerCase());
    for (let i = 0; i < warmup; i++) model.run([input]);
    model.resetProfile();
    for (let i = 0; i < runs; i++) model.run([input]);
    return { profile: model.profile(), peakGmacs: runtime.measurePeakGmacs(0.3) };
  } finally {
    model.close();
  }
}

window.harness = { init, runCase, bench, kernels, profile };
window.harnessReady = true;
