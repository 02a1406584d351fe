// WorkerDetector: the page side of a detector hosted in a module Web Worker. Frames go over as
// ImageBitmaps already downscaled to the working size (createImageBitmap), transferred, not copied.
import { checkKeys, checkTimestamp, DETECTOR_KEYS, FILTER_KEYS, validateOptions, type Detection, type FilterOptions, type ModelInfo } from './core.js';
import { ClosedError, FeatherdetError, SourceError, reviveError } from './errors.js';
import { classify, CROSS_ORIGIN, workingSize, type DetectSource } from './frame.js';
import { isNode, packageFile, toUrl, type Progress } from './loader.js';
import { absoluteModel, explainModelError, type ModelSource } from './models.js';
import type { DecoderConfig } from './core.js';
import type { FromWorker, ToWorker, WorkerCreateOptions } from './worker-protocol.js';

/**
 * A module worker running featherdet.worker.js (worker.ts, bundled). A worker script must be same-origin with the page: when the
 * package is served from another origin (a CDN), a same-origin blob: module imports it instead.
 * Under Vite's dev pre-bundle, the script comes from the package's own dist/ directory.
 */
function startWorker(): { worker: Worker; blob?: string } {
  const here = new URL(import.meta.url);
  const base = packageFile(here);
  const page = (globalThis as { location?: { origin?: string } }).location?.origin;
  // Bundlers that replace import.meta.url with the source's file: URL (webpack, Parcel) rewrite
  // the literal form below too.
  const bundled = here.protocol !== 'http:' && here.protocol !== 'https:';
  if (bundled || (base === here && (!page || here.origin === page))) {
    // The literal form, which Vite and webpack recognise and bundle as a worker.
    return { worker: new Worker(new URL('./featherdet.worker.js', import.meta.url), { type: 'module' }) };
  }
  const url = new URL('featherdet.worker.js', base);
  if (!page || url.origin === page) return { worker: new Worker(url, { type: 'module' }) };
  const blob = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
  return { worker: new Worker(blob, { type: 'module' }), blob };
}

/** What WorkerDetector.create takes (the same as Detector.create). */
interface Options extends FilterOptions {
  model: ModelSource;
  decoder?: DecoderConfig;
  modelSha256?: string;
  wasmPath?: string | URL;
  modelPath?: string | URL;
  cache?: boolean;
  onProgress?: (p: Progress) => void;
}

type Pending = { resolve: (v: FromWorker & { type: 'done' }) => void; reject: (e: Error) => void };

/** A detector running in a module Web Worker; detect() returns a Promise. Same options and results as Detector. */
export class WorkerDetector {
  /** The loaded model: family, input size, labels, keypoint names, default thresholds, sizes. */
  readonly info: ModelInfo;
  /** Whether the wasm and the model came from the cache. */
  readonly loadReport: { wasmFromCache: boolean; modelFromCache: boolean };
  private worker: Worker | null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly maxSide: number;
  private lastTimestamp = -Infinity;

  private constructor(worker: Worker, ready: FromWorker & { type: 'ready' }) {
    this.worker = worker;
    this.info = ready.info;
    this.loadReport = { wasmFromCache: ready.wasmFromCache, modelFromCache: ready.modelFromCache };
    this.maxSide = 2 * Math.max(this.info.inputWidth, this.info.inputHeight);
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    worker.onerror = (e) => this.failAll(new FeatherdetError(`the featherdet worker crashed: ${e.message}`, 'ERR_WORKER'));
  }

  /** Starts the worker and loads the model in it. */
  static async create(options: Options): Promise<WorkerDetector> {
    if (isNode || typeof Worker !== 'function') {
      throw new FeatherdetError('worker: true needs a browser with module Web Workers; in Node use the synchronous detector', 'ERR_WORKER');
    }
    checkKeys(options, DETECTOR_KEYS, 'WorkerDetector.create');
    validateOptions(options);
    const { onProgress, wasmPath, modelPath, model, ...rest } = options;
    const createOptions: WorkerCreateOptions = {
      ...rest,
      model: absoluteModel(model),
      wasmPath: wasmPath === undefined ? undefined : toUrl(wasmPath)?.href,
      modelPath: modelPath === undefined ? undefined : toUrl(modelPath)?.href,
      progress: onProgress !== undefined,
    };
    const { worker, blob } = startWorker();
    const ready = await new Promise<FromWorker & { type: 'ready' }>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === 'progress') onProgress?.(m.progress);
        else if (m.type === 'ready') resolve(m);
        else if (m.type === 'createFailed') reject(explainModelError(model, reviveError(m.error)));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new FeatherdetError(`cannot start the featherdet worker (featherdet.worker.js beside the package entry): ${e.message || 'load error'}`, 'ERR_WORKER'));
      };
      worker.postMessage({ type: 'create', options: createOptions } satisfies ToWorker);
    }).catch((e: Error) => {
      worker.terminate();
      throw e;
    }).finally(() => {
      if (blob) URL.revokeObjectURL(blob);
    });
    return new WorkerDetector(worker, ready);
  }

  /**
   * Detects in one frame in the worker. Boxes and keypoints are in the source's pixels (after
   * mirror/rotation). Rejects with SourceError for an unreadable source, ClosedError after close().
   */
  async detect(source: DetectSource): Promise<Detection[]> {
    const worker = this.live();
    const c = classify(source);
    const id = this.nextId++;
    if (c.kind === 'encoded') return this.request(id, { type: 'encoded', id, bytes: c.bytes!.slice() }, [], worker).then((m) => m.detections!);
    if (c.kind === 'pixels') {
      const data = c.pixels!.data.slice();
      return this.request(id, { type: 'pixels', id, data, width: c.width, height: c.height }, [data.buffer], worker).then((m) => m.detections!);
    }
    const [w, h] = workingSize(c.width, c.height, this.maxSide);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(c.drawable as ImageBitmapSource, { resizeWidth: w, resizeHeight: h, resizeQuality: 'medium' });
    } catch (e) {
      const err = e as Error;
      throw new SourceError(err.name === 'SecurityError' ? CROSS_ORIGIN : `detect(source): cannot read the source: ${err.message}`);
    }
    return this.request(id, { type: 'detect', id, bitmap, sourceWidth: c.width, sourceHeight: c.height }, [bitmap], this.live())
      .then((m) => m.detections!);
  }

  /**
   * Detects in a video frame, as MediaPipe's detectForVideo: `timestampMs` must increase from
   * call to call. Resolves to the same results as detect().
   */
  async detectForVideo(source: DetectSource, timestampMs: number): Promise<Detection[]> {
    this.live();
    checkTimestamp(timestampMs, this.lastTimestamp);
    this.lastTimestamp = timestampMs;
    return this.detect(source);
  }

  /** Changes thresholds, filters, mirror or rotation for the next frames. */
  async setOptions(options: FilterOptions): Promise<void> {
    checkKeys(options, FILTER_KEYS, 'setOptions');
    validateOptions(options);
    const id = this.nextId++;
    await this.request(id, { type: 'setOptions', id, options }, [], this.live());
  }

  /** Bytes of wasm memory the worker's runtime holds. */
  async wasmMemoryBytes(): Promise<number> {
    const id = this.nextId++;
    return (await this.request(id, { type: 'memory', id }, [], this.live())).value!;
  }

  /** Stops the worker; pending and later detect() calls reject with ClosedError. */
  close(): void {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = null;
    this.failAll(new ClosedError('this detector was closed'));
  }

  private live(): Worker {
    if (!this.worker) throw new ClosedError('this detector was closed; create a new one (e.g. await FaceDetector.create({ worker: true }))');
    return this.worker;
  }

  private request(id: number, message: ToWorker, transfer: Transferable[], worker: Worker): Promise<FromWorker & { type: 'done' }> {
    return new Promise((resolve, reject) => {
      try {
        worker.postMessage(message, transfer);
      } catch (e) {
        // A frame the page may not hand on (a cross-origin ImageBitmap is not origin-clean).
        if (message.type === 'detect') message.bitmap.close();
        const err = e as Error;
        reject(new SourceError(err.name === 'DataCloneError' ? CROSS_ORIGIN : `detect(source): cannot send the frame to the worker: ${err.message}`));
        return;
      }
      this.pending.set(id, { resolve, reject });
    });
  }

  private receive(m: FromWorker): void {
    if (m.type !== 'done' && m.type !== 'failed') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'done') p.resolve(m);
    else p.reject(reviveError(m.error));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
