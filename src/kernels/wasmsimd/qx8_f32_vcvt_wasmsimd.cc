// SIMD128 int8 and uint8 -> float32 dequantization, 8 elements per step; bit-exact with
// qs8/qu8_f32_vcvt_ref, which handle the last n % 8 elements (the contract lives in
// kernels/elementwise.h).
#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {
namespace {

// y = float(x - zp) * scale.
template <typename T>
void dequantize(size_t n, const T* x, float* y, const DequantizeParams& p,
                void (*ref)(size_t, const T*, float*, const DequantizeParams&)) {
  const v128_t zp = wasm_i16x8_splat(static_cast<int16_t>(p.zero_point));
  const v128_t scale = wasm_f32x4_splat(p.scale);
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const v128_t v = wasm_i16x8_sub(simd::load8x8(x), zp);  // [8] x - zp
    wasm_v128_store(y, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(simd::lo_i32(v)), scale));
    wasm_v128_store(y + 4, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(simd::hi_i32(v)), scale));
  }
  if (n) ref(n, x, y, p);
}

}  // namespace

void qs8_f32_vcvt_wasmsimd(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  dequantize(n, x, y, p, qs8_f32_vcvt_ref);
}

void qu8_f32_vcvt_wasmsimd(size_t n, const uint8_t* x, float* y, const DequantizeParams& p) {
  dequantize(n, x, y, p, qu8_f32_vcvt_ref);
}

}  // namespace fd
