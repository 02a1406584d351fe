// YuNet (libfacedetection / OpenCV FaceDetectorYN): per stride s, cell (col, row) of a
// (input_w / s) x (input_h / s) grid; score = sqrt(clamp01(cls) * clamp01(obj)) as OpenCV
// computes it; box center (col + b0, row + b1) * s, size exp(b2) * s, exp(b3) * s; keypoint k at
// ((col + kps[2k]) * s, (row + kps[2k+1]) * s).
#include <algorithm>
#include <cmath>

#include "vision/decoders/decoder.h"

namespace fd {
namespace {

// One stride level: its tensors and grid size.
struct YunetLevel {
  TensorView cls, obj, bbox, kps;  // [1, N, 1], [1, N, 1], [1, N, 4], [1, N, 2K]
  int stride = 0, cols = 0, rows = 0;
};

float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

// True when `t` holds n rows of `c` values with `c` as its last dimension (or c == 1).
bool rows_of(const TensorView& t, int64_t n, int64_t c) {
  if (t.size() != n * c) return false;
  return c == 1 || (!t.shape.empty() && t.shape.back() == c);
}

class YunetDecoder : public Decoder {
 public:
  Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) override {
    const size_t levels = cfg.strides.size();
    const std::vector<TensorView> *cls, *obj, *bbox, *kps;
    FD_RETURN_IF_ERROR(expect_role(outputs, "cls", levels, &cls));
    FD_RETURN_IF_ERROR(expect_role(outputs, "obj", levels, &obj));
    FD_RETURN_IF_ERROR(expect_role(outputs, "bbox", levels, &bbox));
    FD_RETURN_IF_ERROR(expect_role(outputs, "kps", levels, &kps));
    levels_.clear();
    num_kp_ = -1;
    for (size_t i = 0; i < levels; ++i) {
      YunetLevel l;
      l.stride = cfg.strides[i];
      l.cols = cfg.input_width / l.stride;
      l.rows = cfg.input_height / l.stride;
      const int64_t n = static_cast<int64_t>(l.cols) * l.rows;
      const std::string nn = std::to_string(n);
      l.cls = (*cls)[i];
      l.obj = (*obj)[i];
      l.bbox = (*bbox)[i];
      l.kps = (*kps)[i];
      if (!rows_of(l.cls, n, 1)) return shape_error(l.cls, "cls", "[1, " + nn + ", 1] for stride " + std::to_string(l.stride));
      if (!rows_of(l.obj, n, 1)) return shape_error(l.obj, "obj", "[1, " + nn + ", 1] for stride " + std::to_string(l.stride));
      if (!rows_of(l.bbox, n, 4)) return shape_error(l.bbox, "bbox", "[1, " + nn + ", 4]");
      const int64_t kc = l.kps.shape.empty() ? 0 : l.kps.shape.back();
      if (kc % 2 != 0 || kc / 2 > kMaxKeypoints || !rows_of(l.kps, n, kc)) {
        return shape_error(l.kps, "kps", "[1, " + nn + ", 2K] with K <= " + std::to_string(kMaxKeypoints));
      }
      if (num_kp_ >= 0 && num_kp_ != kc / 2) return shape_error(l.kps, "kps", "the same keypoint count at every stride");
      num_kp_ = static_cast<int>(kc / 2);
      levels_.push_back(l);
    }
    return Status();
  }

  void decode(float score_threshold, std::vector<Candidate>* out) override {
    out->clear();
    int32_t order = 0;
    for (const YunetLevel& l : levels_) {
      const float s = static_cast<float>(l.stride);
      for (int r = 0; r < l.rows; ++r) {
        for (int c = 0; c < l.cols; ++c) {
          const int64_t i = static_cast<int64_t>(r) * l.cols + c;
          const float score = std::sqrt(clamp01(l.cls.at(i)) * clamp01(l.obj.at(i)));
          if (score < score_threshold) continue;
          const float cx = (static_cast<float>(c) + l.bbox.at(i * 4 + 0)) * s;
          const float cy = (static_cast<float>(r) + l.bbox.at(i * 4 + 1)) * s;
          const float w = std::exp(l.bbox.at(i * 4 + 2)) * s;
          const float h = std::exp(l.bbox.at(i * 4 + 3)) * s;
          Candidate d = centered_candidate(cx, cy, w, h, score, 0, order++);
          d.num_keypoints = num_kp_;
          for (int k = 0; k < num_kp_; ++k) {
            d.kp[2 * k] = (static_cast<float>(c) + l.kps.at(i * 2 * num_kp_ + 2 * k)) * s;
            d.kp[2 * k + 1] = (static_cast<float>(r) + l.kps.at(i * 2 * num_kp_ + 2 * k + 1)) * s;
          }
          out->push_back(d);
        }
      }
    }
  }

  int num_classes() const override { return 1; }
  int num_keypoints() const override { return num_kp_ < 0 ? 0 : num_kp_; }

 private:
  std::vector<YunetLevel> levels_;
  int num_kp_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> new_yunet_decoder() { return std::make_unique<YunetDecoder>(); }

}  // namespace fd
