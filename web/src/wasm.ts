// The shared wasm runtime of the detectors: feature detection (WebAssembly + SIMD128, relaxed
// SIMD), then one verified, cached wasm build per location, compiled once and instantiated once
// per page: featherdet-relaxed.wasm where relaxed SIMD validates, else featherdet.wasm.
import { WasmSupportError } from './errors.js';
import { loadFile, type Progress } from './loader.js';
import { MANIFEST } from './manifest.js';
import { loadRuntime, type FeatherdetRuntime } from './runtime.js';
import { requireWasmBuild, wasmFileName, wasmLocation, type WasmBuild } from './simd.js';

/** A minimal module using SIMD128: (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt). */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // code
]);

/** True when this engine runs WebAssembly with the SIMD128 proposal (featherdet's only build). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Throws a WasmSupportError unless WebAssembly SIMD128 is available. */
export function requireWasmSimd(): void {
  if (typeof WebAssembly !== 'object') {
    throw new WasmSupportError('this environment has no WebAssembly (disabled by policy or a very old browser); ' +
      'featherdet needs WebAssembly with SIMD: Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+');
  }
  if (!wasmSimdSupported()) {
    throw new WasmSupportError('this browser supports WebAssembly but not WebAssembly SIMD (128-bit), which ' +
      'featherdet needs: use Chrome/Edge 91+, Firefox 89+ or Safari 16.4+ (iOS 16.4+)');
  }
}

let compileChecked = false;

/**
 * Throws a WasmSupportError when the page may not compile WebAssembly at all (a
 * Content-Security-Policy without 'wasm-unsafe-eval'), found by compiling the 30-byte probe
 * before anything is downloaded.
 */
export function requireWasmCompile(): void {
  if (compileChecked) return;
  try {
    new WebAssembly.Module(SIMD_PROBE);
  } catch (e) {
    throw new WasmSupportError("this page's Content-Security-Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to its " +
      `script-src directive (e.g. script-src 'self' 'wasm-unsafe-eval'), which featherdet needs (${(e as Error).message})`);
  }
  compileChecked = true;
}

/** How to find and cache the wasm build. */
export interface WasmOptions {
  /**
   * URL or (Node) path of featherdet.wasm; default: beside this module. Where relaxed SIMD is
   * used, featherdet-relaxed.wasm is loaded from beside it.
   */
  wasmPath?: string | URL;
  /** Which build: 'auto' (default: relaxed SIMD where supported), 'relaxed' or 'baseline'. */
  wasmBuild?: WasmBuild;
  cache?: boolean;
  onProgress?: (p: Progress) => void;
}

/** A loaded runtime and whether its wasm came from the cache. */
export interface LoadedRuntime {
  runtime: FeatherdetRuntime;
  fromCache: boolean;
}

const runtimes = new Map<string, Promise<LoadedRuntime>>();

async function load(opts: WasmOptions): Promise<LoadedRuntime> {
  const entry = MANIFEST.files[wasmFileName(opts.wasmBuild)];
  if (!entry || opts.cache === false) {
    // Nothing to verify against (or caching off): streaming compilation straight from the network.
    return { runtime: await loadRuntime({ wasmPath: opts.wasmPath, wasmBuild: opts.wasmBuild }), fromCache: false };
  }
  const location = wasmLocation(opts.wasmPath, opts.wasmBuild);
  const file = await loadFile({ location, sha256: entry.sha256, fromPackage: opts.wasmPath === undefined }, opts);
  const wasmModule = await WebAssembly.compile(file.bytes as BufferSource);
  return { runtime: await loadRuntime({ wasmModule }), fromCache: file.fromCache };
}

/** The runtime for a wasm location (loaded once per page or worker; a failed load is retried next time). */
export function getRuntime(opts: WasmOptions = {}): Promise<LoadedRuntime> {
  requireWasmSimd();
  requireWasmBuild(opts.wasmBuild);
  requireWasmCompile();
  const key = `${String(wasmLocation(opts.wasmPath, opts.wasmBuild))}|${opts.cache !== false}`;
  let p = runtimes.get(key);
  if (!p) {
    p = load(opts);
    p.catch(() => runtimes.delete(key));
    runtimes.set(key, p);
  }
  return p;
}
