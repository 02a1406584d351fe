// featherdet's package entry: the runtime for raw TFLite models and the image helpers.
export { loadRuntime, decodeImage, resizeRgb, FeatherdetRuntime, TfliteModel } from './runtime.js';
export type { DType, TensorInfo, TensorData, TensorOutput, RgbImage, LoadOptions, ModelOptions } from './runtime.js';
