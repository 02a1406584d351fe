// Conformance of featherdet against LiteRT.js (TFLite + XNNPACK) in headless Chromium: five real
// TFLite files x five photos, byte-identical inputs, every output compared (limits in
// compare.mjs: quantized outputs within 3 steps everywhere and within 1 step on >= 99% of the
// elements, float outputs within 1e-3 relative L2, classifier top-1 identical, arg-max label maps
// identical on >= 99% of the pixels). Prints one table row per case and the whole table at the end.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';
import { FEATHERDET_DIST, HARNESS_PAGE, IMAGES, MODELS } from './cases.mjs';
import { compareCase, decodeTensor, describeTask, describeTensor, formatTable } from './compare.mjs';
import { dequantizedOutputScales } from './tflite_walk.mjs';

const HEADER = ['model', 'image', 'task', 'outputs', 'fd ms', 'lt ms', 'verdict'];
const rows = [];
let server;
let browser;
let page;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage(`${server.url}${HARNESS_PAGE}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  const info = await page.evaluate((dist) => window.harness.init({ featherdet: true, dist }), FEATHERDET_DIST);
  if (info.featherdet !== true) {
    throw new Error(`featherdet (dist/index.js) did not load; run \`npm run build\` first: ${info.featherdet}`);
  }
}, 120_000);

afterAll(async () => {
  if (rows.length) console.log(`\nfeatherdet vs LiteRT.js conformance\n${formatTable(HEADER, rows)}\n`);
  await browser?.close();
  await server?.close();
}, 60_000);

describe.each(MODELS.map((m) => [m.id, m]))('%s', (_, model) => {
  test.each(IMAGES.map((i) => [i.id, i]))('%s', async (_, image) => {
    const result = await page.evaluate(
      (args) => window.harness.runCase(args),
      { modelUrl: model.url, imageUrl: image.url },
    );
    expect(result.input.preprocess).toBe('featherdet');
    const fdOutputs = result.featherdet.outputs.map(decodeTensor);
    const refOutputs = result.litert.outputs.map(decodeTensor);
    const file = path.resolve(REPO_ROOT, '../shared', model.url.slice('/shared/'.length));
    const stepScales = dequantizedOutputScales(new Uint8Array(readFileSync(file)));
    fdOutputs.forEach((t, i) => { t.stepScale = stepScales[i]; });
    const cmp = compareCase(model, fdOutputs, refOutputs);
    const row = [
      model.id,
      image.id,
      describeTask(cmp.task),
      cmp.tensors.map(describeTensor).join('; '),
      result.featherdet.runMs.toFixed(1),
      result.litert.runMs.toFixed(1),
      cmp.failures.length ? 'FAIL' : 'ok',
    ];
    rows.push(row);
    console.log(row.join(' | '));
    expect(cmp.tensors.length).toBeGreaterThan(0);
    expect(cmp.failures, `${model.id} on ${image.id}: ${cmp.failures.join('; ')}`).toEqual([]);
  }, 120_000);
});

test('the harness page raised no uncaught exceptions', () => {
  expect(page.errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
});
