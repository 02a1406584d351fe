// The conformance matrix shared by tests/e2e/conformance.test.mjs and bench/run.mjs: five real
// TFLite files (served from /shared, i.e. ../shared) and five photos.

/**
 * Models: url (served path), kind (how outputs are judged: 'classifier' = [1, 1001] ImageNet
 * scores, 'segmenter' = [1, H, W] INT64 arg-max labels, 'pose' = MoveNet [1, 1, 17, 3] (y, x,
 * score), 'tensor' = generic per-tensor comparison only).
 */
export const MODELS = [
  { id: 'mobilenet_v1_0.25_128_quant', url: '/shared/conformance/tflite/mobilenet_v1_0.25_128_quant.tflite', kind: 'classifier' },
  { id: 'tf2_mobilenet_v2_1.0_224_ptq', url: '/shared/conformance/tflite/tf2_mobilenet_v2_1.0_224_ptq.tflite', kind: 'classifier' },
  { id: 'deeplabv3_mnv2_dm05_pascal_quant', url: '/shared/conformance/tflite/deeplabv3_mnv2_dm05_pascal_quant.tflite', kind: 'segmenter' },
  { id: 'movenet_single_pose_lightning_ptq', url: '/shared/conformance/tflite/movenet_single_pose_lightning_ptq.tflite', kind: 'pose' },
  { id: 'blazeface_short_range', url: '/shared/models/upstream/blazeface_short_range.tflite', kind: 'tensor' },
];

/** Images (BMP and JPEG, decoded by featherdet's decodeImage in the page). */
export const IMAGES = [
  { id: 'grace_hopper', url: '/shared/conformance/images/grace_hopper.bmp' },
  { id: 'cat', url: '/shared/conformance/images/cat.bmp' },
  { id: 'bird', url: '/shared/conformance/images/bird.bmp' },
  { id: 'face', url: '/shared/conformance/images/face.jpg' },
  { id: 'kite_and_cold', url: '/shared/conformance/images/kite_and_cold.jpg' },
];

/** Page that hosts window.harness (tests/e2e/pages/harness.js). */
export const HARNESS_PAGE = '/tests/e2e/pages/conformance.html';

/**
 * Served directory holding featherdet's package files (index.js, featherdet.mjs/.wasm): the
 * package's dist/ unless FEATHERDET_DIST names another one (e.g. /build/wasm-NAME/dist/).
 */
export const FEATHERDET_DIST = process.env.FEATHERDET_DIST ?? '/dist/';
