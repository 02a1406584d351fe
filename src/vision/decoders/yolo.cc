// Ultralytics YOLO exports. YOLOv5: pred [1, N, 5+C] rows (cx, cy, w, h, obj, class scores),
// score = obj * best class. YOLOv8: pred [1, 4+C, N] (channels first, the default export) or
// [1, N, 4+C], score = best class, no objectness. Boxes are input pixels, or normalized to [0, 1]
// (TFLite exports): metadata "normalized", else detected per frame (every center <= 2 means
// normalized) and scaled to input pixels.
#include <algorithm>

#include "vision/decoders/decoder.h"

namespace fd {
namespace {

class YoloDecoder : public Decoder {
 public:
  explicit YoloDecoder(bool v8) : v8_(v8) {}

  Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) override {
    const std::vector<TensorView>* pred;
    FD_RETURN_IF_ERROR(expect_role(outputs, "pred", 1, &pred));
    pred_ = (*pred)[0];
    const Shape& s = pred_.shape;
    const int head = v8_ ? 4 : 5;
    const char* expect = v8_ ? "[1, 4+C, N] or [1, N, 4+C]" : "[1, N, 5+C]";
    if (s.size() != 3 || s[0] != 1) return shape_error(pred_, "pred", expect);
    // Anchors outnumber channels in real exports; a last dimension too small for 4+C is anchors.
    channels_first_ = v8_ && (s[1] < s[2] || s[2] <= head);
    rows_ = channels_first_ ? s[2] : s[1];
    channels_ = channels_first_ ? s[1] : s[2];
    if (channels_ <= head || rows_ <= 0) return shape_error(pred_, "pred", expect);
    num_classes_ = channels_ - head;
    normalized_ = cfg.normalized;
    width_ = static_cast<float>(cfg.input_width);
    height_ = static_cast<float>(cfg.input_height);
    return Status();
  }

  void decode(float score_threshold, std::vector<Candidate>* out) override {
    out->clear();
    bool normalized = normalized_ == 1;
    if (normalized_ < 0) {
      float max_center = 0.0f;
      for (int64_t i = 0; i < rows_; ++i) max_center = std::max(max_center, std::max(at(i, 0), at(i, 1)));
      normalized = max_center <= 2.0f;
    }
    const float sx = normalized ? width_ : 1.0f;
    const float sy = normalized ? height_ : 1.0f;
    const int head = v8_ ? 4 : 5;
    int32_t order = 0;
    for (int64_t i = 0; i < rows_; ++i) {
      const float obj = v8_ ? 1.0f : at(i, 4);
      if (!v8_ && obj < score_threshold) continue;
      int best = 0;
      float best_score = at(i, head);
      for (int k = 1; k < num_classes_; ++k) {
        const float v = at(i, head + k);
        if (v > best_score) {
          best_score = v;
          best = k;
        }
      }
      float score = obj * best_score;
      if (score < score_threshold) continue;
      const float cx = at(i, 0) * sx, cy = at(i, 1) * sy;
      const float w = at(i, 2) * sx, h = at(i, 3) * sy;
      out->push_back(centered_candidate(cx, cy, w, h, score, best, order++));
    }
  }

  int num_classes() const override { return num_classes_; }

 private:
  // Channel `c` of prediction row `i` in either layout.
  float at(int64_t i, int c) const { return channels_first_ ? pred_.at(c * rows_ + i) : pred_.at(i * channels_ + c); }

  bool v8_;
  TensorView pred_;
  bool channels_first_ = false;
  int64_t rows_ = 0;
  int channels_ = 0, num_classes_ = 0;
  int normalized_ = -1;
  float width_ = 0, height_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> new_yolo_decoder(bool v8) { return std::make_unique<YoloDecoder>(v8); }

}  // namespace fd
