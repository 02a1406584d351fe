// Ultralytics YOLOv8n exports (../shared/models/thirdparty/ultralytics-yolov8n, AGPL weights: used
// here only) through the JS API and the CLI with no decoder option: family, labels and
// preprocessing come from the metadata.json zip the export appends. The same file re-packed with
// 8.1.x's temp_meta.txt (a Python-literal dict) must behave the same, and damaged archives or
// metadata must give clear errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, SHARED, bytesOf, importApi } from './helpers.mjs';

const DIR = join(SHARED, 'models/thirdparty/ultralytics-yolov8n');
const FILES = ['yolov8n_full_integer_quant.tflite', 'yolov8n_integer_quant.tflite', 'yolov8n_int8.tflite'];
const IMAGE = join(SHARED, 'data/coco128/val2017/images/000000000139.jpg');
const tmp = mkdtempSync(join(tmpdir(), 'featherdet-ultralytics-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A one-entry zip (deflated) of `text` named `name`, offsets relative to its own start. */
function zip(name, text) {
  const data = Buffer.from(text, 'utf8');
  const packed = deflateRawSync(data);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16); central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const cdOffset = local.length + nameBytes.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12); end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBytes, packed, central, nameBytes, end]);
}

/** The flatbuffer of an Ultralytics export without its appended archive. */
function withoutArchive(bytes) {
  const buf = Buffer.from(bytes);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdStart = eocd - cdSize;
  const base = cdStart - buf.readUInt32LE(eocd + 16);  // what the archive's offsets count from
  return buf.subarray(0, base + buf.readUInt32LE(cdStart + 42));  // the first entry's local header
}

const PYTHON_META = "{'description': 'Ultralytics YOLOv8n model trained on coco.yaml', 'author': 'Ultralytics', " +
  "'version': '8.1.0', 'stride': 32, 'task': 'detect', 'batch': 1, 'imgsz': [640, 640], 'names': {" +
  ['person', 'bicycle', 'car'].map((n, i) => `${i}: '${n}'`).join(', ') + ', ' +
  Array.from({ length: 77 }, (_, i) => `${i + 3}: 'class ${i + 3}'`).join(', ') + '}}';

describe('Ultralytics exports with no decoder option', () => {
  test.each(FILES)('%s: yolov8 family, COCO labels from the file, objects found in a COCO photo', async (file) => {
    const { Detector } = await importApi();
    const det = await Detector.create({ model: bytesOf(join(DIR, file)) });
    try {
      expect(det.info.family).toBe('yolov8');
      expect(det.info.labels.length).toBe(80);
      expect(det.info.labels[62]).toBe('tv');
      expect(det.info.scoreThreshold).toBeCloseTo(0.25, 6);
      expect(det.info.iouThreshold).toBeCloseTo(0.45, 6);
      const found = det.detect(bytesOf(IMAGE));
      const labels = found.map((d) => d.label);
      expect(labels).toContain('tv');
      expect(labels).toContain('person');
      const tv = found.find((d) => d.label === 'tv');
      // COCO's own box for the TV in 000000000139.jpg: x 5.45, y 166.85, 150.2 x 96.5 px.
      expect(Math.abs(tv.box.x - 5.45)).toBeLessThan(5);
      expect(Math.abs(tv.box.y - 166.85)).toBeLessThan(5);
      expect(Math.abs(tv.box.width - 150.2)).toBeLessThan(8);
      expect(Math.abs(tv.box.height - 96.5)).toBeLessThan(8);
    } finally {
      det.close();
    }
  }, 120_000);

  test('the 8.1.x form (temp_meta.txt, a Python-literal dict) gives the same detections', async () => {
    const { Detector } = await importApi();
    const original = bytesOf(join(DIR, FILES[0]));
    const repacked = Buffer.concat([withoutArchive(original), zip('temp_meta.txt', PYTHON_META)]);
    const a = await Detector.create({ model: original });
    const b = await Detector.create({ model: new Uint8Array(repacked) });
    try {
      expect(b.info.labels.slice(0, 4)).toEqual(['person', 'bicycle', 'car', 'class 3']);
      const da = a.detect(bytesOf(IMAGE));
      const db = b.detect(bytesOf(IMAGE));
      expect(db.map((d) => [d.box, d.score, d.labelId])).toEqual(da.map((d) => [d.box, d.score, d.labelId]));
    } finally {
      a.close();
      b.close();
    }
  }, 120_000);

  test('an explicit decoder option still overrides the file', async () => {
    const { Detector } = await importApi();
    const labels = Array.from({ length: 80 }, (_, i) => `c${i}`);
    const det = await Detector.create({ model: bytesOf(join(DIR, FILES[0])), decoder: { labels }, scoreThreshold: 0.5 });
    try {
      expect(det.info.labels[62]).toBe('c62');
      const found = det.detect(bytesOf(IMAGE));
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((d) => d.score >= 0.5 && d.label.startsWith('c'))).toBe(true);
    } finally {
      det.close();
    }
  }, 120_000);

  test('other tasks, damaged metadata and files without metadata get clear errors', async () => {
    const { Detector, ModelError } = await importApi();
    const bare = withoutArchive(bytesOf(join(DIR, FILES[0])));
    const cases = [
      [zip('metadata.json', JSON.stringify({ task: 'segment', names: { 0: 'a' } })), /task is 'segment'.*task 'detect'/],
      [zip('metadata.json', '{"task": "detect", "names": '), /Ultralytics metadata \(metadata\.json\) is not readable/],
      [zip('temp_meta.txt', "{'task': 'detect', 'names': {0: 'a'}, 'x': __import__('os')}"), /Python literal: expected a value/],
      [zip('other.txt', 'x'), /neither featherdet nor Ultralytics metadata \(the archive at the end of the file holds neither/],
      [Buffer.alloc(0), /neither featherdet nor Ultralytics metadata; its outputs are '[^']+' \[1, 84, 8400\]\. Pass the decoder option, e\.g\. \{"decoder": \{"family": "yolov8"/],
    ];
    for (const [archive, message] of cases) {
      const err = await Detector.create({ model: new Uint8Array(Buffer.concat([bare, archive])) }).catch((e) => e);
      expect(err).toBeInstanceOf(ModelError);
      expect(err.message).toMatch(message);
    }
    const damaged = Buffer.concat([bare, zip('metadata.json', '{"task": "detect"}')]);
    damaged[damaged.length - 10] ^= 0xff;  // central directory size
    const err = await Detector.create({ model: new Uint8Array(damaged) }).catch((e) => e);
    expect(err.message).toMatch(/the archive at the end of the file could not be read/);
  }, 120_000);

  test('featherdet detect FILE.tflite works with no decoder option', () => {
    const path = join(tmp, 'best_full_integer_quant.tflite');
    writeFileSync(path, bytesOf(join(DIR, FILES[0])));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/featherdet.mjs'), 'detect', IMAGE, '--model', path, '--json'],
      { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.detections.map((d) => d.label)).toContain('tv');
  }, 120_000);
});
