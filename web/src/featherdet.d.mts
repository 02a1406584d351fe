// Types of the Emscripten/Embind glue built from src/bindings/embind.cc (featherdet.mjs).

/** Embind value object "DetectorOptions": every field present; NaN, null or '' = not given. */
export interface EmbindDetectorOptions {
  scoreThreshold: number;
  iouThreshold: number;
  /** A positive integer, or -1 for no limit. */
  maxResults: number;
  categoryAllowlist: string[] | null;
  categoryDenylist: string[] | null;
  /** The decoder option (metadata overrides) as JSON text. */
  decoder: string;
}

/** Embind value object "DetectorInfo" (api/detector.h); thresholds are float32 values. */
export interface EmbindDetectorInfo {
  family: string;
  inputWidth: number;
  inputHeight: number;
  labels: string[];
  keypoints: string[];
  scoreThreshold: number;
  iouThreshold: number;
  /** -1 for no limit. */
  maxResults: number;
  modelBytes: number;
  arenaBytes: number;
  /** 'INT8', 'UINT8' or 'FLOAT32'. */
  inputType: string;
}

/** Embind value object "TensorInfo" (api/model_runner.h). */
export interface EmbindTensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

/** Embind value object "NodeProfile" (api/profile.h). */
export interface EmbindNodeProfile {
  index: number;
  op: string;
  inputs: number[][];
  output: number[];
  macs: number;
  /** Mean milliseconds per invoke. */
  ms: number;
}

/** Embind value object "ModelProfile" (api/profile.h). */
export interface EmbindModelProfile {
  isa: string;
  gemm: string;
  invokes: number;
  nodes: EmbindNodeProfile[];
}

/** Embind value object "KernelInfo": the kernel table this module chose. */
export interface EmbindKernelInfo {
  isa: string;
  gemm: string;
}

/** One model instance in wasm memory; errors come back as message strings ('' = ok). */
export interface EmbindRuntime {
  /** `profile`: time every node (see profile()). */
  load(bytes: Uint8Array, profile: boolean): string;
  /** The per-node profile, null without a model. */
  profile(): EmbindModelProfile | null;
  resetProfile(): void;
  invoke(): string;
  numInputs(): number;
  numOutputs(): number;
  /** Null for a bad index. */
  tensorInfo(isInput: boolean, index: number): EmbindTensorInfo | null;
  /** A view of wasm memory (no copy), null for a bad index. */
  tensorData(isInput: boolean, index: number): Uint8Array | null;
  arenaBytes(): number;
  unload(): void;
  /** Kind of the last load()/invoke() failure: 'unsupported', 'invalid_argument', 'invalid_image', 'failed'; '' after a success. */
  errorCode(): ErrorKind;
  /** Frees the C++ object. */
  delete(): void;
}

/** The detection pipeline in wasm: preprocess, model, decoder, NMS. */
export interface EmbindDetector {
  /** Loads model bytes with options; '' on success, else the error message. */
  load(modelBytes: Uint8Array, options: EmbindDetectorOptions): string;
  /** Changes thresholds/filters; '' on success, else the error message. */
  setOptions(options: EmbindDetectorOptions): string;
  /** Null when no model is loaded. */
  info(): EmbindDetectorInfo | null;
  /** A view over the reused RGBA frame buffer [height, width, 4] in wasm memory (re-fetch after every call). */
  frameBuffer(width: number, height: number): Uint8Array;
  /** Detects in the frame buffer's RGBA pixels; the count, or -1 (see lastError()). */
  detect(width: number, height: number, mirror: boolean, rotation: number): number;
  /** Decodes JPEG/PNG/BMP bytes and detects in them; the count, or -1. */
  detectEncoded(bytes: Uint8Array, mirror: boolean, rotation: number): number;
  /** Width of the last decoded image (detectEncoded). */
  sourceWidth(): number;
  /** Height of the last decoded image (detectEncoded). */
  sourceHeight(): number;
  /** [count, 7 + 2K]: x, y, width, height, score, labelId, keypointCount, then K (x, y); a view of wasm memory. */
  results(): Float32Array;
  lastError(): string;
  /** Kind of the last load()/setOptions()/detect()/detectEncoded() failure; '' after a success. */
  errorCode(): ErrorKind;
  delete(): void;
}

/** core/status.h's StatusCode names, as the bindings report them. */
export type ErrorKind = '' | 'failed' | 'unsupported' | 'invalid_argument' | 'invalid_image';

/** The instantiated module. */
export interface FeatherdetModule {
  Runtime: new () => EmbindRuntime;
  /** Absent in builds without the detection pipeline. */
  Detector?: new () => EmbindDetector;
  /** The module's wasm memory views (its buffer's byteLength = current wasm memory size). */
  HEAPU8: Uint8Array;
  decodeImage(bytes: Uint8Array): { width: number; height: number; pixels: Uint8Array; error: string };
  resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array;
  kernelInfo(): EmbindKernelInfo;
  /** GMAC/s of the GEMM's dot instruction in a tight loop over about `seconds`. */
  measurePeakGmacs(seconds: number): number;
}

/** Options the glue understands (a subset of Emscripten's Module object). */
export interface FeatherdetModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  instantiateWasm?: (
    imports: WebAssembly.Imports,
    receive: (instance: WebAssembly.Instance, module?: WebAssembly.Module) => void,
  ) => object | false;
  locateFile?: (path: string, prefix: string) => string;
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}

/** The Emscripten factory (-sMODULARIZE -sEXPORT_ES6). */
export default function createFeatherdetModule(options?: FeatherdetModuleOptions): Promise<FeatherdetModule>;
