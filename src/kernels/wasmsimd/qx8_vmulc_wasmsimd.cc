// SIMD128 quantized int8 and uint8 MUL of a vector and one scalar, fp32 requantization, 8 elements
// per step; bit-exact with qs8/qu8_vmulc_ref, which handle the last n % 8 elements (the contract
// lives in kernels/elementwise.h).
#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {
namespace {

// out = requantize((a - a_zp) * (b[0] - b_zp)), elementwise.
template <typename T>
void qvmulc(size_t n, const T* a, const T* b, T* out, const QMulParams& p,
            void (*ref)(size_t, const T*, const T*, T*, const QMulParams&)) {
  const v128_t a_zp = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t bv = wasm_i32x4_splat(static_cast<int32_t>(b[0]) - p.b_zero_point);
  const simd::Requant rq(p.scale, p.output_zero_point, p.qmin, p.qmax);
  for (; n >= 8; n -= 8, a += 8, out += 8) {
    const v128_t va = wasm_i16x8_sub(simd::load8x8(a), a_zp);  // [8] a - a_zp
    simd::store8(out, rq.apply(wasm_i32x4_mul(simd::lo_i32(va), bv)),
                 rq.apply(wasm_i32x4_mul(simd::hi_i32(va), bv)));
  }
  if (n) ref(n, a, b, out, p);
}

}  // namespace

void qs8_vmulc_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) {
  qvmulc(n, a, b, out, p, qs8_vmulc_ref);
}

void qu8_vmulc_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  qvmulc(n, a, b, out, p, qu8_vmulc_ref);
}

}  // namespace fd
