// SHA-256 and size of each file the package ships (featherdet.wasm, models/*.tflite), keyed by
// path relative to this module. scripts/package.mjs overwrites the compiled
// dist/manifest.js with the real table (and writes dist/manifest.json) when the package is built.

/** Expected hash and size of one shipped file. */
export interface ManifestEntry {
  sha256: string;
  size: number;
}

/** The shipped files' table. */
export interface Manifest {
  version: string;
  files: Record<string, ManifestEntry>;
}

/** Filled in by the build; empty in an unbuilt tree (files are then loaded unverified). */
export const MANIFEST: Manifest = { version: '0.0.0', files: {} };
