// SIMD128 float depthwise convolution, depth multiplier 1: per output pixel, 8 channels in two
// f32x4, taps summed in (ky, kx) order like the ref kernel (the contract lives in kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"

namespace fd {

void f32_dwconv_c8_wasmsimd(const float* in, size_t c_in, size_t depth_multiplier,
                            const ConvGeometry& g, const float* w, const float* bias, float* out,
                            float out_min, float out_max) {
  const size_t c = c_in;
  const size_t cp = round_up_multiple(c, kDwChannelBlock);
  const v128_t vmin = wasm_f32x4_splat(out_min);
  const v128_t vmax = wasm_f32x4_splat(out_max);
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * g.stride_w) - static_cast<ptrdiff_t>(g.pad_left);
      float* o = out + (oy * g.out_w + ox) * c;
      for (size_t ch = 0; ch < c; ch += kDwChannelBlock) {
        const size_t nvalid = c - ch < kDwChannelBlock ? c - ch : kDwChannelBlock;
        v128_t acc_lo = wasm_v128_load(bias + ch);
        v128_t acc_hi = wasm_v128_load(bias + ch + 4);
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
          const ptrdiff_t iy = iy0 + static_cast<ptrdiff_t>(ky * g.dilation_h);
          if (iy < 0 || iy >= static_cast<ptrdiff_t>(g.in_h)) continue;
          const float* in_row = in + static_cast<size_t>(iy) * g.in_w * c + ch;
          const float* w_row = w + ky * g.kernel_w * cp + ch;
          for (size_t kx = 0; kx < g.kernel_w; ++kx) {
            const ptrdiff_t ix = ix0 + static_cast<ptrdiff_t>(kx * g.dilation_w);
            if (ix < 0 || ix >= static_cast<ptrdiff_t>(g.in_w)) continue;
            const float* px = in_row + static_cast<size_t>(ix) * c;
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
