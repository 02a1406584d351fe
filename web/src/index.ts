// featherdet's package entry: the detectors (FaceDetector, ObjectDetector, Detector, and their
// worker-hosted form), errors, cache control, plus the raw TFLite runtime and image helpers.
export { Detector, DetectorBase, FaceDetector, ObjectDetector } from './detector.js';
export type { DetectorOptions, FaceDetectorOptions, ObjectDetectorOptions, LoadingOptions, LoadReport } from './detector.js';
export { WorkerDetector } from './worker-client.js';
export { drawDetections, labelColor } from './draw.js';
export type { DrawStyle } from './draw.js';
export type { Detection, Box, Keypoint, FilterOptions, ModelInfo, DecoderConfig } from './core.js';
export type { DetectSource, ImageSource, RgbaImage } from './frame.js';
export type { BundledModel, ModelSource } from './models.js';
export type { Progress } from './loader.js';
export { clearCache } from './loader.js';
export { wasmSimdSupported } from './wasm.js';
export {
  FeatherdetError, OptionsError, SourceError, ClosedError, IntegrityError, ModelError, FetchError, UnsupportedOpError,
  WasmSupportError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export { loadRuntime, decodeImage, resizeRgb, FeatherdetRuntime, TfliteModel } from './runtime.js';
export type {
  DType, TensorInfo, TensorData, TensorOutput, RgbImage, LoadOptions, ModelOptions, NodeProfile, ModelProfile, KernelInfo,
} from './runtime.js';
