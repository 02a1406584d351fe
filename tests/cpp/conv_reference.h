// Naive direct convolution shared by the conv-family op tests: window geometry computed
// independently of the runtime (TFLite SAME/VALID rules) and a per-output tap walker.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/graph.h"

namespace fd {
namespace conv_test {

// Geometry of a test case; pads follow TFLite's SAME rule (computed here independently).
struct Geo {
  int n = 1, h = 1, w = 1, cin = 1, kh = 1, kw = 1, cout = 1;
  int sh = 1, sw = 1, dh = 1, dw = 1;
  Padding padding = Padding::kSame;
  bool depthwise = false;
  int oh() const { return out(h, kh, sh, dh); }
  int ow() const { return out(w, kw, sw, dw); }
  int pad_top() const { return pad(h, kh, sh, dh, oh()); }
  int pad_left() const { return pad(w, kw, sw, dw, ow()); }
  int out(int in, int k, int s, int d) const {
    const int eff = (k - 1) * d + 1;
    return padding == Padding::kSame ? (in + s - 1) / s : (in - eff) / s + 1;
  }
  int pad(int in, int k, int s, int d, int o) const {
    if (padding == Padding::kValid) return 0;
    return std::max(0, (o - 1) * s + (k - 1) * d + 1 - in) / 2;
  }
  Shape weight_shape() const { return depthwise ? Shape{1, kh, kw, cout} : Shape{cout, kh, kw, cin}; }
  size_t weight_count() const { return static_cast<size_t>(cout) * kh * kw * (depthwise ? 1 : cin); }
  OpOptions options(Activation act) const {
    OpOptions o;
    o.padding = padding;
    o.stride_h = sh;
    o.stride_w = sw;
    o.dilation_h = dh;
    o.dilation_w = dw;
    o.depth_multiplier = depthwise ? cout / cin : 1;
    o.activation = act;
    return o;
  }
};

// Calls f(output index, oc, list of (input index, weight index)) for every `step`-th output element.
template <typename F>
void for_each_output(const Geo& g, F f, size_t step = 1) {
  std::vector<std::pair<size_t, size_t>> taps;
  for (int b = 0; b < g.n; ++b) {
    for (int oy = 0; oy < g.oh(); ++oy) {
      for (int ox = 0; ox < g.ow(); ++ox) {
        for (int oc = 0; oc < g.cout; ++oc) {
          const size_t o = ((static_cast<size_t>(b) * g.oh() + oy) * g.ow() + ox) * g.cout + oc;
          if (o % step) continue;
          taps.clear();
          for (int ky = 0; ky < g.kh; ++ky) {
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.sh - g.pad_top() + ky * g.dh;
              const int ix = ox * g.sw - g.pad_left() + kx * g.dw;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              const size_t pix = ((static_cast<size_t>(b) * g.h + iy) * g.w + ix) * g.cin;
              if (g.depthwise) {
                const int ic = oc / (g.cout / g.cin);
                taps.push_back({pix + ic, (static_cast<size_t>(ky) * g.kw + kx) * g.cout + oc});
              } else {
                for (int ic = 0; ic < g.cin; ++ic) {
                  taps.push_back({pix + ic, ((static_cast<size_t>(oc) * g.kh + ky) * g.kw + kx) * g.cin + ic});
                }
              }
            }
          }
          f(o, oc, taps);
        }
      }
    }
  }
}

// TFLite's quantized clamp of a fused activation.
inline void act_range(Activation act, DType t, float scale, int32_t zp, int32_t* lo, int32_t* hi) {
  *lo = t == DType::kUInt8 ? 0 : -128;
  *hi = t == DType::kUInt8 ? 255 : 127;
  if (act == Activation::kRelu || act == Activation::kRelu6) *lo = std::max(*lo, zp);
  if (act == Activation::kRelu6) *hi = std::min(*hi, zp + static_cast<int32_t>(std::round(6.0f / scale)));
}

inline int32_t to_int(uint8_t v, DType t) {
  return t == DType::kUInt8 ? static_cast<int32_t>(v) : static_cast<int32_t>(static_cast<int8_t>(v));
}

}  // namespace conv_test
}  // namespace fd
