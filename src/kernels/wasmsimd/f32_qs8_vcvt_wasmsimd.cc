#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {

void f32_qs8_vcvt_wasmsimd(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p) {
  const v128_t inv_scale = wasm_f32x4_splat(p.inv_scale);
  const v128_t lo = wasm_f32x4_splat(static_cast<float>(p.qmin - p.zero_point));
  const v128_t hi = wasm_f32x4_splat(static_cast<float>(p.qmax - p.zero_point));
  const v128_t zp = wasm_i32x4_splat(p.zero_point);
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    v128_t v0 = wasm_f32x4_mul(wasm_v128_load(x), inv_scale);
    v128_t v1 = wasm_f32x4_mul(wasm_v128_load(x + 4), inv_scale);
    // pmax(lo, v) = lo < v ? v : lo (NaN -> lo); pmin(hi, v) = v < hi ? v : hi, as in the ref.
    v0 = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v0));
    v1 = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v1));
    const v128_t q0 = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v0)), zp);
    const v128_t q1 = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v1)), zp);
    simd::store8(y, q0, q1);
  }
  if (n) f32_qs8_vcvt_ref(n, x, y, p);
}

}  // namespace fd
