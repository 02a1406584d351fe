// The ref-vs-SIMD kernel suite with the relaxed-SIMD kernels linked in
// (build/wasm/kernel_tests_relaxed.js), run where relaxed SIMD is on by default: headless
// Chromium. Chromium's relaxed dot product is exact on x86 CPUs with AVX-VNNI (the VEX vpdpbusd)
// and on ARM; on such a machine the relaxed kernels must have run (not been skipped) and matched
// their refs. AVX-512 VNNI alone is not enough: on an AMD EPYC with avx512_vnni and no avx_vnni,
// Chromium 156 saturates like any x86 without VNNI, and the SIMD128 kernels run.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';

let server;
let browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** True when this CPU has an instruction Chromium uses for an exact relaxed dot product. */
function cpuHasExactRelaxedDot() {
  if (process.arch === 'arm64') return true;
  try {
    return /\bavx_vnni\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

test('kernel_tests_relaxed.js passes in Chromium (relaxed GEMM and depthwise, sliding 3x3 included, bit-exact with their refs)', async () => {
  const program = path.join(REPO_ROOT, 'build/wasm/kernel_tests_relaxed.js');
  expect(existsSync(program), `${program} is missing: run scripts/build.sh`).toBe(true);
  const context = browser.context;
  const page = await context.newPage();
  const lines = [];
  const done = new Promise((resolve) => {
    page.on('console', (msg) => {
      lines.push(msg.text());
      // GoogleTest's summary: "[  PASSED  ] N tests." and/or "[  FAILED  ] N tests, listed below:".
      if (/^\[  (PASSED|FAILED)  \] \d+ tests?[.,]/.test(msg.text())) setTimeout(resolve, 500);
    });
    page.on('pageerror', (err) => {
      lines.push(`pageerror: ${err.message}`);
      resolve();
    });
  });
  await page.goto(`${server.url}/tests/e2e/pages/kernels.html`);
  await Promise.race([done, new Promise((r) => setTimeout(r, 300_000))]);
  await page.close();
  const out = lines.join('\n');
  expect(out, out.slice(-3000)).toMatch(/\[  PASSED  \] \d+ tests?\./);
  expect(out, out.slice(-3000)).not.toMatch(/\[  FAILED  \]|pageerror/);
  const kernels = /relaxed kernels: (\S+) \((\S+)\)/.exec(out);
  console.log(kernels ? `Chromium relaxed kernels: ${kernels[1]} (${kernels[2]})` : 'Chromium: no exact relaxed dot product on this CPU');
  if (cpuHasExactRelaxedDot()) {
    expect(kernels, 'this CPU has AVX-VNNI/sdot: the relaxed GEMM must run, not be skipped').not.toBeNull();
    expect(out).toMatch(/\[       OK \] QGemm2x16c4Kernel\.RelaxedMatchesRefAndNaive/);
    expect(out).toMatch(/\[       OK \] QDwconvKernel\.RelaxedMatchesRefs/);
    expect(out).toMatch(/\[       OK \] QDwconvKernel\.Relaxed3x3Stride1MatchesRef/);
    expect(out).toMatch(/\[       OK \] X8LutKernel\.RelaxedTableMatchesRef/);
    // x86 engines lower the relaxed swizzle to pshufb: the XOR-table lookup must be the one tested.
    if (process.arch === 'x64') expect(out).toMatch(/relaxed table lookup: x8_lut_wasmpshufb/);
  }
}, 600_000);
