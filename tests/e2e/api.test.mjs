// The JavaScript package in headless Chromium: every source type on the main thread and in a
// module worker, errors, mirror, the script-tag and ESM bundles under a strict CSP, the
// SHA-256-verified cache (no network on the second load; a corrupted entry is replaced) and
// 5,000 detections without memory growth. The package comes from FEATHERDET_DIST (default /dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

const DIST = process.env.FEATHERDET_DIST ?? '/dist/';
const FACE = '/shared/conformance/images/face.jpg';

let server;
let browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the blank API page; page.errors collects console errors and uncaught exceptions. */
const openPage = () => browser.newPage(`${server.url}/tests/e2e/pages/api.html`);

/** IoU of two {x, y, width, height} boxes. */
function iou(a, b) {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = Math.max(0, w) * Math.max(0, h);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * In the page: builds every source type from the face image and detects in each with a
 * FaceDetector (worker or not). Returns { size, results: {kind: detections}, errors }.
 */
async function detectEverySource(page, worker) {
  return page.evaluate(async ({ dist, face, worker }) => {
    const api = await window.fdImport(`${dist}index.js`);
    const img = new Image();
    img.src = face;
    await img.decode();
    const W = img.naturalWidth;
    const H = img.naturalHeight;
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const imageData = ctx.getImageData(0, 0, W, H);
    const offscreen = new OffscreenCanvas(W, H);
    offscreen.getContext('2d').drawImage(img, 0, 0);
    // A live video element fed by the canvas (no codec needed).
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = canvas.captureStream(30);
    const redraw = setInterval(() => ctx.drawImage(img, 0, 0), 20);
    await video.play();
    while (video.readyState < 2 || video.videoWidth === 0) await new Promise((r) => setTimeout(r, 20));
    const bytes = new Uint8Array(await (await fetch(face)).arrayBuffer());
    const sources = {
      HTMLImageElement: () => img,
      HTMLCanvasElement: () => canvas,
      HTMLVideoElement: () => video,
      ImageBitmap: () => createImageBitmap(img),
      ImageData: () => imageData,
      VideoFrame: () => new VideoFrame(canvas, { timestamp: 0 }),
      OffscreenCanvas: () => offscreen,
      rgba: () => ({ data: new Uint8Array(imageData.data), width: W, height: H }),
      encoded: () => bytes,
    };
    const detector = await api.FaceDetector.create({ worker });
    const results = {};
    for (const [kind, make] of Object.entries(sources)) {
      const source = await make();
      const found = await detector.detect(source);
      results[kind] = found.map((d) => ({ box: d.box, score: d.score, label: d.label, labelId: d.labelId, keypoints: d.keypoints }));
      if (kind === 'VideoFrame') source.close();
    }
    // A bad source is a SourceError and the detector keeps working.
    const errors = {};
    for (const [kind, bad] of Object.entries({ number: 42, empty: { data: new Uint8Array(12), width: 2, height: 2 }, unloaded: new Image() })) {
      try {
        await detector.detect(bad);
        errors[kind] = 'no error';
      } catch (e) {
        errors[kind] = { name: e.name, isSourceError: e instanceof api.SourceError, message: e.message };
      }
    }
    const after = (await detector.detect(canvas)).length;
    detector.close();
    let closed;
    try {
      await detector.detect(canvas);
      closed = 'no error';
    } catch (e) {
      closed = { name: e.name, isClosedError: e instanceof api.ClosedError };
    }
    clearInterval(redraw);
    video.srcObject.getTracks().forEach((t) => t.stop());
    return { size: [W, H], results, errors, after, closed, className: detector.constructor.name };
  }, { dist: DIST, face: FACE, worker });
}

/** The detection of `list` that overlaps `box` most, and that IoU. */
function bestMatch(list, box) {
  let best = { iou: 0, d: null };
  for (const d of list) {
    const v = iou(d.box, box);
    if (v > best.iou) best = { iou: v, d };
  }
  return best;
}

/** Asserts every source finds the faces the encoded-bytes reference finds, at the same places. */
function checkSources(out) {
  const [W, H] = out.size;
  const ref = out.results.encoded;
  expect(ref.length, 'faces in face.jpg (encoded bytes)').toBeGreaterThanOrEqual(1);
  for (const face of ref) {
    expect(face.label).toBe('face');
    expect(face.labelId).toBe(0);
    expect(face.score).toBeGreaterThan(0.6);
    expect(face.score).toBeLessThanOrEqual(1);
    expect(face.box.x).toBeGreaterThanOrEqual(-1);
    expect(face.box.y).toBeGreaterThanOrEqual(-1);
    expect(face.box.x + face.box.width).toBeLessThanOrEqual(W + 1);
    expect(face.box.y + face.box.height).toBeLessThanOrEqual(H + 1);
    expect(face.keypoints.map((k) => k.name)).toEqual(['right_eye', 'left_eye', 'nose', 'right_mouth', 'left_mouth']);
    for (const k of face.keypoints) {
      expect(k.x).toBeGreaterThan(face.box.x - 2);
      expect(k.x).toBeLessThan(face.box.x + face.box.width + 2);
      expect(k.y).toBeGreaterThan(face.box.y - 2);
      expect(k.y).toBeLessThan(face.box.y + face.box.height + 2);
    }
  }
  for (const [kind, found] of Object.entries(out.results)) {
    expect(found.length, `${kind}: faces`).toBe(ref.length);
    for (const face of ref) {
      const m = bestMatch(found, face.box);
      expect(m.iou, `${kind}: IoU with the encoded-bytes result`).toBeGreaterThan(0.85);
      expect(Math.abs(m.d.score - face.score), `${kind}: score`).toBeLessThan(0.06);
    }
  }
  for (const [kind, e] of Object.entries(out.errors)) {
    expect(e.isSourceError, `${kind}: ${JSON.stringify(e)}`).toBe(true);
    expect(e.message).toMatch(/^detect\(source\): /);
  }
  expect(out.after).toBe(ref.length);
  expect(out.closed).toEqual({ name: 'ClosedError', isClosedError: true });
}

describe('featherdet package in Chromium', () => {
  it('detects the face in every source type on the main thread, synchronously', async () => {
    const page = await openPage();
    const out = await detectEverySource(page, false);
    checkSources(out);
    expect(out.className).toBe('FaceDetector');
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('detects the face in every source type in a module worker', async () => {
    const page = await openPage();
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));
    const out = await detectEverySource(page, true);
    checkSources(out);
    expect(out.className).toBe('WorkerDetector');
    expect(workers.some((u) => u.endsWith('/featherdet.worker.js'))).toBe(true);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('mirror flips boxes horizontally; rotation 90 turns a sideways frame upright; setOptions changes thresholds', async () => {
    const page = await openPage();
    const out = await page.evaluate(async ({ dist, face }) => {
      const api = await window.fdImport(`${dist}index.js`);
      const img = new Image();
      img.src = face;
      await img.decode();
      const d = await api.FaceDetector.create();
      const plain = d.detect(img)[0];
      d.setOptions({ mirror: true });
      const mirrored = d.detect(img);
      // A camera turned 90 degrees counter-clockwise: rotation 90 turns its frames upright again,
      // and the results are in the upright (displayed) image's pixels.
      const sideways = document.createElement('canvas');
      sideways.width = img.naturalHeight;
      sideways.height = img.naturalWidth;
      const sctx = sideways.getContext('2d');
      sctx.translate(0, img.naturalWidth);
      sctx.rotate(-Math.PI / 2);
      sctx.drawImage(img, 0, 0);
      d.setOptions({ mirror: false, rotation: 90 });
      const rotated = d.detect(sideways);
      d.setOptions({ rotation: 0, scoreThreshold: 0.9999 });
      const strict = d.detect(img).length;
      let bad;
      try {
        d.setOptions({ iouThreshold: -1 });
      } catch (e) {
        bad = e.message;
      }
      return { W: img.naturalWidth, H: img.naturalHeight, plain, mirrored, rotated, strict, bad, info: d.info };
    }, { dist: DIST, face: FACE });
    const { W, plain } = out;
    const mirroredBox = { ...plain.box, x: W - plain.box.x - plain.box.width };
    expect(bestMatch(out.mirrored, mirroredBox).iou).toBeGreaterThan(0.85);
    expect(bestMatch(out.rotated, plain.box).iou).toBeGreaterThan(0.85);
    expect(out.strict).toBe(0);
    expect(out.bad).toMatch(/iouThreshold must be a number in \[0, 1\]/);
    expect(out.info).toMatchObject({ family: 'yunet', inputWidth: 320, inputHeight: 320, labels: ['face'] });
    await page.close();
  });

  it('the script-tag and ESM bundles detect under CSP script-src \'self\' \'wasm-unsafe-eval\'', async () => {
    const page = await browser.newPage(`${server.url}/tests/e2e/pages/csp.html?dist=${encodeURIComponent(DIST)}`);
    await page.waitForFunction(() => window.cspResult !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.cspResult);
    expect(r.error).toBeUndefined();
    expect(r.violations).toEqual([]);
    expect(r.iife.length).toBeGreaterThanOrEqual(1);
    expect(r.esm).toEqual(r.iife);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('second load makes no network request; a corrupted cache entry is detected and replaced', async () => {
    const page = await openPage();
    const fetched = [];
    page.on('request', (req) => {
      if (/\.(wasm|tflite)$/.test(new URL(req.url()).pathname)) fetched.push(new URL(req.url()).pathname);
    });
    const load = () => page.evaluate(async ({ dist }) => {
      const api = await window.fdImport(`${dist}index.js`);
      const progress = [];
      const d = await api.FaceDetector.create({ onProgress: (p) => progress.push(p) });
      const report = d.loadReport;
      d.close();
      return { report, progress };
    }, { dist: DIST });
    await page.evaluate(async ({ dist }) => (await window.fdImport(`${dist}index.js`)).clearCache(), { dist: DIST });
    await page.reload();
    const first = await load();
    expect(first.report).toEqual({ wasmFromCache: false, modelFromCache: false });
    // Exactly one wasm build downloaded: the relaxed-SIMD one (Chromium has relaxed SIMD).
    expect(fetched.filter((p) => p.endsWith('.wasm'))).toEqual([expect.stringMatching(/\/featherdet-relaxed\.wasm$/)]);
    expect(fetched.filter((p) => p.endsWith('face.tflite')).length).toBe(1);
    const last = first.progress.filter((p) => p.file.endsWith('face.tflite')).at(-1);
    expect(last.loaded).toBe(last.total);
    expect(last.total).toBeGreaterThan(10_000);

    fetched.length = 0;
    await page.reload();
    const second = await load();
    expect(second.report).toEqual({ wasmFromCache: true, modelFromCache: true });
    expect(fetched).toEqual([]);
    expect(second.progress.every((p) => p.fromCache)).toBe(true);

    // Corrupt the cached model: one byte flipped in its Cache API entry.
    const corrupted = await page.evaluate(async () => {
      const cache = await caches.open('featherdet-v1');
      for (const req of await cache.keys()) {
        const bytes = new Uint8Array(await (await cache.match(req)).arrayBuffer());
        if (bytes[0] !== 0 /* not the wasm (magic \0asm): the model */) {
          bytes[bytes.length >> 1] ^= 0xff;
          await cache.put(req, new Response(bytes));
          return req.url;
        }
      }
      return null;
    });
    expect(corrupted).toMatch(/sha256/);
    fetched.length = 0;
    await page.reload();
    const third = await load();
    expect(third.report).toEqual({ wasmFromCache: true, modelFromCache: false });
    expect(fetched).toEqual([expect.stringMatching(/face\.tflite$/)]);
    fetched.length = 0;
    await page.reload();
    const fourth = await load();
    expect(fourth.report).toEqual({ wasmFromCache: true, modelFromCache: true });
    expect(fetched).toEqual([]);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it('5,000 detections in one page: no wasm memory growth, JS heap within 2 MB', async () => {
    const page = await openPage();
    const cdp = await page.context().newCDPSession(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    await page.evaluate(async ({ dist, face }) => {
      const api = await window.fdImport(`${dist}index.js`);
      const img = new Image();
      img.src = face;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      canvas.getContext('2d').drawImage(img, 0, 0, 320, 240);
      window.bench = { detector: await api.FaceDetector.create({ scoreThreshold: 0.5 }), canvas, found: 0 };
      window.runBatch = (n) => {
        const { detector, canvas } = window.bench;
        for (let i = 0; i < n; ++i) window.bench.found += detector.detect(canvas).length;
        return detector.wasmMemoryBytes;
      };
    }, { dist: DIST, face: FACE });
    const warm = await page.evaluate(() => window.runBatch(50));
    const heap0 = await heap();
    const t0 = Date.now();
    let wasm = warm;
    for (let done = 0; done < 4950; done += 550) wasm = await page.evaluate(() => window.runBatch(550));
    const ms = Date.now() - t0;
    const heap1 = await heap();
    const found = await page.evaluate(() => window.bench.found);
    console.log(`5000 detections: ${(ms / 4950).toFixed(2)} ms each; wasm memory ${warm} -> ${wasm} bytes; ` +
      `JS heap after GC ${heap0} -> ${heap1} bytes (${heap1 - heap0 >= 0 ? '+' : ''}${heap1 - heap0})`);
    expect(found % 5000).toBe(0);
    expect(found).toBeGreaterThan(0);
    expect(wasm).toBe(warm);
    expect(heap1 - heap0).toBeLessThan(2 * 1024 * 1024);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 300_000);
});
