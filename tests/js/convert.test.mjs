// `featherdet convert` (bin/convert.mjs -> native featherdet-convert), spawned as users run it:
// a YuNet conversion with its metadata, and the errors for a missing converter, malformed ONNX,
// an unsupported preset and a missing or empty calibration folder. FEATHERDET_NATIVE_DIR (or
// FEATHERDET_CONVERT) names the native build as for the other native-tool tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from './helpers.mjs';
import { converterPath } from '../../bin/convert.mjs';

const BIN = join(ROOT, 'bin/featherdet.mjs');
const SHARED = resolve(ROOT, '../shared');
const YUNET = join(SHARED, 'models/upstream/yunet_n_320_320.onnx');
const YOLOX = join(SHARED, 'models/upstream/yolox_nano.onnx');
const WIDER = join(SHARED, 'data/widerface-val/images');
const tmp = mkdtempSync(join(tmpdir(), 'featherdet-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The featherdet metadata JSON embedded in a converted file. */
function metadataOf(bytes) {
  const text = bytes.toString('latin1');
  const start = text.indexOf('{"version":1');
  expect(start).toBeGreaterThan(0);
  return JSON.parse(text.slice(start, text.indexOf('}}', start) + 2));
}

function convert(args, env = {}) {
  const r = spawnSync(process.execPath, [BIN, 'convert', ...args], {
    encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('featherdet convert', () => {
  test('the native converter is built (scripts/build.sh)', () => {
    expect(existsSync(converterPath()), `${converterPath()} is missing: run npm run build`).toBe(true);
  });

  test('YuNet with the yunet preset: INT8 TFLite with featherdet metadata', () => {
    const out = join(tmp, 'yunet.tflite');
    const r = convert([YUNET, '-o', out, '--preset', 'yunet', '--calib', WIDER, '--calib-limit', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/calibrating on 2 images \(mse\)/);
    expect(r.stderr).toMatch(/input INT8 \[1, 320, 320, 3\]/);
    const bytes = readFileSync(out);
    expect(bytes.subarray(4, 8).toString()).toBe('TFL3');
    expect(bytes.length).toBeLessThan(1 << 20);
    const text = bytes.toString('latin1');
    const start = text.indexOf('{"version":1');
    expect(start).toBeGreaterThan(0);
    const meta = JSON.parse(text.slice(start, text.indexOf('}}', start) + 2));
    expect(meta.family).toBe('yunet');
    expect(meta.input).toEqual({ width: 320, height: 320, resize: 'stretch', pixels: 'RGB', range: 'raw' });
    expect(meta.outputs.cls).toEqual(['cls_8', 'cls_16', 'cls_32']);
    expect(meta.labels).toEqual(['face']);
    expect(meta.source.sha256).toMatch(/^81dbde155e982455/);
  });

  test('YOLOX-Nano with the yolox preset: Focus folded, head cut per role, float file as accurate as onnxruntime-web', () => {
    const out = join(tmp, 'yolox.fp32.tflite');
    const r = convert([YOLOX, '-o', out, '--preset', 'yolox', '--float']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/folded 1 space-to-depth front end/);
    const meta = metadataOf(readFileSync(out));
    expect(meta.family).toBe('yolox');
    expect(meta.input).toEqual({
      width: 416, height: 416, resize: 'letterbox', align: 'top-left', pad_value: 114, pixels: 'RGB', range: 'raw',
    });
    expect(Object.keys(meta.outputs)).toEqual(['reg', 'obj', 'cls']);
    for (const names of Object.values(meta.outputs)) expect(names).toHaveLength(3);
    expect(meta.labels).toHaveLength(80);
    // onnxruntime-web on the upstream file with YOLOX's own preprocessing: 33.57 mAP@[.5:.95].
    const e = spawnSync(process.execPath, [BIN, 'eval', '--file', out, '--json'], { encoding: 'utf8', timeout: 300_000 });
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).files[0].metrics['mAP@[.5:.95]']).toBeGreaterThan(33.0);
  });

  test('YOLOX-Nano INT8: its stem chain is split into channel groups and it stays within ~2 mAP of fp32', () => {
    // Without the split (--split-channels 0) this file scores ~26 mAP: the stem's SiLU output spans
    // 0.03 to 125 across channels and one INT8 scale erases the small ones.
    const out = join(tmp, 'yolox.tflite');
    const COCO_TRAIN = join(SHARED, 'data/coco128/train2017/images');
    const r = convert([YOLOX, '-o', out, '--preset', 'yolox', '--calib', COCO_TRAIN, '--calib-limit', '16']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/split [1-9]\d* depthwise chain\(s\) into channel groups/);
    const e = spawnSync(process.execPath, [BIN, 'eval', '--file', out, '--json'], { encoding: 'utf8', timeout: 300_000 });
    expect(e.status, e.stderr).toBe(0);
    const map = JSON.parse(e.stdout).files[0].metrics['mAP@[.5:.95]'];
    console.log(`YOLOX-Nano INT8 (16 calibration images): mAP@[.5:.95] ${map.toFixed(2)} (fp32 33.59)`);
    expect(map).toBeGreaterThan(31.5);
  });

  test('--outputs cuts the graph at the named tensors; unknown names are errors', () => {
    const out = join(tmp, 'cut.tflite');
    let r = convert([YUNET, '-o', out, '--float', '--outputs', 'cls_8', 'bbox_8']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out).toString('latin1');
    expect(text).toContain('cls_8');
    expect(text).toContain('bbox_8');
    expect(text).not.toContain('kps_32');
    r = convert([YUNET, '-o', out, '--float', '--outputs', 'cls_8', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--outputs: no tensor is called 'nope'/);
  });

  test('--report prints per-layer errors, worst first', () => {
    const r = convert([YUNET, '-o', join(tmp, 'r.tflite'), '--preset', 'yunet', '--calib', WIDER, '--calib-limit', '1',
      '--report', '--calibration', 'minmax']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+[A-Z_0-9]+\s+-?\d/.test(l));
    expect(rows.length).toBeGreaterThan(50);
    const sqnr = rows.map((l) => Number(l.trim().split(/\s+/)[2]));
    expect([...sqnr].sort((a, b) => a - b)).toEqual(sqnr);
  });

  test('a missing converter says how to build it', () => {
    const r = convert([YUNET, '-o', join(tmp, 'x.tflite')], { FEATHERDET_CONVERT: join(tmp, 'nope') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/native converter is not built .*run npm run build/);
  });

  test('malformed ONNX, unknown preset, missing and empty calibration folders are clear errors', () => {
    const junk = join(tmp, 'junk.onnx');
    writeFileSync(junk, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    let r = convert([junk, '-o', join(tmp, 'j.tflite'), '--calib', WIDER]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^featherdet-convert: cannot import '.*junk\.onnx': /);

    r = convert([YUNET, '-o', join(tmp, 'p.tflite'), '--calib', WIDER, '--preset', 'ssd']);
    expect(r.stderr).toMatch(/unknown preset 'ssd' \(known: yunet, nanodet, fastestdet, yolov8, yolox\)/);

    r = convert([YUNET, '-o', join(tmp, 'm.tflite'), '--preset', 'yunet', '--calib', join(tmp, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/calibration folder '.*missing' does not exist/);

    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    r = convert([YUNET, '-o', join(tmp, 'e.tflite'), '--preset', 'yunet', '--calib', empty]);
    expect(r.stderr).toMatch(/holds no \.jpg, \.jpeg, \.png or \.bmp images/);

    r = convert([YUNET, '-o', join(tmp, 'n.tflite'), '--preset', 'yunet']);
    expect(r.stderr).toMatch(/--calib DIR is required/);
  });
});
