// The webcam demo (demo/) in headless Chromium with a fake camera: a .y4m clip made at test time
// from ../shared/data/video/selfie_640x360.mp4 (one face, one person). The page must start,
// find the face on most frames (fraction printed), show an FPS number in its HUD, switch to the
// objects model and run in worker mode. Screenshots go to test-results/demo/ (paths printed), and
// a browser without a camera must get a clear message with the file fallback.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';

const VIDEO = path.resolve(REPO_ROOT, '../shared/data/video/selfie_640x360.mp4');
/** One large face (WIDER FACE val, 1_Handshaking_Handshaking_1_457: about 209x360 px). */
const IMAGE = path.resolve(REPO_ROOT, '../shared/data/widerface-val/images/1_Handshaking_Handshaking_1_457.jpg');
const OUT_DIR = path.join(REPO_ROOT, 'test-results/demo');
const DEMO_PATH = '/demo/';
/** "Most frames": the share of processed camera frames on which the face must be found. */
const MIN_FACE_FRACTION = 0.8;
const FRAMES = 40;

let tmpDir;
let server;
let browser;
let page;
const figures = [];

const stats = () => page.evaluate(() => window.__featherdetDemo.stats);

/** Waits until the demo has processed `frames` frames in the given model/worker configuration. */
async function waitForFrames({ model, worker, frames }) {
  await page.waitForFunction(
    ({ model, worker, frames }) => {
      const s = window.__featherdetDemo?.stats;
      return s && s.ready && s.model === model && s.worker === worker && s.source === 'camera' && s.frames >= frames;
    },
    { model, worker, frames },
    { timeout: 100_000, polling: 200 },
  ).catch(async (err) => {
    const s = await stats().catch(() => null);
    throw new Error(`demo did not process ${frames} frames (${model}, worker ${worker}): ${err.message}\n` +
      `stats: ${JSON.stringify(s)}\npage errors: ${page.errors.join('\n')}`);
  });
  return stats();
}

function report(name, s) {
  const line = `${name}: ${s.frames} frames, labels ${JSON.stringify(s.labelFrames)}, ` +
    `${s.fps.toFixed(1)} FPS, inference p50 ${s.inferP50.toFixed(1)} ms, end-to-end p50 ${s.e2eP50.toFixed(1)} ms, ` +
    `model ${s.hud.model}, cache ${s.hud.cache}, loaded in ${Math.round(s.loadMs)} ms`;
  figures.push(line);
  console.log(`[demo] ${line}`);
}

async function screenshot(name) {
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`[demo] screenshot: ${file}`);
  return file;
}

beforeAll(async () => {
  for (const id of ['face', 'objects']) {
    if (!existsSync(path.join(REPO_ROOT, 'dist/models', `${id}.tflite`))) {
      throw new Error(`dist/models/${id}.tflite is missing: run \`npm run models && npm run build\` (or npm start)`);
    }
  }
  await mkdir(OUT_DIR, { recursive: true });
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'featherdet-demo-'));
  const clip = path.join(tmpDir, 'selfie.y4m');
  // 4 s at 640x360, 25 fps (~35 MB); Chromium's fake camera loops it.
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-t', '4', '-i', VIDEO,
    '-pix_fmt', 'yuv420p', '-r', '25', clip]);
  server = await startServer();
  browser = await launchBrowser({
    extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${clip}`],
    contextOptions: { viewport: { width: 1280, height: 720 } },
  });
  page = await browser.newPage(`${server.url}${DEMO_PATH}`);
}, 120_000);

afterAll(async () => {
  if (figures.length) console.log(`\n[demo] headless Chromium figures\n${figures.join('\n')}\n`);
  await browser?.close();
  await server?.close();
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
}, 60_000);

describe('webcam demo (fake camera)', () => {
  test('starts the camera and the face model, finds the face on most frames', async () => {
    const s = await waitForFrames({ model: 'face', worker: false, frames: FRAMES });
    report('faces (main thread)', s);
    const fraction = (s.labelFrames.face ?? 0) / s.frames;
    console.log(`[demo] face found on ${s.labelFrames.face ?? 0}/${s.frames} frames (${(100 * fraction).toFixed(0)}%)`);
    expect(s.mirror).toBe(true);
    expect(s.errors).toBe(0);
    expect(fraction).toBeGreaterThanOrEqual(MIN_FACE_FRACTION);
    expect(s.modelBytes).toBeGreaterThan(10_000);
    // The face is in the upper middle of the 640x360 selfie clip: boxes are in frame pixels.
    const face = s.lastResults.find((r) => r.label === 'face');
    if (face) {
      expect(face.box.x).toBeGreaterThan(0);
      expect(face.box.x + face.box.width).toBeLessThan(640);
      expect(face.box.width).toBeGreaterThan(30);
    }
    expect(await page.isHidden('#message')).toBe(true);
    await screenshot('demo-faces');
  });

  test('the HUD shows FPS, latencies, model size and cache origin', async () => {
    await page.waitForFunction(() => Number(document.querySelector('#hud-fps').textContent) > 0, null, { timeout: 10_000 });
    const hud = await page.evaluate(() => window.__featherdetDemo.stats.hud);
    expect(Number(hud.fps)).toBeGreaterThan(0);
    expect(Number(hud.infer)).toBeGreaterThan(0);
    expect(Number(hud.e2e)).toBeGreaterThanOrEqual(Number(hud.infer) * 0.5);
    expect(hud.model).toMatch(/\d+ KB|\d\.\d+ MB/);
    expect(hud.cache).toMatch(/^model (cache|network|memory), wasm (cache|network|memory)$/);
  });

  test('switching to objects works (the person is found)', async () => {
    await page.selectOption('#model', 'objects');
    const s = await waitForFrames({ model: 'objects', worker: false, frames: 20 });
    report('objects (main thread)', s);
    expect(s.errors).toBe(0);
    expect((s.labelFrames.person ?? 0) / s.frames).toBeGreaterThan(0.5);
    expect(await page.textContent('#status')).toMatch(/^Objects · YOLOX-Nano ready/);
    await screenshot('demo-objects');
  });

  test('worker mode works (faces in a worker)', async () => {
    await page.selectOption('#model', 'face');
    await page.check('#worker');
    const s = await waitForFrames({ model: 'face', worker: true, frames: FRAMES });
    report('faces (worker)', s);
    expect(s.errors).toBe(0);
    expect((s.labelFrames.face ?? 0) / s.frames).toBeGreaterThanOrEqual(MIN_FACE_FRACTION);
    await screenshot('demo-worker');
    expect(page.errors).toEqual([]);
  });

  test('phone-sized viewport: view on top, controls below, overlay inside the view', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    const layout = await page.evaluate(() => {
      const r = (id) => document.getElementById(id).getBoundingClientRect().toJSON();
      return { stage: r('stage'), overlay: r('overlay'), panel: document.querySelector('.panel').getBoundingClientRect().toJSON(), scrollWidth: document.documentElement.scrollWidth };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(390);
    expect(layout.panel.top).toBeGreaterThanOrEqual(layout.stage.bottom - 1);
    expect(layout.overlay).toEqual(layout.stage);
    await screenshot('demo-phone');
    await page.setViewportSize({ width: 1280, height: 720 });
  });
});

test('without a camera the page says so, and an opened image file is detected', async () => {
  const plain = await launchBrowser();
  try {
    const p = await plain.newPage(`${server.url}${DEMO_PATH}`);
    await p.waitForSelector('#message:not([hidden]) #message-actions:not([hidden])', { timeout: 30_000 });
    const text = await p.textContent('#message-text');
    console.log(`[demo] no-camera message: ${text}`);
    expect(text).toMatch(/camera/i);
    expect(text).toMatch(/image or a video file/);
    await p.setInputFiles('#media-input', IMAGE);
    await p.waitForFunction(() => {
      const s = window.__featherdetDemo.stats;
      return s.ready && s.source === 'image' && s.frames >= 1;
    }, null, { timeout: 60_000 });
    const s = await p.evaluate(() => window.__featherdetDemo.stats);
    console.log(`[demo] image file: ${JSON.stringify(s.lastResults)}`);
    expect(s.mirror).toBe(false);
    expect(s.labelFrames.face).toBe(1);
    expect(await p.isHidden('#message')).toBe(true);
    expect(p.errors).toEqual([]);
  } finally {
    await plain.close();
  }
});

// An Ultralytics export dropped on the page runs with its own metadata (labels, preprocessing),
// no decoder option anywhere.
const YOLO_URL = '/shared/models/thirdparty/ultralytics-yolov8n/yolov8n_full_integer_quant.tflite';
const COCO_IMAGE = path.resolve(REPO_ROOT, '../shared/data/coco128/val2017/images/000000000139.jpg');
test('a dropped Ultralytics YOLOv8n export detects COCO objects with the labels from the file', async () => {
  const plain = await launchBrowser();
  try {
    const p = await plain.newPage(`${server.url}${DEMO_PATH}`);
    await p.waitForSelector('#message:not([hidden]) #message-actions:not([hidden])', { timeout: 30_000 });
    await p.setInputFiles('#media-input', COCO_IMAGE);
    await p.waitForFunction(() => window.__featherdetDemo.stats.source === 'image', null, { timeout: 60_000 });
    await p.evaluate(async (url) => {
      const bytes = await (await fetch(url)).arrayBuffer();
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'yolov8n_full_integer_quant.tflite', { type: 'application/octet-stream' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    }, YOLO_URL);
    await p.waitForFunction(() => {
      const s = window.__featherdetDemo.stats;
      return s.ready && s.model === 'file' && s.source === 'image' && s.frames >= 1 && (s.lastResults ?? []).length > 0;
    }, null, { timeout: 90_000 });
    const s = await p.evaluate(() => window.__featherdetDemo.stats);
    const labels = s.lastResults.map((r) => r.label);
    console.log(`[demo] dropped YOLOv8n on 000000000139.jpg: ${JSON.stringify(labels)}`);
    expect(labels).toContain('tv');
    expect(labels).toContain('person');
    const file = path.join(OUT_DIR, 'ultralytics-drop.png');
    await p.screenshot({ path: file });
    console.log(`[demo] screenshot: ${file}`);
    expect(p.errors).toEqual([]);
  } finally {
    await plain.close();
  }
}, 120_000);
