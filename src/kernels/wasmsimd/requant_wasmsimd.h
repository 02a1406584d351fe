// SIMD128 form of core/quant.h requantize(), shared by the quantized wasmsimd kernels.
#pragma once

#include <wasm_simd128.h>

namespace fd {

// Four int32 accumulators -> requantized int32 lanes: float(acc) * scale, clamped in float to
// [lo, hi] (= [qmin - zp, qmax - zp]), rounded to nearest-even, plus zp; same steps as requantize().
static inline v128_t requantize_f32x4(v128_t acc, v128_t scale, v128_t lo, v128_t hi, v128_t zp) {
  v128_t x = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
  x = wasm_f32x4_max(x, lo);
  x = wasm_f32x4_min(x, hi);
  x = wasm_f32x4_nearest(x);
  return wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(x), zp);
}

// Packs two int32x4 of in-range values into 8 bytes (lanes 0..7 of the result); int8 or uint8.
template <bool kUnsigned>
static inline v128_t narrow_to_8bit(v128_t lo, v128_t hi) {
  const v128_t h = wasm_i16x8_narrow_i32x4(lo, hi);
  return kUnsigned ? wasm_u8x16_narrow_i16x8(h, h) : wasm_i8x16_narrow_i16x8(h, h);
}

}  // namespace fd
