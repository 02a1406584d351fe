// x8_lut_wasmpshufb: a 256-entry byte table through i8x16.relaxed_swizzle on engines whose
// relaxed swizzle reads an index of 16..127 modulo 16 and gives 0 for 128..255, as x86's pshufb
// (relaxed_install.cc probes every index before installing it; elsewhere the table keeps its
// other lookup). With that reading, the index x - 16 s (wrapping for slices s = 1..8, then
// saturating at -128 for s = 9..15) picks entry x & 15 of slice s's vector exactly for the s
// where it is non-negative as int8: s = 0 .. x/16 when x < 128, s = x/16 - 7 .. x/16 when
// x >= 128. The slice vectors hold XORs of consecutive table rows that make those runs telescope
// to row x/16: v0 = T0, vs = T(s-1) ^ Ts for s = 1..7, and for s = 8..15 that XOR with v(s-8)
// too. One swizzle, subtraction and XOR per slice, where x8_lut_wasmsimd's wrapping swizzle
// costs two instructions (an index fix-up) plus an OR. The contract lives in
// kernels/elementwise.h.
#include <wasm_simd128.h>

#include "kernels/elementwise.h"

namespace fd {

void x8_lut_wasmpshufb(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) {
  v128_t vt[16];
  vt[0] = wasm_v128_load(table);
  for (size_t s = 1; s < 16; ++s) {
    vt[s] = wasm_v128_xor(wasm_v128_load(table + 16 * (s - 1)), wasm_v128_load(table + 16 * s));
    if (s >= 8) vt[s] = wasm_v128_xor(vt[s], vt[s - 8]);
  }
  const v128_t step = wasm_i8x16_splat(16);
  // Two vectors per pass share each slice vector's load.
  auto lookup = [&](const uint8_t* in, uint8_t* out) {
    v128_t a = wasm_v128_load(in), b = wasm_v128_load(in + 16);
    v128_t ra = wasm_i8x16_relaxed_swizzle(vt[0], a), rb = wasm_i8x16_relaxed_swizzle(vt[0], b);
    for (size_t s = 1; s < 16; ++s) {
      a = s <= 8 ? wasm_i8x16_sub(a, step) : wasm_i8x16_sub_sat(a, step);
      b = s <= 8 ? wasm_i8x16_sub(b, step) : wasm_i8x16_sub_sat(b, step);
      ra = wasm_v128_xor(ra, wasm_i8x16_relaxed_swizzle(vt[s], a));
      rb = wasm_v128_xor(rb, wasm_i8x16_relaxed_swizzle(vt[s], b));
    }
    wasm_v128_store(out, ra);
    wasm_v128_store(out + 16, rb);
  };
  size_t i = 0;
  for (; i + 32 <= n; i += 32) lookup(x + i, y + i);
  if (i < n) {
    uint8_t buf[32] = {};
    for (size_t j = i; j < n; ++j) buf[j - i] = x[j];
    lookup(buf, buf);
    for (size_t j = i; j < n; ++j) y[j] = buf[j - i];
  }
}

}  // namespace fd
