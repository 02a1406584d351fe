// The public detectors: Detector (any model), FaceDetector (bundled `face`), ObjectDetector
// (bundled `objects` / `objects-tiny`). detect() runs synchronously on the calling thread; with
// { worker: true } create() returns a WorkerDetector whose detect() returns a Promise.
import { checkKeys, DETECTOR_KEYS, DetectorCore, FACE_KEYS, OBJECT_KEYS, type DecoderConfig, type Detection, type FilterOptions, type ModelInfo } from './core.js';
import { OptionsError } from './errors.js';
import type { DetectSource } from './frame.js';
import type { Progress } from './loader.js';
import { loadModel, type ModelSource } from './models.js';
import { getRuntime } from './wasm.js';
import type { WasmBuild } from './simd.js';
import { WorkerDetector } from './worker-client.js';

/** How to load the runtime and the model. */
export interface LoadingOptions {
  /** Run the model in a module Web Worker; detect() then returns a Promise (browsers only). */
  worker?: boolean;
  /**
   * URL (or Node path) of featherdet.wasm; default: the file beside this module. Engines with
   * relaxed SIMD load featherdet-relaxed.wasm from the same place.
   */
  wasmPath?: string | URL;
  /** Which wasm build: 'auto' (default: relaxed SIMD where the engine has it), 'relaxed' or 'baseline'. */
  wasmBuild?: WasmBuild;
  /** URL (or Node path) of the bundled model file to use instead of the package's copy. */
  modelPath?: string | URL;
  /** Download progress of the wasm and the model. */
  onProgress?: (progress: Progress) => void;
  /** Keep verified downloads in the Cache API (Node: FEATHERDET_CACHE_DIR or ~/.cache/featherdet); default true. */
  cache?: boolean;
}

/** Options of FaceDetector.create. */
export interface FaceDetectorOptions extends FilterOptions, LoadingOptions {}

/** Options of ObjectDetector.create. */
export interface ObjectDetectorOptions extends FilterOptions, LoadingOptions {
  /** 'objects' (YOLOX-Nano, 80 COCO classes, default), 'nanodet-m' (NanoDet-m) or 'objects-tiny' (FastestDet, faster). */
  model?: 'objects' | 'nanodet-m' | 'objects-tiny';
}

/** Options of Detector.create. */
export interface DetectorOptions extends FilterOptions, LoadingOptions {
  /** A bundled model name, the URL (or Node path) of a .tflite file, or its bytes. */
  model: ModelSource;
  /** Decoder settings for models with neither featherdet nor Ultralytics metadata; overrides the metadata's fields. */
  decoder?: DecoderConfig;
  /** Expected SHA-256 (hex) of the model file: verified, and the file is then cached. */
  modelSha256?: string;
}

/** Where the runtime and model came from. */
export interface LoadReport {
  /** featherdet.wasm came from the cache (no download). */
  wasmFromCache: boolean;
  /** The model came from the cache (no download). */
  modelFromCache: boolean;
}

/** Loads runtime + model on this thread. */
async function createCore(opts: DetectorOptions): Promise<{ core: DetectorCore; report: LoadReport }> {
  const [rt, model] = await Promise.all([getRuntime(opts), loadModel(opts.model, opts)]);
  const core = DetectorCore.create(rt.runtime.module, model.bytes, opts);
  return { core, report: { wasmFromCache: rt.fromCache, modelFromCache: model.fromCache } };
}

/** A detector running on the calling thread (main thread, worker or Node): what every create() returns without `worker: true`. */
export class DetectorBase {
  /** The loaded model: family, input size, labels, keypoint names, default thresholds, sizes. */
  readonly info: ModelInfo;
  /** Whether the wasm and the model came from the cache. */
  readonly loadReport: LoadReport;
  private readonly core: DetectorCore;

  protected constructor(core: DetectorCore, report: LoadReport) {
    this.core = core;
    this.info = core.info;
    this.loadReport = report;
  }

  /**
   * Detects in one frame, synchronously. Boxes and keypoints are in the source's pixels (in the
   * orientation after the mirror/rotation options). Throws SourceError for an unreadable source
   * (the detector stays usable) and ClosedError after close().
   */
  detect(source: DetectSource): Detection[] {
    return this.core.detect(source);
  }

  /**
   * Detects in a video frame, as MediaPipe's detectForVideo: `timestampMs` (e.g.
   * performance.now() or the frame's media time) must increase from call to call. Returns the
   * same results as detect().
   */
  detectForVideo(source: DetectSource, timestampMs: number): Detection[] {
    this.core.checkTimestamp(timestampMs);
    return this.core.detect(source);
  }

  /** Changes thresholds, filters, mirror or rotation for the next frames. */
  setOptions(options: FilterOptions): void {
    this.core.setOptions(options);
  }

  /** Bytes of wasm memory the runtime holds (shared by the detectors of this thread). */
  get wasmMemoryBytes(): number {
    return this.core.wasmMemoryBytes;
  }

  /** Frees the model's memory; detect() then throws ClosedError. */
  close(): void {
    this.core.close();
  }
}

/** Any supported detection model: yours (YOLOv5/v8, NanoDet, …, with `decoder` if it has no metadata) or a bundled one. */
export class Detector extends DetectorBase {
  /** Loads any supported detection model (bundled name, URL, path or bytes). */
  static create(options: DetectorOptions & { worker: true }): Promise<WorkerDetector>;
  static create(options: DetectorOptions & { worker?: false }): Promise<Detector>;
  static create(options: DetectorOptions): Promise<Detector | WorkerDetector>;
  static async create(options: DetectorOptions): Promise<Detector | WorkerDetector> {
    checkKeys(options, DETECTOR_KEYS, 'Detector.create');
    if (!options || options.model === undefined) throw new OptionsError("Detector.create: options.model is required (a .tflite URL, path or bytes, or 'face' / 'objects' / 'nanodet-m' / 'objects-tiny')");
    if (options.worker) return WorkerDetector.create(options);
    const { core, report } = await createCore(options);
    return new Detector(core, report);
  }
}

/** Faces with 5 landmarks (eyes, nose, mouth corners), using the bundled `face` model (YuNet-n 320). */
export class FaceDetector extends DetectorBase {
  /** Loads the bundled face model. */
  static create(options: FaceDetectorOptions & { worker: true }): Promise<WorkerDetector>;
  static create(options?: FaceDetectorOptions & { worker?: false }): Promise<FaceDetector>;
  static create(options?: FaceDetectorOptions): Promise<FaceDetector | WorkerDetector>;
  static async create(options: FaceDetectorOptions = {}): Promise<FaceDetector | WorkerDetector> {
    checkKeys(options, FACE_KEYS, 'FaceDetector.create');
    const opts: DetectorOptions = { ...options, model: 'face' };
    if (opts.worker) return WorkerDetector.create(opts);
    const { core, report } = await createCore(opts);
    return new FaceDetector(core, report);
  }
}

/** The 80 COCO categories (person, car, dog, …), using the bundled `objects`, `nanodet-m` or `objects-tiny` model. */
export class ObjectDetector extends DetectorBase {
  /** Loads a bundled object model ('objects' by default). */
  static create(options: ObjectDetectorOptions & { worker: true }): Promise<WorkerDetector>;
  static create(options?: ObjectDetectorOptions & { worker?: false }): Promise<ObjectDetector>;
  static create(options?: ObjectDetectorOptions): Promise<ObjectDetector | WorkerDetector>;
  static async create(options: ObjectDetectorOptions = {}): Promise<ObjectDetector | WorkerDetector> {
    checkKeys(options, OBJECT_KEYS, 'ObjectDetector.create');
    const model = options.model ?? 'objects';
    if (model !== 'objects' && model !== 'nanodet-m' && model !== 'objects-tiny') {
      throw new OptionsError(`ObjectDetector: model must be 'objects', 'nanodet-m' or 'objects-tiny', got '${String(model)}' (use Detector.create for your own model)`);
    }
    const opts: DetectorOptions = { ...options, model };
    if (opts.worker) return WorkerDetector.create(opts);
    const { core, report } = await createCore(opts);
    return new ObjectDetector(core, report);
  }
}
