// The JavaScript face of featherdet's wasm runtime: loading the module (Node, browsers,
// workers) and running raw TFLite models. Errors from C++ become thrown Errors with its message.
import createFeatherdetModule from './featherdet.mjs';
import type { EmbindRuntime, FeatherdetModule } from './featherdet.mjs';
import { ModelError, UnsupportedOpError } from './errors.js';
import { isNode, nodeImport, toUrl } from './loader.js';
import { requireWasmBuild, wasmLocation, type WasmBuild } from './simd.js';

/** Element types as TFLite spells them. */
export type DType = 'FLOAT32' | 'FLOAT16' | 'INT32' | 'UINT8' | 'INT64' | 'BOOL' | 'INT16' | 'INT8';

/** A model input or output: name, element type, shape and affine quantization. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** real = scale * (q - zeroPoint); one entry per tensor or per channel, empty for float. */
  scale: number[];
  zeroPoint: number[];
  /** Channel axis of per-channel quantization. */
  quantizedDimension: number;
}

/** Typed arrays a tensor's data comes back as, by dtype. */
export type TensorData = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array | BigInt64Array;

/** One output of TfliteModel.run: its info and a copy of its data. */
export interface TensorOutput {
  info: TensorInfo;
  data: TensorData;
}

/** An RGB8 image: pixels is [height, width, 3] interleaved. */
export interface RgbImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * Where the wasm comes from. Default: beside this module, featherdet-relaxed.wasm where the engine
 * has relaxed SIMD, else featherdet.wasm.
 */
export interface LoadOptions {
  /**
   * URL or (Node) file path of featherdet.wasm; where relaxed SIMD is used, a path naming
   * featherdet.wasm loads featherdet-relaxed.wasm from beside it instead.
   */
  wasmPath?: string | URL;
  /** Which build: 'auto' (default: relaxed SIMD where supported), 'relaxed' or 'baseline'. */
  wasmBuild?: WasmBuild;
  /** The wasm bytes themselves; skips fetching. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** featherdet.wasm already compiled; skips fetching and compiling. */
  wasmModule?: WebAssembly.Module;
}

/** Options of TfliteModel.create: a runtime to use, or how to load one. */
export interface ModelOptions extends LoadOptions {
  runtime?: FeatherdetRuntime;
  /** Time every node of every run (TfliteModel.profile()); off by default (then free). */
  profile?: boolean;
}

/** One node of a profile: what it computed and its mean time per run. */
export interface NodeProfile {
  index: number;
  /** TFLite builtin name, e.g. 'CONV_2D'. */
  op: string;
  /** Shapes of the non-constant inputs. */
  inputs: number[][];
  output: number[];
  /** Multiply-accumulates per run (convolutions and fully connected layers; 0 for others). */
  macs: number;
  /** Mean milliseconds per run. */
  ms: number;
}

/** A model's per-node profile over the runs since create() or resetProfile(). */
export interface ModelProfile {
  /** Kernel table: 'ref', 'wasmsimd', 'wasmrelaxed-usdot' or 'wasmrelaxed-sdot'. */
  isa: string;
  /** The quantized GEMM microkernel, e.g. 'qx8_gemm_2x16c4_wasmusdot'. */
  gemm: string;
  runs: number;
  nodes: NodeProfile[];
}

/** The kernels a runtime chose for this engine. */
export interface KernelInfo {
  isa: string;
  gemm: string;
}

/** Reads a file in Node (kept out of bundlers' static graph: browsers never load node:fs). */
async function readNodeFile(path: string | URL): Promise<Uint8Array> {
  const fs = await nodeImport<{ readFile(p: string | URL): Promise<Uint8Array> }>('fs/promises');
  return new Uint8Array(await fs.readFile(path));
}

async function readWasm(location: string | URL): Promise<Uint8Array> {
  const url = toUrl(location);
  if (isNode && (url === null || url.protocol === 'file:')) return readNodeFile(url ?? location);
  const response = await fetch(url ?? String(location));
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${String(location)}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Compiles and instantiates featherdet.wasm: streaming in browsers, file bytes in Node. */
async function compile(opts: LoadOptions, imports: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  const location = wasmLocation(opts.wasmPath, opts.wasmBuild);
  if (opts.wasmModule) {
    return { module: opts.wasmModule, instance: await WebAssembly.instantiate(opts.wasmModule, imports) };
  }
  if (opts.wasmBinary) {
    const bytes = opts.wasmBinary instanceof Uint8Array ? opts.wasmBinary : new Uint8Array(opts.wasmBinary);
    return WebAssembly.instantiate(bytes as BufferSource, imports);
  }
  if (!isNode && typeof WebAssembly.instantiateStreaming === 'function' && typeof fetch === 'function') {
    try {
      return await WebAssembly.instantiateStreaming(fetch(String(location)), imports);
    } catch {
      // Servers without the application/wasm MIME type: fall back to an ArrayBuffer below.
    }
  }
  return WebAssembly.instantiate((await readWasm(location)) as BufferSource, imports);
}

async function instantiate(opts: LoadOptions): Promise<FeatherdetModule> {
  if (!opts.wasmModule) requireWasmBuild(opts.wasmBuild);
  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  try {
    return await Promise.race([
      createFeatherdetModule({
        printErr: () => undefined,
        instantiateWasm(imports, receive) {
          compile(opts, imports).then((r) => receive(r.instance, r.module), fail);
          return {};
        },
      }),
      failed,
    ]);
  } catch (e) {
    throw new Error(`cannot start the featherdet wasm runtime: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The loaded wasm module: image helpers and the factory of model instances. */
export class FeatherdetRuntime {
  /** The Embind module (advanced use). */
  readonly module: FeatherdetModule;

  constructor(module: FeatherdetModule) {
    this.module = module;
  }

  /** Decodes JPEG, PNG or BMP bytes into RGB8; throws with the decoder's message on failure. */
  decodeImage(bytes: Uint8Array | ArrayBuffer): RgbImage {
    const r = this.module.decodeImage(asBytes(bytes, 'decodeImage'));
    if (r.error) throw new Error(r.error);
    return { width: r.width, height: r.height, pixels: r.pixels };
  }

  /** The kernel table this runtime chose for the engine (e.g. relaxed SIMD with x86's reading). */
  get kernels(): KernelInfo {
    return this.module.kernelInfo();
  }

  /**
   * Peak multiply-accumulate rate (GMAC/s) of the quantized GEMM's dot instruction in a tight
   * loop over about `seconds`: the reference for a convolution's "% of peak".
   */
  measurePeakGmacs(seconds = 0.2): number {
    return this.module.measurePeakGmacs(seconds);
  }

  /** Bilinear (half-pixel centers) resize of RGB8 pixels [sh, sw, 3] to [dh, dw, 3]. */
  resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
    for (const [k, v] of Object.entries({ sw, sh, dw, dh })) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`resizeRgb: ${k} must be a positive integer, got ${v}`);
    }
    if (!ArrayBuffer.isView(src) || (src as ArrayBufferView).constructor !== Uint8Array) {
      throw new Error('resizeRgb: src must be a Uint8Array of RGB pixels');
    }
    if (src.length !== sw * sh * 3) {
      throw new Error(`resizeRgb: src holds ${src.length} bytes but ${sw}x${sh} RGB needs ${sw * sh * 3}`);
    }
    const out = this.module.resizeRgb(src as Uint8Array, sw, sh, dw, dh);
    if (out.length !== dw * dh * 3) throw new Error('resizeRgb: resize failed');
    return out;
  }
}

const cache = new Map<string, Promise<FeatherdetRuntime>>();

/** Loads (once per wasm location) and instantiates the wasm runtime. */
export async function loadRuntime(opts: LoadOptions = {}): Promise<FeatherdetRuntime> {
  if (opts.wasmBinary || opts.wasmModule) return new FeatherdetRuntime(await instantiate(opts));
  const key = String(wasmLocation(opts.wasmPath, opts.wasmBuild));
  let p = cache.get(key);
  if (!p) {
    p = instantiate(opts).then((m) => new FeatherdetRuntime(m));
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** Decodes JPEG, PNG or BMP bytes into RGB8 with the default runtime. */
export async function decodeImage(bytes: Uint8Array | ArrayBuffer, opts: LoadOptions = {}): Promise<RgbImage> {
  return (await loadRuntime(opts)).decodeImage(bytes);
}

/** Bilinear resize of RGB8 pixels with the default runtime (see FeatherdetRuntime.resizeRgb). */
export async function resizeRgb(
  src: Uint8Array, sw: number, sh: number, dw: number, dh: number, opts: LoadOptions = {},
): Promise<Uint8Array> {
  return (await loadRuntime(opts)).resizeRgb(src, sw, sh, dw, dh);
}

function asBytes(bytes: unknown, what: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new Error(`${what}: expected a Uint8Array or ArrayBuffer of file bytes`);
}

/** Typed-array constructor for each dtype's data. */
const ARRAY_TYPES: Record<DType, { new (buffer: ArrayBuffer): TensorData; BYTES_PER_ELEMENT: number }> = {
  FLOAT32: Float32Array,
  FLOAT16: Uint16Array,
  INT32: Int32Array,
  UINT8: Uint8Array,
  INT64: BigInt64Array,
  BOOL: Uint8Array,
  INT16: Int16Array,
  INT8: Int8Array,
};

/** A raw TFLite model loaded into the wasm runtime. */
export class TfliteModel {
  /** Graph inputs, in model order. */
  readonly inputs: TensorInfo[];
  /** Graph outputs, in model order. */
  readonly outputs: TensorInfo[];
  private rt: EmbindRuntime | null;

  private constructor(rt: EmbindRuntime) {
    this.rt = rt;
    this.inputs = [];
    this.outputs = [];
    for (let i = 0; i < rt.numInputs(); ++i) this.inputs.push(rt.tensorInfo(true, i) as TensorInfo);
    for (let i = 0; i < rt.numOutputs(); ++i) this.outputs.push(rt.tensorInfo(false, i) as TensorInfo);
  }

  /** Parses and prepares .tflite bytes; throws an Error with featherdet's message on failure. */
  static async create(bytes: Uint8Array | ArrayBuffer, opts: ModelOptions = {}): Promise<TfliteModel> {
    const runtime = opts.runtime ?? (await loadRuntime(opts));
    const data = asBytes(bytes, 'TfliteModel.create');
    const rt = new runtime.module.Runtime();
    const err = rt.load(data, opts.profile === true);
    if (err) {
      const kind = rt.errorCode();
      rt.delete();
      throw kind === 'unsupported' ? new UnsupportedOpError(err) : new ModelError(err);
    }
    return new TfliteModel(rt);
  }

  /** The per-node profile of the runs so far (create with { profile: true }, else all zero). */
  profile(): ModelProfile {
    const p = this.live().profile()!;
    return { isa: p.isa, gemm: p.gemm, runs: p.invokes, nodes: p.nodes };
  }

  /** Starts a new profile (e.g. after warm-up runs). */
  resetProfile(): void {
    this.live().resetProfile();
  }

  /** Bytes of the activation arena (intermediate tensors and scratch). */
  get arenaBytes(): number {
    return this.live().arenaBytes();
  }

  /**
   * Runs the model. One input per model input, a typed array matching its dtype (Uint8Array
   * for UINT8, Int8Array for INT8, Float32Array for FLOAT32, ...) or a DataView of raw bytes,
   * with exactly the tensor's element count. Returns copies of every output.
   */
  run(inputs: ArrayBufferView[]): TensorOutput[] {
    const rt = this.live();
    if (!Array.isArray(inputs) || inputs.length !== this.inputs.length) {
      throw new Error(`run: the model has ${this.inputs.length} input(s), got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
    }
    inputs.forEach((input, i) => {
      const info = this.inputs[i];
      const Want = ARRAY_TYPES[info.dtype];
      if (!ArrayBuffer.isView(input)) throw new Error(`run: input ${i} ('${info.name}') is not a typed array`);
      const matches =
        input instanceof DataView || input instanceof Want || (info.dtype === 'UINT8' && input instanceof Uint8ClampedArray);
      if (!matches) {
        throw new Error(`run: input ${i} ('${info.name}') is ${info.dtype}: pass a ${Want.name}, got ${input.constructor.name}`);
      }
      const view = rt.tensorData(true, i)!;
      if (input.byteLength !== view.byteLength) {
        throw new Error(`run: input ${i} ('${info.name}') needs ${view.byteLength / Want.BYTES_PER_ELEMENT} elements ` +
          `(shape [${info.shape.join(', ')}]), got ${input.byteLength / Want.BYTES_PER_ELEMENT}`);
      }
      view.set(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    });
    const err = rt.invoke();
    if (err) throw new Error(err);
    return this.outputs.map((info, i) => {
      const copy = rt.tensorData(false, i)!.slice();
      return { info, data: new ARRAY_TYPES[info.dtype](copy.buffer) };
    });
  }

  /** Frees the model's wasm memory; the model cannot run afterwards. */
  close(): void {
    if (this.rt) {
      this.rt.delete();
      this.rt = null;
    }
  }

  private live(): EmbindRuntime {
    if (!this.rt) throw new Error('TfliteModel: the model was closed');
    return this.rt;
  }
}
