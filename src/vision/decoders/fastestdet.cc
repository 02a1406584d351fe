// FastestDet: one map of H x W cells, each [obj, rx, ry, rw, rh, class scores (softmax)...]
// (NHWC [1, H, W, 5+C] by default, [1, 5+C, H, W] with layout "nchw"). As published:
// score = obj^0.6 * max_cls^0.4; center ((tanh(rx) + col) / W, (tanh(ry) + row) / H), size
// (sigmoid(rw), sigmoid(rh)), normalized to the input, scaled here to input pixels.
#include <cmath>

#include "vision/decoders/decoder.h"

namespace fd {
namespace {

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

class FastestdetDecoder : public Decoder {
 public:
  Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) override {
    const std::vector<TensorView>* pred;
    FD_RETURN_IF_ERROR(expect_role(outputs, "pred", 1, &pred));
    pred_ = (*pred)[0];
    const Shape& s = pred_.shape;
    channels_first_ = cfg.channels_first;
    const char* expect = channels_first_ ? "[1, 5+C, H, W]" : "[1, H, W, 5+C] (NHWC)";
    if (s.size() != 4 || s[0] != 1) return shape_error(pred_, "pred", expect);
    rows_ = channels_first_ ? s[2] : s[1];
    cols_ = channels_first_ ? s[3] : s[2];
    channels_ = channels_first_ ? s[1] : s[3];
    if (channels_ < 6 || rows_ <= 0 || cols_ <= 0) return shape_error(pred_, "pred", expect);
    width_ = static_cast<float>(cfg.input_width);
    height_ = static_cast<float>(cfg.input_height);
    return Status();
  }

  void decode(float score_threshold, std::vector<Candidate>* out) override {
    out->clear();
    int32_t order = 0;
    const int64_t plane = static_cast<int64_t>(rows_) * cols_;
    for (int r = 0; r < rows_; ++r) {
      for (int c = 0; c < cols_; ++c) {
        const int64_t cell = static_cast<int64_t>(r) * cols_ + c;
        // Element `ch` of this cell in either layout.
        auto at = [&](int ch) { return channels_first_ ? pred_.at(ch * plane + cell) : pred_.at(cell * channels_ + ch); };
        const float obj = at(0);
        int best = 0;
        float best_score = at(5);
        for (int k = 1; k < channels_ - 5; ++k) {
          const float v = at(5 + k);
          if (v > best_score) {
            best_score = v;
            best = k;
          }
        }
        const float score = std::pow(obj > 0.0f ? obj : 0.0f, 0.6f) * std::pow(best_score > 0.0f ? best_score : 0.0f, 0.4f);
        if (score < score_threshold) continue;
        const float cx = (std::tanh(at(1)) + static_cast<float>(c)) / static_cast<float>(cols_) * width_;
        const float cy = (std::tanh(at(2)) + static_cast<float>(r)) / static_cast<float>(rows_) * height_;
        const float w = sigmoid(at(3)) * width_;
        const float h = sigmoid(at(4)) * height_;
        out->push_back(centered_candidate(cx, cy, w, h, score, best, order++));
      }
    }
  }

  int num_classes() const override { return channels_ - 5; }

 private:
  TensorView pred_;
  bool channels_first_ = false;
  int rows_ = 0, cols_ = 0, channels_ = 0;
  float width_ = 0, height_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> new_fastestdet_decoder() { return std::make_unique<FastestdetDecoder>(); }

}  // namespace fd
