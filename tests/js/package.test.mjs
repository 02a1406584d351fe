// The npm package as users get it: `npm pack` contents and sizes, then the tarball installed
// offline into an empty app where Node imports 'featherdet' and finds the face in face.jpg from
// its encoded bytes. Prints the brotli sizes (scripts/sizes.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, installTarball, packPackage } from './dist.mjs';
import { IMAGES_DIR, ROOT } from './helpers.mjs';

const MB = 1024 * 1024;
let tmp;
let packed;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'featherdet-pack-'));
  packed = packPackage(tmp);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm package', () => {
  it('the tarball holds the entry, types, worker, bundles, wasm, manifest, models and the CLI', () => {
    const files = new Map(packed.info.files.map((f) => [f.path, f.size]));
    for (const f of ['package.json', 'README.md', 'bin/featherdet.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/detector.d.ts',
      'dist/worker.js', 'dist/featherdet.mjs', 'dist/featherdet.wasm', 'dist/featherdet-relaxed.wasm',
      'dist/featherdet.iife.js', 'dist/featherdet.esm.js', 'dist/featherdet.worker.js',
      'dist/manifest.json', 'dist/manifest.js', 'dist/models/face.tflite', 'dist/models/objects.tflite',
      'dist/models/nanodet-m.tflite', 'dist/models/objects-tiny.tflite']) {
      expect(files.has(f), `${f} in the tarball`).toBe(true);
      expect(files.get(f), `${f} size`).toBeGreaterThan(0);
    }
    for (const f of files.keys()) expect(f, 'no build leftovers').not.toMatch(/\.tmp$|\.map$|^build\/|^tests\//);
    // Size targets (and NanoDet-m's recorded miss) are checked on models/dist by
    // tests/e2e/bundled_models.test.mjs; here the packed files must be those very files.
    for (const m of ['face', 'objects', 'nanodet-m', 'objects-tiny']) {
      expect(files.get(`dist/models/${m}.tflite`), m).toBe(statSync(join(ROOT, `models/dist/${m}.tflite`)).size);
    }
    expect(files.get('dist/featherdet.wasm')).toBeLessThan(MB);
    expect(files.get('dist/featherdet-relaxed.wasm')).toBeLessThan(MB);
    expect(packed.info.size, 'tarball (gzip) size').toBeLessThan(4 * MB);
    const manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files).sort()).toEqual(['featherdet-relaxed.wasm', 'featherdet.wasm', 'models/face.tflite', 'models/nanodet-m.tflite', 'models/objects-tiny.tflite', 'models/objects.tflite']);
    for (const [f, e] of Object.entries(manifest.files)) expect(files.get(`dist/${f}`), f).toBe(e.size);
    console.log(execFileSync(process.execPath, [join(ROOT, 'scripts/sizes.mjs'), DIST], { encoding: 'utf8' }));
    // Size target: the runtime a page downloads (one wasm build + the JS) <= 150 KiB brotli.
    const sizes = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'scripts/sizes.mjs'), DIST, '--json'], { encoding: 'utf8' }));
    const totals = sizes.filter((r) => r.name.startsWith('runtime total'));
    expect(totals.length).toBe(2);
    for (const t of totals) expect(t.brotli, t.name).toBeLessThanOrEqual(150 * 1024);
  });

  it("Node: import { FaceDetector } from 'featherdet' (installed tarball) finds the faces in JPEG bytes", () => {
    const app = join(tmp, 'node-app');
    installTarball(app, packed.tarball);
    const script = join(app, 'detect.mjs');
    writeFileSync(script, [
      "import { readFileSync } from 'node:fs';",
      "import { FaceDetector, SourceError } from 'featherdet';",
      'const faces = await FaceDetector.create({ scoreThreshold: 0.6 });',
      `const found = faces.detect(readFileSync(${JSON.stringify(join(IMAGES_DIR, 'face.jpg'))}));`,
      "let bad = '';",
      "try { faces.detect(new Uint8Array([1, 2, 3])); } catch (e) { bad = e instanceof SourceError ? 'SourceError' : String(e); }",
      'const again = faces.detect(readFileSync(process.argv[2])).length;',
      'faces.close();',
      'console.log(JSON.stringify({ found, bad, again, info: faces.info }));',
    ].join('\n'));
    const out = JSON.parse(execFileSync(process.execPath, [script, join(IMAGES_DIR, 'face.jpg')], {
      cwd: app, encoding: 'utf8', env: { ...process.env, FEATHERDET_CACHE_DIR: join(tmp, 'cache') },
    }));
    // face.jpg shows four people.
    expect(out.found.length).toBe(4);
    for (const face of out.found) {
      expect(face.label).toBe('face');
      expect(face.score).toBeGreaterThan(0.6);
      expect(face.box.width).toBeGreaterThan(30);
      expect(face.box.x).toBeGreaterThanOrEqual(-1);
      expect(face.box.x + face.box.width).toBeLessThanOrEqual(513);
      expect(face.keypoints).toHaveLength(5);
    }
    expect(out.bad).toBe('SourceError');
    expect(out.again).toBe(4);
    expect(out.info.family).toBe('yunet');
  });
});
