// BlazeFace (MediaPipe face detection): 896 SSD anchors; regressors [1, N, 4 + 2K] hold
// (dx, dy, w, h, kp...) in input pixels relative to the anchor center; score =
// sigmoid(clip(logit, -100, 100)). Boxes and keypoints come out in model-input pixels; the
// detector merges overlaps with weighted NMS as MediaPipe does.
#include <cmath>

#include "vision/anchors.h"
#include "vision/decoders/decoder.h"

namespace fd {
namespace {

class BlazefaceDecoder : public Decoder {
 public:
  Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) override {
    const std::vector<TensorView> *reg, *cls;
    FD_RETURN_IF_ERROR(expect_role(outputs, "regressors", 1, &reg));
    FD_RETURN_IF_ERROR(expect_role(outputs, "classificators", 1, &cls));
    reg_ = (*reg)[0];
    cls_ = (*cls)[0];
    anchors_ = generate_ssd_anchors(cfg.anchors);
    const int64_t n = static_cast<int64_t>(anchors_.size());
    const std::string nn = std::to_string(n);
    if (cls_.size() != n) return shape_error(cls_, "classificators", "[1, " + nn + ", 1] (one logit per anchor)");
    const int64_t c = reg_.shape.empty() ? 0 : reg_.shape.back();
    if (reg_.size() != n * c || c < 4 || (c - 4) % 2 != 0 || (c - 4) / 2 > kMaxKeypoints) {
      return shape_error(reg_, "regressors", "[1, " + nn + ", 4 + 2K]");
    }
    num_kp_ = static_cast<int>((c - 4) / 2);
    coords_ = static_cast<int>(c);
    scale_x_ = static_cast<float>(cfg.anchors.input_width);
    scale_y_ = static_cast<float>(cfg.anchors.input_height);
    width_ = static_cast<float>(cfg.input_width);
    height_ = static_cast<float>(cfg.input_height);
    return Status();
  }

  void decode(float score_threshold, std::vector<Candidate>* out) override {
    out->clear();
    int32_t order = 0;
    for (size_t i = 0; i < anchors_.size(); ++i) {
      float logit = cls_.at(static_cast<int64_t>(i));
      logit = logit < -100.0f ? -100.0f : (logit > 100.0f ? 100.0f : logit);
      const float score = 1.0f / (1.0f + std::exp(-logit));
      if (score < score_threshold) continue;
      const AnchorCenter& a = anchors_[i];
      const int64_t base = static_cast<int64_t>(i) * coords_;
      const float cx = reg_.at(base + 0) / scale_x_ + a.x;
      const float cy = reg_.at(base + 1) / scale_y_ + a.y;
      const float w = reg_.at(base + 2) / scale_x_;
      const float h = reg_.at(base + 3) / scale_y_;
      Candidate d;
      d.x0 = (cx - 0.5f * w) * width_;
      d.y0 = (cy - 0.5f * h) * height_;
      d.x1 = (cx + 0.5f * w) * width_;
      d.y1 = (cy + 0.5f * h) * height_;
      d.score = score;
      d.label = 0;
      d.order = order++;
      d.num_keypoints = num_kp_;
      for (int k = 0; k < num_kp_; ++k) {
        d.kp[2 * k] = (reg_.at(base + 4 + 2 * k) / scale_x_ + a.x) * width_;
        d.kp[2 * k + 1] = (reg_.at(base + 5 + 2 * k) / scale_y_ + a.y) * height_;
      }
      out->push_back(d);
    }
  }

  int num_classes() const override { return 1; }
  int num_keypoints() const override { return num_kp_; }
  bool weighted_nms() const override { return true; }

 private:
  TensorView reg_, cls_;
  std::vector<AnchorCenter> anchors_;
  int num_kp_ = 0, coords_ = 4;
  float scale_x_ = 128, scale_y_ = 128, width_ = 128, height_ = 128;
};

}  // namespace

std::unique_ptr<Decoder> new_blazeface_decoder() { return std::make_unique<BlazefaceDecoder>(); }

}  // namespace fd
