// Source coordinates of TFLite's RESIZE_BILINEAR along one axis, shared by the op and the
// converter's reverse pass (quantize/int4_finetune.cc).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace fd {

// TFLite's source-coordinate scale of one axis.
inline float axis_scale(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

// Bilinear taps of one axis (TFLite's ComputeInterpolationValues).
inline void bilinear_taps(int32_t in, int32_t out, bool align_corners, bool half_pixel, std::vector<int32_t>* lo,
                          std::vector<int32_t>* hi, std::vector<float>* frac) {
  const float scale = axis_scale(in, out, align_corners);
  lo->resize(out);
  hi->resize(out);
  frac->resize(out);
  for (int32_t i = 0; i < out; ++i) {
    const float v = half_pixel ? (static_cast<float>(i) + 0.5f) * scale - 0.5f : static_cast<float>(i) * scale;
    const int32_t l = std::max(static_cast<int32_t>(std::floor(v)), 0);
    const int32_t h = std::min(static_cast<int32_t>(std::ceil(v)), in - 1);
    (*lo)[i] = l;
    (*hi)[i] = h;
    (*frac)[i] = v - static_cast<float>(l);
  }
}

}  // namespace fd
