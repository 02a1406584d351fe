// The README's JavaScript examples, as written, against the packed tarball in a fresh app:
// type-checked by TypeScript (checkJs) for an ES2020 target both as ES modules and as CommonJS
// (so no top-level await, and the published types accept every call), and the Node example run,
// as an ES module and compiled to CommonJS.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTarball, packPackage } from './dist.mjs';
import { IMAGES_DIR, ROOT } from './helpers.mjs';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const examples = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const nodeExample = examples.find((e) => e.includes("from 'node:fs'"));

let tmp;
let app;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'featherdet-readme-'));
  const { tarball } = packPackage(tmp);
  app = join(tmp, 'app');
  installTarball(app, tarball);
  cpSync(join(IMAGES_DIR, 'face.jpg'), join(app, 'photo.jpg'));
  examples.forEach((code, i) => writeFileSync(join(app, `example${i}.js`), code));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs tsc in the app with these compiler options over every example; returns its output (empty when clean). */
function typecheck(name, options) {
  const config = {
    compilerOptions: {
      target: 'ES2020', lib: ['ES2020', 'DOM', 'DOM.Iterable'], allowJs: true, checkJs: true, skipLibCheck: true,
      typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'], ...options,
    },
    files: examples.map((_, i) => `example${i}.js`),
  };
  writeFileSync(join(app, `${name}.json`), JSON.stringify(config));
  try {
    execFileSync(process.execPath, [TSC, '-p', `${name}.json`], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return e.stdout + e.stderr;
  }
}

describe('README examples', () => {
  it('there are examples, one of them for Node', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(nodeExample).toBeDefined();
  });

  it('type-check as ES2020 modules', () => {
    expect(typecheck('esm', { module: 'ES2020', moduleResolution: 'bundler', noEmit: true })).toBe('');
  }, 60_000);

  it('type-check and compile as CommonJS (ES2020 target)', () => {
    expect(typecheck('cjs', { module: 'commonjs', moduleResolution: 'node10', outDir: 'cjs' })).toBe('');
  }, 60_000);

  it('the Node example finds the four faces in photo.jpg, as an ES module and compiled to CommonJS', () => {
    writeFileSync(join(app, 'node-example.mjs'), nodeExample);
    const i = examples.indexOf(nodeExample);
    writeFileSync(join(app, 'cjs/package.json'), '{ "type": "commonjs" }');
    for (const file of ['node-example.mjs', `cjs/example${i}.js`]) {
      const out = execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect((out.match(/label: 'face'/g) ?? []).length, `${file}: ${out}`).toBe(4);
    }
  }, 60_000);
});
