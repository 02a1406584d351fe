// Reading frames: every supported image source becomes RGBA pixels at a working size (about twice
// the model input on the long side, aspect kept), drawn through one reused canvas.
import { SourceError } from './errors.js';

/** RGBA pixels, 4 bytes per pixel, rows packed: data.length = width * height * 4. */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Anything detect() reads pixels from in a browser (or a worker). */
export type ImageSource =
  | HTMLVideoElement | HTMLImageElement | HTMLCanvasElement | ImageBitmap | ImageData | VideoFrame
  | OffscreenCanvas | RgbaImage;

/** What detect() accepts: an image source, or (anywhere, meant for Node) encoded JPEG/PNG/BMP bytes. */
export type DetectSource = ImageSource | Uint8Array | ArrayBuffer;

/** A source classified (a reusable struct): raw pixels, something a canvas can draw, or encoded file bytes. */
export interface SourceInfo {
  kind: 'pixels' | 'drawable' | 'encoded';
  pixels: RgbaImage | null;
  drawable: CanvasImageSource | null;
  bytes: Uint8Array | null;
  /** Source size in pixels (0 for encoded bytes: known after decoding). */
  width: number;
  height: number;
}

/** An empty SourceInfo to reuse across frames. */
export function newSourceInfo(): SourceInfo {
  return { kind: 'pixels', pixels: null, drawable: null, bytes: null, width: 0, height: 0 };
}

function fill(out: SourceInfo, kind: SourceInfo['kind'], pixels: RgbaImage | null, drawable: CanvasImageSource | null,
  bytes: Uint8Array | null, width: number, height: number): SourceInfo {
  out.kind = kind;
  out.pixels = pixels;
  out.drawable = drawable;
  out.bytes = bytes;
  out.width = width;
  out.height = height;
  return out;
}

const SOURCE_TYPES = 'an HTMLVideoElement, HTMLImageElement, HTMLCanvasElement, ImageBitmap, ImageData, VideoFrame, ' +
  'OffscreenCanvas, {data, width, height} RGBA pixels, or encoded JPEG/PNG bytes (Uint8Array)';

const isA = (x: unknown, name: string) => {
  const C = (globalThis as Record<string, unknown>)[name];
  return typeof C === 'function' && x instanceof (C as new () => unknown);
};

function sized(kind: string, width: number, height: number, hint: string): void {
  if (!(width > 0 && height > 0)) throw new SourceError(`detect(source): the ${kind} has no pixels yet (${width}x${height}): ${hint}`);
}

/** Identifies a source and its size in source pixels; throws SourceError for anything else. */
export function classify(source: unknown, out: SourceInfo = newSourceInfo()): SourceInfo {
  if (source === null || typeof source !== 'object') {
    throw new SourceError(`detect(source): got ${source === null ? 'null' : typeof source}; pass ${SOURCE_TYPES}`);
  }
  if (source instanceof ArrayBuffer) return fill(out, 'encoded', null, null, new Uint8Array(source), 0, 0);
  if (source instanceof Uint8Array && !('width' in source)) return fill(out, 'encoded', null, null, source, 0, 0);
  const s = source as Record<string, unknown>;
  if (isA(source, 'HTMLVideoElement')) {
    const v = source as HTMLVideoElement;
    if (v.readyState < 2) {
      throw new SourceError(`detect(source): the video has no current frame (readyState ${v.readyState}); ` +
        "wait for its 'loadeddata' event (or requestVideoFrameCallback) before detecting");
    }
    sized('video', v.videoWidth, v.videoHeight, "wait for 'loadeddata'");
    return fill(out, 'drawable', null, v, null, v.videoWidth, v.videoHeight);
  }
  if (isA(source, 'HTMLImageElement')) {
    const img = source as HTMLImageElement;
    if (!img.complete || img.naturalWidth === 0) {
      throw new SourceError('detect(source): the image is not loaded (or failed to load); await img.decode() first');
    }
    return fill(out, 'drawable', null, img, null, img.naturalWidth, img.naturalHeight);
  }
  if (isA(source, 'VideoFrame')) {
    const f = source as VideoFrame;
    if (f.format === null && f.displayWidth === 0) throw new SourceError('detect(source): the VideoFrame is closed');
    sized('VideoFrame', f.displayWidth, f.displayHeight, 'the frame is closed');
    return fill(out, 'drawable', null, f, null, f.displayWidth, f.displayHeight);
  }
  if (isA(source, 'ImageBitmap')) {
    const b = source as ImageBitmap;
    sized('ImageBitmap', b.width, b.height, 'it was closed or transferred');
    return fill(out, 'drawable', null, b, null, b.width, b.height);
  }
  if (isA(source, 'HTMLCanvasElement') || isA(source, 'OffscreenCanvas')) {
    const c = source as HTMLCanvasElement;
    sized('canvas', c.width, c.height, 'give it a width and height');
    return fill(out, 'drawable', null, c, null, c.width, c.height);
  }
  if ((s.data instanceof Uint8Array || s.data instanceof Uint8ClampedArray) && typeof s.width === 'number' && typeof s.height === 'number') {
    const image = source as RgbaImage;
    const { width, height } = image;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new SourceError(`detect(source): width and height must be positive integers, got ${width}x${height}`);
    }
    if (image.data.length !== width * height * 4) {
      throw new SourceError(`detect(source): ${width}x${height} RGBA needs ${width * height * 4} bytes of data, got ${image.data.length}` +
        (image.data.length === width * height * 3 ? ' (RGB? featherdet takes RGBA, 4 bytes per pixel)' : ''));
    }
    return fill(out, 'pixels', image, null, null, width, height);
  }
  const name = (source as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  throw new SourceError(`detect(source): unsupported source type ${name}; pass ${SOURCE_TYPES}`);
}

/** The working size for a source: long side at most `maxSide`, aspect kept, never upscaled. */
export function workingSize(width: number, height: number, maxSide: number, out: [number, number] = [0, 0]): [number, number] {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  out[0] = Math.max(1, Math.round(width * scale));
  out[1] = Math.max(1, Math.round(height * scale));
  return out;
}

/** The message for a source whose pixels the page may not read. */
export const CROSS_ORIGIN = 'detect(source): the image or video is cross-origin and its pixels cannot be read; ' +
  "serve it with CORS headers (Access-Control-Allow-Origin) and set crossOrigin = 'anonymous' on the element";

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** One reused canvas that turns drawable sources into RGBA pixels at a given size. */
export class FrameCanvas {
  private canvas: HTMLCanvasElement | OffscreenCanvas | null = null;
  private ctx: Context2D | null = null;

  /** Draws `image` scaled to width x height and returns its RGBA pixels. */
  read(image: CanvasImageSource, width: number, height: number): ImageData {
    const ctx = this.context(width, height);
    try {
      ctx.drawImage(image, 0, 0, width, height);
      return ctx.getImageData(0, 0, width, height);
    } catch (e) {
      const err = e as Error;
      if (err.name === 'SecurityError') {
        // The canvas is tainted for good: drop it so the next frame gets a clean one.
        this.canvas = null;
        this.ctx = null;
        throw new SourceError(CROSS_ORIGIN);
      }
      throw new SourceError(`detect(source): cannot draw the source: ${err.message}`);
    }
  }

  private context(width: number, height: number): Context2D {
    if (!this.canvas) {
      const doc = (globalThis as { document?: Document }).document;
      if (typeof OffscreenCanvas === 'function') this.canvas = new OffscreenCanvas(width, height);
      else if (doc) this.canvas = doc.createElement('canvas');
      else throw new SourceError('detect(source): this environment has no canvas; pass {data, width, height} RGBA pixels or encoded bytes');
      const ctx = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false }) as Context2D | null;
      if (!ctx) throw new SourceError('detect(source): cannot create a 2D canvas context');
      this.ctx = ctx;
    }
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    // Resizing resets the context state: replace (never blend with) the previous frame.
    this.ctx!.globalCompositeOperation = 'copy';
    return this.ctx!;
  }
}
