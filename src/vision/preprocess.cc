#include "vision/preprocess.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace fd {

Status Preprocessor::configure(int width, int height, DType dtype, const QuantParams& quant,
                               const PixelMapping& pixels, ResizeMode resize, int pad_value, LetterboxAlign align) {
  if (width <= 0 || height <= 0 || width > 8192 || height > 8192) {
    return Status::error("model input size " + std::to_string(width) + "x" + std::to_string(height) + " is not supported");
  }
  if (dtype != DType::kInt8 && dtype != DType::kUInt8 && dtype != DType::kFloat32) {
    return Status::error(std::string("model input type ") + dtype_name(dtype) +
                         " is not supported (expected INT8, UINT8 or FLOAT32)");
  }
  if (is_quant8(dtype) && (quant.empty() || quant.zero_point.empty() || !(quant.scale[0] > 0.0f))) {
    return Status::error(std::string("model input is ") + dtype_name(dtype) + " but has no quantization scale/zero point");
  }
  width_ = width;
  height_ = height;
  dtype_ = dtype;
  resize_ = resize;
  align_ = align;
  pad_value_ = std::min(255, std::max(0, pad_value));
  bgr_ = pixels.bgr;
  for (int c = 0; c < 3; ++c) {
    if (!(pixels.std[c] > 0.0f) || !std::isfinite(pixels.std[c]) || !std::isfinite(pixels.mean[c])) {
      return Status::error("pixel normalization needs a finite mean and a positive std per channel");
    }
    fa_[c] = 1.0f / pixels.std[c];
    fb_[c] = -pixels.mean[c] / pixels.std[c];
  }
  if (is_quant8(dtype)) {
    const float scale = quant.scale[0];
    const int32_t zp = quant.zero_point[0];
    for (int c = 0; c < 3; ++c) {
      for (int p = 0; p < 256; ++p) {
        const float value = fa_[c] * static_cast<float>(p) + fb_[c];
        int32_t q = static_cast<int32_t>(std::nearbyint(value / scale)) + zp;
        q = std::min(dtype_qmax(dtype), std::max(dtype_qmin(dtype), q));
        lut_[c][p] = static_cast<uint8_t>(q);  // INT8 stored as its two's-complement byte
      }
    }
  }
  cols_.assign(static_cast<size_t>(width), Tap());
  rows_.assign(static_cast<size_t>(height), Tap());
  return Status();
}

Geometry Preprocessor::plan(int view_width, int view_height) const {
  Geometry g;
  g.view_width = view_width;
  g.view_height = view_height;
  const float vw = static_cast<float>(view_width), vh = static_cast<float>(view_height);
  if (resize_ == ResizeMode::kStretch) {
    g.scale_x = static_cast<float>(width_) / vw;
    g.scale_y = static_cast<float>(height_) / vh;
    return g;
  }
  const float s = std::min(static_cast<float>(width_) / vw, static_cast<float>(height_) / vh);
  const int nw = std::min(width_, std::max(1, static_cast<int>(std::lround(vw * s))));
  const int nh = std::min(height_, std::max(1, static_cast<int>(std::lround(vh * s))));
  // Centered: the odd leftover pixel goes to the right/bottom. Top-left: all of it does.
  if (align_ == LetterboxAlign::kCenter) {
    g.pad_x = static_cast<float>((width_ - nw) / 2);
    g.pad_y = static_cast<float>((height_ - nh) / 2);
  }
  g.scale_x = static_cast<float>(nw) / vw;
  g.scale_y = static_cast<float>(nh) / vh;
  return g;
}

void Preprocessor::fill_taps(int out_size, float pad, float scale, int view_size, int64_t step, int64_t base,
                             bool reverse, std::vector<Tap>* taps) const {
  const int begin = static_cast<int>(pad);
  const int end = begin + static_cast<int>(std::lround(scale * static_cast<float>(view_size)));
  for (int d = 0; d < out_size; ++d) {
    Tap& t = (*taps)[static_cast<size_t>(d)];
    t.outside = d < begin || d >= end;
    if (t.outside) continue;
    float u = (static_cast<float>(d) + 0.5f - pad) / scale - 0.5f;
    u = std::min(static_cast<float>(view_size - 1), std::max(0.0f, u));
    const int i0 = static_cast<int>(u);
    const int i1 = std::min(i0 + 1, view_size - 1);
    t.w = u - static_cast<float>(i0);
    const int s0 = reverse ? view_size - 1 - i0 : i0;
    const int s1 = reverse ? view_size - 1 - i1 : i1;
    t.off0 = base + s0 * step;
    t.off1 = base + s1 * step;
  }
}

Status Preprocessor::run(const PixelSource& src, const Transform& t, uint8_t* dst, Geometry* geometry) {
  if (width_ == 0) return Status::error("preprocessor is not configured");
  if (src.data == nullptr) return Status::error("image pixels are missing (null buffer)");
  if (src.width <= 0 || src.height <= 0 || src.width > kMaxSourceSide || src.height > kMaxSourceSide) {
    return Status::error("image size " + std::to_string(src.width) + "x" + std::to_string(src.height) +
                         " is invalid (each side must be 1.." + std::to_string(kMaxSourceSide) + ")");
  }
  if (src.channels != 3 && src.channels != 4) {
    return Status::error("image must have 3 (RGB) or 4 (RGBA) channels, got " + std::to_string(src.channels));
  }
  if (src.stride_bytes < src.width * src.channels) {
    return Status::error("image row stride " + std::to_string(src.stride_bytes) + " bytes is smaller than width x channels (" +
                         std::to_string(src.width * src.channels) + ")");
  }
  if (t.rotation != 0 && t.rotation != 90 && t.rotation != 180 && t.rotation != 270) {
    return Status::error("rotation must be 0, 90, 180 or 270 degrees, got " + std::to_string(t.rotation));
  }
  const bool swap = t.rotation == 90 || t.rotation == 270;
  const int vw = swap ? src.height : src.width;
  const int vh = swap ? src.width : src.height;
  const Geometry g = plan(vw, vh);
  if (geometry != nullptr) *geometry = g;

  // View column u (after un-mirroring) walks source x (0/180) or y (90/270); view row v walks the
  // other axis. Reversal follows from the rotation (and the mirror for columns).
  const int64_t xstep = src.channels, ystep = src.stride_bytes;
  const bool col_reverse = (t.rotation == 0 || t.rotation == 270) ? t.mirror : !t.mirror;
  const bool row_reverse = t.rotation == 180 || t.rotation == 270;
  fill_taps(width_, g.pad_x, g.scale_x, vw, swap ? ystep : xstep, 0, col_reverse, &cols_);
  fill_taps(height_, g.pad_y, g.scale_y, vh, swap ? xstep : ystep, 0, row_reverse, &rows_);

  const uint8_t* s = src.data;
  float pad_f[3];
  uint8_t pad_q[3];
  for (int ch = 0; ch < 3; ++ch) {
    pad_f[ch] = fa_[ch] * static_cast<float>(pad_value_) + fb_[ch];
    pad_q[ch] = lut_[ch][pad_value_];
  }
  // Model channel ch reads source channel ch (RGB) or 2 - ch (BGR).
  const int src_ch[3] = {bgr_ ? 2 : 0, 1, bgr_ ? 0 : 2};
  for (int y = 0; y < height_; ++y) {
    const Tap& r = rows_[static_cast<size_t>(y)];
    for (int x = 0; x < width_; ++x) {
      const Tap& c = cols_[static_cast<size_t>(x)];
      const size_t o = (static_cast<size_t>(y) * width_ + x) * 3;
      if (r.outside || c.outside) {
        for (int ch = 0; ch < 3; ++ch) {
          if (dtype_ == DType::kFloat32) reinterpret_cast<float*>(dst)[o + ch] = pad_f[ch];
          else dst[o + ch] = pad_q[ch];
        }
        continue;
      }
      const uint8_t* p00 = s + r.off0 + c.off0;
      const uint8_t* p01 = s + r.off0 + c.off1;
      const uint8_t* p10 = s + r.off1 + c.off0;
      const uint8_t* p11 = s + r.off1 + c.off1;
      for (int ch = 0; ch < 3; ++ch) {
        const int k = src_ch[ch];
        const float top = static_cast<float>(p00[k]) + (static_cast<float>(p01[k]) - static_cast<float>(p00[k])) * c.w;
        const float bot = static_cast<float>(p10[k]) + (static_cast<float>(p11[k]) - static_cast<float>(p10[k])) * c.w;
        const float v = top + (bot - top) * r.w;
        if (dtype_ == DType::kFloat32) {
          reinterpret_cast<float*>(dst)[o + ch] = fa_[ch] * v + fb_[ch];
        } else {
          dst[o + ch] = lut_[ch][static_cast<int>(v + 0.5f)];
        }
      }
    }
  }
  return Status();
}

}  // namespace fd
