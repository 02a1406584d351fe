// The ONNX importer against onnxruntime-web: the upstream fp32 detectors run through
// featherdet-onnx-run (native float interpreter, spawned) and through onnxruntime-web in Node on
// the same preprocessed NCHW input; every output must agree to a relative L2 error < 1e-4.
// FEATHERDET_NATIVE_DIR names the native build directory (default build/native).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, SHARED } from './helpers.mjs';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const TOOL = join(resolve(ROOT, process.env.FEATHERDET_NATIVE_DIR || 'build/native'), 'featherdet-onnx-run');
const UPSTREAM = join(SHARED, 'models/upstream');
const FACES = join(SHARED, 'data/widerface-val/images');
const COCO = join(SHARED, 'data/coco128/val2017/images');
const work = mkdtempSync(join(tmpdir(), 'featherdet-onnx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = [
  { model: 'yunet_n_320_320.onnx', args: ['--bgr'], images: [FACES, 3] },
  { model: 'yunet_n_dynamic.onnx', args: ['--input-size', '320x320', '--bgr'], images: [FACES, 2] },
  {
    model: 'nanodet_m_416.onnx',
    args: ['--mean', '103.53,116.28,123.675', '--std', '57.375,57.12,58.395', '--bgr'],
    images: [COCO, 2],
  },
  { model: 'fastestdet_352.onnx', args: ['--std', '255,255,255', '--bgr'], images: [COCO, 3] },
  { model: 'yolox_nano.onnx', args: ['--bgr'], images: [COCO, 2] },
  // Focus slicing folded into one 6x6 stride-2 convolution, then the (identity) normalization.
  { model: 'yolox_nano.onnx', args: ['--bgr', '--fold'], images: [COCO, 2] },
];

function pickImages(dir, count) {
  return spawnSync('ls', [dir], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((f) => /\.(jpe?g|png|bmp)$/i.test(f))
    .slice(0, count)
    .map((f) => join(dir, f));
}

/** featherdet's outputs (name -> {shape, values}) and the dumped NCHW input. */
function runFeatherdet(model, image, args) {
  const dump = join(work, 'input.f32');
  const r = spawnSync(TOOL, [join(UPSTREAM, model), image, ...args, '--dump-input', dump, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`featherdet-onnx-run failed: ${r.stderr}`);
  const outputs = new Map(JSON.parse(r.stdout).outputs.map((o) => [o.name, o]));
  const bytes = readFileSync(dump);
  const input = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { outputs, input };
}

/** NHWC values back to NCHW (featherdet stores 4-D outputs NHWC). */
function nhwcToNchw(values, [n, h, w, c]) {
  const out = new Float32Array(values.length);
  for (let b = 0; b < n; ++b)
    for (let y = 0; y < h; ++y)
      for (let x = 0; x < w; ++x)
        for (let ch = 0; ch < c; ++ch) out[((b * c + ch) * h + y) * w + x] = values[((b * h + y) * w + x) * c + ch];
  return out;
}

describe('ONNX import vs onnxruntime-web', () => {
  it('featherdet-onnx-run is built (scripts/build.sh)', () => {
    expect(existsSync(TOOL), `${TOOL} is missing`).toBe(true);
  });
  for (const { model, args, images } of CASES) {
    it(`${model} ${args.join(' ')}: every output within relative L2 1e-4`, async () => {
      const session = await ort.InferenceSession.create(join(UPSTREAM, model));
      const inputName = session.inputNames[0];
      const report = [];
      for (const image of pickImages(...images)) {
        const fd = runFeatherdet(model, image, args);
        const side = Math.round(Math.sqrt(fd.input.length / 3));
        const feeds = { [inputName]: new ort.Tensor('float32', fd.input, [1, 3, side, side]) };
        const ref = await session.run(feeds);
        expect(fd.outputs.size).toBe(session.outputNames.length);
        for (const name of session.outputNames) {
          const want = ref[name];
          const got = fd.outputs.get(name);
          expect(got, `output ${name}`).toBeDefined();
          let values = Float32Array.from(got.values);
          if (got.shape.length === 4) {
            values = nhwcToNchw(values, got.shape);
            expect([got.shape[0], got.shape[3], got.shape[1], got.shape[2]]).toEqual(want.dims.map(Number));
          } else {
            expect(got.shape).toEqual(want.dims.map(Number));
          }
          let err = 0, norm = 0, maxAbs = 0;
          for (let k = 0; k < values.length; ++k) {
            const d = values[k] - want.data[k];
            err += d * d;
            norm += want.data[k] * want.data[k];
            maxAbs = Math.max(maxAbs, Math.abs(d));
          }
          const rel = Math.sqrt(err / Math.max(norm, 1e-30));
          report.push(`${image.split('/').pop()} ${name}: rel L2 ${rel.toExponential(2)}, max abs ${maxAbs.toExponential(2)}`);
          expect(rel, `${model} ${name} on ${image}`).toBeLessThan(1e-4);
        }
      }
      console.log(`${model}\n  ${report.join('\n  ')}`);
      await session.release();
    });
  }
});
