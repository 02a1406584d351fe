// The packed tarball in fresh apps, the way web developers use it: each app installs it from a
// local folder, imports 'featherdet' with no featherdet-specific configuration, is built (or
// served) by a real tool, and headless Chromium must find the four faces in face.jpg on the main
// thread and with { worker: true }. Tools: Vite 6 and 7 (dev server and build), webpack 5 (its
// defaults, no warnings from featherdet), Parcel 2 (build and dev server), esbuild and Rollup (which bundle JavaScript but do not
// copy files: first the error that names the fix, then the README's recipe), a script tag from
// another origin (a CDN with CORS), and Node (ESM import and CommonJS require).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTarball, packPackage } from '../js/dist.mjs';
import { IMAGES_DIR, ROOT } from '../js/helpers.mjs';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

const FACE = join(IMAGES_DIR, 'face.jpg');

// The app: detect on the main thread, then in a worker; publish the results or the error.
// Then two errors, one thrown on the main thread and one in the worker: their name, code and class
// must survive the tool's minifier and the worker boundary.
const MAIN_JS = `import { FaceDetector, Detector, OptionsError, ModelError } from 'featherdet';
async function run() {
  const img = new Image();
  img.src = '/face.jpg';
  await img.decode();
  const onMain = (await FaceDetector.create()).detect(img);
  const inWorker = await (await FaceDetector.create({ worker: true })).detect(img);
  const errors = [];
  const bad = [[() => FaceDetector.create({ threshold: 0.5 }), OptionsError], [() => Detector.create({ model: 'fase', worker: true }), ModelError]];
  for (const [create, cls] of bad) {
    try {
      await create();
      errors.push('no error');
    } catch (e) {
      errors.push(e.name + ' ' + e.code + ' ' + (e instanceof cls));
    }
  }
  return { onMain, inWorker, errors };
}
run().then((r) => { window.result = r; }, (e) => { window.result = { error: e.name + ' [' + e.code + ']: ' + e.message }; });
`;
const INDEX_HTML = (script, type = 'module') =>
  `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="${type}" src="${script}"></script></body></html>\n`;

let tmp;
let tarball;
let browser;
const closers = [];

/** A fresh app directory with the tarball installed, face.jpg at `imageDir`, and main.js. */
function makeApp(name, { imageDir = '', entry = 'main.js', type = 'module' } = {}) {
  const app = join(tmp, name);
  installTarball(app, tarball);
  if (type !== 'module') writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type }));
  mkdirSync(join(app, imageDir), { recursive: true });
  cpSync(FACE, join(app, imageDir, 'face.jpg'));
  mkdirSync(join(app, entry, '..'), { recursive: true });
  writeFileSync(join(app, entry), MAIN_JS);
  return app;
}

/** Serves a directory on its own origin (127.0.0.1, ephemeral port). */
async function serve(root, opts = {}) {
  const server = await startServer({ root, ...opts });
  closers.push(() => server.close());
  return server;
}

/** Opens url and waits for window.result: { onMain, inWorker } or { error }. */
async function resultAt(url) {
  const page = await browser.newPage(url);
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  try {
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 }).catch((e) => {
      throw new Error(`${url}: no result (${e.message}); page errors ${JSON.stringify(page.errors)}; failed requests ${JSON.stringify(failed)}`);
    });
    return { ...(await page.evaluate(() => window.result)), pageErrors: page.errors };
  } finally {
    await page.close();
  }
}

/** Four faces on the main thread and in the worker, at the same places; the errors intact. */
function expectFourFaces(result) {
  expect(result.error).toBeUndefined();
  expect(result.onMain.length).toBe(4);
  expect(result.inWorker.length).toBe(4);
  expect(result.onMain.every((d) => d.label === 'face')).toBe(true);
  for (let i = 0; i < 4; ++i) expect(Math.abs(result.onMain[i].box.x - result.inWorker[i].box.x)).toBeLessThan(3);
  expect(result.errors).toEqual(['OptionsError ERR_OPTIONS true', 'ModelError ERR_MODEL true']);
  expect(result.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a dev server (a tool's bin script with args) in app on port; resolves to its URL once
 * it answers with a page. `ready` runs once it does (e.g. to add files to its output).
 */
async function devServer(bin, args, app, port, ready = () => undefined) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  closers.push(() => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill();
  }));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; ++i) {
    if (child.exitCode !== null) throw new Error(`${bin} exited: ${log}`);
    const ok = await fetch(`${url}/`).then((r) => r.ok, () => false);
    if (ok) {
      ready();
      return url;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${bin} did not answer: ${log}`);
}

/** Copies the package files a bundler left behind next to the bundle (the README's recipe). */
function copyPackageFiles(app, outDir) {
  const dist = join(app, 'node_modules/featherdet/dist');
  for (const f of ['featherdet.wasm', 'featherdet-relaxed.wasm', 'featherdet.worker.js']) cpSync(join(dist, f), join(outDir, f));
  cpSync(join(dist, 'models'), join(outDir, 'models'), { recursive: true });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'featherdet-bundlers-'));
  ({ tarball } = packPackage(tmp));
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.each([
  ['Vite 7', 'vite'],
  ['Vite 6', 'vite6'],
])('%s', (label, pkg) => {
  const viteBin = join(ROOT, 'node_modules', pkg, 'bin/vite.js');
  it(`dev server (npm run dev, pre-bundled dependency): ${label} serves the app, it finds the faces, errors keep their class`, async () => {
    const app = makeApp(`${pkg}-dev`, { imageDir: 'public' });
    writeFileSync(join(app, 'index.html'), INDEX_HTML('/main.js'));
    const port = await freePort();
    const url = await devServer(viteBin, ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], app, port);
    expectFourFaces(await resultAt(`${url}/`));
  }, 120_000);

  it(`build: ${label} builds (minified) the app, it finds the faces, errors keep their class`, async () => {
    const app = makeApp(`${pkg}-build`, { imageDir: 'public' });
    writeFileSync(join(app, 'index.html'), INDEX_HTML('/main.js'));
    execFileSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
    const server = await serve(join(app, 'dist'));
    expectFourFaces(await resultAt(`${server.url}/`));
  }, 120_000);
});

describe('webpack 5', () => {
  it('builds with its defaults (src/index.js -> dist/main.js) and no warnings from featherdet; the app finds the faces', async () => {
    const app = makeApp('webpack', { imageDir: 'dist', entry: 'src/index.js' });
    // What `npx webpack` does with no config file: production mode, everything else default, in the app's directory.
    const run = `require(${JSON.stringify(join(ROOT, 'node_modules/webpack'))})({ mode: 'production' }, (err, stats) => {
      if (err) throw err;
      console.log(JSON.stringify(stats.toJson({ all: false, errors: true, warnings: true })));
    });`;
    const info = JSON.parse(execFileSync(process.execPath, ['-e', run], { cwd: app, encoding: 'utf8' }));
    expect(info.errors).toEqual([]);
    // webpack's performance hints flag every asset over 244 KiB (the models); anything else is a real warning.
    const warnings = info.warnings.filter((w) => !/asset size limit|entrypoint size limit|performance/i.test(w.message));
    expect(warnings.map((w) => w.message)).toEqual([]);
    writeFileSync(join(app, 'dist/index.html'), INDEX_HTML('/main.js', 'text/javascript'));
    const server = await serve(join(app, 'dist'));
    expectFourFaces(await resultAt(`${server.url}/`));
  }, 120_000);
});

describe('Parcel 2', () => {
  const parcelBin = join(ROOT, 'node_modules/parcel/lib/bin.js');
  const app = (name) => {
    const dir = makeApp(name, { imageDir: 'static' });
    writeFileSync(join(dir, 'index.html'), INDEX_HTML('./main.js'));
    return dir;
  };

  it('build: parcel build index.html, and the app finds the faces', async () => {
    const dir = app('parcel-build');
    execFileSync(process.execPath, [parcelBin, 'build', 'index.html', '--no-cache', '--log-level', 'warn'], { cwd: dir, stdio: 'pipe' });
    cpSync(join(dir, 'static/face.jpg'), join(dir, 'dist/face.jpg'));
    const server = await serve(join(dir, 'dist'));
    expectFourFaces(await resultAt(`${server.url}/`));
  }, 120_000);

  it('dev server: parcel index.html serves the app and it finds the faces', async () => {
    const dir = app('parcel-dev');
    const port = await freePort();
    // Parcel's dev server serves what it builds; the image is added to its output directory.
    const url = await devServer(parcelBin, ['index.html', '--port', String(port), '--no-hmr', '--no-cache', '--dist-dir', 'dev'], dir, port,
      () => cpSync(join(dir, 'static/face.jpg'), join(dir, 'dev/face.jpg')));
    expectFourFaces(await resultAt(`${url}/`));
  }, 120_000);
});

describe.each([
  ['esbuild', async (app) => {
    const esbuild = await import(join(ROOT, 'node_modules/esbuild/lib/main.js'));
    await esbuild.build({ entryPoints: [join(app, 'main.js')], bundle: true, format: 'esm', outdir: join(app, 'dist'), logLevel: 'silent' });
  }],
  ['Rollup', async (app) => {
    const { rollup } = await import(join(ROOT, 'node_modules/rollup/dist/es/rollup.js'));
    const { nodeResolve } = await import(join(ROOT, 'node_modules/@rollup/plugin-node-resolve/dist/es/index.js'));
    const bundle = await rollup({ input: join(app, 'main.js'), plugins: [nodeResolve({ browser: true })], onwarn: () => undefined });
    await bundle.write({ dir: join(app, 'dist'), format: 'es' });
    await bundle.close();
  }],
])('%s (bundles JavaScript, does not copy files)', (label, bundle) => {
  it(`without the package files the error names the fix; with the README recipe the ${label} bundle finds the faces`, async () => {
    const app = makeApp(label.toLowerCase(), { imageDir: 'dist' });
    await bundle(app);
    writeFileSync(join(app, 'dist/index.html'), INDEX_HTML('/main.js'));
    const server = await serve(join(app, 'dist'));
    const before = await resultAt(`${server.url}/`);
    expect(before.error).toMatch(/^FetchError \[ERR_FETCH\]: .*HTTP 404.*copy node_modules\/featherdet\/dist\//);
    copyPackageFiles(app, join(app, 'dist'));
    expectFourFaces(await resultAt(`${server.url}/`));
  }, 120_000);
});

describe('script tag from another origin (a CDN with CORS)', () => {
  it('featherdet.iife.js from the CDN origin finds the faces on the main thread and in a worker', async () => {
    mkdirSync(join(tmp, 'cdn'), { recursive: true });
    const cdn = await serve(join(tmp, 'cdn'), { isolate: false, headers: { 'Access-Control-Allow-Origin': '*' } });
    cpSync(join(makeApp('cdn-package'), 'node_modules/featherdet/dist'), join(tmp, 'cdn/featherdet'), { recursive: true });
    const site = join(tmp, 'site');
    mkdirSync(site, { recursive: true });
    cpSync(FACE, join(site, 'face.jpg'));
    writeFileSync(join(site, 'main.js'), MAIN_JS.replace(/^import (\{[^}]*\}) from 'featherdet';/, 'const $1 = window.featherdet;'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><html><head><link rel="icon" href="data:,"></head><body>' +
      `<script src="${cdn.url}/featherdet/featherdet.iife.js" crossorigin="anonymous"></script><script src="/main.js"></script></body></html>\n`);
    const page = await serve(site, { isolate: false });
    expect(new URL(page.url).origin).not.toBe(new URL(cdn.url).origin);
    expectFourFaces(await resultAt(`${page.url}/`));
  }, 120_000);
});

describe('Node', () => {
  const script = (load) => `${load}
const { readFileSync } = require('node:fs');
FaceDetector.create().then((faces) => {
  console.log(JSON.stringify(faces.detect(readFileSync(process.argv[2])).map((d) => d.label)));
  faces.close();
});
`;
  it("CommonJS require('featherdet') and ESM import both find the faces in JPEG bytes", () => {
    const app = makeApp('node-cjs', { type: 'commonjs' });
    writeFileSync(join(app, 'run.cjs'), script("const { FaceDetector } = require('featherdet');"));
    writeFileSync(join(app, 'run.mjs'), script("import { FaceDetector } from 'featherdet';\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);"));
    for (const file of ['run.cjs', 'run.mjs']) {
      const out = execFileSync(process.execPath, [file, FACE], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(JSON.parse(out.trim().split('\n').pop()), file).toEqual(['face', 'face', 'face', 'face']);
    }
  }, 60_000);
});
