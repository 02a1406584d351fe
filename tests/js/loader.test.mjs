// The package's loading layer in Node: SHA-256, the content-hash cache directory (hit without a
// request, corrupted entry replaced, bad server bytes refetched once then IntegrityError),
// download progress, SIMD feature detection and the error classes.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDist } from './dist.mjs';
import { ROOT } from './helpers.mjs';

const cacheDir = mkdtempSync(join(tmpdir(), 'featherdet-cache-'));
process.env.FEATHERDET_CACHE_DIR = cacheDir;

const sha = (b) => createHash('sha256').update(b).digest('hex');

let server;
let base;
const requests = [];
/** What the server sends per path (mutable per test). */
const files = new Map();
/** Content-Type per path where it is not application/octet-stream (e.g. a dev server's HTML fallback). */
const types = new Map();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url);
    const body = files.get(req.url);
    if (!body) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': types.get(req.url) ?? 'application/octet-stream' });
    // Two chunks so progress reports more than one step.
    res.write(body.subarray(0, body.length >> 1));
    setTimeout(() => res.end(body.subarray(body.length >> 1)), 5);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('wasm build choice', () => {
  it('Node 20 without the flag gets the baseline build; a featherdet.wasm path maps to its relaxed sibling', async () => {
    const { wasmFileName, wasmLocation, wasmRelaxedSimdSupported } = await importDist('simd.js');
    expect(wasmRelaxedSimdSupported()).toBe(process.execArgv.includes('--experimental-wasm-relaxed-simd'));
    expect(wasmFileName('baseline')).toBe('featherdet.wasm');
    expect(wasmFileName('relaxed')).toBe('featherdet-relaxed.wasm');
    expect(wasmFileName('auto')).toBe(wasmRelaxedSimdSupported() ? 'featherdet-relaxed.wasm' : 'featherdet.wasm');
    expect(String(wasmLocation(undefined, 'relaxed'))).toMatch(/\/dist\/featherdet-relaxed\.wasm$/);
    expect(String(wasmLocation(undefined, 'baseline'))).toMatch(/\/dist\/featherdet\.wasm$/);
    expect(wasmLocation('https://cdn.example/fd/featherdet.wasm?v=2', 'relaxed')).toBe('https://cdn.example/fd/featherdet-relaxed.wasm?v=2');
    expect(String(wasmLocation(new URL('file:///opt/fd/featherdet.wasm'), 'relaxed'))).toBe('file:///opt/fd/featherdet-relaxed.wasm');
    expect(wasmLocation('/srv/custom.wasm', 'relaxed')).toBe('/srv/custom.wasm');
    expect(wasmLocation('/srv/featherdet.wasm', 'baseline')).toBe('/srv/featherdet.wasm');
  });

  it("wasmBuild 'relaxed' on an engine without relaxed SIMD fails with a message saying so", async () => {
    const api = await importDist();
    const { DIST } = await import('./dist.mjs');
    await expect(api.loadRuntime({ wasmPath: join(DIST, 'featherdet.wasm'), wasmBuild: 'relaxed' }))
      .rejects.toThrow(/relaxed SIMD/);
  });

  it('with --experimental-wasm-relaxed-simd both builds load and give the same outputs', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      const api = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/index.js')).href)});
      const bytes = readFileSync(${JSON.stringify(join(ROOT, 'dist/models/face.tflite'))});
      const input = new Int8Array(320 * 320 * 3).map((_, i) => ((i * 37) % 256) - 128);
      const result = {};
      for (const wasmBuild of ['baseline', 'relaxed']) {
        const runtime = await api.loadRuntime({ wasmBuild });
        const model = await api.TfliteModel.create(bytes, { runtime });
        result[wasmBuild] = { kernels: runtime.kernels, outputs: model.run([input]).map((o) => Array.from(o.data)) };
        model.close();
      }
      console.log(JSON.stringify(result));`;
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script], {
      encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const { baseline, relaxed } = JSON.parse(r.stdout);
    expect(baseline.kernels.isa).toBe('wasmsimd');
    // The relaxed build installs its kernels only where the engine's dot product is exact; Node 20
    // on x86 saturates (pmaddubsw), and the build then runs its SIMD128 kernels.
    expect(['wasmsimd', 'wasmrelaxed-usdot', 'wasmrelaxed-sdot']).toContain(relaxed.kernels.isa);
    console.log(`Node ${process.version} --experimental-wasm-relaxed-simd: relaxed build runs ${relaxed.kernels.isa} (${relaxed.kernels.gemm})`);
    expect(relaxed.outputs).toEqual(baseline.outputs);
  });
});

describe('sha256', () => {
  it('the JS fallback and SubtleCrypto agree with node:crypto on block-boundary lengths', async () => {
    const { sha256Sync, sha256Hex } = await importDist('sha256.js');
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003]) {
      const data = new Uint8Array(randomBytes(n));
      expect(sha256Sync(data), `length ${n}`).toBe(sha(data));
      expect(await sha256Hex(data), `length ${n}`).toBe(sha(data));
    }
    expect(sha256Sync(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('loadFile (Node cache directory)', () => {
  it('downloads with progress, then serves the verified copy from the cache without a request', async () => {
    const { loadFile } = await importDist('loader.js');
    const body = randomBytes(200_000);
    files.set('/a.bin', body);
    const progress = [];
    const before = requests.length;
    const first = await loadFile({ location: `${base}/a.bin`, sha256: sha(body) }, { onProgress: (p) => progress.push(p) });
    expect(first.fromCache).toBe(false);
    expect(Buffer.from(first.bytes).equals(body)).toBe(true);
    expect(requests.length - before).toBe(1);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual({ file: `${base}/a.bin`, loaded: body.length, total: body.length, fromCache: false });
    for (let i = 1; i < progress.length; ++i) expect(progress[i].loaded).toBeGreaterThanOrEqual(progress[i - 1].loaded);
    expect(readdirSync(cacheDir)).toContain(sha(body));

    const seen = [];
    const second = await loadFile({ location: `${base}/a.bin`, sha256: sha(body) }, { onProgress: (p) => seen.push(p) });
    expect(second.fromCache).toBe(true);
    expect(Buffer.from(second.bytes).equals(body)).toBe(true);
    expect(requests.length - before).toBe(1);
    expect(seen).toEqual([{ file: `${base}/a.bin`, loaded: body.length, total: body.length, fromCache: true }]);
  });

  it('detects a corrupted cache entry, refetches and replaces it', async () => {
    const { loadFile } = await importDist('loader.js');
    const body = randomBytes(5000);
    files.set('/b.bin', body);
    await loadFile({ location: `${base}/b.bin`, sha256: sha(body) });
    const entry = join(cacheDir, sha(body));
    const corrupted = Buffer.from(readFileSync(entry));
    corrupted[100] ^= 0xff;
    writeFileSync(entry, corrupted);
    const before = requests.length;
    const again = await loadFile({ location: `${base}/b.bin`, sha256: sha(body) });
    expect(again.fromCache).toBe(false);
    expect(requests.length - before).toBe(1);
    expect(Buffer.from(readFileSync(entry)).equals(body)).toBe(true);
  });

  it('refetches bytes that fail the check once, then throws IntegrityError', async () => {
    const { loadFile } = await importDist('loader.js');
    const { IntegrityError, FeatherdetError } = await importDist();
    files.set('/c.bin', randomBytes(3000));
    const before = requests.length;
    const err = await loadFile({ location: `${base}/c.bin`, sha256: sha(Buffer.from('other')) }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toBeInstanceOf(FeatherdetError);
    expect(err.file).toBe(`${base}/c.bin`);
    expect(err.message).toMatch(/failed its integrity check/);
    expect(requests.length - before).toBe(2);
  });

  it('cache: false neither reads nor writes the cache', async () => {
    const { loadFile } = await importDist('loader.js');
    const body = randomBytes(1000);
    files.set('/d.bin', body);
    const before = requests.length;
    await loadFile({ location: `${base}/d.bin`, sha256: sha(body) }, { cache: false });
    await loadFile({ location: `${base}/d.bin`, sha256: sha(body) }, { cache: false });
    expect(requests.length - before).toBe(2);
    expect(readdirSync(cacheDir)).not.toContain(sha(body));
  });

  it('a missing file is a ModelError naming the URL and the option to fix it', async () => {
    const { loadFile } = await importDist('loader.js');
    const { ModelError } = await importDist();
    const err = await loadFile({ location: `${base}/missing.tflite` }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toContain(`${base}/missing.tflite`);
    expect(err.message).toMatch(/HTTP 404.*modelPath/);
    expect(err).toMatchObject({ name: 'FetchError', code: 'ERR_FETCH', status: 404, file: `${base}/missing.tflite` });
  });

  it("a package file missing beside the bundle says the bundler did not copy it, and how to", async () => {
    const { loadFile } = await importDist('loader.js');
    const err = await loadFile({ location: `${base}/assets/featherdet.wasm`, fromPackage: true }).catch((e) => e);
    expect(err.message).toMatch(/HTTP 404; featherdet's JavaScript was bundled without its files .* copy node_modules\/featherdet\/dist\/\*\.wasm/);
  });

  it("an HTML page instead of the file is an error; under Vite's pre-bundle it names optimizeDeps.exclude", async () => {
    const { loadFile, packageFile } = await importDist('loader.js');
    const page = Buffer.from('<!doctype html><html></html>');
    for (const path of ['/app/model.tflite', '/node_modules/.vite/deps/featherdet.wasm']) {
      files.set(path, page);
      types.set(path, 'text/html');
    }
    const html = await loadFile({ location: `${base}/app/model.tflite` }).catch((e) => e);
    expect(html).toMatchObject({ name: 'FetchError', code: 'ERR_FETCH', status: 200 });
    expect(html.message).toMatch(/answered with an HTML page, not the file/);
    const vite = await loadFile({ location: `${base}/node_modules/.vite/deps/featherdet.wasm`, fromPackage: true }).catch((e) => e);
    expect(vite.message).toMatch(/optimizeDeps: \{ exclude: \['featherdet'\] \}/);
    // Vite's dev server runs the package from its pre-bundle; its files come from the package's dist/.
    expect(packageFile(new URL('http://localhost:5173/node_modules/.vite/deps/models/face.tflite')).href)
      .toBe('http://localhost:5173/node_modules/featherdet/dist/models/face.tflite');
    expect(packageFile(new URL('http://localhost:5173/sub/node_modules/.vite/deps_temp_1a2b3c/featherdet.wasm')).href)
      .toBe('http://localhost:5173/sub/node_modules/featherdet/dist/featherdet.wasm');
    const other = new URL('https://cdn.example/featherdet/dist/featherdet.wasm');
    expect(packageFile(other)).toBe(other);
  });
});

describe('package surface', () => {
  it('WebAssembly SIMD is detected in Node 20', async () => {
    const { wasmSimdSupported } = await importDist();
    expect(wasmSimdSupported()).toBe(true);
  });

  it('error classes form one hierarchy with their own names', async () => {
    const api = await importDist();
    const codes = {
      FeatherdetError: 'ERR_FEATHERDET', OptionsError: 'ERR_OPTIONS', SourceError: 'ERR_SOURCE', ClosedError: 'ERR_CLOSED',
      IntegrityError: 'ERR_INTEGRITY', ModelError: 'ERR_MODEL', FetchError: 'ERR_FETCH', UnsupportedOpError: 'ERR_UNSUPPORTED_OP',
      WasmSupportError: 'ERR_WASM_SUPPORT',
    };
    for (const [name, code] of Object.entries(codes)) {
      const e = name === 'IntegrityError' || name === 'FetchError' ? new api[name]('x', 'f', 0) : new api[name]('x');
      expect(e).toBeInstanceOf(api.FeatherdetError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
      expect(e.code).toBe(code);
    }
    expect(new api.UnsupportedOpError('x')).toBeInstanceOf(api.ModelError);
    expect(new api.FetchError('x', 'f', 404)).toBeInstanceOf(api.ModelError);
  });

  it('the manifest lists both wasm builds with their real SHA-256', async () => {
    const { MANIFEST } = await importDist('manifest.js');
    const { DIST } = await import('./dist.mjs');
    for (const name of ['featherdet.wasm', 'featherdet-relaxed.wasm']) {
      const wasm = readFileSync(join(DIST, name));
      expect(MANIFEST.files[name]).toEqual({ sha256: sha(wasm), size: wasm.length });
    }
    expect(JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8'))).toEqual(MANIFEST);
  });

  it('create() rejects bad options with messages naming them', async () => {
    const { Detector, ObjectDetector, FeatherdetError } = await importDist();
    await expect(Detector.create({})).rejects.toThrow(/options.model is required/);
    await expect(ObjectDetector.create({ model: 'faces' })).rejects.toThrow(/'objects', 'nanodet-m' or 'objects-tiny'/);
    await expect(Detector.create({ model: new Uint8Array(4), worker: true })).rejects.toBeInstanceOf(FeatherdetError);
    await expect(Detector.create({ model: new Uint8Array(4), scoreThreshold: 2 })).rejects.toThrow(/scoreThreshold must be a number in \[0, 1\]/);
  });
});
