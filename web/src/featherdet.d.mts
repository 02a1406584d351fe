// Types of the Emscripten/Embind glue built from src/bindings/embind.cc (featherdet.mjs).

/** One model instance in wasm memory; errors come back as message strings ('' = ok). */
export interface EmbindRuntime {
  load(bytes: Uint8Array): string;
  invoke(): string;
  numInputs(): number;
  numOutputs(): number;
  /** JSON {name, dtype, shape, scale, zeroPoint, quantizedDimension}, '' for a bad index. */
  tensorInfo(isInput: boolean, index: number): string;
  /** A view of wasm memory (no copy), null for a bad index. */
  tensorData(isInput: boolean, index: number): Uint8Array | null;
  arenaBytes(): number;
  unload(): void;
  /** Frees the C++ object. */
  delete(): void;
}

/** The instantiated module. */
export interface FeatherdetModule {
  Runtime: new () => EmbindRuntime;
  decodeImage(bytes: Uint8Array): { width: number; height: number; pixels: Uint8Array; error: string };
  resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array;
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
