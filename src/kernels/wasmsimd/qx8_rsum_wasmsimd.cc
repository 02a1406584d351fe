// SIMD128 int8 and uint8 -> int32 sums over the middle axis, 16 (then 8) inner elements per
// vector; bit-exact with qs8/qu8_rsum_ref (the contract lives in kernels/pooling.h). One template
// for both types, over x8_simd.h's lanes.
#include <wasm_simd128.h>

#include "kernels/pooling.h"
#include "kernels/wasmsimd/x8_simd.h"

namespace fd {
namespace {

template <typename T>
void rsum(const T* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  for (size_t o = 0; o < outer; ++o) {
    const T* in = input + o * reduce * inner;
    int32_t* out = output + o * inner;
    size_t i = 0;
    for (; i + 16 <= inner; i += 16) {
      v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (size_t r = 0; r < reduce; ++r) {
        const v128_t v = wasm_v128_load(in + r * inner + i);
        const v128_t lo = simd::X8<T>::widen_lo(v);
        const v128_t hi = simd::X8<T>::widen_hi(v);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_extend_low_i16x8(lo));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_extend_high_i16x8(lo));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_extend_low_i16x8(hi));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_extend_high_i16x8(hi));
      }
      wasm_v128_store(out + i, a0);
      wasm_v128_store(out + i + 4, a1);
      wasm_v128_store(out + i + 8, a2);
      wasm_v128_store(out + i + 12, a3);
    }
    if (i + 8 <= inner) {
      v128_t a0 = wasm_i32x4_splat(0), a1 = a0;
      for (size_t r = 0; r < reduce; ++r) {
        const v128_t lo = simd::X8<T>::widen_lo(wasm_v128_load64_zero(in + r * inner + i));
        a0 = wasm_i32x4_add(a0, wasm_i32x4_extend_low_i16x8(lo));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_extend_high_i16x8(lo));
      }
      wasm_v128_store(out + i, a0);
      wasm_v128_store(out + i + 4, a1);
      i += 8;
    }
    for (; i < inner; ++i) {
      int32_t acc = 0;
      for (size_t r = 0; r < reduce; ++r) acc += in[r * inner + i];
      out[i] = acc;
    }
  }
}

}  // namespace

void qs8_rsum_wasmsimd(const int8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  rsum(input, outer, reduce, inner, output);
}

void qu8_rsum_wasmsimd(const uint8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  rsum(input, outer, reduce, inner, output);
}

}  // namespace fd
