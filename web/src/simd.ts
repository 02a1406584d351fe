// Which of featherdet's two wasm builds this engine runs: featherdet-relaxed.wasm (SIMD128 +
// relaxed SIMD) where WebAssembly validates a relaxed dot product, else featherdet.wasm.

/** A minimal module: (func (result v128) v128.const 0 (x3) i32x4.relaxed_dot_i8x16_i7x16_add_s). */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code section: one body of 59 bytes, no locals
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x0c, ...new Array(16).fill(0),
  0xfd, 0x93, 0x02, 0x0b, // i32x4.relaxed_dot_i8x16_i7x16_add_s (0x113), end
]);

/** True when this engine has WebAssembly relaxed SIMD (Chrome/Edge 114+; Node 20 with --experimental-wasm-relaxed-simd). */
export function wasmRelaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

import { WasmSupportError } from './errors.js';
import { packageFile } from './loader.js';

/** Which build to load: 'auto' (relaxed where supported), or one of the two. */
export type WasmBuild = 'auto' | 'relaxed' | 'baseline';

/** Throws a WasmSupportError when `build` forces the relaxed build on an engine without relaxed SIMD. */
export function requireWasmBuild(build: WasmBuild = 'auto'): void {
  if (build === 'relaxed' && !wasmRelaxedSimdSupported()) {
    throw new WasmSupportError("wasmBuild 'relaxed' needs WebAssembly relaxed SIMD, which this engine lacks " +
      "(Chrome/Edge 114+; Node with --experimental-wasm-relaxed-simd): use wasmBuild 'auto' or 'baseline'");
  }
}

/** File name of the build to load for `build` on this engine. */
export function wasmFileName(build: WasmBuild = 'auto'): 'featherdet.wasm' | 'featherdet-relaxed.wasm' {
  const relaxed = build === 'relaxed' || (build === 'auto' && wasmRelaxedSimdSupported());
  return relaxed ? 'featherdet-relaxed.wasm' : 'featherdet.wasm';
}

/** Default location of a build: beside this module (literal URLs, so bundlers copy both files). */
function defaultLocation(name: 'featherdet.wasm' | 'featherdet-relaxed.wasm'): URL {
  return packageFile(name === 'featherdet.wasm'
    ? new URL('./featherdet.wasm', import.meta.url)
    : new URL('./featherdet-relaxed.wasm', import.meta.url));
}

/**
 * The location of the build for `build`: the default file beside this package's module, or, for
 * a user's `wasmPath` naming featherdet.wasm, the relaxed file beside it when that is the one to load.
 */
export function wasmLocation(wasmPath: string | URL | undefined, build: WasmBuild = 'auto'): string | URL {
  const name = wasmFileName(build);
  if (wasmPath === undefined) return defaultLocation(name);
  if (name === 'featherdet.wasm') return wasmPath;
  const s = String(wasmPath);
  const m = /featherdet\.wasm(?=$|[?#])/.exec(s);
  if (!m) return wasmPath;
  const replaced = s.slice(0, m.index) + name + s.slice(m.index + m[0].length);
  return wasmPath instanceof URL ? new URL(replaced) : replaced;
}
