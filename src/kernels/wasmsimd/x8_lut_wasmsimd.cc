// x8_lut_wasmsimd: a 256-entry byte table as 16 vectors of 16 entries. i8x16.swizzle returns 0
// for indices of 16 and up, so for each 16-entry slice the index minus the slice's start hits in
// exactly one slice and the 16 lookups combine with OR. Two vectors per pass share each table
// load (the contract lives in kernels/elementwise.h).
#include <wasm_simd128.h>

#include "kernels/elementwise.h"

namespace fd {

void x8_lut_wasmsimd(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) {
  const v128_t step = wasm_i8x16_splat(16);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    v128_t x0 = wasm_v128_load(x + i);
    v128_t x1 = wasm_v128_load(x + i + 16);
    v128_t t = wasm_v128_load(table);
    v128_t y0 = wasm_i8x16_swizzle(t, x0);
    v128_t y1 = wasm_i8x16_swizzle(t, x1);
    for (size_t s = 16; s < 256; s += 16) {
      t = wasm_v128_load(table + s);
      x0 = wasm_i8x16_sub(x0, step);
      x1 = wasm_i8x16_sub(x1, step);
      y0 = wasm_v128_or(y0, wasm_i8x16_swizzle(t, x0));
      y1 = wasm_v128_or(y1, wasm_i8x16_swizzle(t, x1));
    }
    wasm_v128_store(y + i, y0);
    wasm_v128_store(y + i + 16, y1);
  }
  for (; i < n; ++i) y[i] = table[x[i]];
}

}  // namespace fd
