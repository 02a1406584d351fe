#include <wasm_simd128.h>

#include "kernels/elementwise.h"

namespace fd {
namespace {

// a op b on four lanes; same IEEE operations as the ref kernel, so results are bit-exact.
template <BinaryOp kOp>
inline v128_t apply(v128_t a, v128_t b) {
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

template <BinaryOp kOp>
void run(size_t n, const float* a, const float* b, float* out, const F32MinMaxParams& p) {
  const v128_t vmin = wasm_f32x4_splat(p.min);
  const v128_t vmax = wasm_f32x4_splat(p.max);
  const v128_t vb = wasm_f32x4_splat(b[0]);
  for (; n >= 8; n -= 8, a += 8, out += 8) {
    const v128_t x0 = apply<kOp>(wasm_v128_load(a), vb);
    const v128_t x1 = apply<kOp>(wasm_v128_load(a + 4), vb);
    wasm_v128_store(out, wasm_f32x4_pmin(wasm_f32x4_pmax(x0, vmin), vmax));
    wasm_v128_store(out + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(x1, vmin), vmax));
  }
  if (n >= 4) {
    const v128_t x = apply<kOp>(wasm_v128_load(a), vb);
    wasm_v128_store(out, wasm_f32x4_pmin(wasm_f32x4_pmax(x, vmin), vmax));
    n -= 4, a += 4, out += 4;
  }
  if (n) f32_vbinaryc_ref(kOp, n, a, b, out, p);
}

}  // namespace

void f32_vbinaryc_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                           const F32MinMaxParams& p) {
  switch (op) {
    case BinaryOp::kAdd: return run<BinaryOp::kAdd>(n, a, b, out, p);
    case BinaryOp::kSub: return run<BinaryOp::kSub>(n, a, b, out, p);
    case BinaryOp::kMul: return run<BinaryOp::kMul>(n, a, b, out, p);
    case BinaryOp::kDiv: return run<BinaryOp::kDiv>(n, a, b, out, p);
    case BinaryOp::kFloorDiv: return run<BinaryOp::kFloorDiv>(n, a, b, out, p);
    case BinaryOp::kRSub: return run<BinaryOp::kRSub>(n, a, b, out, p);
    case BinaryOp::kRDiv: return run<BinaryOp::kRDiv>(n, a, b, out, p);
    case BinaryOp::kRFloorDiv: return run<BinaryOp::kRFloorDiv>(n, a, b, out, p);
  }
}

}  // namespace fd
