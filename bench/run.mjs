// `npm run bench`: median inference latency of featherdet and of LiteRT.js (TFLite + XNNPACK,
// single-threaded, 'wasm' accelerator) on the five conformance models, both in the same headless
// Chromium page, printed as a table with the ratio featherdet / LiteRT.js (< 1: featherdet is
// faster). Each model: load in both, warm-up rounds, then timed rounds, each round one run per
// runtime (interleaved, so both see the same machine load); a run is input handoff to outputs
// readable as typed arrays, on a real photo. Not part of the tests.
//
// Options: --runs N (default 20), --warmup N (default 5), --model SUBSTRING (repeatable),
//          --json (print the raw results as JSON as well).
import { parseArgs } from 'node:util';
import { startServer } from '../tests/e2e/server.mjs';
import { launchBrowser } from '../tests/e2e/browser.mjs';
import { FEATHERDET_DIST, HARNESS_PAGE, IMAGES, MODELS } from '../tests/e2e/cases.mjs';
import { formatTable } from '../tests/e2e/compare.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    model: { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
const warmup = Number(opts.warmup);
if (!(runs >= 1) || !(warmup >= 0)) throw new Error('--runs must be >= 1 and --warmup >= 0');
const models = MODELS.filter((m) => !opts.model.length || opts.model.some((s) => m.id.includes(s)));
const image = IMAGES[0];

const server = await startServer();
const browser = await launchBrowser();
const results = [];
try {
  const page = await browser.newPage(`${server.url}${HARNESS_PAGE}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  const info = await page.evaluate((dist) => window.harness.init({ featherdet: true, dist }), FEATHERDET_DIST);
  const version = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  console.log(`Chromium ${version}; LiteRT.js @litertjs/core 2.5.3 (${info.litertWasm.join(', ') || 'wasm'}, relaxed SIMD ${info.relaxedSimd ? 'on' : 'off'}, 1 thread)${info.crossOriginIsolated ? '' : '; coarse timers (page not cross-origin isolated)'}`);
  if (info.featherdet !== true) console.log(`featherdet not loaded (run \`npm run build\`): ${info.featherdet.split('\n')[0]}`);
  console.log(`image ${image.id}, ${warmup} warm-up + ${runs} timed rounds per model (runtimes interleaved)\n`);
  const runtimes = info.featherdet === true ? ['featherdet', 'litert'] : ['litert'];
  for (const model of models) {
    let entry;
    try {
      entry = await page.evaluate(
        (args) => window.harness.bench(args),
        { runtimes, modelUrl: model.url, imageUrl: image.url, warmup, runs },
      );
    } catch (err) {
      entry = Object.fromEntries(runtimes.map((rt) => [rt, { error: err.message.split('\n')[0] }]));
    }
    results.push({ model: model.id, ...entry });
  }
} finally {
  await browser.close();
  await server.close();
}

const ms = (r) => (r === undefined ? 'n/a' : r.error ? 'error' : r.medianMs.toFixed(2));
const rows = results.map((e) => [
  e.model,
  ms(e.featherdet),
  ms(e.litert),
  e.featherdet?.medianMs && e.litert?.medianMs ? (e.featherdet.medianMs / e.litert.medianMs).toFixed(2) : 'n/a',
]);
console.log(formatTable(['model', 'featherdet ms (median)', 'LiteRT.js ms (median)', 'ratio fd/lt'], rows));
for (const e of results) {
  for (const rt of ['featherdet', 'litert']) {
    if (e[rt]?.error) console.log(`${e.model} ${rt}: ${e[rt].error}`);
  }
}
if (opts.json) console.log(JSON.stringify(results, null, 2));
