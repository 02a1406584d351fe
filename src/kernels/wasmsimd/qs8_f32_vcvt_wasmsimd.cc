#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {

void qs8_f32_vcvt_wasmsimd(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  const v128_t zp = wasm_i16x8_splat(static_cast<int16_t>(p.zero_point));
  const v128_t scale = wasm_f32x4_splat(p.scale);
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const v128_t v = wasm_i16x8_sub(simd::load8x8(x), zp);  // [8] x - zp
    wasm_v128_store(y, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(simd::lo_i32(v)), scale));
    wasm_v128_store(y + 4, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(simd::hi_i32(v)), scale));
  }
  if (n) qs8_f32_vcvt_ref(n, x, y, p);
}

}  // namespace fd
