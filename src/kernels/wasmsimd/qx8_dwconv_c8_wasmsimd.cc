// SIMD128 quantized depthwise convolution, depth multiplier 1: per output pixel, 16 (then 8)
// channels at a time as i16x8 (input minus zero point, times pre-widened weights via extended
// multiplies) over the in-bounds taps only, fp32 requantization (the contract lives in
// kernels/conv.h).
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
inline v128_t widen_low(v128_t v) {
  return kUnsigned ? wasm_u16x8_extend_low_u8x16(v) : wasm_i16x8_extend_low_i8x16(v);
}

template <bool kUnsigned>
inline v128_t widen_high(v128_t v) {
  return kUnsigned ? wasm_u16x8_extend_high_u8x16(v) : wasm_i16x8_extend_high_i8x16(v);
}

template <bool kUnsigned>
void dwconv(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* w, const int32_t* bias,
            int32_t input_zp, uint8_t* out, const RequantParams& rq) {
  const size_t cp = round_up_multiple(c, kDwChannelBlock);
  const v128_t vin_zp = wasm_i16x8_splat(static_cast<int16_t>(input_zp));
  const v128_t vzp = wasm_i32x4_splat(rq.output_zero_point);
  const v128_t vlo = wasm_f32x4_splat(static_cast<float>(rq.qmin - rq.output_zero_point));
  const v128_t vhi = wasm_f32x4_splat(static_cast<float>(rq.qmax - rq.output_zero_point));
  const size_t in_row = g.in_w * c;
  auto scales = [&](size_t ch) { return rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch); };
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
      const uint8_t* base = ky0 < ky1 && kx0 < kx1 ? in + first_iy * in_row + first_ix * c : in;
      const size_t row_step = g.dilation_h * in_row, px_step = g.dilation_w * c;
      uint8_t* o = out + (oy * g.out_w + ox) * c;
      size_t ch = 0;
      // 16 channels per step: one 16-byte load per tap, widened into two i16x8 halves.
      for (; ch + 2 * kDwChannelBlock <= c; ch += 2 * kDwChannelBlock) {
        v128_t acc0 = wasm_v128_load(bias + ch), acc1 = wasm_v128_load(bias + ch + 4);
        v128_t acc2 = wasm_v128_load(bias + ch + 8), acc3 = wasm_v128_load(bias + ch + 12);
        for (size_t ky = ky0; ky < ky1; ++ky) {
          const uint8_t* row = base + (ky - ky0) * row_step + ch;
          const int16_t* w_row = w + ky * g.kernel_w * cp + ch;
          for (size_t kx = kx0; kx < kx1; ++kx) {
            const v128_t x = wasm_v128_load(row + (kx - kx0) * px_step);
            const v128_t xl = wasm_i16x8_sub(widen_low<kUnsigned>(x), vin_zp);
            const v128_t xh = wasm_i16x8_sub(widen_high<kUnsigned>(x), vin_zp);
            const v128_t wl = wasm_v128_load(w_row + kx * cp);
            const v128_t wh = wasm_v128_load(w_row + kx * cp + 8);
            acc0 = wasm_i32x4_add(acc0, wasm_i32x4_extmul_low_i16x8(xl, wl));
            acc1 = wasm_i32x4_add(acc1, wasm_i32x4_extmul_high_i16x8(xl, wl));
            acc2 = wasm_i32x4_add(acc2, wasm_i32x4_extmul_low_i16x8(xh, wh));
            acc3 = wasm_i32x4_add(acc3, wasm_i32x4_extmul_high_i16x8(xh, wh));
          }
        }
        const v128_t r0 = requantize_f32x4(acc0, scales(ch), vlo, vhi, vzp);
        const v128_t r1 = requantize_f32x4(acc1, scales(ch + 4), vlo, vhi, vzp);
        const v128_t r2 = requantize_f32x4(acc2, scales(ch + 8), vlo, vhi, vzp);
        const v128_t r3 = requantize_f32x4(acc3, scales(ch + 12), vlo, vhi, vzp);
        const v128_t h01 = wasm_i16x8_narrow_i32x4(r0, r1);
        const v128_t h23 = wasm_i16x8_narrow_i32x4(r2, r3);
        wasm_v128_store(o + ch, kUnsigned ? wasm_u8x16_narrow_i16x8(h01, h23) : wasm_i8x16_narrow_i16x8(h01, h23));
      }
      // 8 channels per step, then a partial block read through a small buffer.
      for (; ch < c; ch += kDwChannelBlock) {
        const size_t nvalid = c - ch < kDwChannelBlock ? c - ch : kDwChannelBlock;
        v128_t acc_lo = wasm_v128_load(bias + ch);
        v128_t acc_hi = wasm_v128_load(bias + ch + 4);
        for (size_t ky = ky0; ky < ky1; ++ky) {
          const uint8_t* row = base + (ky - ky0) * row_step + ch;
          const int16_t* w_row = w + ky * g.kernel_w * cp + ch;
          for (size_t kx = kx0; kx < kx1; ++kx) {
            const uint8_t* px = row + (kx - kx0) * px_step;
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
        const v128_t r_lo = requantize_f32x4(acc_lo, scales(ch), vlo, vhi, vzp);
        const v128_t r_hi = requantize_f32x4(acc_hi, scales(ch + 4), vlo, vhi, vzp);
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
