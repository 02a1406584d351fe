// The decoder description of a detection model: the "featherdet" metadata JSON,
// possibly overridden by the user's `decoder` option, parsed into a plain struct.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "vision/json.h"
#include "core/status.h"

namespace fd {

enum class ResizeMode { kStretch, kLetterbox };

// Where a letterboxed image sits in the model input: centered (Ultralytics, NanoDet, MediaPipe)
// or at the top-left corner with padding only on the right and bottom (YOLOX's preproc).
enum class LetterboxAlign { kCenter, kTopLeft };

// How 8-bit pixels become model input values: the model's channel c takes the source's channel c
// (RGB order) or 2 - c (BGR order), as (pixel - mean[c]) / std[c]. The metadata's "range" names
// the common cases: "raw" (mean 0, std 1), "0,1" (0, 255), "-1,1" (127.5, 127.5).
struct PixelMapping {
  bool bgr = false;
  float mean[3] = {0, 0, 0};
  float std[3] = {1, 1, 1};
};

// MediaPipe SSD anchor options (fixed anchor size), for BlazeFace-style models.
struct SsdAnchorOptions {
  int num_layers = 4;
  std::vector<int> strides = {8, 16, 16, 16};
  int input_width = 128, input_height = 128;
  float offset = 0.5f;
};

// Everything the detector needs to preprocess, decode and filter for one model family.
struct DecoderConfig {
  std::string family;  // yunet | nanodet | fastestdet | blazeface | yolov5 | yolov8 | yolox
  int input_width = 0, input_height = 0;
  ResizeMode resize = ResizeMode::kStretch;
  LetterboxAlign align = LetterboxAlign::kCenter;  // letterbox placement (metadata input.align)
  PixelMapping pixels;
  int pad_value = 0;                 // letterbox fill, 0-255 pixel value (mapped like the image)
  std::vector<int> strides;          // grid families, in output order
  int reg_max = 7;                   // nanodet: bins per side = reg_max + 1
  float center_offset = 0.5f;        // nanodet: cell center = (col + offset) * stride
  bool channels_first = false;       // fastestdet: [1, 5+C, H, W] instead of NHWC
  int normalized = -1;               // yolo: 1 boxes normalized, 0 pixels, -1 detect by magnitude
  bool decoded = false;              // yolox: the export applied grid and exp (boxes in input pixels)
  std::vector<std::pair<std::string, std::vector<std::string>>> outputs;  // role -> tensor names
  std::vector<std::string> labels;
  std::vector<std::string> keypoints;
  float score_threshold = 0.5f, iou_threshold = 0.45f;
  int max_results = 100;
  SsdAnchorOptions anchors;

  // Tensor names of `role`, or null when the role is not listed.
  const std::vector<std::string>* role(const std::string& name) const;
};

// The pixel mapping `family`'s upstream inference code feeds its networks: the default for its
// files, and what featherdet-convert folds into the first layer.
PixelMapping family_pixels(const std::string& family);

// Names of the supported families, comma separated (for error messages).
const char* supported_families();

// Fills `cfg` from a metadata object. `model_width`/`model_height` (the model's input tensor)
// fill a missing "input" size and must match a given one. Missing fields get the family's
// defaults (thresholds, resize mode, strides, output names, keypoint names). Errors name the
// field: "decoder family 'x' is not supported (supported: ...)", "decoder field 'strides' ...".
Status parse_decoder_config(const JsonValue& meta, int model_width, int model_height, DecoderConfig* cfg);

// Returns `base` with `overrides` merged in: objects merge member by member (recursively), any
// other value in `overrides` replaces base's.
JsonValue merge_json_objects(const JsonValue& base, const JsonValue& overrides);

}  // namespace fd
