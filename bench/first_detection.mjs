// The browser half of `npm run bench` that users feel first: time from FaceDetector.create() to
// the first detection in a fresh page (module import, wasm and model download, SHA-256 check,
// compile, prepare, first detect()), cold (empty cache) and cached (the page reloaded: the Cache
// API serves the wasm and the model). Each measurement is a new page load in one browser profile.
import { formatTable } from '../tests/e2e/compare.mjs';
import { median } from './node.mjs';


/** Runs `rounds` cold + cached pairs in `browser` against `server`; returns them and print() for the table. */
export async function benchFirstDetection(browser, server, dist, rounds = 5) {
  const page = await browser.newPage(`${server.url}/tests/e2e/pages/api.html`);
  const measure = () => page.evaluate(async ({ dist }) => {
    const t0 = performance.now();
    const api = await window.fdImport(`${dist}index.js`);
    const t1 = performance.now();
    const bytes = new Uint8Array(await (await fetch('/shared/conformance/images/face.jpg')).arrayBuffer());
    const t2 = performance.now();
    const faces = await api.FaceDetector.create();
    const t3 = performance.now();
    const found = faces.detect(bytes);
    const t4 = performance.now();
    const report = faces.loadReport;
    faces.close();
    return { importMs: t1 - t0, createMs: t3 - t2, firstDetectMs: t4 - t3, firstResultMs: t4 - t2, faces: found.length, report };
  }, { dist });
  const cold = [];
  const cached = [];
  for (let i = 0; i < rounds; ++i) {
    await page.evaluate(async ({ dist }) => (await window.fdImport(`${dist}index.js`)).clearCache(), { dist });
    await page.reload();
    cold.push(await measure());
    await page.reload();
    cached.push(await measure());
  }
  await page.close();
  const row = (name, runs) => [name, ...['importMs', 'createMs', 'firstDetectMs', 'firstResultMs'].map((k) => median(runs.map((r) => r[k])).toFixed(1)),
    `${runs.every((r) => r.report.wasmFromCache && r.report.modelFromCache) ? 'cache' : runs.every((r) => !r.report.wasmFromCache) ? 'network' : 'mixed'}`];
  const print = () => {
    console.log(`\nTime to first detection in the page (localhost, median of ${rounds} page loads): import of the unbundled dist/index.js, then FaceDetector.create() and the first detect() of face.jpg (${cold[0].faces} faces)`);
    console.log(formatTable(['load', 'module import ms', 'create() ms', 'first detect() ms', 'create() to first result ms', 'wasm + model from'],
      [row('cold (empty cache)', cold), row('cached (page reloaded)', cached)]));
  };
  return { cold, cached, print };
}
