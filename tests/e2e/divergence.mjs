// Finds where featherdet starts to disagree with LiteRT.js inside a model: for each operator in
// execution order, makes its first output tensor the model output (tflite_walk.withFirstOutput),
// runs both runtimes on the same image input in headless Chromium, and prints the comparison
// with the conformance limits (verdict: exact, ok = within the limits, DIFF). A debugging tool,
// not a test.
//
//   node tests/e2e/divergence.mjs MODEL.tflite IMAGE [--from N] [--to N] [--stop]
//
// --stop ends at the first operator whose output breaks the limits. FEATHERDET_DIST as for the
// conformance test.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startServer } from './server.mjs';
import { launchBrowser } from './browser.mjs';
import { FEATHERDET_DIST, HARNESS_PAGE } from './cases.mjs';
import { compareTensor, decodeTensor, describeTensor, formatTable } from './compare.mjs';
import { readTflite, withFirstOutput } from './tflite_walk.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string', default: '0' },
    to: { type: 'string' },
    stop: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 2) {
  console.error('usage: node tests/e2e/divergence.mjs MODEL.tflite IMAGE [--from N] [--to N] [--stop]');
  process.exit(2);
}
const [modelPath, imagePath] = positionals;
const modelBytes = new Uint8Array(await readFile(modelPath));
const imageBase64 = (await readFile(imagePath)).toString('base64');
const modelBase64 = Buffer.from(modelBytes).toString('base64');
const graph = readTflite(modelBytes);
const from = Number(opts.from);
const to = Math.min(graph.ops.length, opts.to === undefined ? Infinity : Number(opts.to));

const server = await startServer();
const browser = await launchBrowser();
const rows = [];
let first = null;
let firstInexact = null;
try {
  const page = await browser.newPage(`${server.url}${HARNESS_PAGE}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30_000 });
  const info = await page.evaluate((dist) => window.harness.init({ featherdet: true, dist }), FEATHERDET_DIST);
  if (info.featherdet !== true) throw new Error(`featherdet did not load: ${info.featherdet}`);
  for (let i = from; i < to; i++) {
    const op = graph.ops[i];
    const k = op.outputs[0];
    const t = graph.tensors[k];
    const head = [i, op.name, k, `${t.dtype}[${t.shape}]`];
    try {
      // A tensor that already is a model output is read by name from the unchanged model (the
      // runtimes may order a repeated output differently).
      const isOutput = graph.outputs.includes(k) && t.name !== '';
      const r = await page.evaluate((args) => window.harness.runCase(args), {
        modelBase64: isOutput ? modelBase64 : Buffer.from(withFirstOutput(modelBytes, k)).toString('base64'),
        imageBase64,
      });
      const pick = (outs) => (isOutput ? outs.find((o) => o.name === t.name) : outs[0]);
      const cmp = compareTensor(decodeTensor(pick(r.featherdet.outputs)), decodeTensor(pick(r.litert.outputs)));
      const bad = cmp.failures.length > 0;
      const exact = cmp.maxSteps === 0 || cmp.maxAbs === 0 || cmp.agreement === 1;
      rows.push([...head, bad ? 'DIFF' : exact ? 'exact' : 'ok', describeTensor({ ...cmp, name: '' }).replace(/^ \S+: /, '')]);
      if (bad && !first) first = { i, op, tensor: t };
      if (!exact && !firstInexact) firstInexact = { i, op, tensor: t };
    } catch (err) {
      rows.push([...head, 'ERROR', err.message.split('\n')[0].slice(0, 160)]);
      if (!first) first = { i, op, tensor: t };
      if (!firstInexact) firstInexact = { i, op, tensor: t };
    }
    console.log(rows.at(-1).join(' | '));
    if (opts.stop && first) break;
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`\n${formatTable(['op', 'kind', 'tensor', 'type', 'verdict', 'featherdet vs LiteRT.js'], rows)}`);
const where = (x) => `operator ${x.i} ${x.op.name} -> tensor '${x.tensor.name.slice(0, 80)}'`;
console.log(`\nfirst output not bit-exact: ${firstInexact ? where(firstInexact) : 'none'}`);
console.log(`first output beyond the conformance limits: ${first ? where(first) : 'none'}`);
