#!/usr/bin/env node
// Builds the bundled models listed in models/manifest.json: for each model whose
// models/dist/<id>.tflite (INT8) or <id>.fp32.tflite (float, for `featherdet eval`) is missing or
// was built from a different recipe, finds the upstream fp32 file, checks its sha256 and runs
// build/native/featherdet-convert. Upstream files come from, in order: $FEATHERDET_UPSTREAM_DIR,
// ../shared/models/upstream, models/dist/upstream (earlier downloads), then the manifest URL
// (or $FEATHERDET_MODEL_BASE_URL/<file>) downloaded with fetch.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resizeStaticOnnx } from './onnx_resize.mjs';

/** Repository root (one level above scripts/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Largest allowed bundled INT8 model, bytes. */
export const MAX_MODEL_BYTES = 1_000_000;

/** Calibration image file names. */
const IMAGE_FILE = /\.(jpe?g|png|bmp)$/i;

/** An error printed as one line by the command line (exit code 1). */
export class ModelsError extends Error {}

/** Parses models/manifest.json (or `file`). */
export function readManifest(file = path.join(REPO_ROOT, 'models/manifest.json')) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Lower-case hex sha256 of bytes. */
export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws a ModelsError naming the file, where it came from, expected and actual digests. */
export function checkSha256(bytes, upstream, source) {
  const actual = sha256(bytes);
  if (actual !== upstream.sha256) {
    throw new ModelsError(`sha256 mismatch for ${upstream.file} (from ${source}): expected ${upstream.sha256}, got ${actual}`);
  }
}

/** Where to look for upstream files; every field can be overridden (tests do). */
export function defaultSources(env = process.env) {
  return {
    upstreamDir: env.FEATHERDET_UPSTREAM_DIR || null,
    sharedDir: path.resolve(REPO_ROOT, env.FEATHERDET_SHARED_DIR || '../shared', 'models/upstream'),
    cacheDir: path.join(REPO_ROOT, 'models/dist/upstream'),
    baseUrl: env.FEATHERDET_MODEL_BASE_URL || null,
  };
}

/** The download URL of an upstream file: the manifest URL, or baseUrl + '/' + file name. */
export function upstreamUrl(upstream, baseUrl) {
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/${upstream.file}` : upstream.url;
}

function formatBytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`;
}

/** Downloads url into memory, writing "\r" progress lines to `progress` (a writable stream). */
async function download(url, upstream, progress) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelsError(`cannot download ${upstream.file} from ${url}: ${e.cause?.message ?? e.message}`);
  }
  if (!response.ok || !response.body) {
    throw new ModelsError(`cannot download ${upstream.file} from ${url}: HTTP ${response.status}`);
  }
  const total = Number(response.headers.get('content-length')) || upstream.bytes || 0;
  const chunks = [];
  let loaded = 0;
  let lastShown = -1;
  for await (const chunk of response.body) {
    chunks.push(chunk);
    loaded += chunk.length;
    const pct = total ? Math.floor((100 * loaded) / total) : 0;
    if (progress && pct !== lastShown) {
      lastShown = pct;
      progress.write(`\rmodels: downloading ${upstream.file}: ${formatBytes(loaded)}${total ? ` / ${formatBytes(total)} (${pct}%)` : ''}`);
    }
  }
  if (progress) progress.write('\n');
  return Buffer.concat(chunks);
}

/**
 * Returns the path of a verified copy of `upstream` (a manifest upstream entry), fetching it into
 * sources.cacheDir when no local copy exists. A local copy with the wrong sha256 is an error (it
 * is not silently replaced by a download).
 */
export async function fetchUpstream(upstream, sources = defaultSources(), { progress = process.stderr } = {}) {
  const local = [sources.upstreamDir, sources.sharedDir, sources.cacheDir].filter(Boolean);
  for (const dir of local) {
    const file = path.join(dir, upstream.file);
    if (existsSync(file)) {
      checkSha256(readFileSync(file), upstream, file);
      return file;
    }
  }
  const url = upstreamUrl(upstream, sources.baseUrl);
  const bytes = await download(url, upstream, progress);
  checkSha256(bytes, upstream, url);
  mkdirSync(sources.cacheDir, { recursive: true });
  const file = path.join(sources.cacheDir, upstream.file);
  writeFileSync(`${file}.part`, bytes);
  renameSync(`${file}.part`, file);
  return file;
}

/** The "featherdet" metadata JSON (vision/decoder_config.h) of a manifest model entry. */
export function metadataOf(model) {
  const meta = {
    version: 1,
    family: model.decoder.family,
    input: model.input,
  };
  if (model.decoder.strides) meta.strides = model.decoder.strides;
  if (model.decoder.reg_max !== undefined) meta.reg_max = model.decoder.reg_max;
  Object.assign(meta, {
    outputs: model.decoder.outputs,
    labels: model.labels,
    keypoints: model.keypoints,
    score_threshold: model.thresholds.score,
    iou_threshold: model.thresholds.iou,
    max_results: model.thresholds.maxResults,
    source: {
      file: model.upstream.file,
      sha256: model.upstream.sha256,
      url: model.upstream.url,
      license: model.upstream.license,
      repository: model.upstream.repository,
    },
  });
  return meta;
}

/** Manifest fields that determine a build's output (docs-only fields such as name do not). */
const RECIPE_FIELDS = ['upstream', 'derive', 'preset', 'input', 'decoder', 'labels', 'keypoints', 'thresholds', 'calibration', 'convert'];

/**
 * Hash of what determines a build's output (the manifest entry, the variant and the converter
 * binary, so a changed converter rebuilds the models); a change triggers a rebuild.
 */
function recipeOf(model, variant, converterHash) {
  return sha256(JSON.stringify({ variant, converter: converterHash, recipe: RECIPE_FIELDS.map((k) => model[k] ?? null) }));
}

/** The manifest's converter arguments without a size budget (the INT4 layers it asks for). */
function withoutSizeBudget(args) {
  const i = args.indexOf('--size-budget');
  return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
}

/** Whether a model's recipe puts INT4 layers in its INT8 file (then an all-INT8 twin exists). */
export function hasInt8Twin(model) {
  return (model.convert?.args ?? []).includes('--size-budget');
}

/**
 * The featherdet-convert arguments for one model variant: 'int8', 'fp32', or 'int8-twin' (the
 * INT8 recipe without its size budget: every layer INT8, for comparing runtimes like for like).
 */
export function convertArgs(model, { onnx, out, calibDir, calibCount, labelsFile, metadataFile, variant }) {
  const args = [onnx, '-o', out, '--preset', model.preset, '--input-size', `${model.input.width}x${model.input.height}`,
    '--labels', labelsFile, '--metadata-json', metadataFile];
  const extra = model.convert?.args ?? [];
  if (variant === 'fp32') args.push('--float');
  else args.push('--calib', calibDir, '--calib-limit', String(calibCount), ...(variant === 'int8-twin' ? withoutSizeBudget(extra) : extra));
  return args;
}

/** The file of a model variant in models/dist. */
function variantFile(distDir, id, variant) {
  return path.join(distDir, variant === 'int8' ? `${id}.tflite` : `${id}.${variant}.tflite`);
}

/** The ONNX file to convert: the upstream file, or (manifest `derive`) a re-targeted copy in tmp. */
function deriveSource(model, upstreamFile, tmp) {
  const resize = model.derive?.resizeStaticInput;
  if (!resize) return upstreamFile;
  const file = path.join(tmp, `${model.id}.onnx`);
  writeFileSync(file, resizeStaticOnnx(readFileSync(upstreamFile), resize.from, resize.to));
  return file;
}

/** A directory holding the model's calibration images (symlinks when the manifest lists files). */
function calibrationDir(model, sharedRoot, tmp) {
  const dir = path.resolve(sharedRoot, model.calibration.dir);
  if (!model.calibration.files) return dir;
  const linkDir = path.join(tmp, 'calib');
  mkdirSync(linkDir);
  for (const f of model.calibration.files) symlinkSync(path.join(dir, f), path.join(linkDir, f));
  return linkDir;
}

function parseArgs(argv) {
  const opts = { only: null, force: false, fp32: true, report: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') opts.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--force') opts.force = true;
    else if (a === '--no-fp32') opts.fp32 = false;
    else if (a === '--report') opts.report = true;
    else if (a === '-h' || a === '--help') opts.help = true;
    else throw new ModelsError(`unknown option ${a}`);
  }
  return opts;
}

const USAGE = `usage: node scripts/models.mjs [--only ID,...] [--force] [--no-fp32] [--report]

  Builds missing models/dist/<id>.tflite (INT8) and <id>.fp32.tflite from models/manifest.json.
  --only ID,...   build these model ids only          --force   rebuild even if up to date
  --no-fp32       skip the float files used by eval   --report  pass --report to the converter
  Environment: FEATHERDET_UPSTREAM_DIR (directory of upstream files, searched first),
  FEATHERDET_SHARED_DIR (default ../shared), FEATHERDET_MODEL_BASE_URL (download base URL),
  FEATHERDET_CONVERT (converter binary, default build/native/featherdet-convert).`;

/** Builds what is missing; returns [{ id, variant, file, bytes, built }]. */
export async function buildModels(opts = {}, env = process.env) {
  const manifest = readManifest();
  const distDir = path.join(REPO_ROOT, 'models/dist');
  const sharedRoot = path.resolve(REPO_ROOT, env.FEATHERDET_SHARED_DIR || '../shared');
  const convert = path.resolve(REPO_ROOT, env.FEATHERDET_CONVERT || 'build/native/featherdet-convert');
  const sources = defaultSources(env);
  const models = manifest.models.filter((m) => !opts.only || opts.only.includes(m.id));
  if (opts.only) {
    const unknown = opts.only.filter((id) => !manifest.models.some((m) => m.id === id));
    if (unknown.length) throw new ModelsError(`unknown model id(s) ${unknown.join(', ')}; the manifest has ${manifest.models.map((m) => m.id).join(', ')}`);
  }
  mkdirSync(distDir, { recursive: true });
  const converterHash = existsSync(convert) ? sha256(readFileSync(convert)) : null;
  const results = [];
  for (const model of models) {
    const variants = opts.variants ?? (opts.fp32 === false ? ['int8'] : ['int8', 'fp32']);
    for (const variant of variants.filter((v) => v !== 'int8-twin' || hasInt8Twin(model))) {
      const out = variantFile(distDir, model.id, variant);
      const stamp = `${out}.recipe`;
      const recipe = recipeOf(model, variant, converterHash);
      const upToDate = existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === recipe;
      if (upToDate && !opts.force) {
        results.push({ id: model.id, variant, file: out, bytes: statSync(out).size, built: false });
        continue;
      }
      if (!existsSync(convert)) {
        throw new ModelsError(`${path.relative(REPO_ROOT, convert)} is not built: run 'npm run build' first`);
      }
      const upstreamFile = await fetchUpstream(model.upstream, sources);
      const tmp = mkdtempSync(path.join(os.tmpdir(), `featherdet-models-${model.id}-`));
      try {
        const onnx = deriveSource(model, upstreamFile, tmp);
        const labelsFile = path.join(tmp, 'labels.txt');
        writeFileSync(labelsFile, model.labels.join('\n') + '\n');
        const metadataFile = path.join(tmp, 'metadata.json');
        writeFileSync(metadataFile, JSON.stringify(metadataOf(model)));
        const calibDir = variant !== 'fp32' ? calibrationDir(model, sharedRoot, tmp) : null;
        const calibCount = calibDir ? readdirSync(calibDir).filter((f) => IMAGE_FILE.test(f)).length : 0;
        const args = convertArgs(model, { onnx, out: `${out}.part`, calibDir, calibCount, labelsFile, metadataFile, variant });
        if (opts.report && variant === 'int8') args.push('--report');
        process.stderr.write(`models: building ${path.relative(REPO_ROOT, out)} (${model.name}, ${variant})\n`);
        const t0 = Date.now();
        const r = spawnSync(convert, args, { stdio: ['ignore', 'inherit', 'inherit'] });
        if (r.status !== 0) {
          rmSync(`${out}.part`, { force: true });
          throw new ModelsError(`featherdet-convert failed for ${model.id} (${variant}), exit ${r.status ?? r.signal}: ${[convert, ...args].join(' ')}`);
        }
        renameSync(`${out}.part`, out);
        writeFileSync(stamp, recipe + '\n');
        process.stderr.write(`models: ${path.relative(REPO_ROOT, out)} ${statSync(out).size} bytes in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      results.push({ id: model.id, variant, file: out, bytes: statSync(out).size, built: true });
    }
  }
  const over = results.filter((r) => r.variant === 'int8' && r.bytes >= MAX_MODEL_BYTES);
  if (over.length) {
    throw new ModelsError(`bundled INT8 models over ${MAX_MODEL_BYTES} bytes: ${over.map((r) => `${r.id} is ${r.bytes} bytes`).join(', ')}`);
  }
  return results;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const results = await buildModels(opts);
  const lines = results.map((r) => `  ${path.relative(REPO_ROOT, r.file).padEnd(36)} ${String(r.bytes).padStart(9)} bytes${r.built ? '  (built)' : ''}`);
  process.stdout.write(`models: ${results.length} files up to date\n${lines.join('\n')}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`models: ${e instanceof ModelsError ? e.message : e?.stack ?? e}\n`);
    process.exitCode = 1;
  });
}
