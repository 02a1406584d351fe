// NanoDet (GFL head): per stride s, a ceil(input_w / s) x ceil(input_h / s) grid; class scores
// are already sigmoid; each of the 4 sides (left, top, right, bottom) is a distribution over
// reg_max + 1 bins: distance = s * sum_i i * softmax(bins)_i, measured from the cell center
// ((col + center_offset) * s, (row + center_offset) * s) (NanoDet-m uses offset 0.5). Every class
// whose score passes the threshold gives a candidate (multi-label, as NanoDet's own NMS does).
#include <algorithm>
#include <cmath>

#include "vision/decoders/decoder.h"

namespace fd {
namespace {

struct NanodetLevel {
  TensorView cls, reg;  // [1, N, C], [1, N, 4 * (reg_max + 1)]
  int stride = 0, cols = 0, rows = 0;
};

class NanodetDecoder : public Decoder {
 public:
  Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) override {
    const size_t levels = cfg.strides.size();
    const std::vector<TensorView> *cls, *reg;
    FD_RETURN_IF_ERROR(expect_role(outputs, "cls", levels, &cls));
    FD_RETURN_IF_ERROR(expect_role(outputs, "reg", levels, &reg));
    bins_ = cfg.reg_max + 1;
    offset_ = cfg.center_offset;
    levels_.clear();
    num_classes_ = -1;
    for (size_t i = 0; i < levels; ++i) {
      NanodetLevel l;
      l.stride = cfg.strides[i];
      l.cols = (cfg.input_width + l.stride - 1) / l.stride;
      l.rows = (cfg.input_height + l.stride - 1) / l.stride;
      l.cls = (*cls)[i];
      l.reg = (*reg)[i];
      const int64_t n = static_cast<int64_t>(l.cols) * l.rows;
      const std::string nn = std::to_string(n);
      const int64_t c = l.cls.shape.empty() ? 0 : l.cls.shape.back();
      if (c <= 0 || l.cls.size() != n * c) return shape_error(l.cls, "cls", "[1, " + nn + ", C] for stride " + std::to_string(l.stride));
      if (num_classes_ >= 0 && c != num_classes_) return shape_error(l.cls, "cls", "the same class count at every stride");
      num_classes_ = static_cast<int>(c);
      const int64_t rc = 4 * bins_;
      if (l.reg.size() != n * rc || l.reg.shape.back() != rc) {
        return shape_error(l.reg, "reg", "[1, " + nn + ", " + std::to_string(rc) + "] (4 sides x (reg_max + 1) bins)");
      }
      levels_.push_back(l);
    }
    return Status();
  }

  void decode(float score_threshold, std::vector<Candidate>* out) override {
    out->clear();
    int32_t order = 0;
    for (const NanodetLevel& l : levels_) {
      const float s = static_cast<float>(l.stride);
      for (int r = 0; r < l.rows; ++r) {
        for (int c = 0; c < l.cols; ++c) {
          const int64_t i = static_cast<int64_t>(r) * l.cols + c;
          bool any = false;
          for (int k = 0; k < num_classes_ && !any; ++k) any = l.cls.at(i * num_classes_ + k) >= score_threshold;
          if (!any) continue;
          float dist[4];
          for (int side = 0; side < 4; ++side) dist[side] = expected_bin(l.reg, i * 4 * bins_ + side * bins_) * s;
          const float cx = (static_cast<float>(c) + offset_) * s;
          const float cy = (static_cast<float>(r) + offset_) * s;
          for (int k = 0; k < num_classes_; ++k) {
            const float score = l.cls.at(i * num_classes_ + k);
            if (score < score_threshold) continue;
            Candidate d;
            d.x0 = cx - dist[0];
            d.y0 = cy - dist[1];
            d.x1 = cx + dist[2];
            d.y1 = cy + dist[3];
            d.score = score > 1.0f ? 1.0f : score;
            d.label = k;
            d.order = order++;
            out->push_back(d);
          }
        }
      }
    }
  }

  int num_classes() const override { return num_classes_ < 0 ? 0 : num_classes_; }

 private:
  // sum_i i * softmax(x)_i over bins_ values starting at `base`.
  float expected_bin(const TensorView& t, int64_t base) const {
    float mx = t.at(base);
    for (int b = 1; b < bins_; ++b) mx = std::max(mx, t.at(base + b));
    float den = 0.0f, num = 0.0f;
    for (int b = 0; b < bins_; ++b) {
      const float e = std::exp(t.at(base + b) - mx);
      den += e;
      num += e * static_cast<float>(b);
    }
    return num / den;
  }

  std::vector<NanodetLevel> levels_;
  int bins_ = 8;
  float offset_ = 0.5f;
  int num_classes_ = 0;
};

}  // namespace

std::unique_ptr<Decoder> new_nanodet_decoder() { return std::make_unique<NanodetDecoder>(); }

}  // namespace fd
