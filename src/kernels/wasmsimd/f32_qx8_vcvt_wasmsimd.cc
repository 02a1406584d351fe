// SIMD128 float32 -> int8 and uint8 quantization, 8 elements per step; bit-exact with
// f32_qs8/qu8_vcvt_ref, which handle the last n % 8 elements (the contract lives in
// kernels/elementwise.h).
#include "kernels/elementwise.h"
#include "kernels/wasmsimd/elementwise_simd.h"

namespace fd {
namespace {

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

}  // namespace

void f32_qs8_vcvt_wasmsimd(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p) {
  quantize(n, x, y, p, f32_qs8_vcvt_ref);
}

void f32_qu8_vcvt_wasmsimd(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p) {
  quantize(n, x, y, p, f32_qu8_vcvt_ref);
}

}  // namespace fd
