// Messages between WorkerDetector (page) and worker.ts (module Web Worker).
import type { DecoderConfig, Detection, FilterOptions, ModelInfo } from './core.js';
import type { ErrorData } from './errors.js';
import type { Progress } from './loader.js';
import type { ModelSource } from './models.js';

/** Everything create() needs, without functions (structured-cloneable). */
export interface WorkerCreateOptions extends FilterOptions {
  model: ModelSource;
  decoder?: DecoderConfig;
  modelSha256?: string;
  wasmPath?: string;
  wasmBuild?: 'auto' | 'relaxed' | 'baseline';
  modelPath?: string;
  cache?: boolean;
  progress: boolean;
}

/** Page -> worker. Frames: an ImageBitmap at working size, RGBA pixels, or encoded bytes. */
export type ToWorker =
  | { type: 'create'; options: WorkerCreateOptions }
  | { type: 'detect'; id: number; bitmap: ImageBitmap; sourceWidth: number; sourceHeight: number }
  | { type: 'pixels'; id: number; data: Uint8ClampedArray | Uint8Array; width: number; height: number }
  | { type: 'encoded'; id: number; bytes: Uint8Array }
  | { type: 'setOptions'; id: number; options: FilterOptions }
  | { type: 'memory'; id: number }
  | { type: 'close' };

/** Worker -> page. */
export type FromWorker =
  | { type: 'progress'; progress: Progress }
  | { type: 'ready'; info: ModelInfo; wasmFromCache: boolean; modelFromCache: boolean }
  | { type: 'createFailed'; error: ErrorData }
  | { type: 'done'; id: number; detections?: Detection[]; value?: number }
  | { type: 'failed'; id: number; error: ErrorData };
