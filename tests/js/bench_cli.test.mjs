// `featherdet bench`, spawned as users run it: timings of invoke and detect(), the per-node
// profile and its JSON form, and the errors of bad arguments.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, SHARED } from './helpers.mjs';

const BIN = join(ROOT, 'bin/featherdet.mjs');

function cli(...args) {
  const r = spawnSync(process.execPath, [BIN, 'bench', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('featherdet bench', () => {
  test('--profile --json: invoke and detect() timings, a per-node table that accounts for the model', () => {
    const r = cli('face', '--runs', '3', '--warmup', '1', '--profile', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.model).toBe('face.tflite');
    expect(j.kernels.isa).toBe('wasmsimd');
    for (const t of [j.invoke, j.detect]) {
      expect(t.runs).toBe(3);
      expect(t.medianMs).toBeGreaterThan(0);
      expect(t.p90Ms).toBeGreaterThanOrEqual(t.medianMs);
    }
    expect(j.peakGmacs).toBeGreaterThan(1);
    const convs = j.profile.filter((n) => n.op === 'CONV_2D');
    expect(convs.length).toBeGreaterThan(10);
    // YuNet-n at 320x320 has 0.136 GMAC in its convolutions (published figure).
    const macs = j.profile.reduce((a, n) => a + n.macs, 0);
    expect(macs / 1e9).toBeGreaterThan(0.12);
    expect(macs / 1e9).toBeLessThan(0.15);
    expect(j.profile.reduce((a, n) => a + n.share, 0)).toBeCloseTo(1, 5);
    for (let i = 1; i < j.profile.length; ++i) expect(j.profile[i].ms).toBeLessThanOrEqual(j.profile[i - 1].ms);
    const big = convs.find((n) => n.shapes === '[1x80x80x64] -> [1x80x80x64]');
    expect(big.macs).toBe(80 * 80 * 64 * 64);
    expect(big.gmacs).toBeGreaterThan(0);
    expect(big.peak).toBeGreaterThan(0);
  });

  test('text output: the two latencies and the table with % of peak', () => {
    const r = cli(join(SHARED, 'conformance/tflite/mobilenet_v1_0.25_128_quant.tflite'), '--runs', '2', '--warmup', '0', '--profile');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^invoke +median [\d.]+ ms, p90 [\d.]+ ms \(2 runs\)$/m);
    // A classifier has no detection metadata: detect() is not timed, and says why.
    expect(r.out).toMatch(/^detect\(\) not timed: .*metadata/m);
    expect(r.out).toMatch(/peak of the dot instruction: [\d.]+ GMAC\/s/);
    expect(r.out).toMatch(/^node +op +input -> output +MMACs +ms +GMAC\/s +share +% peak$/m);
    expect(r.out).toMatch(/ CONV_2D /);
  });

  test('bad arguments get one-line errors', () => {
    expect(cli().err).toMatch(/no model given/);
    expect(cli('face', '--runs', '0').err).toMatch(/--runs needs an integer >= 1/);
    expect(cli('face', '--build', 'fast').err).toMatch(/--build needs auto, relaxed or baseline/);
    expect(cli('nonexistent-model').err).toMatch(/neither a bundled model/);
    const r = cli('face', '--build', 'relaxed');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/relaxed SIMD/);
  });
});
