// SIMD128 uint8 max pooling, 16 (then 8) channels per vector; bit-exact with u8_maxpool_ref.
#include <wasm_simd128.h>

#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void u8_maxpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max) {
  const size_t c_n = p.channels;
  const v128_t vmin = wasm_u8x16_splat(out_min);
  const v128_t vmax = wasm_u8x16_splat(out_max);
  const v128_t vlow = wasm_u8x16_splat(0);
  ref_impl::for_each_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    uint8_t* out = output + out_pixel * c_n;
    // Pixel of window tap (fy, fx), always in bounds.
    auto tap = [&](size_t fy, size_t fx) {
      return input + (base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n);
    };
    size_t c = 0;
    for (; c + 16 <= c_n; c += 16) {
      v128_t m = vlow;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const uint8_t* src = tap(fy, fx0) + c;
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) m = wasm_u8x16_max(m, wasm_v128_load(src));
      }
      wasm_v128_store(out + c, wasm_u8x16_min(wasm_u8x16_max(m, vmin), vmax));
    }
    if (c + 8 <= c_n) {
      v128_t m = vlow;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const uint8_t* src = tap(fy, fx0) + c;
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) m = wasm_u8x16_max(m, wasm_v128_load64_zero(src));
      }
      wasm_v128_store64_lane(out + c, wasm_u8x16_min(wasm_u8x16_max(m, vmin), vmax), 0);
      c += 8;
    }
    for (; c < c_n; ++c) {
      uint8_t m = 0;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          const uint8_t v = tap(fy, fx)[c];
          m = m < v ? v : m;
        }
      }
      m = m < out_min ? out_min : m;
      out[c] = m > out_max ? out_max : m;
    }
  });
}

}  // namespace fd
