// SIMD128 int8 and uint8 arg max, first maximum wins (the contract lives in kernels/pooling.h).
// Rows along a contiguous axis (inner = 1) of 16 values or more, such as a segmentation head's
// class scores per pixel: the row's maximum from vector maxima (a last vector overlapping the one
// before it) and a horizontal reduction, then the first vector holding it, by its equality mask.
// Other layouts take the ref kernel's loop.
#include <wasm_simd128.h>

#include "kernels/pooling.h"

namespace fd {
namespace wasmsimd_impl {

template <bool kUnsigned>
inline v128_t vmax(v128_t a, v128_t b) {
  return kUnsigned ? wasm_u8x16_max(a, b) : wasm_i8x16_max(a, b);
}

// First index of the maximum of row[0, n), n >= 16.
template <bool kUnsigned>
inline int32_t row_argmax(const uint8_t* row, size_t n) {
  v128_t m = wasm_v128_load(row);
  size_t a = 16;
  for (; a + 16 <= n; a += 16) m = vmax<kUnsigned>(m, wasm_v128_load(row + a));
  if (a < n) m = vmax<kUnsigned>(m, wasm_v128_load(row + n - 16));
  m = vmax<kUnsigned>(m, wasm_i8x16_shuffle(m, m, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  m = vmax<kUnsigned>(m, wasm_i8x16_shuffle(m, m, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));
  m = vmax<kUnsigned>(m, wasm_i8x16_shuffle(m, m, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
  m = vmax<kUnsigned>(m, wasm_i8x16_shuffle(m, m, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
  for (a = 0; a + 16 <= n; a += 16) {
    const uint32_t hits = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(row + a), m));
    if (hits) return static_cast<int32_t>(a + __builtin_ctz(hits));
  }
  // Not in the whole vectors: in the last one, past the bytes it shares with them.
  const uint32_t hits = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(row + n - 16), m));
  return static_cast<int32_t>(n - 16 + __builtin_ctz(hits));
}

// Rows of 16 or more along a contiguous axis; false for other layouts (the ref's loop then).
template <bool kUnsigned>
bool argmax_rows(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  if (inner != 1 || axis < 16) return false;
  for (size_t o = 0; o < outer; ++o) output[o] = row_argmax<kUnsigned>(input + o * axis, axis);
  return true;
}

}  // namespace wasmsimd_impl

void s8_argmax_wasmsimd(const int8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  if (!wasmsimd_impl::argmax_rows<false>(reinterpret_cast<const uint8_t*>(input), outer, axis, inner, output)) {
    s8_argmax_ref(input, outer, axis, inner, output);
  }
}

void u8_argmax_wasmsimd(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  if (!wasmsimd_impl::argmax_rows<true>(input, outer, axis, inner, output)) u8_argmax_ref(input, outer, axis, inner, output);
}

}  // namespace fd
