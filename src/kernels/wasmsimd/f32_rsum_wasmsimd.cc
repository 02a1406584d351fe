// SIMD128 float sum over the middle axis, 4 inner elements per vector; bit-exact with f32_rsum_ref.
#include <wasm_simd128.h>

#include "kernels/pooling.h"

namespace fd {

void f32_rsum_wasmsimd(const float* input, size_t outer, size_t reduce, size_t inner, float* output) {
  for (size_t o = 0; o < outer; ++o) {
    const float* in = input + o * reduce * inner;
    float* out = output + o * inner;
    size_t i = 0;
    for (; i + 4 <= inner; i += 4) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      for (size_t r = 0; r < reduce; ++r) acc = wasm_f32x4_add(acc, wasm_v128_load(in + r * inner + i));
      wasm_v128_store(out + i, acc);
    }
    for (; i < inner; ++i) {
      float acc = 0.0f;
      for (size_t r = 0; r < reduce; ++r) acc += in[r * inner + i];
      out[i] = acc;
    }
  }
}

}  // namespace fd
