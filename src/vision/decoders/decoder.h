// Model-family decoders: raw output tensors -> detection candidates in model-input pixels.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/candidate.h"
#include "vision/decoder_config.h"
#include "vision/tensor_view.h"

namespace fd {

// Output tensors by role ("cls", "bbox", ...), each list in the config's (stride) order.
using RoleTensors = std::map<std::string, std::vector<TensorView>>;

// Decodes one model family. prepare() validates shapes once at load; decode() runs per frame and
// does not allocate once `out` has grown to its working size.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Checks that every role the family needs exists with the expected shapes and keeps the views.
  virtual Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) = 0;
  // Clears `out`, then appends every candidate with score >= score_threshold (boxes and
  // keypoints in model-input pixels).
  virtual void decode(float score_threshold, std::vector<Candidate>* out) = 0;
  // Number of classes the model scores (known after prepare).
  virtual int num_classes() const = 0;
  // Number of keypoints per detection (known after prepare).
  virtual int num_keypoints() const { return 0; }
  // True when the family expects MediaPipe-style weighted NMS instead of hard NMS.
  virtual bool weighted_nms() const { return false; }
};

// A decoder for `family`, or an error naming the supported families.
Status make_decoder(const std::string& family, std::unique_ptr<Decoder>* out);

// The output roles `cfg`'s family reads, in a fixed order (for error messages and the detector).
std::vector<std::string> decoder_roles(const DecoderConfig& cfg);

// YOLOX reads either one "output" tensor or a split head: true when `cfg` maps any of the split
// head's roles ("reg", "obj", "cls").
bool yolox_split_outputs(const DecoderConfig& cfg);

// Shared by the decoders: fails unless `outputs` has `role` with exactly `count` tensors.
Status expect_role(const RoleTensors& outputs, const std::string& role, size_t count, const std::vector<TensorView>** views);

// Shape helpers: "[1, 1600, 4]" text and an error naming the tensor and what was expected.
Status shape_error(const TensorView& t, const std::string& role, const std::string& expected);

// Factories of the concrete decoders (one file each).
std::unique_ptr<Decoder> new_yunet_decoder();
std::unique_ptr<Decoder> new_nanodet_decoder();
std::unique_ptr<Decoder> new_fastestdet_decoder();
std::unique_ptr<Decoder> new_blazeface_decoder();
std::unique_ptr<Decoder> new_yolo_decoder(bool v8);
std::unique_ptr<Decoder> new_yolox_decoder();

}  // namespace fd
