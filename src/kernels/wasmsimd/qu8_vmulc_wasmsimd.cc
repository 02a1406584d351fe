#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {

void qu8_vmulc_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  const v128_t a_zp = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t bv = wasm_i32x4_splat(static_cast<int32_t>(b[0]) - p.b_zero_point);
  const simd::Requant rq(p.scale, p.output_zero_point, p.qmin, p.qmax);
  for (; n >= 8; n -= 8, a += 8, out += 8) {
    const v128_t va = wasm_i16x8_sub(simd::load8x8(a), a_zp);  // [8] a - a_zp
    simd::store8(out, rq.apply(wasm_i32x4_mul(simd::lo_i32(va), bv)),
                 rq.apply(wasm_i32x4_mul(simd::hi_i32(va), bv)));
  }
  if (n) qu8_vmulc_ref(n, a, b, out, p);
}

}  // namespace fd
