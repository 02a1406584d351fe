// SIMD128 quantized int8 and uint8 MUL, fp32 requantization, 8 elements per step; bit-exact with
// qs8/qu8_vmul_ref, which handle the last n % 8 elements (the contract lives in
// kernels/elementwise.h).
#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {
namespace {

// out = requantize((a - a_zp) * (b - b_zp)), elementwise.
template <typename T>
void qvmul(size_t n, const T* a, const T* b, T* out, const QMulParams& p,
           void (*ref)(size_t, const T*, const T*, T*, const QMulParams&)) {
  const v128_t a_zp = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t b_zp = wasm_i16x8_splat(static_cast<int16_t>(p.b_zero_point));
  const simd::Requant rq(p.scale, p.output_zero_point, p.qmin, p.qmax);
  for (; n >= 8; n -= 8, a += 8, b += 8, out += 8) {
    const v128_t va = wasm_i16x8_sub(simd::load8x8(a), a_zp);  // [8] a - a_zp
    const v128_t vb = wasm_i16x8_sub(simd::load8x8(b), b_zp);
    const v128_t acc_lo = wasm_i32x4_mul(simd::lo_i32(va), simd::lo_i32(vb));
    const v128_t acc_hi = wasm_i32x4_mul(simd::hi_i32(va), simd::hi_i32(vb));
    simd::store8(out, rq.apply(acc_lo), rq.apply(acc_hi));
  }
  if (n) ref(n, a, b, out, p);
}

}  // namespace

void qs8_vmul_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) {
  qvmul(n, a, b, out, p, qs8_vmul_ref);
}

void qu8_vmul_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  qvmul(n, a, b, out, p, qu8_vmul_ref);
}

}  // namespace fd
