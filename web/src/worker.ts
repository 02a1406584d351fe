// The module Web Worker that hosts a detector for WorkerDetector: loads wasm + model, then serves
// detect/setOptions requests in order. Uses no document, importScripts or eval.
import { DetectorCore } from './core.js';
import { errorData, FeatherdetError } from './errors.js';
import { FrameCanvas } from './frame.js';
import type { Progress } from './loader.js';
import { loadModel } from './models.js';
import { getRuntime } from './wasm.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const scope = globalThis as unknown as {
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};
let core: DetectorCore | null = null;
const canvas = new FrameCanvas();

async function create(options: Extract<ToWorker, { type: 'create' }>['options']): Promise<void> {
  try {
    const onProgress = options.progress ? (progress: Progress) => scope.postMessage({ type: 'progress', progress }) : undefined;
    const load = { ...options, onProgress };
    const [rt, model] = await Promise.all([getRuntime(load), loadModel(options.model, load)]);
    core = DetectorCore.create(rt.runtime.module, model.bytes, options);
    scope.postMessage({ type: 'ready', info: core.info, wasmFromCache: rt.fromCache, modelFromCache: model.fromCache });
  } catch (e) {
    scope.postMessage({ type: 'createFailed', error: errorData(e) });
  }
}

function handle(m: ToWorker): void {
  if (m.type === 'create') {
    void create(m.options);
    return;
  }
  if (m.type === 'close') {
    core?.close();
    core = null;
    scope.close();
    return;
  }
  try {
    if (!core) throw new FeatherdetError('the worker has no detector');
    switch (m.type) {
      case 'detect': {
        try {
          const pixels = canvas.read(m.bitmap, m.bitmap.width, m.bitmap.height);
          scope.postMessage({ type: 'done', id: m.id, detections: core.detectPixels(pixels, m.sourceWidth, m.sourceHeight) });
        } finally {
          m.bitmap.close();
        }
        break;
      }
      case 'pixels':
        scope.postMessage({ type: 'done', id: m.id, detections: core.detectPixels(m, m.width, m.height) });
        break;
      case 'encoded':
        scope.postMessage({ type: 'done', id: m.id, detections: core.detectEncoded(m.bytes) });
        break;
      case 'setOptions':
        core.setOptions(m.options);
        scope.postMessage({ type: 'done', id: m.id });
        break;
      case 'memory':
        scope.postMessage({ type: 'done', id: m.id, value: core.wasmMemoryBytes });
        break;
    }
  } catch (e) {
    scope.postMessage({ type: 'failed', id: m.id, error: errorData(e) });
  }
}

scope.onmessage = (e) => handle(e.data);
