// Bad models become thrown Errors with featherdet's message, and the runtime stays usable after
// every one of them.
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { IMAGES_DIR, MOBILENET_V1, ROOT, bytesOf, flatcBinary, flatcJson, importApi, tinyModel } from './helpers.mjs';
import { join } from 'node:path';

let api;
let runtime;
beforeAll(async () => {
  api = await importApi();
  runtime = await api.loadRuntime();
});

/** A good model still loads and runs on the same runtime. */
async function expectRuntimeUsable() {
  const model = await api.TfliteModel.create(tinyModel(), { runtime });
  const [out] = model.run([new Int8Array([9, 8, 7, 6, 5, 4])]);
  expect(Array.from(out.data)).toEqual([9, 8, 7, 6, 5, 4]);
  model.close();
}

/** mobilenet_v1 with its AVERAGE_POOL_2D operator code rewritten to `name` (through JSON). */
function mobilenetWithOp(code, name) {
  const json = flatcJson(MOBILENET_V1);
  const idx = json.operator_codes.findIndex((c) => c.builtin_code === 'AVERAGE_POOL_2D' || c.deprecated_builtin_code === 1);
  expect(idx).toBeGreaterThanOrEqual(0);
  json.operator_codes[idx] = { deprecated_builtin_code: code, builtin_code: name, version: 1 };
  const node = json.subgraphs[0].operators.findIndex((op) => (op.opcode_index ?? 0) === idx);
  return { bytes: flatcBinary(json), node };
}

describe('bad models', () => {
  const mobilenet = () => bytesOf(MOBILENET_V1);

  test('truncated file', async () => {
    const cut = mobilenet().slice(0, 150_000);
    await expect(api.TfliteModel.create(cut, { runtime })).rejects.toThrow(/corrupt or truncated TFLite model/);
    await expectRuntimeUsable();
  });

  test('corrupted bytes', async () => {
    const bytes = mobilenet().slice();
    // Overwrite the root table offset and the vtable region after the identifier.
    for (let i = 0; i < 4; ++i) bytes[i] = 0xff;
    for (let i = 8; i < 64; ++i) bytes[i] ^= 0x5a;
    await expect(api.TfliteModel.create(bytes, { runtime })).rejects.toThrow(/corrupt or truncated TFLite model/);
    await expectRuntimeUsable();
  });

  test('a file that is not a TFLite model', async () => {
    const jpg = bytesOf(join(IMAGES_DIR, 'face.jpg'));
    await expect(api.TfliteModel.create(jpg, { runtime })).rejects.toThrow(/not a TFLite model/);
    await expect(api.TfliteModel.create(new Uint8Array(0), { runtime })).rejects.toThrow(/not a TFLite model/);
    await expect(api.TfliteModel.create(new TextEncoder().encode('{"not": "a model"}'), { runtime })).rejects.toThrow(
      /not a TFLite model/,
    );
    await expectRuntimeUsable();
  });

  test('an op featherdet lacks (tiny model): names the op and node index', async () => {
    const bytes = tinyModel({ secondOp: { code: 66, name: 'SIN' } });
    await expect(api.TfliteModel.create(bytes, { runtime })).rejects.toThrow(
      'model uses op SIN (node 1), which featherdet does not support',
    );
    await expectRuntimeUsable();
  });

  test('an op featherdet lacks (edited real model): names the op and node index', async () => {
    const { bytes, node } = mobilenetWithOp(12, 'L2_POOL_2D');
    expect(node).toBeGreaterThan(0);
    await expect(api.TfliteModel.create(bytes, { runtime })).rejects.toThrow(
      `model uses op L2_POOL_2D (node ${node}), which featherdet does not support`,
    );
    await expectRuntimeUsable();
  });

  test('tensor types featherdet lacks', async () => {
    for (const type of ['COMPLEX64', 'STRING']) {
      await expect(api.TfliteModel.create(tinyModel({ inputType: type }), { runtime })).rejects.toThrow(
        new RegExp(`tensor 'input' has type ${type} \\(\\d+\\), which featherdet does not support`),
      );
    }
    await expectRuntimeUsable();
  });

  test('the error class comes from the C++ status code, not from the message', async () => {
    const unsupported = await api.TfliteModel.create(tinyModel({ secondOp: { code: 66, name: 'SIN' } }), { runtime }).catch((e) => e);
    expect(unsupported).toBeInstanceOf(api.UnsupportedOpError);
    expect(unsupported.code).toBe('ERR_UNSUPPORTED_OP');
    const type = await api.TfliteModel.create(tinyModel({ inputType: 'STRING' }), { runtime }).catch((e) => e);
    expect(type.code).toBe('ERR_UNSUPPORTED_OP');
    const corrupt = await api.TfliteModel.create(bytesOf(join(IMAGES_DIR, 'face.jpg')), { runtime }).catch((e) => e);
    expect(corrupt).toMatchObject({ name: 'ModelError', code: 'ERR_MODEL' });
    // A message that says "is not supported" about the caller's decoder option is no unsupported op.
    const face = bytesOf(join(ROOT, 'models/dist/face.tflite'));
    const family = await api.Detector.create({ model: face, decoder: { family: 'ssd' } }).catch((e) => e);
    expect(family.message).toMatch(/decoder family 'ssd' is not supported/);
    expect(family).not.toBeInstanceOf(api.UnsupportedOpError);
    expect(family).toBeInstanceOf(api.ModelError);
    // Options the C++ side rejects come back as OptionsError.
    const detector = await api.Detector.create({ model: face });
    const allowDeny = (() => {
      try {
        detector.setOptions({ categoryAllowlist: ['face'], categoryDenylist: ['face'] });
      } catch (e) {
        return e;
      }
    })();
    expect(allowDeny).toMatchObject({ name: 'OptionsError', code: 'ERR_OPTIONS' });
    expect(allowDeny.message).toMatch(/mutually exclusive/);
    expect(detector.detect(bytesOf(join(IMAGES_DIR, 'face.jpg'))).length).toBe(4);
    const notImage = (() => {
      try {
        detector.detect(new Uint8Array([1, 2, 3, 4]));
      } catch (e) {
        return e;
      }
    })();
    expect(notImage).toMatchObject({ name: 'SourceError', code: 'ERR_SOURCE' });
    detector.close();
  });

  test('errors are real Error objects without C++ noise', async () => {
    const err = await api.TfliteModel.create(readFileSync(join(IMAGES_DIR, 'cat.bmp')), { runtime }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("not a TFLite model: missing the 'TFL3' file identifier");
    await expectRuntimeUsable();
  });
});
