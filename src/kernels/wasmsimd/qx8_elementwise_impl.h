// Bodies of the int8/uint8 elementwise wasmsimd kernels (ADD, MUL, their scalar-b forms, and the
// f32 <-> 8-bit conversions), 8 elements per step; each qs8/qu8 kernel file instantiates one for
// its element type and passes its ref twin, which handles the last n % 8 elements.
#pragma once

#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {
namespace wasmsimd_impl {

template <typename T, typename Params>
using QBinaryRef = void (*)(size_t, const T*, const T*, T*, const Params&);

// out = qadd_output((a - a_zp) * a_mult + (b - b_zp) * b_mult), elementwise.
template <typename T>
void qvadd(size_t n, const T* a, const T* b, T* out, const QAddParams& p, QBinaryRef<T, QAddParams> ref) {
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

// qvadd with b a single value b[0].
template <typename T>
void qvaddc(size_t n, const T* a, const T* b, T* out, const QAddParams& p, QBinaryRef<T, QAddParams> ref) {
  const v128_t a_zp = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t a_mult = wasm_i32x4_splat(p.a_multiplier);
  const v128_t bterm =
      wasm_i32x4_splat((static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier);
  const simd::QAddOut rq(p.shift, p.output_zero_point, p.qmin, p.qmax);
  for (; n >= 8; n -= 8, a += 8, out += 8) {
    const v128_t va = wasm_i16x8_sub(simd::load8x8(a), a_zp);  // [8] a - a_zp
    const v128_t acc_lo = wasm_i32x4_add(wasm_i32x4_mul(simd::lo_i32(va), a_mult), bterm);
    const v128_t acc_hi = wasm_i32x4_add(wasm_i32x4_mul(simd::hi_i32(va), a_mult), bterm);
    simd::store8(out, rq.apply(acc_lo), rq.apply(acc_hi));
  }
  if (n) ref(n, a, b, out, p);
}

// out = requantize((a - a_zp) * (b - b_zp)), elementwise.
template <typename T>
void qvmul(size_t n, const T* a, const T* b, T* out, const QMulParams& p, QBinaryRef<T, QMulParams> ref) {
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

// qvmul with b a single value b[0].
template <typename T>
void qvmulc(size_t n, const T* a, const T* b, T* out, const QMulParams& p, QBinaryRef<T, QMulParams> ref) {
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

// y = round-even(clamp(x * inv_scale)) + zp.
template <typename T>
void quantize(size_t n, const float* x, T* y, const F32QuantizeParams& p,
              void (*ref)(size_t, const float*, T*, const F32QuantizeParams&)) {
  const v128_t inv_scale = wasm_f32x4_splat(p.inv_scale);
  const v128_t lo = wasm_f32x4_splat(static_cast<float>(p.qmin - p.zero_point));
  const v128_t hi = wasm_f32x4_splat(static_cast<float>(p.qmax - p.zero_point));
  const v128_t zp = requant_zero_point(p.zero_point);
  const v128_t magic = wasm_f32x4_splat(kRequantMagic);
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    v128_t v0 = wasm_f32x4_mul(wasm_v128_load(x), inv_scale);
    v128_t v1 = wasm_f32x4_mul(wasm_v128_load(x + 4), inv_scale);
    // pmax(lo, v) = lo < v ? v : lo (NaN -> lo); pmin(hi, v) = v < hi ? v : hi, as in the ref.
    v0 = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v0));
    v1 = wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v1));
    // Round to nearest-even and convert with the requantization's magic add (|v| <= 255).
    const v128_t q0 = wasm_i32x4_sub(wasm_f32x4_add(v0, magic), zp);
    const v128_t q1 = wasm_i32x4_sub(wasm_f32x4_add(v1, magic), zp);
    simd::store8(y, q0, q1);
  }
  if (n) ref(n, x, y, p);
}

}  // namespace wasmsimd_impl
}  // namespace fd
