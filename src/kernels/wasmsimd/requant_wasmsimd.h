// SIMD128 form of core/quant.h requantize(), shared by the quantized wasmsimd kernels.
#pragma once

#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

#include "core/quant.h"

namespace fd {

// The rounding constant of requantize_f32x4: 1.5 * 2^23, whose float has a unit last place.
constexpr float kRequantMagic = 12582912.0f;
constexpr int32_t kRequantMagicBits = 0x4B400000;

// The `zp` operand of requantize_f32x4 for output zero point `zero_point`.
static inline v128_t requant_zero_point(int32_t zero_point) {
  return wasm_i32x4_splat(kRequantMagicBits - zero_point);
}

// Four int32 accumulators -> requantized int32 lanes: float(acc) * scale, clamped in float to
// [lo, hi] (= [qmin - zp, qmax - zp]), rounded to nearest-even, plus the zero point; same steps
// and results as requantize(). The clamp uses pmin/pmax (one instruction each on x86; x is never
// NaN, and a signed zero rounds to 0 either way) and the rounding adds kRequantMagic, so the sum's
// low mantissa bits are the rounded value (|x| <= 255 here); subtracting its bit pattern less the
// zero point (`zp`, from requant_zero_point) leaves the result. No f32x4.nearest or
// i32x4.trunc_sat_f32x4, which V8 lowers to long sequences on x86.
static inline v128_t requantize_f32x4(v128_t acc, v128_t scale, v128_t lo, v128_t hi, v128_t zp) {
  v128_t x = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
  x = wasm_f32x4_pmax(x, lo);
  x = wasm_f32x4_pmin(x, hi);
  x = wasm_f32x4_add(x, wasm_f32x4_splat(kRequantMagic));
  return wasm_i32x4_sub(x, zp);
}

// Stores the first n (< 8) of the low 8 bytes of `v` at p with lane stores: a GEMM tile's last
// partial channels, without a memcpy call or a stack buffer.
static inline void store_bytes_lt8(uint8_t* p, v128_t v, size_t n) {
  if (n & 4) {
    wasm_v128_store32_lane(p, v, 0);
    v = wasm_u64x2_shr(v, 32);
    p += 4;
  }
  if (n & 2) {
    wasm_v128_store16_lane(p, v, 0);
    v = wasm_u64x2_shr(v, 16);
    p += 2;
  }
  if (n & 1) wasm_v128_store8_lane(p, v, 0);
}

// The output stage of a quantized conv kernel, 16 channels (four int32x4) at a time. Stages
// marked RequantParams::bounded (|float(acc) * scale| < 2^21, proven at prepare) skip the float
// clamp: the rounding add is exact for any such value, the saturating narrows clamp to the 8-bit
// type and an 8-bit min/max to [qmin, qmax] (skipped too when that is the whole type: no fused
// activation); rounding and clamping to integer bounds commute, so the bytes equal requantize()'s.
struct Requant16 {
  v128_t zp, lo, hi, qmin, qmax;
  bool bounded, is_unsigned, full_range;
  Requant16(const RequantParams& rq, bool is_unsigned_out)
      : zp(requant_zero_point(rq.output_zero_point)),
        lo(wasm_f32x4_splat(static_cast<float>(rq.qmin - rq.output_zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(rq.qmax - rq.output_zero_point))),
        qmin(wasm_i8x16_splat(static_cast<int8_t>(rq.qmin))),
        qmax(wasm_i8x16_splat(static_cast<int8_t>(rq.qmax))),
        bounded(rq.bounded),
        is_unsigned(is_unsigned_out),
        full_range(rq.qmin == (is_unsigned_out ? 0 : -128) && rq.qmax == (is_unsigned_out ? 255 : 127)) {}

  // Output bytes of accumulators acc[0 .. kNV) with scales scale[0 .. kNV) (kNV <= 4; the lanes
  // past 4 * kNV repeat the first four).
  template <size_t kNV>
  v128_t apply(const v128_t* acc, const v128_t* scale) const {
    if (!bounded) return apply_as<kNV, false, true>(acc, scale);
    return full_range ? apply_as<kNV, true, false>(acc, scale) : apply_as<kNV, true, true>(acc, scale);
  }

  // kBounded: round before clamping; kClamp: clamp the bytes to [qmin, qmax] (bounded stages).
  template <size_t kNV, bool kBounded, bool kClamp>
  v128_t apply_as(const v128_t* acc, const v128_t* scale) const {
    v128_t q[4];
    for (size_t j = 0; j < kNV; ++j) {
      v128_t x = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc[j]), scale[j]);
      if (!kBounded) x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), hi);
      q[j] = wasm_i32x4_sub(wasm_f32x4_add(x, wasm_f32x4_splat(kRequantMagic)), zp);
    }
    for (size_t j = kNV; j < 4; ++j) q[j] = q[0];
    const v128_t h01 = wasm_i16x8_narrow_i32x4(q[0], q[1]);
    const v128_t h23 = wasm_i16x8_narrow_i32x4(q[2], q[3]);
    if (is_unsigned) {
      const v128_t b = wasm_u8x16_narrow_i16x8(h01, h23);
      return kBounded && kClamp ? wasm_u8x16_min(wasm_u8x16_max(b, qmin), qmax) : b;
    }
    const v128_t b = wasm_i8x16_narrow_i16x8(h01, h23);
    return kBounded && kClamp ? wasm_i8x16_min(wasm_i8x16_max(b, qmin), qmax) : b;
  }
};

}  // namespace fd
