#!/usr/bin/env node
// featherdet command line: `featherdet run <model.tflite> <image>` runs a raw TFLite model on an
// image with the wasm runtime and prints the top-K classes or (--json) every output.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const USAGE = `usage: featherdet run <model.tflite> <image> [--top K] [--labels FILE] [--json] [--mean M] [--std S]

  Decodes the image (JPEG, PNG, BMP), resizes it to the model input (NHWC, RGB), runs the model
  and prints the top-K "score label" lines of the first output (dequantized scores).
  Integer inputs get raw pixels (UINT8: as is, INT8: pixel - 128); float inputs get
  (pixel - mean) / std (defaults 127.5, 127.5).

  --top K        how many classes to print (default 5)
  --labels FILE  class names, one per line, in output order
  --json         print every output: name, dtype, shape, quantization and values
  --mean M       float input normalization mean (default 127.5)
  --std S        float input normalization std (default 127.5)
  --wasm PATH    featherdet.wasm to use (default: the one in dist/)`;

/** An error the user can act on: printed as one line, exit code 1. */
class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { top: 5, labels: null, json: false, mean: 127.5, std: 127.5, wasm: undefined, positional: [] };
  const numberOption = (name, value, check) => {
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    const n = Number(value);
    if (!Number.isFinite(n) || !check(n)) throw new UsageError(`${name}: invalid value '${value}'`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    switch (a) {
      case '--top': opts.top = numberOption(a, argv[++i], (n) => Number.isInteger(n) && n > 0); break;
      case '--labels':
        opts.labels = argv[++i];
        if (opts.labels === undefined) throw new UsageError('--labels needs a file');
        break;
      case '--json': opts.json = true; break;
      case '--mean': opts.mean = numberOption(a, argv[++i], () => true); break;
      case '--std': opts.std = numberOption(a, argv[++i], (n) => n !== 0); break;
      case '--wasm':
        opts.wasm = argv[++i];
        if (opts.wasm === undefined) throw new UsageError('--wasm needs a path');
        break;
      case '-h': case '--help': opts.help = true; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        opts.positional.push(a);
    }
  }
  return opts;
}

function readInputFile(path, what) {
  try {
    return readFileSync(path);
  } catch (e) {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new UsageError(`cannot read ${what} '${path}': ${why}`);
  }
}

async function loadApi() {
  try {
    return await import(new URL('../dist/index.js', import.meta.url).href);
  } catch (e) {
    throw new UsageError(`the featherdet runtime is not built (dist/index.js): run 'npm run build' (${e.message})`);
  }
}

/** Fills the model input from RGB pixels following the input's dtype. */
function makeInput(info, rgb, opts) {
  const n = rgb.length;
  switch (info.dtype) {
    case 'UINT8': return rgb;
    case 'INT8': {
      const out = new Int8Array(n);
      for (let i = 0; i < n; ++i) out[i] = rgb[i] - 128;
      return out;
    }
    case 'FLOAT32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; ++i) out[i] = (rgb[i] - opts.mean) / opts.std;
      return out;
    }
    default:
      throw new UsageError(`input '${info.name}' has type ${info.dtype}; featherdet run feeds images to UINT8, INT8 or FLOAT32 inputs only`);
  }
}

/** Real values of an output: dequantized when it carries quantization. */
function dequantize(out) {
  const { data, info } = out;
  const values = new Float64Array(data.length);
  const quantized = info.scale.length > 0 && info.dtype !== 'FLOAT32';
  const scale = quantized ? info.scale[0] : 1;
  const zp = quantized ? info.zeroPoint[0] ?? 0 : 0;
  for (let i = 0; i < data.length; ++i) values[i] = (Number(data[i]) - zp) * scale;
  return values;
}

async function run(opts) {
  if (opts.positional.length !== 3) throw new UsageError(`expected: run <model.tflite> <image>\n${USAGE}`);
  const [, modelPath, imagePath] = opts.positional;
  const modelBytes = readInputFile(modelPath, 'model');
  const imageBytes = readInputFile(imagePath, 'image');
  const labels = opts.labels ? readInputFile(opts.labels, 'labels file').toString('utf8').split(/\r?\n/) : null;
  if (labels && labels.length > 0 && labels[labels.length - 1] === '') labels.pop();

  const api = await loadApi();
  const runtime = await api.loadRuntime(opts.wasm ? { wasmPath: opts.wasm } : {});
  let image;
  try {
    image = runtime.decodeImage(imageBytes);
  } catch (e) {
    throw new UsageError(`${basename(imagePath)}: ${e.message}`);
  }
  const model = await api.TfliteModel.create(modelBytes, { runtime });
  try {
    if (model.inputs.length !== 1) {
      throw new UsageError(`the model has ${model.inputs.length} inputs; featherdet run handles single-image models`);
    }
    const input = model.inputs[0];
    const [batch, height, width, channels] = input.shape;
    if (input.shape.length !== 4 || batch !== 1 || channels !== 3) {
      throw new UsageError(`input '${input.name}' has shape [${input.shape.join(', ')}]; expected an RGB image [1, H, W, 3]`);
    }
    const rgb = runtime.resizeRgb(image.pixels, image.width, image.height, width, height);
    const outputs = model.run([makeInput(input, rgb, opts)]);

    if (opts.json) {
      const json = outputs.map(({ info, data }) => ({
        name: info.name,
        dtype: info.dtype,
        shape: info.shape,
        scale: info.scale,
        zeroPoint: info.zeroPoint,
        quantizedDimension: info.quantizedDimension,
        values: Array.from(data, (v) => (typeof v === 'bigint' ? Number(v) : v)),
      }));
      process.stdout.write(JSON.stringify({
        model: basename(modelPath), image: basename(imagePath), arenaBytes: model.arenaBytes, outputs: json,
      }) + '\n');
      return;
    }
    const scores = dequantize(outputs[0]);
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    const lines = order.slice(0, opts.top).map((i) => {
      const label = labels && i < labels.length ? labels[i] : String(i);
      return `${scores[i].toFixed(5)} ${label}`;
    });
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    model.close();
  }
}

/** Subcommands in their own modules: name -> [module, exported main(argv)]. */
const SUBCOMMANDS = {
  detect: ['./detect.mjs', 'detectMain'],
  convert: ['./convert.mjs', 'convertMain'],
  eval: ['./eval.mjs', 'evalMain'],
  bench: ['./bench.mjs', 'benchMain'],
};
const SUBCOMMANDS_USAGE = `

other commands (featherdet <command> --help for their options):
  featherdet detect <image...> [--model face|objects|nanodet-m|objects-tiny|FILE.tflite] [--json] [--out DIR] ...
  featherdet convert MODEL.onnx -o OUT.tflite --calib DIR [--preset yunet|nanodet|fastestdet|yolov8|yolox] ...
  featherdet eval [--model face|objects|nanodet-m|objects-320|objects-tiny|all] [--limit N] [--json]
  featherdet bench <model id | FILE.tflite> [--runs N] [--profile] [--json] [--build auto|relaxed|baseline]`;

async function main() {
  const [command0, ...rest] = process.argv.slice(2);
  if (Object.hasOwn(SUBCOMMANDS, command0)) {
    const [file, fn] = SUBCOMMANDS[command0];
    await (await import(file))[fn](rest);
    return;
  }
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help || opts.positional.length === 0) {
    process.stdout.write(USAGE + SUBCOMMANDS_USAGE + '\n');
    if (!opts.help) process.exitCode = 1;
    return;
  }
  const command = opts.positional[0];
  if (command !== 'run') throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  await run(opts);
}

main().catch((e) => {
  process.stderr.write(`featherdet: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
