// Detector: the C++ detection facade. Loads a TFLite detection model with its
// "featherdet" metadata (or a `decoder` option), then turns RGBA frames into detections in
// source-image pixels: preprocess -> invoke -> decode -> NMS -> map back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vision/json.h"
#include "core/status.h"
#include "runtime/interpreter.h"
#include "vision/candidate.h"
#include "vision/decoder_config.h"
#include "vision/decoders/decoder.h"
#include "vision/preprocess.h"

namespace fd {

// One keypoint of a detection, in source pixels.
struct Keypoint {
  float x = 0, y = 0;
  std::string name;
};

// One detection: box in source pixels (top-left origin, after the Transform), score in [0, 1].
struct Detection {
  float x = 0, y = 0, width = 0, height = 0;
  float score = 0;
  int label_id = 0;
  std::string label;
  std::vector<Keypoint> keypoints;
};

// Options of Detector::create and Detector::set_options. A field left empty keeps its current
// value (at create: the model's metadata, else the family's default).
struct DetectorOptions {
  std::optional<float> score_threshold;  // [0, 1]
  std::optional<float> iou_threshold;    // [0, 1]
  std::optional<int> max_results;        // positive, or -1 for no limit
  // Names of the categories to report (allowlist) or to drop (denylist); mutually exclusive.
  std::optional<std::vector<std::string>> category_allowlist, category_denylist;
  // Overrides of the model's metadata, in the featherdet metadata's shape (family, input, labels,
  // outputs...): what a model without metadata needs, merged over what a model carries.
  std::optional<JsonValue> decoder;
};

// What a loaded detector reports about itself.
struct DetectorInfo {
  std::string family;
  int input_width = 0, input_height = 0;
  std::vector<std::string> labels, keypoints;
  float score_threshold = 0, iou_threshold = 0;
  int max_results = 0;
  size_t model_bytes = 0, arena_bytes = 0;
  std::string input_type;  // "INT8", "UINT8", "FLOAT32"
};

// Owns one prepared detection model and its per-frame buffers.
class Detector {
 public:
  // Loads `size` bytes of a .tflite model with `options`. Fails with a message naming the
  // problem: no metadata and no decoder option, unsupported family, missing or mis-shaped outputs,
  // bad options (StatusCode::kInvalidArgument).
  static Status create(const uint8_t* model, size_t size, const DetectorOptions& options, std::unique_ptr<Detector>* out);

  // Changes the options given; on error the detector is unchanged.
  Status set_options(const DetectorOptions& options);

  // Detects in an RGBA image [height, width, 4] with rows stride_bytes apart.
  Status detect(const uint8_t* rgba, int width, int height, int stride_bytes, const Transform& t, std::vector<Detection>* out);

  // Like detect() for RGB (channels 3) or RGBA (4) pixels; results stay in results() (source
  // pixels) with no allocation after the first frame of a size. buffer_bytes (0 = unchecked) is
  // the size of the pixel buffer, checked against the image size.
  Status run(const uint8_t* pixels, int width, int height, int channels, int stride_bytes, const Transform& t,
             size_t buffer_bytes = 0);

  // Detections of the last run(), in source pixels, best first.
  const std::vector<Candidate>& results() const { return results_; }
  // Label name of a class id.
  const std::string& label(int id) const { return labels_[static_cast<size_t>(id)]; }
  // Keypoint names (count = keypoints per detection).
  const std::vector<std::string>& keypoint_names() const { return keypoint_names_; }
  DetectorInfo info() const;

 private:
  Detector() = default;
  // Applies a metadata JSON value: config, decoder, preprocessor, labels. Leaves *this unchanged
  // on error.
  Status configure(const JsonValue& meta);
  Status apply_filters();

  std::unique_ptr<Interpreter> interp_;
  size_t model_bytes_ = 0;
  JsonValue meta_;  // effective metadata (model metadata merged with the decoder option)
  bool has_model_meta_ = false;
  DecoderConfig cfg_;
  std::unique_ptr<Decoder> decoder_;
  Preprocessor pre_;
  std::vector<std::string> labels_, keypoint_names_;
  float score_threshold_ = 0.5f, iou_threshold_ = 0.45f;
  int max_results_ = 100;
  std::vector<std::string> allow_, deny_;
  std::vector<uint8_t> class_enabled_;  // [num_classes]
  std::vector<Candidate> candidates_, results_;
};

}  // namespace fd
