// Where the package under test lives: dist/ by default, or the served path in FEATHERDET_DIST
// (e.g. /build/wasm-NAME/dist/, the same variable the browser suite uses) under the repo root.
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

/** Absolute path of the package's dist directory under test. */
export const DIST = process.env.FEATHERDET_DIST ? join(ROOT, process.env.FEATHERDET_DIST) : join(ROOT, 'dist');

/** Imports a module of the dist directory (e.g. 'index.js', 'sha256.js'). */
export function importDist(file = 'index.js') {
  return import(join(DIST, file));
}
