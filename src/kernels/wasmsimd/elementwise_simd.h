// Inline SIMD128 helpers shared by the 8-bit elementwise wasmsimd kernels (qx8_vadd_rndnu,
// qx8_vaddc_rndnu, qx8_vmul, qx8_vmulc, qx8_f32_vcvt, f32_qx8_vcvt): 8-bit loads widened to int16,
// the integer ADD output stage and the float requantization of core/quant.h on four lanes.
#pragma once

#include <wasm_simd128.h>

#include <cstdint>

#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace simd {

// Eight 8-bit values widened to int16 lanes (sign- or zero-extended by element type).
inline v128_t load8x8(const int8_t* p) { return wasm_i16x8_load8x8(p); }
inline v128_t load8x8(const uint8_t* p) { return wasm_u16x8_load8x8(p); }

// Low / high four int16 lanes of `v` as int32.
inline v128_t lo_i32(v128_t v) { return wasm_i32x4_extend_low_i16x8(v); }
inline v128_t hi_i32(v128_t v) { return wasm_i32x4_extend_high_i16x8(v); }

// Constants of core/quant.h's requantize(): scale, clamp bounds (relative to zp) and zp.
struct Requant {
  v128_t scale, lo, hi, zp;
  Requant(float s, int32_t zero_point, int32_t qmin, int32_t qmax)
      : scale(wasm_f32x4_splat(s)),
        lo(wasm_f32x4_splat(static_cast<float>(qmin - zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(qmax - zero_point))),
        zp(requant_zero_point(zero_point)) {}
  // requantize() on four int32 accumulators: float(acc) * scale, clamp, round-even, + zp.
  v128_t apply(v128_t acc) const { return requantize_f32x4(acc, scale, lo, hi, zp); }
};

// The integer output stage of quantized ADD/SUB (qadd_output in kernels/elementwise.h).
struct QAddOut {
  v128_t rounding, lo, hi, zp;
  uint32_t shift;
  QAddOut(int32_t sh, int32_t zero_point, int32_t qmin, int32_t qmax)
      : rounding(wasm_i32x4_splat(int32_t{1} << (sh - 1))),
        lo(wasm_i32x4_splat(qmin - zero_point)),
        hi(wasm_i32x4_splat(qmax - zero_point)),
        zp(wasm_i32x4_splat(zero_point)),
        shift(static_cast<uint32_t>(sh)) {}
  // (acc + 2^(shift-1)) >> shift, clamped, + zp, on four lanes.
  v128_t apply(v128_t acc) const {
    v128_t q = wasm_i32x4_shr(wasm_i32x4_add(acc, rounding), shift);
    q = wasm_i32x4_min(wasm_i32x4_max(q, lo), hi);
    return wasm_i32x4_add(q, zp);
  }
};

// Stores eight int32 lanes (already in range) as 8-bit values.
inline void store8(int8_t* p, v128_t lo, v128_t hi) {
  const v128_t v16 = wasm_i16x8_narrow_i32x4(lo, hi);
  wasm_v128_store64_lane(p, wasm_i8x16_narrow_i16x8(v16, v16), 0);
}
inline void store8(uint8_t* p, v128_t lo, v128_t hi) {
  const v128_t v16 = wasm_i16x8_narrow_i32x4(lo, hi);
  wasm_v128_store64_lane(p, wasm_u8x16_narrow_i16x8(v16, v16), 0);
}

}  // namespace simd
}  // namespace fd
