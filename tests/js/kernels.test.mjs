// The ref-vs-wasmsimd kernel suite (tests/cpp/kernels, GoogleTest compiled to wasm by
// scripts/build.sh into build/wasm/kernel_tests.js) must pass under Node.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './helpers.mjs';

const KERNEL_TESTS = join(ROOT, 'build/wasm/kernel_tests.js');

test('kernel_tests.js (ref vs wasm SIMD128, bit-exact) passes under Node', () => {
  expect(existsSync(KERNEL_TESTS), `${KERNEL_TESTS} is missing: run scripts/build.sh`).toBe(true);
  // The plain Emscripten glue would fetch() its .wasm in Node 20; read it from disk instead.
  const r = spawnSync(process.execPath, ['--no-experimental-fetch', KERNEL_TESTS], {
    cwd: join(ROOT, 'build/wasm'),
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 1 << 28,
  });
  const tail = `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;
  expect(r.status, tail).toBe(0);
  const ran = /\[==========\] (\d+) tests? from (\d+) test suites? ran/.exec(r.stdout);
  expect(ran, tail).not.toBeNull();
  expect(Number(ran[1])).toBeGreaterThan(0);
  expect(r.stdout).toMatch(/\[  PASSED  \] \d+ tests?\./);
  expect(r.stdout).not.toMatch(/\[  FAILED  \]/);
}, 600_000);
