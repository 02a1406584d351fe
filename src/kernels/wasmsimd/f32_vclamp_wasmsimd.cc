#include <wasm_simd128.h>

#include "kernels/elementwise.h"

namespace fd {

void f32_vclamp_wasmsimd(size_t n, const float* x, float* y, const F32MinMaxParams& p) {
  const v128_t vmin = wasm_f32x4_splat(p.min);
  const v128_t vmax = wasm_f32x4_splat(p.max);
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    // pmax(v, min) = v < min ? min : v and pmin(v, max) = max < v ? max : v, as in the ref.
    wasm_v128_store(y, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_v128_load(x), vmin), vmax));
    wasm_v128_store(y + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_v128_load(x + 4), vmin), vmax));
  }
  if (n >= 4) {
    wasm_v128_store(y, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_v128_load(x), vmin), vmax));
    n -= 4, x += 4, y += 4;
  }
  if (n) f32_vclamp_ref(n, x, y, p);
}

}  // namespace fd
