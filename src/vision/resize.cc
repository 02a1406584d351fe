#include "vision/resize.h"

#include <cmath>
#include <string>
#include <vector>

namespace fd {
namespace {

// Source taps and weight of the upper tap for each of `dst_len` output positions.
struct Taps {
  std::vector<int32_t> lo, hi;
  std::vector<float> frac;
};

Taps make_taps(int src_len, int dst_len) {
  Taps t;
  t.lo.resize(dst_len);
  t.hi.resize(dst_len);
  t.frac.resize(dst_len);
  const float scale = static_cast<float>(src_len) / static_cast<float>(dst_len);
  for (int d = 0; d < dst_len; ++d) {
    float s = (static_cast<float>(d) + 0.5f) * scale - 0.5f;
    if (s < 0.0f) s = 0.0f;
    int lo = static_cast<int>(std::floor(s));
    if (lo > src_len - 1) lo = src_len - 1;
    const int hi = lo + 1 < src_len ? lo + 1 : src_len - 1;
    t.lo[d] = lo;
    t.hi[d] = hi;
    t.frac[d] = hi == lo ? 0.0f : s - static_cast<float>(lo);
  }
  return t;
}

}  // namespace

Status resize_bilinear_u8(const uint8_t* src, int sw, int sh, int channels, uint8_t* dst, int dw, int dh) {
  if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0) {
    return Status::error("resize: sizes must be positive (source " + std::to_string(sw) + "x" +
                         std::to_string(sh) + ", destination " + std::to_string(dw) + "x" +
                         std::to_string(dh) + ")");
  }
  if (channels < 1 || channels > 4) {
    return Status::error("resize: channels must be 1..4, got " + std::to_string(channels));
  }
  const Taps xt = make_taps(sw, dw);
  const Taps yt = make_taps(sh, dh);
  const size_t src_stride = static_cast<size_t>(sw) * channels;
  for (int y = 0; y < dh; ++y) {
    const uint8_t* r0 = src + yt.lo[y] * src_stride;
    const uint8_t* r1 = src + yt.hi[y] * src_stride;
    const float fy = yt.frac[y];
    uint8_t* out = dst + static_cast<size_t>(y) * dw * channels;
    for (int x = 0; x < dw; ++x) {
      const int a = xt.lo[x] * channels, b = xt.hi[x] * channels;
      const float fx = xt.frac[x];
      for (int c = 0; c < channels; ++c) {
        const float top = r0[a + c] + (r0[b + c] - r0[a + c]) * fx;
        const float bottom = r1[a + c] + (r1[b + c] - r1[a + c]) * fx;
        const float v = top + (bottom - top) * fy;
        int q = static_cast<int>(v + 0.5f);
        q = q < 0 ? 0 : (q > 255 ? 255 : q);
        out[x * channels + c] = static_cast<uint8_t>(q);
      }
    }
  }
  return Status();
}

}  // namespace fd
