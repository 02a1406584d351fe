// SIMD128 float average pooling, 4 channels per vector; bit-exact with f32_avgpool_ref (windows
// walked by pool_window.h).
#include <wasm_simd128.h>

#include "kernels/pool_window.h"

namespace fd {

void f32_avgpool_wasmsimd(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max) {
  const size_t c_n = p.channels;
  const v128_t vmin = wasm_f32x4_splat(out_min);
  const v128_t vmax = wasm_f32x4_splat(out_max);
  for_each_pool_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    float* out = output + out_pixel * c_n;
    const float count = static_cast<float>((fy1 - fy0) * (fx1 - fx0));
    const v128_t vcount = wasm_f32x4_splat(count);
    size_t c = 0;
    for (; c + 4 <= c_n; c += 4) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const float* src = input + (base + static_cast<ptrdiff_t>(fy * p.in_w + fx0)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c);
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) acc = wasm_f32x4_add(acc, wasm_v128_load(src));
      }
      const v128_t v = wasm_f32x4_div(acc, vcount);
      wasm_v128_store(out + c, wasm_f32x4_pmin(wasm_f32x4_pmax(v, vmin), vmax));
    }
    for (; c < c_n; ++c) {
      float acc = 0.0f;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          acc += input[(base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c)];
        }
      }
      float v = acc / count;
      v = v < out_min ? out_min : v;
      out[c] = v > out_max ? out_max : v;
    }
  });
}

}  // namespace fd
