// YOLOX (Megvii, anchor-free): per stride s, a grid of (input_h / s) x (input_w / s) cells, each
// [x, y, w, h, obj, C class scores] with obj and the classes already sigmoid-applied by the export.
// As YOLOX's decode_outputs: center ((x + col) * s, (y + row) * s), size (exp(w) * s, exp(h) * s)
// in input pixels; metadata "decoded": true means the export did that already (x, y, w, h are the
// center and size in input pixels). score = obj * best class. Two layouts: role "output", one
// [1, N, 5+C] (the official ONNX export: strides in order, cells row-major within a stride), or
// roles "reg" [1, H, W, 4], "obj" [1, H, W, 1] and "cls" [1, H, W, C], one tensor per stride
// (featherdet's INT8 conversion cuts the head before the concatenation so each role keeps its
// own quantization scale).
#include <algorithm>
#include <cmath>
#include <limits>

#include "vision/decoders/decoder.h"

namespace fd {
namespace {

// exp() of a box log-size stays finite up to here (exp(80) ~ 5.5e34); larger logits clamp.
constexpr float kMaxLogSize = 80.0f;

struct YoloxLevel {
  int stride = 0, rows = 0, cols = 0;
  int64_t first = 0;         // fused layout: row of this stride's first cell in [1, N, 5+C]
  TensorView reg, obj, cls;  // split layout: [1, rows, cols, 4], [1, rows, cols, 1], [1, rows, cols, C]
};

// Fails unless `t` is [1, rows, cols, channels] (channels > 0 when `channels` is 0), naming the
// role, the expected shape and the stride.
Status expect_level(const TensorView& t, const char* role, const YoloxLevel& l, int channels) {
  const Shape& s = t.shape;
  if (s.size() == 4 && s[0] == 1 && s[1] == l.rows && s[2] == l.cols && (channels ? s[3] == channels : s[3] > 0)) {
    return Status();
  }
  return shape_error(t, role,
                     "[1, " + std::to_string(l.rows) + ", " + std::to_string(l.cols) + ", " +
                         (channels ? std::to_string(channels) : std::string("C")) + "] for stride " +
                         std::to_string(l.stride));
}

class YoloxDecoder : public Decoder {
 public:
  Status prepare(const DecoderConfig& cfg, const RoleTensors& outputs) override {
    if (cfg.strides.empty()) return Status::error("decoder field 'strides' must list the yolox head's strides");
    split_ = yolox_split_outputs(cfg);
    decoded_ = cfg.decoded;
    levels_.clear();
    const std::string input = std::to_string(cfg.input_width) + "x" + std::to_string(cfg.input_height) + " input";
    int64_t cells = 0;
    std::string stride_list;
    for (int s : cfg.strides) {
      YoloxLevel l;
      l.stride = s;
      l.rows = s > 0 ? cfg.input_height / s : 0;
      l.cols = s > 0 ? cfg.input_width / s : 0;
      if (l.rows <= 0 || l.cols <= 0) {
        return Status::error("decoder field 'strides': stride " + std::to_string(s) + " leaves no grid cells on the " + input);
      }
      l.first = cells;
      cells += static_cast<int64_t>(l.rows) * l.cols;
      stride_list += (stride_list.empty() ? "" : ", ") + std::to_string(s);
      levels_.push_back(l);
    }
    if (split_) return prepare_split(outputs);
    return prepare_fused(outputs, cells, std::to_string(cells) + " cells of strides " + stride_list + " on the " + input);
  }

  void decode(float score_threshold, std::vector<Candidate>* out) override {
    out->clear();
    int32_t order = 0;
    for (const YoloxLevel& l : levels_) {
      for (int r = 0; r < l.rows; ++r) {
        for (int c = 0; c < l.cols; ++c) {
          const int64_t cell = static_cast<int64_t>(r) * l.cols + c;
          const int64_t row = (l.first + cell) * channels_;  // fused layout: this cell's first value
          // Class scores are probabilities (<= 1), so a cell whose objectness is below the
          // threshold cannot pass; NaN fails every comparison and is skipped too.
          const float obj = split_ ? l.obj.at(cell) : fused_.at(row + 4);
          if (!(obj >= score_threshold)) continue;
          int best = 0;
          float best_score = -std::numeric_limits<float>::infinity();
          for (int k = 0; k < num_classes_; ++k) {
            const float v = split_ ? l.cls.at(cell * num_classes_ + k) : fused_.at(row + 5 + k);
            if (v > best_score) {
              best_score = v;
              best = k;
            }
          }
          const float score = obj * best_score;
          if (!(score >= score_threshold)) continue;
          float box[4];
          for (int k = 0; k < 4; ++k) box[k] = split_ ? l.reg.at(cell * 4 + k) : fused_.at(row + k);
          float cx = box[0], cy = box[1], w = box[2], h = box[3];
          if (!decoded_) {
            const float s = static_cast<float>(l.stride);
            cx = (cx + static_cast<float>(c)) * s;
            cy = (cy + static_cast<float>(r)) * s;
            w = std::exp(std::min(w, kMaxLogSize)) * s;
            h = std::exp(std::min(h, kMaxLogSize)) * s;
          }
          out->push_back(centered_candidate(cx, cy, w, h, score, best, order++));
        }
      }
    }
  }

  int num_classes() const override { return num_classes_; }

 private:
  // `cells` = N; `why` says how N follows from the strides and the input size.
  Status prepare_fused(const RoleTensors& outputs, int64_t cells, const std::string& why) {
    const std::vector<TensorView>* views;
    FD_RETURN_IF_ERROR(expect_role(outputs, "output", 1, &views));
    fused_ = (*views)[0];
    const Shape& s = fused_.shape;
    if (s.size() != 3 || s[0] != 1 || s[1] != cells || s[2] < 6) {
      return shape_error(fused_, "output", "[1, " + std::to_string(cells) + ", 5+C] (" + why + ")");
    }
    channels_ = s[2];
    num_classes_ = channels_ - 5;
    return Status();
  }

  Status prepare_split(const RoleTensors& outputs) {
    const size_t n = levels_.size();
    const std::vector<TensorView> *reg, *obj, *cls;
    FD_RETURN_IF_ERROR(expect_role(outputs, "reg", n, &reg));
    FD_RETURN_IF_ERROR(expect_role(outputs, "obj", n, &obj));
    FD_RETURN_IF_ERROR(expect_role(outputs, "cls", n, &cls));
    channels_ = 0;
    num_classes_ = 0;
    for (size_t i = 0; i < n; ++i) {
      YoloxLevel& l = levels_[i];
      l.reg = (*reg)[i];
      l.obj = (*obj)[i];
      l.cls = (*cls)[i];
      FD_RETURN_IF_ERROR(expect_level(l.reg, "reg", l, 4));
      FD_RETURN_IF_ERROR(expect_level(l.obj, "obj", l, 1));
      // Every stride scores the same classes as the first.
      FD_RETURN_IF_ERROR(expect_level(l.cls, "cls", l, num_classes_));
      num_classes_ = l.cls.shape[3];
    }
    return Status();
  }

  bool split_ = false, decoded_ = false;
  std::vector<YoloxLevel> levels_;
  TensorView fused_;  // [1, N, 5+C]
  int channels_ = 0, num_classes_ = 0;
};

}  // namespace

bool yolox_split_outputs(const DecoderConfig& cfg) {
  return cfg.role("reg") != nullptr || cfg.role("obj") != nullptr || cfg.role("cls") != nullptr;
}

std::unique_ptr<Decoder> new_yolox_decoder() { return std::make_unique<YoloxDecoder>(); }

}  // namespace fd
