// SIMD128 operations on 16 lanes of 8-bit values, chosen by element type (int8_t or uint8_t), so
// one template body serves the signed and unsigned twin of a wasmsimd kernel: x8_maxpool,
// qx8_avgpool, qx8_rsum and qx8_resize_bilinear (wasmsimd/<name>_wasmsimd.cc).
#pragma once

#include <wasm_simd128.h>

#include <cstdint>

namespace fd {
namespace simd {

template <typename T>
struct X8;

template <>
struct X8<int8_t> {
  // Low / high eight lanes of `v` sign-extended to int16.
  static v128_t widen_lo(v128_t v) { return wasm_i16x8_extend_low_i8x16(v); }
  static v128_t widen_hi(v128_t v) { return wasm_i16x8_extend_high_i8x16(v); }
  // Two int16x8 saturated into one int8x16.
  static v128_t narrow(v128_t lo, v128_t hi) { return wasm_i8x16_narrow_i16x8(lo, hi); }
  static v128_t splat(int8_t x) { return wasm_i8x16_splat(x); }
  static v128_t max(v128_t a, v128_t b) { return wasm_i8x16_max(a, b); }
  static v128_t min(v128_t a, v128_t b) { return wasm_i8x16_min(a, b); }
};

template <>
struct X8<uint8_t> {
  // Low / high eight lanes of `v` zero-extended to int16.
  static v128_t widen_lo(v128_t v) { return wasm_u16x8_extend_low_u8x16(v); }
  static v128_t widen_hi(v128_t v) { return wasm_u16x8_extend_high_u8x16(v); }
  // Two int16x8 saturated into one uint8x16.
  static v128_t narrow(v128_t lo, v128_t hi) { return wasm_u8x16_narrow_i16x8(lo, hi); }
  static v128_t splat(uint8_t x) { return wasm_u8x16_splat(x); }
  static v128_t max(v128_t a, v128_t b) { return wasm_u8x16_max(a, b); }
  static v128_t min(v128_t a, v128_t b) { return wasm_u8x16_min(a, b); }
};

}  // namespace simd
}  // namespace fd
