// featherdet.d.mts types the Embind glue by hand. This compares it, member by member, with what
// src/bindings/embind.cc registers and with what the loaded wasm module really has: a method
// added, renamed or dropped on either side fails here instead of at a user's call.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIST, importDist } from './dist.mjs';
import { ROOT } from './helpers.mjs';

/** Interface name -> member names declared in featherdet.d.mts. */
function declared() {
  const file = join(ROOT, 'web/src/featherdet.d.mts');
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out = {};
  src.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) out[node.name.text] = node.members.map((m) => m.name.getText(src));
  });
  return out;
}

/** Class name -> methods, and free functions, registered in embind.cc. */
function registered() {
  const text = readFileSync(join(ROOT, 'src/bindings/embind.cc'), 'utf8');
  const classes = {};
  for (const m of text.matchAll(/class_<[^>]+>\("(\w+)"\)([\s\S]*?);/g)) {
    classes[m[1]] = [...m[2].matchAll(/\.function\("(\w+)"/g)].map((f) => f[1]);
  }
  const functions = [...text.matchAll(/emscripten::function\("(\w+)"/g)].map((f) => f[1]);
  const values = {};
  for (const m of text.matchAll(/value_object<[^>]+>\("(\w+)"\)([\s\S]*?);/g)) {
    values[m[1]] = [...m[2].matchAll(/\.field\("(\w+)"/g)].map((f) => f[1]);
  }
  return { classes, functions, values };
}

// Members every Embind class has without a .function() (ClassHandle's own methods).
const EMBIND_BUILTINS = ['delete', 'isDeleted', 'deleteLater', 'isAliasOf', 'clone'];
const sorted = (a) => [...a].sort();

let module;

beforeAll(async () => {
  const { loadRuntime } = await importDist('runtime.js');
  module = (await loadRuntime({ wasmBuild: 'baseline' })).module;
});

describe('featherdet.d.mts matches the Embind bindings', () => {
  const types = declared();
  const bound = registered();

  it('the bindings register the two classes and four functions the glue types name', () => {
    expect(Object.keys(bound.classes).sort()).toEqual(['Detector', 'Runtime']);
    expect(bound.functions.length).toBeGreaterThanOrEqual(4);
  });

  for (const [cls, iface] of [['Runtime', 'EmbindRuntime'], ['Detector', 'EmbindDetector']]) {
    it(`${iface} declares exactly ${cls}'s methods, and the module's ${cls} has them`, () => {
      const mine = types[iface].filter((m) => !EMBIND_BUILTINS.includes(m));
      expect(sorted(mine)).toEqual(sorted(bound.classes[cls]));
      const proto = module[cls].prototype;
      for (const m of [...mine, 'delete']) expect(typeof proto[m], `${cls}.prototype.${m}`).toBe('function');
      const real = Object.getOwnPropertyNames(proto).filter((m) => m !== 'constructor' && !EMBIND_BUILTINS.includes(m));
      expect(sorted(real)).toEqual(sorted(mine));
    });
  }

  it('each value object has an Embind<Name> interface declaring exactly its fields', () => {
    expect(Object.keys(bound.values).sort()).toEqual(['DetectorInfo', 'DetectorOptions', 'KernelInfo', 'ModelProfile', 'NodeProfile', 'TensorInfo']);
    for (const [name, fields] of Object.entries(bound.values)) expect(sorted(types[`Embind${name}`] ?? []), name).toEqual(sorted(fields));
  });

  it('value objects reach JS as plain objects with exactly those fields', () => {
    const kernels = module.kernelInfo();
    expect(sorted(Object.keys(kernels))).toEqual(sorted(bound.values.KernelInfo));
    expect(typeof kernels.isa).toBe('string');
    const detector = new module.Detector();
    try {
      expect(detector.info()).toBeNull();
      const bytes = new Uint8Array(readFileSync(join(DIST, 'models/face.tflite')));
      const none = { scoreThreshold: NaN, iouThreshold: NaN, maxResults: NaN, categoryAllowlist: null, categoryDenylist: null, decoder: '' };
      expect(detector.load(bytes, { ...none, scoreThreshold: 0.75, maxResults: 7 })).toBe('');
      const info = detector.info();
      expect(sorted(Object.keys(info))).toEqual(sorted(bound.values.DetectorInfo));
      expect(info).toMatchObject({ family: 'yunet', inputWidth: 320, inputHeight: 320, maxResults: 7, modelBytes: bytes.length, inputType: 'INT8' });
      expect(info.scoreThreshold).toBe(Math.fround(0.75));
      expect(Array.isArray(info.labels) && Array.isArray(info.keypoints)).toBe(true);
      expect(detector.setOptions({ ...none, iouThreshold: 2 })).toMatch(/option 'iouThreshold' must be a number in \[0, 1\]/);
      expect(detector.errorCode()).toBe('invalid_argument');
      expect(detector.setOptions({ ...none, maxResults: 2.5 })).toMatch(/'maxResults' must be a positive integer/);
      expect(detector.setOptions({ ...none, decoder: '{"labels": [' })).toMatch(/option 'decoder' is not valid JSON/);
      expect(detector.info().maxResults).toBe(7);
    } finally {
      detector.delete();
    }
  });

  it('FeatherdetModule declares exactly the registered functions, and the module has them', () => {
    const members = types.FeatherdetModule;
    const functions = members.filter((m) => !['Runtime', 'Detector', 'HEAPU8'].includes(m));
    expect(sorted(functions)).toEqual(sorted(bound.functions));
    for (const f of functions) expect(typeof module[f], f).toBe('function');
    for (const c of ['Runtime', 'Detector']) expect(typeof module[c], c).toBe('function');
    expect(module.HEAPU8).toBeInstanceOf(Uint8Array);
  });
});
