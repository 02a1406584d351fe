// Errors as a contract, checked on the minified script-tag build (featherdet.iife.js, whose
// classes the minifier renames) and across the worker boundary: every error's `name`, `code` and
// `instanceof`; messages that name the cause (option typos, a misspelt bundled model, CORS, a
// page CSP without 'wasm-unsafe-eval'); frames that cannot be read (cross-origin, zero-size,
// closed, still loading) leave the detector usable on both threads. Also the MediaPipe-style
// additions: detectForVideo, normalized coordinates and drawDetections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

const DIST = process.env.FEATHERDET_DIST ?? '/dist/';
const FACE = '/shared/conformance/images/face.jpg';

let site;
let other;
let browser;

beforeAll(async () => {
  // The page's origin, and a second origin serving the same files without CORS headers.
  site = await startServer({ isolate: false });
  other = await startServer({ isolate: false });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await other?.close();
});

/** A page on the site origin with the minified script-tag build loaded (global `featherdet`). */
async function openPage() {
  const page = await browser.newPage(`${site.url}/tests/e2e/pages/api.html`);
  await page.addScriptTag({ url: `${DIST}featherdet.iife.js` });
  return page;
}

describe.each([false, true])('worker: %s', (worker) => {
  it('errors keep name, code and class through minification and the worker; the detector survives every bad frame', async () => {
    const page = await openPage();
    const out = await page.evaluate(async ({ face, otherFace, ownModel, otherModel, worker }) => {
      const fd = window.featherdet;
      const describe = (e) => ({
        name: e.name,
        code: e.code,
        message: e.message,
        classes: ['FeatherdetError', 'OptionsError', 'SourceError', 'ClosedError', 'IntegrityError', 'ModelError', 'FetchError',
          'UnsupportedOpError', 'WasmSupportError'].filter((c) => e instanceof fd[c]),
      });
      const caught = async (f) => {
        try {
          await f();
          return 'no error';
        } catch (e) {
          return describe(e);
        }
      };
      const load = async (src, crossOrigin) => {
        const img = new Image();
        if (crossOrigin !== undefined) img.crossOrigin = crossOrigin;
        img.src = src;
        await img.decode();
        return img;
      };
      const img = await load(face);
      const foreign = await load(otherFace); // no CORS: drawable, but its pixels may not be read
      const r = {};
      r.unknownOption = await caught(() => fd.FaceDetector.create({ worker, threshold: 0.5 }));
      r.typo = await caught(() => fd.Detector.create({ worker, model: 'fase' }));
      r.integrity = await caught(() => fd.Detector.create({ worker, model: ownModel, modelSha256: '0'.repeat(64) }));
      r.cors = await caught(() => fd.Detector.create({ worker, model: otherModel }));
      const detector = await fd.FaceDetector.create({ worker });
      r.setOptionsTypo = await caught(() => detector.setOptions({ treshold: 0.5 }));
      r.before = (await detector.detect(img)).length;
      const zero = document.createElement('canvas');
      zero.width = 0;
      const closedBitmap = await createImageBitmap(img);
      closedBitmap.close();
      const closedFrame = new VideoFrame(await createImageBitmap(img), { timestamp: 0 });
      closedFrame.close();
      const bad = {
        crossOrigin: foreign,
        zeroSize: zero,
        closedBitmap,
        closedFrame,
        loading: Object.assign(new Image(), { src: face + '?loading' }),
        null: null,
      };
      r.frames = {};
      for (const [kind, source] of Object.entries(bad)) r.frames[kind] = await caught(() => detector.detect(source));
      r.afterCrossOrigin = (await detector.detect(img)).length;
      r.crossOriginAgain = await caught(() => detector.detect(foreign));
      r.after = (await detector.detect(img)).length;
      detector.close();
      r.closed = await caught(() => detector.detect(img));
      return r;
    }, {
      face: FACE,
      otherFace: `${other.url}${FACE}`,
      ownModel: `${DIST}models/face.tflite`,
      otherModel: `${other.url}${DIST}models/face.tflite`,
      worker,
    });
    expect(out.unknownOption).toMatchObject({ name: 'OptionsError', code: 'ERR_OPTIONS', classes: ['FeatherdetError', 'OptionsError'] });
    expect(out.unknownOption.message).toMatch(/unknown option 'threshold' \(did you mean 'scoreThreshold'\?\); valid options: .*iouThreshold/);
    expect(out.setOptionsTypo).toMatchObject({ name: 'OptionsError', code: 'ERR_OPTIONS' });
    expect(out.setOptionsTypo.message).toMatch(/unknown option 'treshold' \(did you mean 'scoreThreshold'\?\)/);
    expect(out.typo).toMatchObject({ name: 'ModelError', code: 'ERR_MODEL', classes: ['FeatherdetError', 'ModelError'] });
    expect(out.typo.message).toMatch(/unknown model 'fase' \(did you mean 'face'\?\): the bundled models are 'face', 'objects', 'nanodet-m', 'objects-tiny'/);
    expect(out.integrity).toMatchObject({ name: 'IntegrityError', code: 'ERR_INTEGRITY', classes: ['FeatherdetError', 'IntegrityError'] });
    expect(out.cors).toMatchObject({ name: 'FetchError', code: 'ERR_FETCH', classes: ['FeatherdetError', 'ModelError', 'FetchError'] });
    expect(out.cors.message).toMatch(/did not let this page .* Access-Control-Allow-Origin/);
    expect(out.cors.message).not.toMatch(/reinstall/);
    expect(out.before).toBe(4);
    for (const [kind, e] of Object.entries(out.frames)) {
      expect(e, kind).toMatchObject({ name: 'SourceError', code: 'ERR_SOURCE', classes: ['FeatherdetError', 'SourceError'] });
      expect(e.message, kind).toMatch(/^detect\(source\): /);
    }
    expect(out.frames.crossOrigin.message).toMatch(/cross-origin.*CORS/);
    expect(out.afterCrossOrigin).toBe(4);
    expect(out.crossOriginAgain.name).toBe('SourceError');
    expect(out.after).toBe(4);
    expect(out.closed).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED', classes: ['FeatherdetError', 'ClosedError'] });
    expect(page.errors.filter((e) => !/Failed to load resource|CORS policy/.test(e))).toEqual([]);
    await page.close();
  });

  it('detectForVideo checks timestamps and returns detect()\'s results; normalized: true gives [0, 1] coordinates', async () => {
    const page = await openPage();
    const out = await page.evaluate(async ({ face, worker }) => {
      const fd = window.featherdet;
      const img = new Image();
      img.src = face;
      await img.decode();
      const detector = await fd.FaceDetector.create({ worker });
      const plain = await detector.detect(img);
      const video = await detector.detectForVideo(img, 10);
      let again;
      try {
        await detector.detectForVideo(img, 10);
        again = 'no error';
      } catch (e) {
        again = { name: e.name, message: e.message };
      }
      const later = (await detector.detectForVideo(img, 11)).length;
      await detector.setOptions({ normalized: true });
      const normalized = await detector.detect(img);
      detector.close();
      return { plain, video, again, later, normalized, size: [img.naturalWidth, img.naturalHeight] };
    }, { face: FACE, worker });
    expect(out.video).toEqual(out.plain);
    expect(out.again.name).toBe('SourceError');
    expect(out.again.message).toMatch(/timestamps must increase/);
    expect(out.later).toBe(4);
    const [W, H] = out.size;
    expect(out.normalized.length).toBe(4);
    out.normalized.forEach((d, i) => {
      const p = out.plain[i];
      expect(d.box.x).toBeCloseTo(p.box.x / W, 5);
      expect(d.box.y).toBeCloseTo(p.box.y / H, 5);
      expect(d.box.width).toBeCloseTo(p.box.width / W, 5);
      expect(d.box.height).toBeCloseTo(p.box.height / H, 5);
      d.keypoints.forEach((k, j) => expect(k.x).toBeCloseTo(p.keypoints[j].x / W, 5));
    });
    await page.close();
  });
});

describe('drawing, offline and CSP', () => {
  it('drawDetections draws each box in its colour, a label and the keypoints', async () => {
    const page = await openPage();
    const out = await page.evaluate(async ({ face }) => {
      const fd = window.featherdet;
      const img = new Image();
      img.src = face;
      await img.decode();
      const faces = await fd.FaceDetector.create();
      const found = faces.detect(img);
      faces.close();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      fd.drawDetections(ctx, found, { color: '#ff0000', keypointColors: ['#00ff00'], lineWidth: 4 });
      const px = (x, y) => Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data);
      return found.map((d) => ({
        leftEdge: px(d.box.x, d.box.y + d.box.height / 2),
        inside: px(d.box.x + 0.15 * d.box.width, d.box.y + 0.85 * d.box.height),
        keypoint: px(d.keypoints[2].x, d.keypoints[2].y),
        label: px(d.box.x + 3, d.box.y >= 24 ? d.box.y - 6 : d.box.y + 6),
      }));
    }, { face: FACE });
    expect(out.length).toBe(4);
    for (const d of out) {
      expect(d.leftEdge).toEqual([255, 0, 0, 255]);
      expect(d.inside[3]).toBe(0);
      expect(d.keypoint).toEqual([0, 255, 0, 255]);
      expect(d.label[3]).toBe(255);
    }
    await page.close();
  });

  it('offline, a model download fails with a FetchError that says so (not CORS, not a missing file)', async () => {
    const page = await openPage();
    // Warm the runtime while online, then cut the network.
    await page.evaluate(async () => (await window.featherdet.FaceDetector.create()).close());
    await browser.context.setOffline(true);
    try {
      const out = await page.evaluate(async (model) => {
        try {
          await window.featherdet.Detector.create({ model });
          return 'no error';
        } catch (e) {
          return { name: e.name, code: e.code, message: e.message, status: e.status };
        }
      }, `${DIST}models/objects-tiny.tflite?offline`);
      expect(out).toMatchObject({ name: 'FetchError', code: 'ERR_FETCH', status: 0 });
      expect(out.message).toMatch(/this device is offline/);
    } finally {
      await browser.context.setOffline(false);
    }
    await page.close();
  });

  it("a page whose CSP lacks 'wasm-unsafe-eval' gets a WasmSupportError naming it, before the wasm is downloaded", async () => {
    const page = await browser.context.newPage();
    const wasmRequests = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmRequests.push(r.url()); });
    await page.goto(`${site.url}/tests/e2e/pages/csp-nowasm.html?dist=${encodeURIComponent(DIST)}`);
    await page.waitForFunction(() => window.cspResult !== undefined, null, { timeout: 30_000 });
    const out = await page.evaluate(() => window.cspResult);
    expect(out).toMatchObject({ name: 'WasmSupportError', code: 'ERR_WASM_SUPPORT', isWasmSupportError: true });
    expect(out.message).toMatch(/Content-Security-Policy .* 'wasm-unsafe-eval'/);
    expect(wasmRequests).toEqual([]);
    await page.close();
  });
});
