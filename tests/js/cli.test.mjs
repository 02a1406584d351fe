// The command line (`featherdet run`), spawned as users run it: output and exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { GRACE_HOPPER, IMAGES_DIR, LABELS, MOBILENET_V1, MOBILENET_V2, ROOT, tinyModel } from './helpers.mjs';

const BIN = join(ROOT, 'bin/featherdet.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'featherdet-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts a clean failure: exit 1, one 'featherdet: …' line on stderr, no stack trace. */
function expectCleanError(r, pattern) {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^featherdet: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('featherdet run', () => {
  test('tf2 mobilenet_v2 on grace_hopper: military uniform first', () => {
    const r = cli('run', MOBILENET_V2, GRACE_HOPPER, '--top', '5', '--labels', LABELS);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\d\.\d+ military uniform$/);
    const scores = lines.map((l) => Number(l.split(' ')[0]));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  test('mobilenet_v1 uint8 with --top 3 and without labels prints class indices', () => {
    const r = cli('run', MOBILENET_V1, GRACE_HOPPER, '--top', '3');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    // 401 = 'academic gown' (LiteRT.js agrees: the 0.25-width model ranks it first here).
    expect(lines[0]).toMatch(/^\d\.\d+ 401$/);
  });

  test('--json prints every output with shape, quantization and values', () => {
    const r = cli('run', MOBILENET_V1, GRACE_HOPPER, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outputs).toHaveLength(1);
    // The arena holds at least the input image and the first conv's output at once.
    expect(out.arenaBytes).toBeGreaterThanOrEqual(128 * 128 * 3 + 64 * 64 * 8);
    const [o] = out.outputs;
    expect(o.dtype).toBe('UINT8');
    expect(o.shape).toEqual([1, 1001]);
    expect(o.scale).toHaveLength(1);
    expect(o.zeroPoint).toHaveLength(1);
    expect(o.values).toHaveLength(1001);
    expect(o.values.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
  });

  test('--json on a tiny model whose input is not an image is refused cleanly', () => {
    const path = join(tmp, 'tiny.tflite');
    writeFileSync(path, tinyModel());
    expectCleanError(cli('run', path, GRACE_HOPPER, '--json'), /expected an RGB image \[1, H, W, 3\]/);
  });
});

describe('featherdet errors', () => {
  test('missing model file', () => {
    expectCleanError(cli('run', join(tmp, 'missing.tflite'), GRACE_HOPPER), /cannot read model .*no such file/);
  });

  test('missing image file', () => {
    expectCleanError(cli('run', MOBILENET_V1, join(tmp, 'missing.jpg')), /cannot read image .*no such file/);
  });

  test('not a model', () => {
    expectCleanError(cli('run', join(IMAGES_DIR, 'face.jpg'), GRACE_HOPPER), /not a TFLite model/);
  });

  test('unsupported op names the op and node', () => {
    const path = join(tmp, 'sin.tflite');
    writeFileSync(path, tinyModel({ secondOp: { code: 66, name: 'SIN' } }));
    expectCleanError(cli('run', path, GRACE_HOPPER), /model uses op SIN \(node 1\), which featherdet does not support/);
  });

  test('image that cannot be decoded', () => {
    const path = join(tmp, 'bad.png');
    writeFileSync(path, 'definitely not a png');
    expectCleanError(cli('run', MOBILENET_V1, path), /bad\.png: cannot decode image/);
  });

  test('bad options and commands', () => {
    expectCleanError(cli('run', MOBILENET_V1, GRACE_HOPPER, '--top', 'zero'), /--top: invalid value/);
    expectCleanError(cli('run', MOBILENET_V1, GRACE_HOPPER, '--frobnicate'), /unknown option --frobnicate/);
    expectCleanError(cli('classify', MOBILENET_V1, GRACE_HOPPER), /unknown command 'classify'/);
    expectCleanError(cli('run', MOBILENET_V1), /expected: run <model.tflite> <image>/);
  });

  test('--help prints usage and exits 0', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: featherdet run <model.tflite> <image>/);
  });
});
