// x8_zip2_wasmsimd: interleaves two byte rows 16 bytes at a time with two byte shuffles (the
// contract lives in kernels/movement.h).
#include <wasm_simd128.h>

#include "kernels/movement.h"

namespace fd {

void x8_zip2_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t va = wasm_v128_load(a + i);
    const v128_t vb = wasm_v128_load(b + i);
    wasm_v128_store(out + 2 * i, wasm_i8x16_shuffle(va, vb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    wasm_v128_store(out + 2 * i + 16,
                    wasm_i8x16_shuffle(va, vb, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
  }
  for (; i < n; ++i) {
    out[2 * i] = a[i];
    out[2 * i + 1] = b[i];
  }
}

}  // namespace fd
