// A Vite app that depends on the packed tarball (installed offline into a temp directory) and
// imports 'featherdet' with no Vite configuration: `vite build`, then the built app detects the
// face in Chromium both on the main thread and with { worker: true }.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { installTarball, packPackage } from '../js/dist.mjs';
import { IMAGES_DIR, ROOT } from '../js/helpers.mjs';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

let tmp;
let server;
let browser;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'featherdet-vite-'));
  const { tarball } = packPackage(tmp);
  const app = join(tmp, 'app');
  installTarball(app, tarball);
  mkdirSync(join(app, 'public'));
  copyFileSync(join(IMAGES_DIR, 'face.jpg'), join(app, 'public/face.jpg'));
  writeFileSync(join(app, 'index.html'), '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="/main.js"></script></body></html>\n');
  writeFileSync(join(app, 'main.js'), `import { FaceDetector } from 'featherdet';
(async () => {
  const img = new Image();
  img.src = '/face.jpg';
  await img.decode();
  const sync = await FaceDetector.create();
  const onMain = sync.detect(img);
  const inWorker = await (await FaceDetector.create({ worker: true })).detect(img);
  window.result = { onMain, inWorker };
})().catch((e) => { window.result = { error: e.name + ': ' + e.message }; });
`);
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
  server = await startServer({ root: join(app, 'dist') });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

it('a Vite app importing the packed tarball builds and detects the faces (main thread and worker)', async () => {
  const assets = readdirSync(join(tmp, 'app/dist/assets'));
  expect(assets.some((f) => f.endsWith('.wasm')), `wasm emitted: ${assets}`).toBe(true);
  expect(assets.some((f) => /face.*\.tflite$/.test(f)), `face model emitted: ${assets}`).toBe(true);
  const page = await browser.newPage(`${server.url}/`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.result);
  expect(result.error).toBeUndefined();
  // face.jpg shows four people.
  expect(result.onMain.length).toBe(4);
  expect(result.inWorker.length).toBe(4);
  expect(result.onMain.every((d) => d.label === 'face')).toBe(true);
  for (let i = 0; i < 4; ++i) expect(Math.abs(result.onMain[i].box.x - result.inWorker[i].box.x)).toBeLessThan(3);
  expect(page.errors).toEqual([]);
  await page.close();
});
