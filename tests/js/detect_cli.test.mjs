// `featherdet detect` and `featherdet eval`, spawned as users run them, on the bundled models
// (models/dist, built by `npm run models`) and the wasm Detector of dist/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { IMAGES_DIR, ROOT, SHARED, importApi } from './helpers.mjs';

const BIN = join(ROOT, 'bin/featherdet.mjs');
const FACE_JPG = join(IMAGES_DIR, 'face.jpg');
const WIDER = join(SHARED, 'data/widerface-val/images/0_Parade_Parade_0_125.jpg');
const COCO = join(SHARED, 'data/coco128/val2017/images/000000000139.jpg');
const tmp = mkdtempSync(join(tmpdir(), 'featherdet-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('featherdet detect', () => {
  test('face model on face.jpg: the four faces with five named landmarks inside each box (JSON)', () => {
    const r = cli('detect', FACE_JPG, '--model', 'face', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(out).toMatchObject({ image: FACE_JPG, width: 512, height: 355 });
    expect(out.detections).toHaveLength(4);
    for (const d of out.detections) {
      expect(d.label).toBe('face');
      expect(d.labelId).toBe(0);
      expect(d.score).toBeGreaterThan(0.8);
      expect(d.box.width).toBeGreaterThan(30);
      expect(d.keypoints.map((k) => k.name)).toEqual(['right_eye', 'left_eye', 'nose', 'right_mouth', 'left_mouth']);
      for (const k of d.keypoints) {
        expect(k.x).toBeGreaterThan(d.box.x);
        expect(k.x).toBeLessThan(d.box.x + d.box.width);
        expect(k.y).toBeGreaterThan(d.box.y);
        expect(k.y).toBeLessThan(d.box.y + d.box.height);
      }
    }
    const scores = out.detections.map((d) => d.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  test('two images, thresholds and max results; --out writes decodable annotated PNGs', async () => {
    const out = join(tmp, 'out');
    const r = cli('detect', FACE_JPG, WIDER, '--score-threshold', '0.5', '--max-results', '2', '--json', '--out', out);
    expect(r.code).toBe(0);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(results.map((x) => x.image)).toEqual([FACE_JPG, WIDER]);
    expect(results[0].detections).toHaveLength(2);
    expect(results[1]).toMatchObject({ width: 416, height: 416 });
    for (const x of results) for (const d of x.detections) expect(d.score).toBeGreaterThanOrEqual(0.5);
    const runtime = await (await importApi()).loadRuntime();
    const png = runtime.decodeImage(new Uint8Array(readFileSync(join(out, 'face.png'))));
    expect([png.width, png.height]).toEqual([512, 355]);
    const src = runtime.decodeImage(new Uint8Array(readFileSync(FACE_JPG)));
    // The first box's top-left corner is drawn over, the image corner is untouched.
    const box = results[0].detections[0].box;
    const at = (img, x, y) => Array.from(img.pixels.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
    expect(at(png, Math.ceil(box.x), Math.ceil(box.y) + 1)).not.toEqual(at(src, Math.ceil(box.x), Math.ceil(box.y) + 1));
    expect(at(png, 0, 0)).toEqual(at(src, 0, 0));
    expect(existsSync(join(out, '0_Parade_Parade_0_125.png'))).toBe(true);
  });

  test('objects, nanodet-m and objects-tiny find the tv and a chair in a COCO living room (text output)', () => {
    for (const model of ['objects', 'nanodet-m', 'objects-tiny']) {
      const r = cli('detect', COCO, '--model', model);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^.*000000000139\.jpg \(640x426\): \d+ detections?\n/);
      expect(r.stdout).toMatch(/\n {2}tvmonitor 0\.\d{3} at x=\d/);
      expect(r.stdout).toMatch(/\n {2}chair 0\.\d{3} at x=\d/);
    }
  });

  test('errors: unknown model, missing image, bad threshold', () => {
    let r = cli('detect', FACE_JPG, '--model', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^featherdet: model 'nope' is neither a bundled model \(face, objects, nanodet-m, objects-320, objects-tiny\) nor an existing file\n$/);
    r = cli('detect', join(tmp, 'missing.jpg'));
    expect(r.stderr).toMatch(/cannot read image '.*missing\.jpg': no such file/);
    r = cli('detect', FACE_JPG, '--score-threshold', '2');
    expect(r.stderr).toMatch(/--score-threshold: '2' is not a number in \[0, 1\]/);
  });
});

describe('featherdet eval', () => {
  test('--limit 5 --json: fp32 and int8 AP side by side for face and objects-tiny', () => {
    for (const model of ['face', 'objects-tiny']) {
      const r = cli('eval', '--model', model, '--limit', '5', '--json');
      expect(r.code, r.stderr).toBe(0);
      const [entry] = JSON.parse(r.stdout).models;
      expect(entry).toMatchObject({ id: model, images: 5 });
      expect(entry.fp32.inputType).toMatch(/float32/i);
      expect(entry.int8.inputType).toMatch(/int8/i);
      for (const v of ['fp32', 'int8']) {
        for (const ap of Object.values(entry[v].metrics)) {
          expect(ap).toBeGreaterThan(5);
          expect(ap).toBeLessThanOrEqual(100);
        }
      }
    }
  });

  test('--int8 FILE evaluates that file in place of the bundled INT8 model; needs one --model', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'featherdet-eval-'));
    try {
      const copy = join(tmp, 'face-copy.tflite');
      copyFileSync(join(ROOT, 'models/dist/face.tflite'), copy);
      let r = cli('eval', '--model', 'face', '--limit', '5', '--json', '--int8', copy);
      expect(r.code, r.stderr).toBe(0);
      const [entry] = JSON.parse(r.stdout).models;
      expect(entry.int8.file).toMatch(/face-copy\.tflite$/);
      const bundled = JSON.parse(cli('eval', '--model', 'face', '--limit', '5', '--json').stdout).models[0];
      expect(entry.int8.metrics).toEqual(bundled.int8.metrics);
      expect(bundled.agreement['AP@0.5']).toBeGreaterThan(50);
      // The fp32 file read as the INT8 one: the same model, so the float AP on both sides and
      // full agreement (its detections are the reference).
      r = cli('eval', '--model', 'face', '--limit', '5', '--json', '--int8', join(ROOT, 'models/dist/face.fp32.tflite'));
      const same = JSON.parse(r.stdout).models[0];
      expect(same.int8.metrics).toEqual(bundled.fp32.metrics);
      expect(same.agreement).toEqual({ 'AP@0.5': 100 });
      r = cli('eval', '--int8', copy);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--int8 FILE needs one --model/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
