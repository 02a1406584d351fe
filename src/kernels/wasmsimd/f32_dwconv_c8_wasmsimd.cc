// SIMD128 float depthwise convolution, depth multiplier 1: per output pixel, 8 channels in two
// f32x4, in-bounds taps summed in (ky, kx) order like the ref kernel (the contract lives in
// kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"

namespace fd {

void f32_dwconv_c8_wasmsimd(const float* in, size_t c_in, size_t depth_multiplier,
                            const ConvGeometry& g, const float* w, const float* bias, float* out,
                            float out_min, float out_max) {
  const size_t c = c_in;
  const size_t cp = round_up_multiple(c, kDwChannelBlock);
  const size_t in_row = g.in_w * c;
  const v128_t vmin = wasm_f32x4_splat(out_min);
  const v128_t vmax = wasm_f32x4_splat(out_max);
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    size_t ky0 = 0, ky1 = 0;
    window_tap_range(oy, g.stride_h, g.pad_top, g.dilation_h, g.kernel_h, g.in_h, &ky0, &ky1);
    const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      size_t kx0 = 0, kx1 = 0;
      window_tap_range(ox, g.stride_w, g.pad_left, g.dilation_w, g.kernel_w, g.in_w, &kx0, &kx1);
      const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * g.stride_w) - static_cast<ptrdiff_t>(g.pad_left);
      // Input pixel under the first in-bounds tap (ky0, kx0); taps step by dilation rows/pixels.
      const size_t first_iy = static_cast<size_t>(iy0 + static_cast<ptrdiff_t>(ky0 * g.dilation_h));
      const size_t first_ix = static_cast<size_t>(ix0 + static_cast<ptrdiff_t>(kx0 * g.dilation_w));
      const float* base = ky0 < ky1 && kx0 < kx1 ? in + first_iy * in_row + first_ix * c : in;
      const size_t row_step = g.dilation_h * in_row, px_step = g.dilation_w * c;
      float* o = out + (oy * g.out_w + ox) * c;
      size_t ch = 0;
      if (g.kernel_h == 3 && g.kernel_w == 3 && ky1 - ky0 == 3 && kx1 - kx0 == 3) {
        // A whole 3x3 window: full blocks of 8 channels with the nine taps unrolled, in the same
        // (ky, kx) order.
        for (; ch + kDwChannelBlock <= c; ch += kDwChannelBlock) {
          v128_t acc_lo = wasm_v128_load(bias + ch);
          v128_t acc_hi = wasm_v128_load(bias + ch + 4);
          for (size_t t = 0; t < 9; ++t) {
            const float* px = base + (t / 3) * row_step + (t % 3) * px_step + ch;
            const float* wp = w + t * cp + ch;
            acc_lo = wasm_f32x4_add(acc_lo, wasm_f32x4_mul(wasm_v128_load(px), wasm_v128_load(wp)));
            acc_hi = wasm_f32x4_add(acc_hi, wasm_f32x4_mul(wasm_v128_load(px + 4), wasm_v128_load(wp + 4)));
          }
          wasm_v128_store(o + ch, wasm_f32x4_pmin(wasm_f32x4_pmax(acc_lo, vmin), vmax));
          wasm_v128_store(o + ch + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(acc_hi, vmin), vmax));
        }
      }
      for (; ch < c; ch += kDwChannelBlock) {
        const size_t nvalid = c - ch < kDwChannelBlock ? c - ch : kDwChannelBlock;
        v128_t acc_lo = wasm_v128_load(bias + ch);
        v128_t acc_hi = wasm_v128_load(bias + ch + 4);
        for (size_t ky = ky0; ky < ky1; ++ky) {
          const float* row = base + (ky - ky0) * row_step + ch;
          const float* w_row = w + ky * g.kernel_w * cp + ch;
          for (size_t kx = kx0; kx < kx1; ++kx) {
            const float* px = row + (kx - kx0) * px_step;
            v128_t x_lo, x_hi;
            if (nvalid == kDwChannelBlock) {
              x_lo = wasm_v128_load(px);
              x_hi = wasm_v128_load(px + 4);
            } else {
              float tmp[kDwChannelBlock] = {};
              std::memcpy(tmp, px, nvalid * sizeof(float));
              x_lo = wasm_v128_load(tmp);
              x_hi = wasm_v128_load(tmp + 4);
            }
            const float* wp = w_row + kx * cp;
            acc_lo = wasm_f32x4_add(acc_lo, wasm_f32x4_mul(x_lo, wasm_v128_load(wp)));
            acc_hi = wasm_f32x4_add(acc_hi, wasm_f32x4_mul(x_hi, wasm_v128_load(wp + 4)));
          }
        }
        // pmax/pmin are the ref's compare-and-select (same result for -0.0 and NaN).
        acc_lo = wasm_f32x4_pmin(wasm_f32x4_pmax(acc_lo, vmin), vmax);
        acc_hi = wasm_f32x4_pmin(wasm_f32x4_pmax(acc_hi, vmin), vmax);
        if (nvalid == kDwChannelBlock) {
          wasm_v128_store(o + ch, acc_lo);
          wasm_v128_store(o + ch + 4, acc_hi);
        } else {
          float tmp[kDwChannelBlock];
          wasm_v128_store(tmp, acc_lo);
          wasm_v128_store(tmp + 4, acc_hi);
          std::memcpy(o + ch, tmp, nvalid * sizeof(float));
        }
      }
    }
  }
}

}  // namespace fd
