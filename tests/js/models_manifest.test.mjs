// models/manifest.json agrees with the files it describes: upstream sizes and digests, labels,
// calibration images disjoint from the evaluation images, and the featherdet metadata it yields.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { convertArgs, hasInt8Twin, metadataOf, readManifest, sha256 } from '../../scripts/models.mjs';
import { SHARED } from './helpers.mjs';

const manifest = readManifest();
const byId = Object.fromEntries(manifest.models.map((m) => [m.id, m]));
const coco = readFileSync(join(SHARED, 'models/upstream/coco.names'), 'utf8').split('\n').filter(Boolean);

describe('models/manifest.json', () => {
  test('lists face, objects, nanodet-m, objects-320 and objects-tiny once each', () => {
    expect(manifest.models.map((m) => m.id)).toEqual(['face', 'objects', 'nanodet-m', 'objects-320', 'objects-tiny']);
    expect(byId.face.upstream.file).toBe('yunet_n_320_320.onnx');
    expect(byId.objects.upstream.file).toBe('yolox_nano.onnx');
    expect(byId['nanodet-m'].upstream.file).toBe('nanodet_m_416.onnx');
    expect(byId['objects-320'].input).toMatchObject({ width: 320, height: 320 });
    expect(byId['objects-tiny'].upstream.file).toBe('fastestdet_352.onnx');
  });

  test.each(manifest.models.map((m) => [m.id, m]))('%s: upstream bytes and sha256 match ../shared', (_, m) => {
    const file = join(SHARED, 'models/upstream', m.upstream.file);
    expect(statSync(file).size).toBe(m.upstream.bytes);
    expect(sha256(readFileSync(file))).toBe(m.upstream.sha256);
    expect(m.upstream.url).toBe(`https://raw.githubusercontent.com/${m.upstream.repository.replace('https://github.com/', '')}/${m.upstream.commit}/${m.upstream.path}`);
    expect(existsSync(join(SHARED, m.upstream.licenseFile))).toBe(true);
  });

  test('object models carry the 80 COCO names in coco.names order', () => {
    for (const id of ['objects', 'nanodet-m', 'objects-320', 'objects-tiny']) expect(byId[id].labels).toEqual(coco);
    expect(coco).toHaveLength(80);
  });

  test('face calibration: 50 WIDER images, every third one; the other 100 are evaluated', () => {
    const all = readdirSync(join(SHARED, 'data/widerface-val/images')).sort();
    const calib = byId.face.calibration.files;
    expect(calib).toHaveLength(50);
    expect(calib).toEqual(all.filter((_, i) => i % 3 === 0));
    expect(all.filter((f) => !calib.includes(f))).toHaveLength(100);
  });

  test('object calibration uses coco128 train2017, evaluation val2017 (no overlap)', () => {
    const train = readdirSync(join(SHARED, byId.objects.calibration.dir));
    const val = readdirSync(join(SHARED, byId.objects.evaluation.dir, 'images'));
    expect(train.length).toBe(128);
    expect(val.filter((f) => train.includes(f))).toEqual([]);
  });

  test('metadata follows the featherdet metadata format (vision/decoder_config.h)', () => {
    const meta = metadataOf(byId['nanodet-m']);
    expect(meta).toMatchObject({
      version: 1, family: 'nanodet', strides: [8, 16, 32], reg_max: 7,
      input: { width: 416, height: 416, resize: 'letterbox', pixels: 'RGB', range: 'raw' },
      outputs: { cls: ['792', '814', '836'], reg: ['795', '817', '839'] },
      score_threshold: 0.4, iou_threshold: 0.6, max_results: 100,
      source: { file: 'nanodet_m_416.onnx', license: 'Apache-2.0' },
    });
    expect(meta.labels).toHaveLength(80);
    expect(metadataOf(byId.objects)).toMatchObject({
      version: 1, family: 'yolox', strides: [8, 16, 32],
      input: { width: 416, height: 416, resize: 'letterbox', align: 'top-left', pad_value: 114, pixels: 'RGB', range: 'raw' },
      score_threshold: 0.3, iou_threshold: 0.45, max_results: 100,
      source: { file: 'yolox_nano.onnx', license: 'Apache-2.0' },
    });
    expect(Object.keys(metadataOf(byId.objects).outputs)).toEqual(['reg', 'obj', 'cls']);
    const face = metadataOf(byId.face);
    expect(face.keypoints).toEqual(['right_eye', 'left_eye', 'nose', 'right_mouth', 'left_mouth']);
    expect(Object.keys(face.outputs)).toEqual(['cls', 'obj', 'bbox', 'kps']);
    expect(metadataOf(byId['objects-tiny'])).toMatchObject({ family: 'fastestdet', outputs: { pred: ['758'] } });
    expect(metadataOf(byId['objects-tiny'])).not.toHaveProperty('strides');
  });

  test('converter arguments: INT8 calibrates, fp32 uses --float', () => {
    const files = { onnx: 'm.onnx', out: 'o.tflite', calibDir: 'cal', calibCount: 128, labelsFile: 'l.txt', metadataFile: 'm.json' };
    const int8 = convertArgs(byId['objects-320'], { ...files, variant: 'int8' });
    expect(int8.slice(0, 7)).toEqual(['m.onnx', '-o', 'o.tflite', '--preset', 'nanodet', '--input-size', '320x320']);
    expect(int8.slice(int8.indexOf('--calib'), int8.indexOf('--calib') + 4)).toEqual(['--calib', 'cal', '--calib-limit', '128']);
    expect(int8).not.toContain('--float');
    const fp32 = convertArgs(byId.face, { ...files, variant: 'fp32' });
    expect(fp32).toContain('--float');
    expect(fp32).not.toContain('--calib');
  });

  test('the INT8 twin of a model with INT4 layers is its INT8 recipe without the size budget', () => {
    expect(manifest.models.filter(hasInt8Twin).map((m) => m.id)).toEqual(['objects']);
    const files = { onnx: 'm.onnx', out: 'o.tflite', calibDir: 'cal', calibCount: 128, labelsFile: 'l.txt', metadataFile: 'm.json' };
    const int8 = convertArgs(byId.objects, { ...files, variant: 'int8' });
    const twin = convertArgs(byId.objects, { ...files, variant: 'int8-twin' });
    expect(int8.slice(int8.indexOf('--size-budget'), int8.indexOf('--size-budget') + 2)).toEqual(['--size-budget', '990000']);
    expect(twin).toEqual(int8.filter((a, i) => a !== '--size-budget' && int8[i - 1] !== '--size-budget'));
  });
});
