// The synchronous detector over the wasm pipeline (Embind `Detector`): options, frames in, plain
// result objects out. Used directly on the main thread and inside the worker.
import type { EmbindDetector, EmbindDetectorInfo, EmbindDetectorOptions, ErrorKind, FeatherdetModule } from './featherdet.mjs';
import { ClosedError, FeatherdetError, ModelError, OptionsError, SourceError, UnsupportedOpError } from './errors.js';
import { classify, FrameCanvas, newSourceInfo, workingSize, type RgbaImage, type SourceInfo } from './frame.js';

/** A point in source-image pixels. */
export interface Keypoint {
  /** Horizontal position in source-image pixels from the left edge (after mirror/rotation, as displayed). */
  x: number;
  /** Vertical position in source-image pixels from the top edge (after mirror/rotation, as displayed). */
  y: number;
  /** What the point is, e.g. 'right_eye', 'left_eye', 'nose', 'right_mouth', 'left_mouth'. */
  name: string;
}

/** An axis-aligned box in source-image pixels, top-left origin. */
export interface Box {
  /** Left edge, source-image pixels. */
  x: number;
  /** Top edge, source-image pixels. */
  y: number;
  /** Width, source-image pixels. */
  width: number;
  /** Height, source-image pixels. */
  height: number;
}

/** One detected object or face. */
export interface Detection {
  /** Bounding box in source-image pixels (in the orientation after the mirror/rotation options). */
  box: Box;
  /** Confidence in [0, 1]. */
  score: number;
  /** Category name ('face', 'person', 'car', …). */
  label: string;
  /** Index of the category in the model's label list (`detector.info.labels`). */
  labelId: number;
  /** Landmarks in source-image pixels (faces: 5 points; objects: none). */
  keypoints: Keypoint[];
}

/** Decoder settings for models with neither featherdet nor Ultralytics metadata (same shape as the metadata JSON). */
export interface DecoderConfig {
  family: 'yunet' | 'nanodet' | 'fastestdet' | 'blazeface' | 'yolov5' | 'yolov8' | 'yolox';
  labels?: string[];
  keypoints?: string[];
  /**
   * What the network takes (defaults: the family's upstream preprocessing, see the README).
   * Model channel c is (pixel − mean[c]) / std[c], channels in `pixels` order; `range` names the
   * common cases ('raw': mean 0, std 1; '0,1': 0, 255; '-1,1': 127.5, 127.5); mean/std win over it.
   */
  input?: {
    width?: number;
    height?: number;
    resize?: 'stretch' | 'letterbox';
    /** Where a letterboxed image sits: 'center' (default) or 'top-left' (padding only right and bottom; the yolox default). */
    align?: 'center' | 'top-left';
    pad_value?: number;
    pixels?: 'RGB' | 'BGR';
    range?: 'raw' | '0,1' | '-1,1';
    mean?: number | [number, number, number];
    std?: number | [number, number, number];
  };
  strides?: number[];
  reg_max?: number;
  /** yolox: the export already decoded the boxes (decode_in_inference=True: center and size in input pixels). */
  decoded?: boolean;
  outputs?: Record<string, string[]>;
  score_threshold?: number;
  iou_threshold?: number;
  max_results?: number;
  [key: string]: unknown;
}

/** Options that change what detect() reports; settable at create() and with setOptions(). */
export interface FilterOptions {
  /** Minimum score in [0, 1] a detection needs (default: the model's, e.g. 0.6 for faces). */
  scoreThreshold?: number;
  /** Non-maximum suppression overlap in [0, 1]: boxes overlapping more than this are merged (default: the model's). */
  iouThreshold?: number;
  /** At most this many detections per frame, best first (default: the model's, e.g. 100). */
  maxResults?: number;
  /** Report only these label names. */
  categoryAllowlist?: string[];
  /** Never report these label names. */
  categoryDenylist?: string[];
  /** Flip the source horizontally before detecting (front cameras); results are in the mirrored image. */
  mirror?: boolean;
  /** Rotate the source clockwise by 0, 90, 180 or 270 degrees before detecting; results are in the rotated image. */
  rotation?: 0 | 90 | 180 | 270;
  /** Report boxes and keypoints in [0, 1] (fractions of the frame's width and height) instead of source pixels. */
  normalized?: boolean;
}

/** The keys of FilterOptions (settable at create() and with setOptions()). */
export const FILTER_KEYS: readonly string[] = [
  'scoreThreshold', 'iouThreshold', 'maxResults', 'categoryAllowlist', 'categoryDenylist', 'mirror', 'rotation', 'normalized',
];

const LOADING_KEYS = ['worker', 'wasmPath', 'wasmBuild', 'modelPath', 'onProgress', 'cache'];
/** The options of FaceDetector.create, ObjectDetector.create and Detector.create (and WorkerDetector.create). */
export const FACE_KEYS: readonly string[] = [...FILTER_KEYS, ...LOADING_KEYS];
export const OBJECT_KEYS: readonly string[] = [...FACE_KEYS, 'model'];
export const DETECTOR_KEYS: readonly string[] = [...OBJECT_KEYS, 'decoder', 'modelSha256'];

/**
 * Edit distance of two short strings (case-insensitive); with `within`, of `a` to the closest
 * substring of `b` (so 'treshold' is 1 from 'scoreThreshold').
 */
function distance(a: string, b: string, within = false): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => (within ? 0 : j));
  for (let i = 1; i <= a.length; ++i) {
    const row = [i];
    for (let j = 1; j <= b.length; ++j) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return within ? Math.min(...prev) : prev[b.length];
}

/** The closest of `names` to `word` (whole, or as part of a longer name), if any is close. */
export function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = Math.min(distance(word, n), word.length >= 4 ? distance(word, n, true) + 1 : Infinity);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Throws an OptionsError for an options object that is not a plain object or holds a key not in `allowed`. */
export function checkKeys(options: unknown, allowed: readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionsError(`${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const k of Object.keys(options)) {
    if (allowed.includes(k)) continue;
    const hint = closest(k, allowed);
    throw new OptionsError(`${where}: unknown option '${k}'${hint ? ` (did you mean '${hint}'?)` : ''}; valid options: ${allowed.join(', ')}`);
  }
}

/** What the loaded model is. */
export interface ModelInfo {
  /** Decoder family, e.g. 'yunet'. */
  family: string;
  /** Model input width in pixels. */
  inputWidth: number;
  /** Model input height in pixels. */
  inputHeight: number;
  /** Category names by labelId. */
  labels: string[];
  /** Keypoint names, in the order of Detection.keypoints. */
  keypoints: string[];
  scoreThreshold: number;
  iouThreshold: number;
  maxResults: number;
  /** Size of the model file in bytes. */
  modelBytes: number;
  /** Bytes of wasm memory the model's activations use. */
  arenaBytes: number;
  /** Model input element type, e.g. 'INT8' or 'FLOAT32'. */
  inputType: string;
}

/** Checks filter options; throws a FeatherdetError naming the bad one. */
export function validateOptions(o: FilterOptions): void {
  const unit = (k: keyof FilterOptions) => {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new OptionsError(`${k} must be a number in [0, 1], got ${String(v)}`);
  };
  unit('scoreThreshold');
  unit('iouThreshold');
  if (o.maxResults !== undefined && !(Number.isInteger(o.maxResults) && o.maxResults > 0)) {
    throw new OptionsError(`maxResults must be a positive integer, got ${String(o.maxResults)}`);
  }
  for (const k of ['categoryAllowlist', 'categoryDenylist'] as const) {
    const v = o[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw new OptionsError(`${k} must be an array of label names`);
  }
  if (o.rotation !== undefined && ![0, 90, 180, 270].includes(o.rotation)) {
    throw new OptionsError(`rotation must be 0, 90, 180 or 270, got ${String(o.rotation)}`);
  }
  for (const k of ['mirror', 'normalized'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new OptionsError(`${k} must be true or false, got ${String(o[k])}`);
  }
}

/** The typed options the wasm pipeline takes (mirror/rotation stay in JS: they are per call); NaN, null or '' where not given. */
export function pipelineOptions(o: FilterOptions & { decoder?: DecoderConfig }): EmbindDetectorOptions {
  return {
    scoreThreshold: o.scoreThreshold ?? NaN,
    iouThreshold: o.iouThreshold ?? NaN,
    maxResults: o.maxResults ?? NaN,
    categoryAllowlist: o.categoryAllowlist ?? null,
    categoryDenylist: o.categoryDenylist ?? null,
    decoder: o.decoder === undefined ? '' : JSON.stringify(o.decoder),
  };
}

/** The wasm's DetectorInfo, thresholds (float32 in C++) shown as the decimals they were given as. */
function modelInfo(info: EmbindDetectorInfo): ModelInfo {
  return { ...info, scoreThreshold: Number(info.scoreThreshold.toPrecision(6)), iouThreshold: Number(info.iouThreshold.toPrecision(6)) };
}

/** A C++ load error as the error class its StatusCode names (never chosen by the message). */
function loadError(kind: ErrorKind, message: string): FeatherdetError {
  if (kind === 'unsupported') return new UnsupportedOpError(message);
  if (kind === 'invalid_argument') return new OptionsError(message);
  return new ModelError(message);
}

/** Throws SourceError unless timestampMs is a finite number above `last`. */
export function checkTimestamp(timestampMs: number, last: number): void {
  if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) {
    throw new SourceError(`detectForVideo: timestampMs must be a finite number of milliseconds, got ${String(timestampMs)}`);
  }
  if (timestampMs <= last) {
    throw new SourceError(`detectForVideo: timestamps must increase from call to call (got ${timestampMs} ms after ${last} ms); ` +
      'pass performance.now() or the video frame\'s time');
  }
}

/** A loaded detection model in one wasm runtime; detect() runs synchronously. */
export class DetectorCore {
  readonly info: ModelInfo;
  private emb: EmbindDetector | null;
  private readonly module: FeatherdetModule;
  private readonly canvas = new FrameCanvas();
  private readonly maxSide: number;
  private mirror: boolean;
  private rotation: number;
  private normalized: boolean;
  private lastTimestamp = -Infinity;
  private frame: Uint8Array | null = null;
  private frameWidth = 0;
  private frameHeight = 0;
  private readonly size: [number, number] = [0, 0];
  private readonly source: SourceInfo = newSourceInfo();

  private constructor(module: FeatherdetModule, emb: EmbindDetector, opts: FilterOptions) {
    this.module = module;
    this.emb = emb;
    this.info = modelInfo(emb.info()!);
    this.maxSide = 2 * Math.max(this.info.inputWidth, this.info.inputHeight);
    this.mirror = opts.mirror ?? false;
    this.rotation = opts.rotation ?? 0;
    this.normalized = opts.normalized ?? false;
  }

  /** Loads a model into `module`; ModelError / UnsupportedOpError on failure. */
  static create(module: FeatherdetModule, model: Uint8Array, opts: FilterOptions & { decoder?: DecoderConfig }): DetectorCore {
    validateOptions(opts);
    if (!module.Detector) throw new ModelError('this featherdet.wasm has no detection pipeline (built without src/api/detector): rebuild the package');
    const emb = new module.Detector();
    const err = emb.load(model, pipelineOptions(opts));
    if (err) {
      const kind = emb.errorCode();
      emb.delete();
      throw loadError(kind, err);
    }
    return new DetectorCore(module, emb, opts);
  }

  /** Changes thresholds, filters, mirror or rotation for the next frames. */
  setOptions(opts: FilterOptions): void {
    checkKeys(opts, FILTER_KEYS, 'setOptions');
    validateOptions(opts);
    const emb = this.live();
    const err = emb.setOptions(pipelineOptions(opts));
    if (err) throw emb.errorCode() === 'invalid_argument' ? new OptionsError(`setOptions: ${err}`) : new ModelError(`setOptions: ${err}`);
    if (opts.mirror !== undefined) this.mirror = opts.mirror;
    if (opts.rotation !== undefined) this.rotation = opts.rotation;
    if (opts.normalized !== undefined) this.normalized = opts.normalized;
    for (const k of ['scoreThreshold', 'iouThreshold', 'maxResults'] as const) if (opts[k] !== undefined) this.info[k] = opts[k]!;
  }

  /** Bytes of wasm memory in use by the whole runtime (grows, never shrinks). */
  get wasmMemoryBytes(): number {
    return this.module.HEAPU8.buffer.byteLength;
  }

  /** The working size (long side ~2x the model input) at which a width x height source is read (a reused array). */
  workingSize(width: number, height: number): [number, number] {
    return workingSize(width, height, this.maxSide, this.size);
  }

  /** Detects in any source; results in the source's pixels (as displayed after mirror/rotation). */
  detect(source: unknown): Detection[] {
    this.live();
    const c = classify(source, this.source);
    if (c.kind === 'encoded') return this.detectEncoded(c.bytes!);
    if (c.kind === 'pixels') return this.detectPixels(c.pixels!, c.width, c.height);
    const size = this.workingSize(c.width, c.height);
    return this.detectPixels(this.canvas.read(c.drawable!, size[0], size[1]), c.width, c.height);
  }

  /**
   * Checks a video frame's timestamp (milliseconds, strictly increasing per detector, as
   * MediaPipe's detectForVideo requires); SourceError otherwise.
   */
  checkTimestamp(timestampMs: number): void {
    this.live();
    checkTimestamp(timestampMs, this.lastTimestamp);
    this.lastTimestamp = timestampMs;
  }

  /** Detects in RGBA pixels that show a sourceWidth x sourceHeight image at a (possibly smaller) size. */
  detectPixels(image: RgbaImage, sourceWidth: number, sourceHeight: number): Detection[] {
    const emb = this.live();
    this.frameView(emb, image.width, image.height).set(image.data);
    const n = emb.detect(image.width, image.height, this.mirror, this.rotation);
    return this.collect(n, image.width, image.height, sourceWidth, sourceHeight);
  }

  /** Detects in encoded JPEG/PNG/BMP bytes (decoded by the wasm's stb_image). */
  detectEncoded(bytes: Uint8Array): Detection[] {
    const emb = this.live();
    const n = emb.detectEncoded(bytes, this.mirror, this.rotation);
    if (n < 0 && emb.errorCode() === 'invalid_image') throw new SourceError(`detect(source): cannot decode the image bytes: ${emb.lastError()}`);
    const w = emb.sourceWidth();
    const h = emb.sourceHeight();
    return this.collect(n, w, h, w, h);
  }

  /** Frees the model's wasm memory; later calls throw ClosedError. */
  close(): void {
    this.emb?.delete();
    this.emb = null;
  }

  get closed(): boolean {
    return this.emb === null;
  }

  /** The wasm frame buffer's view, re-fetched only when the size changes or wasm memory grew. */
  private frameView(emb: EmbindDetector, width: number, height: number): Uint8Array {
    const v = this.frame;
    if (v === null || v.buffer !== this.module.HEAPU8.buffer || this.frameWidth !== width || this.frameHeight !== height) {
      this.frame = emb.frameBuffer(width, height);
      this.frameWidth = width;
      this.frameHeight = height;
    }
    return this.frame!;
  }

  private live(): EmbindDetector {
    if (!this.emb) throw new ClosedError('this detector was closed; create a new one (e.g. await FaceDetector.create())');
    return this.emb;
  }

  /** Result objects from the results() view, scaled from the frame to the source's pixels. */
  private collect(n: number, frameWidth: number, frameHeight: number, sourceWidth: number, sourceHeight: number): Detection[] {
    const emb = this.emb!;
    if (n < 0) {
      const message = `detect(source): ${emb.lastError()}`;
      throw emb.errorCode() === 'invalid_argument' ? new SourceError(message) : new FeatherdetError(message);
    }
    // Rotations by 90/270 swap the axes of both the frame and the source as displayed.
    const quarter = this.rotation === 90 || this.rotation === 270;
    const sx = (this.normalized ? 1 : quarter ? sourceHeight : sourceWidth) / (quarter ? frameHeight : frameWidth);
    const sy = (this.normalized ? 1 : quarter ? sourceWidth : sourceHeight) / (quarter ? frameWidth : frameHeight);
    const names = this.info.keypoints;
    const labels = this.info.labels;
    const stride = 7 + 2 * names.length;
    const r = emb.results();
    const out: Detection[] = new Array(n);
    for (let i = 0; i < n; ++i) {
      const o = i * stride;
      const labelId = r[o + 5];
      const count = Math.min(r[o + 6], names.length);
      const keypoints: Keypoint[] = new Array(count);
      for (let k = 0; k < count; ++k) keypoints[k] = { x: r[o + 7 + 2 * k] * sx, y: r[o + 8 + 2 * k] * sy, name: names[k] };
      out[i] = {
        box: { x: r[o] * sx, y: r[o + 1] * sy, width: r[o + 2] * sx, height: r[o + 3] * sy },
        score: r[o + 4],
        label: labels[labelId] ?? String(labelId),
        labelId,
        keypoints,
      };
    }
    return out;
  }
}
