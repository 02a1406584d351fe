// SIMD128 form of core/quant.h requantize(), shared by the quantized wasmsimd kernels.
#pragma once

#include <wasm_simd128.h>

namespace fd {

// Four int32 accumulators -> requantized int32 lanes: float(acc) * scale, clamped in float to
// [lo, hi] (= [qmin - zp, qmax - zp]), rounded to nearest-even, plus zp; same steps and results as
// requantize(). The clamp uses pmin/pmax (one instruction each on x86; x is never NaN, and a
// signed zero rounds to 0 either way) and the rounding adds 1.5 * 2^23, whose float has a unit
// last place, so the sum's low mantissa bits are the rounded value (|x| <= 255 here): no
// f32x4.nearest or i32x4.trunc_sat_f32x4, which V8 lowers to long sequences on x86.
static inline v128_t requantize_f32x4(v128_t acc, v128_t scale, v128_t lo, v128_t hi, v128_t zp) {
  const v128_t magic = wasm_f32x4_splat(12582912.0f);
  v128_t x = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
  x = wasm_f32x4_pmax(x, lo);
  x = wasm_f32x4_pmin(x, hi);
  x = wasm_f32x4_add(x, magic);
  return wasm_i32x4_add(wasm_i32x4_sub(x, magic), zp);
}

// Packs two int32x4 of in-range values into 8 bytes (lanes 0..7 of the result); int8 or uint8.
template <bool kUnsigned>
static inline v128_t narrow_to_8bit(v128_t lo, v128_t hi) {
  const v128_t h = wasm_i16x8_narrow_i32x4(lo, hi);
  return kUnsigned ? wasm_u8x16_narrow_i16x8(h, h) : wasm_i8x16_narrow_i16x8(h, h);
}

}  // namespace fd
