// SIMD128 float32 binary operations with min/max clamp, 8 (then 4) elements per step, for b a
// vector (f32_vbinary_wasmsimd) or a single value b[0] (f32_vbinaryc_wasmsimd); bit-exact with the
// ref kernels (same IEEE operations; the op dispatch is kernels/ref/f32_binary_apply.h's).
#include <wasm_simd128.h>

#include "kernels/elementwise.h"
#include "kernels/ref/f32_binary_apply.h"

namespace fd {
namespace {

// a op b on four lanes.
template <BinaryOp kOp>
inline v128_t f32_binary_apply(v128_t a, v128_t b) {
  switch (kOp) {
    case BinaryOp::kAdd: return wasm_f32x4_add(a, b);
    case BinaryOp::kSub: return wasm_f32x4_sub(a, b);
    case BinaryOp::kMul: return wasm_f32x4_mul(a, b);
    case BinaryOp::kDiv: return wasm_f32x4_div(a, b);
    case BinaryOp::kFloorDiv: return wasm_f32x4_floor(wasm_f32x4_div(a, b));
    case BinaryOp::kRSub: return wasm_f32x4_sub(b, a);
    case BinaryOp::kRDiv: return wasm_f32x4_div(b, a);
    case BinaryOp::kRFloorDiv: return wasm_f32x4_floor(wasm_f32x4_div(b, a));
  }
  return a;
}

// The body of f32_vbinary_wasmsimd (kScalarB false) and f32_vbinaryc_wasmsimd (true); `ref` (the
// matching ref kernel) handles the last n % 4 elements.
template <bool kScalarB>
void f32_vbinary(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                 const F32MinMaxParams& p,
                 void (*ref)(BinaryOp, size_t, const float*, const float*, float*, const F32MinMaxParams&)) {
  constexpr size_t kBStep = kScalarB ? 0 : 1;  // b advances with a unless it is one value
  // Four elements of b starting at `q` (b[0] four times for a single value).
  auto load_b = [](const float* q) { return kScalarB ? wasm_v128_load32_splat(q) : wasm_v128_load(q); };
  const v128_t vmin = wasm_f32x4_splat(p.min);
  const v128_t vmax = wasm_f32x4_splat(p.max);
  f32_binary::dispatch(op, [&](auto op_constant) {
    constexpr BinaryOp kOp = decltype(op_constant)::value;
    for (; n >= 8; n -= 8, a += 8, b += 8 * kBStep, out += 8) {
      const v128_t x0 = f32_binary_apply<kOp>(wasm_v128_load(a), load_b(b));
      const v128_t x1 = f32_binary_apply<kOp>(wasm_v128_load(a + 4), load_b(b + 4 * kBStep));
      wasm_v128_store(out, wasm_f32x4_pmin(wasm_f32x4_pmax(x0, vmin), vmax));
      wasm_v128_store(out + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(x1, vmin), vmax));
    }
    if (n >= 4) {
      const v128_t x = f32_binary_apply<kOp>(wasm_v128_load(a), load_b(b));
      wasm_v128_store(out, wasm_f32x4_pmin(wasm_f32x4_pmax(x, vmin), vmax));
      n -= 4, a += 4, b += 4 * kBStep, out += 4;
    }
    if (n) ref(kOp, n, a, b, out, p);
  });
}

}  // namespace

void f32_vbinary_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                          const F32MinMaxParams& p) {
  f32_vbinary<false>(op, n, a, b, out, p, f32_vbinary_ref);
}

void f32_vbinaryc_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                           const F32MinMaxParams& p) {
  f32_vbinary<true>(op, n, a, b, out, p, f32_vbinaryc_ref);
}

}  // namespace fd
