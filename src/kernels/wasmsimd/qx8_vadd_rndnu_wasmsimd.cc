// SIMD128 quantized int8 and uint8 ADD/SUB with the integer (rndnu) output stage, 8 elements per
// step; bit-exact with qs8/qu8_vadd_rndnu_ref, which handle the last n % 8 elements (the contract
// lives in kernels/elementwise.h).
#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {
namespace {

// out = qadd_output((a - a_zp) * a_mult + (b - b_zp) * b_mult), elementwise.
template <typename T>
void qvadd(size_t n, const T* a, const T* b, T* out, const QAddParams& p,
           void (*ref)(size_t, const T*, const T*, T*, const QAddParams&)) {
  const v128_t a_zp = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t b_zp = wasm_i16x8_splat(static_cast<int16_t>(p.b_zero_point));
  const v128_t a_mult = wasm_i32x4_splat(p.a_multiplier);
  const v128_t b_mult = wasm_i32x4_splat(p.b_multiplier);
  const simd::QAddOut rq(p.shift, p.output_zero_point, p.qmin, p.qmax);
  for (; n >= 8; n -= 8, a += 8, b += 8, out += 8) {
    const v128_t va = wasm_i16x8_sub(simd::load8x8(a), a_zp);  // [8] a - a_zp
    const v128_t vb = wasm_i16x8_sub(simd::load8x8(b), b_zp);
    const v128_t acc_lo = wasm_i32x4_add(wasm_i32x4_mul(simd::lo_i32(va), a_mult),
                                         wasm_i32x4_mul(simd::lo_i32(vb), b_mult));
    const v128_t acc_hi = wasm_i32x4_add(wasm_i32x4_mul(simd::hi_i32(va), a_mult),
                                         wasm_i32x4_mul(simd::hi_i32(vb), b_mult));
    simd::store8(out, rq.apply(acc_lo), rq.apply(acc_hi));
  }
  if (n) ref(n, a, b, out, p);
}

}  // namespace

void qs8_vadd_rndnu_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) {
  qvadd(n, a, b, out, p, qs8_vadd_rndnu_ref);
}

void qu8_vadd_rndnu_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) {
  qvadd(n, a, b, out, p, qu8_vadd_rndnu_ref);
}

}  // namespace fd
