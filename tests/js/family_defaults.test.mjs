// Family defaults on files exported elsewhere: each upstream ONNX converted to a float TFLite with
// no featherdet metadata and its normalization left outside the graph (as onnx2tf and most
// exporters leave it), run with nothing but `decoder: { family }`. The defaults must feed it what
// the upstream inference code feeds it (channel order, mean/std, resize), so it must find what the
// bundled fp32 file finds: the same network with that preprocessing folded into its first layer by
// featherdet-convert, which fp32_models.test.mjs checks against the upstream ONNX in
// onnxruntime-web. The folded file pads its first convolution with zeros where the unfolded one
// pads with normalized zeros, so border cells may differ slightly (NanoDet, the one family with a
// nonzero mean, measured: scores within 0.0084, boxes IoU >= 0.98): scores within 0.02, IoU >= 0.95.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IMAGES_DIR, ROOT, SHARED, bytesOf, importApi } from './helpers.mjs';

const BIN = join(ROOT, 'bin/featherdet.mjs');
const COCO = (id) => join(SHARED, `data/coco128/val2017/images/${id}.jpg`);
const tmp = mkdtempSync(join(tmpdir(), 'featherdet-family-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Bundled fp32 files carry their own resize mode; the unfolded file gets the family's default,
// so the bundled side is told the same one.
const CASES = [
  { family: 'yunet', onnx: 'yunet_n_320_320.onnx', bundled: 'face', resize: 'stretch', images: [join(IMAGES_DIR, 'face.jpg'), join(SHARED, 'data/widerface-val/images/0_Parade_Parade_0_125.jpg')] },
  { family: 'nanodet', onnx: 'nanodet_m_416.onnx', bundled: 'nanodet-m', resize: 'letterbox', images: [COCO('000000000139'), COCO('000000000632')] },
  { family: 'yolox', onnx: 'yolox_nano.onnx', bundled: 'objects', resize: 'letterbox', images: [COCO('000000000139'), COCO('000000000632')] },
  { family: 'fastestdet', onnx: 'fastestdet_352.onnx', bundled: 'objects-tiny', resize: 'stretch', images: [COCO('000000000139'), COCO('000000000632')] },
];

let api;
beforeAll(async () => {
  api = await importApi();
});

function iou(a, b) {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Detections of `want` (score >= 0.1 above the threshold, away from the threshold's edge) with no twin in `got`. */
function unmatched(want, got, threshold) {
  return want.filter((w) => w.score >= threshold + 0.1).filter((w) => !got.some((g) => g.labelId === w.labelId &&
    Math.abs(g.score - w.score) <= 0.02 && iou(g.box, w.box) >= 0.95));
}

const converted = new Map();
function convertUnfolded(onnx) {
  if (converted.has(onnx)) return converted.get(onnx);
  const out = join(tmp, onnx.replace('.onnx', '.float.tflite'));
  const r = spawnSync(process.execPath, [BIN, 'convert', join(SHARED, 'models/upstream', onnx), '-o', out, '--float'],
    { encoding: 'utf8', timeout: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  converted.set(onnx, new Uint8Array(readFileSync(out)));
  return converted.get(onnx);
}

describe('family defaults match upstream preprocessing', () => {
  for (const c of CASES) {
    test(`${c.family}: an unfolded export with only { family } finds what the folded bundled file finds`, async () => {
      const model = convertUnfolded(c.onnx);
      await expect(api.Detector.create({ model })).rejects.toThrow(/neither featherdet nor Ultralytics metadata/);
      // The bundled files' thresholds differ from the families' defaults in places: use one pair.
      const filters = { scoreThreshold: 0.3, iouThreshold: 0.5 };
      const plain = await api.Detector.create({ model, decoder: { family: c.family }, ...filters });
      const folded = await api.Detector.create({ model: bytesOf(join(ROOT, `models/dist/${c.bundled}.fp32.tflite`)),
        decoder: { input: { resize: c.resize } }, ...filters });
      // Control: fed raw RGB (the defaults before this check existed), the unfolded file finds something else.
      const raw = await api.Detector.create({ model, decoder: { family: c.family, input: { pixels: 'RGB', range: 'raw' } },
        ...filters });
      const threshold = filters.scoreThreshold;
      let compared = 0, rawMisses = 0;
      for (const image of c.images) {
        const want = folded.detect(bytesOf(image));
        const got = plain.detect(bytesOf(image));
        expect(unmatched(want, got, threshold), `${image}: folded-file detections missing`).toEqual([]);
        expect(unmatched(got, want, threshold), `${image}: extra detections`).toEqual([]);
        compared += want.length;
        rawMisses += unmatched(want, raw.detect(bytesOf(image)), threshold).length;
      }
      expect(compared).toBeGreaterThan(0);
      expect(rawMisses).toBeGreaterThan(0);
      for (const d of [plain, folded, raw]) d.close();
    });
  }

  test('decoder.input spells the same mapping out (BGR, per-channel mean and std) and rejects malformed values', async () => {
    const model = convertUnfolded('nanodet_m_416.onnx');
    const image = bytesOf(COCO('000000000632'));
    const byDefault = await api.Detector.create({ model, decoder: { family: 'nanodet' } });
    const spelled = await api.Detector.create({ model, decoder: { family: 'nanodet',
      input: { pixels: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], resize: 'letterbox', pad_value: 0 } } });
    const want = byDefault.detect(image);
    expect(want.length).toBeGreaterThan(0);
    expect(spelled.detect(image)).toEqual(want);
    const rgb = await api.Detector.create({ model, decoder: { family: 'nanodet', input: { pixels: 'RGB' } } });
    expect(rgb.detect(image)).not.toEqual(want);
    for (const d of [byDefault, spelled, rgb]) d.close();
    await expect(api.Detector.create({ model, decoder: { family: 'nanodet', input: { mean: [1, 2] } } }))
      .rejects.toThrow(/decoder field 'input.mean' must be a number or an array of 3 numbers/);
    await expect(api.Detector.create({ model, decoder: { family: 'nanodet', input: { pixels: 'BGRA' } } }))
      .rejects.toThrow(/decoder field 'input.pixels' must be "RGB" or "BGR"/);
  });
});
