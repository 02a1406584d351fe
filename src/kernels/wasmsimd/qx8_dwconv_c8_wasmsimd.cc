// SIMD128 quantized depthwise convolution, depth multiplier 1: per output pixel, 8 channels per
// i16x8 (input minus zero point, times pre-widened weights via extended multiplies), fp32
// requantization (the contract lives in kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

template <bool kUnsigned>
inline v128_t load_widen(const uint8_t* p) {
  return kUnsigned ? wasm_u16x8_load8x8(p) : wasm_i16x8_load8x8(p);
}

template <bool kUnsigned>
void dwconv(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* w, const int32_t* bias,
            int32_t input_zp, uint8_t* out, const RequantParams& rq) {
  const size_t cp = round_up_multiple(c, kDwChannelBlock);
  const v128_t vin_zp = wasm_i16x8_splat(static_cast<int16_t>(input_zp));
  const v128_t vzp = wasm_i32x4_splat(rq.output_zero_point);
  const v128_t vlo = wasm_f32x4_splat(static_cast<float>(rq.qmin - rq.output_zero_point));
  const v128_t vhi = wasm_f32x4_splat(static_cast<float>(rq.qmax - rq.output_zero_point));
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * g.stride_w) - static_cast<ptrdiff_t>(g.pad_left);
      uint8_t* o = out + (oy * g.out_w + ox) * c;
      for (size_t ch = 0; ch < c; ch += kDwChannelBlock) {
        const size_t nvalid = c - ch < kDwChannelBlock ? c - ch : kDwChannelBlock;
        v128_t acc_lo = wasm_v128_load(bias + ch);
        v128_t acc_hi = wasm_v128_load(bias + ch + 4);
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
          const ptrdiff_t iy = iy0 + static_cast<ptrdiff_t>(ky * g.dilation_h);
          if (iy < 0 || iy >= static_cast<ptrdiff_t>(g.in_h)) continue;
          const uint8_t* in_row = in + static_cast<size_t>(iy) * g.in_w * c + ch;
          const int16_t* w_row = w + ky * g.kernel_w * cp + ch;
          for (size_t kx = 0; kx < g.kernel_w; ++kx) {
            const ptrdiff_t ix = ix0 + static_cast<ptrdiff_t>(kx * g.dilation_w);
            if (ix < 0 || ix >= static_cast<ptrdiff_t>(g.in_w)) continue;
            const uint8_t* px = in_row + static_cast<size_t>(ix) * c;
            v128_t x;
            if (nvalid == kDwChannelBlock) {
              x = load_widen<kUnsigned>(px);
            } else {
              uint8_t tmp[kDwChannelBlock] = {};
              std::memcpy(tmp, px, nvalid);
              x = load_widen<kUnsigned>(tmp);
            }
            x = wasm_i16x8_sub(x, vin_zp);
            const v128_t wv = wasm_v128_load(w_row + kx * cp);
            acc_lo = wasm_i32x4_add(acc_lo, wasm_i32x4_extmul_low_i16x8(x, wv));
            acc_hi = wasm_i32x4_add(acc_hi, wasm_i32x4_extmul_high_i16x8(x, wv));
          }
        }
        const v128_t s_lo = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch);
        const v128_t s_hi = rq.per_tensor ? s_lo : wasm_v128_load(rq.scale + ch + 4);
        const v128_t r_lo = requantize_f32x4(acc_lo, s_lo, vlo, vhi, vzp);
        const v128_t r_hi = requantize_f32x4(acc_hi, s_hi, vlo, vhi, vzp);
        const v128_t bytes = narrow_to_8bit<kUnsigned>(r_lo, r_hi);
        if (nvalid == kDwChannelBlock) {
          wasm_v128_store64_lane(o + ch, bytes, 0);
        } else {
          uint8_t tmp[16];
          wasm_v128_store(tmp, bytes);
          std::memcpy(o + ch, tmp, nvalid);
        }
      }
    }
  }
}

}  // namespace

void qx8_dwconv_c8_wasmsimd(const uint8_t* in, size_t c_in, size_t depth_multiplier,
                            const ConvGeometry& g, const int16_t* w, const int32_t* bias,
                            int32_t input_zp, uint8_t* out, const QConvParams& params) {
  if (params.is_unsigned) {
    dwconv<true>(in, c_in, g, w, bias, input_zp, out, params.rq);
  } else {
    dwconv<false>(in, c_in, g, w, bias, input_zp, out, params.rq);
  }
}

}  // namespace fd
