// Where models come from: the bundled ones (shipped in the package's models/ directory, located
// with new URL(..., import.meta.url) so bundlers copy them) or the user's URL, path or bytes.
import { closest } from './core.js';
import { FetchError, ModelError } from './errors.js';
import { loadFile, packageFile, toUrl, type LoadFileOptions, type LoadedFile } from './loader.js';
import { MANIFEST } from './manifest.js';

/**
 * Models shipped in the package: `face` (YuNet-n 320), `objects` (YOLOX-Nano 416), `nanodet-m`
 * (NanoDet-m 416, the `objects` model before YOLOX-Nano), `objects-tiny` (FastestDet 352).
 */
export type BundledModel = 'face' | 'objects' | 'nanodet-m' | 'objects-tiny';

/** The bundled models' default locations (literal URLs, so Vite and webpack bundle each file). */
function bundledUrl(name: BundledModel): URL {
  switch (name) {
    case 'face': return packageFile(new URL('./models/face.tflite', import.meta.url));
    case 'objects': return packageFile(new URL('./models/objects.tflite', import.meta.url));
    case 'nanodet-m': return packageFile(new URL('./models/nanodet-m.tflite', import.meta.url));
    case 'objects-tiny': return packageFile(new URL('./models/objects-tiny.tflite', import.meta.url));
  }
}

/** True for the names of bundled models. */
export function isBundled(model: unknown): model is BundledModel {
  return BUNDLED.includes(model as BundledModel);
}

const BUNDLED: readonly BundledModel[] = ['face', 'objects', 'nanodet-m', 'objects-tiny'];

/** A model: a bundled name, a URL or (Node) file path, or the file's bytes. */
export type ModelSource = BundledModel | string | URL | Uint8Array | ArrayBuffer;

/** How to fetch a model. */
export interface ModelLoadOptions extends LoadFileOptions {
  /** Where to fetch a bundled model from instead of the package's models/ directory (URL or Node path of the .tflite). */
  modelPath?: string | URL;
  /** Expected SHA-256 (hex) of your own model file: enables verification and caching for it. */
  modelSha256?: string;
}

/** Loads model bytes; bundled models are verified against the package manifest and cached. */
export async function loadModel(model: ModelSource, opts: ModelLoadOptions): Promise<LoadedFile> {
  if (model instanceof Uint8Array) return { bytes: model, fromCache: false };
  if (model instanceof ArrayBuffer) return { bytes: new Uint8Array(model), fromCache: false };
  if (isBundled(model)) {
    const location = opts.modelPath ?? bundledUrl(model);
    const entry = MANIFEST.files[`models/${model}.tflite`];
    return loadFile({ location, sha256: entry?.sha256, fromPackage: !opts.modelPath }, opts);
  }
  if (typeof model === 'string' || model instanceof URL) {
    if (typeof model === 'string' && model.length === 0) throw new ModelError('model: empty URL');
    try {
      return await loadFile({ location: model, sha256: opts.modelSha256 }, opts);
    } catch (e) {
      throw explainModelError(model, e);
    }
  }
  throw new ModelError("model must be 'face', 'objects', 'objects-tiny', a URL or path of a .tflite file, or its bytes (Uint8Array / ArrayBuffer)");
}

/** A failure to fetch a model named by a bare word (most likely a misspelt bundled name) as a ModelError listing the names; else `e`. */
export function explainModelError(model: ModelSource, e: unknown): unknown {
  if (!(e instanceof FetchError) || typeof model !== 'string' || !/^[\w-]+$/.test(model)) return e;
  const hint = closest(model, BUNDLED);
  return new ModelError(`unknown model '${model}'${hint ? ` (did you mean '${hint}'?)` : ''}: the bundled models are ` +
    `${BUNDLED.map((m) => `'${m}'`).join(', ')}; for your own model pass the URL or path of its .tflite file, or its bytes`);
}

/** The model source with relative URLs made absolute against the page (for handing to a worker). */
export function absoluteModel(model: ModelSource): ModelSource {
  if (typeof model === 'string' && !isBundled(model)) return toUrl(model)?.href ?? model;
  if (model instanceof URL) return model.href;
  return model;
}
