// Where the package under test lives: dist/ by default, or the served path in FEATHERDET_DIST
// (e.g. /build/wasm-NAME/dist/, the same variable the browser suite uses) under the repo root.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

/** Absolute path of the package's dist directory under test. */
export const DIST = process.env.FEATHERDET_DIST ? join(ROOT, process.env.FEATHERDET_DIST) : join(ROOT, 'dist');

/** Imports a module of the dist directory (e.g. 'index.js', 'sha256.js'). */
export function importDist(file = 'index.js') {
  return import(join(DIST, file));
}

/**
 * Packs the package with `npm pack` into destDir and returns the tarball's path. With
 * FEATHERDET_DIST set, packs a staged copy (package.json, README.md, bin/, that dist as dist/).
 */
export function packPackage(destDir) {
  let dir = ROOT;
  if (DIST !== join(ROOT, 'dist')) {
    dir = join(destDir, 'stage');
    mkdirSync(dir, { recursive: true });
    for (const f of ['package.json', 'README.md']) cpSync(join(ROOT, f), join(dir, f));
    cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
    cpSync(DIST, join(dir, 'dist'), { recursive: true });
  }
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destDir, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out);
  return { tarball: join(destDir, info.filename), info };
}

/** Installs a tarball into a fresh app directory (offline: the package has no dependencies). */
export function installTarball(appDir, tarball) {
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'featherdet-test-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: appDir, stdio: 'pipe' });
}
