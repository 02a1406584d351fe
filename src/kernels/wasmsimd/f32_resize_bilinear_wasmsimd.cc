// SIMD128 float bilinear resize, 4 channels per vector; bit-exact with f32_resize_bilinear_ref
// (same products and sums in the same order, no FMA).
#include <wasm_simd128.h>

#include "kernels/resize.h"

namespace fd {

void f32_resize_bilinear_wasmsimd(const float* input, float* output, const ResizeBilinearParams& p) {
  const size_t c_n = p.channels;
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t y = 0; y < p.out_h; ++y) {
      const float fy = p.fy[y];
      const float ny = 1.0f - fy;
      const v128_t vfy = wasm_f32x4_splat(fy), vny = wasm_f32x4_splat(ny);
      const float* row0 = input + (b * p.in_h + static_cast<size_t>(p.y0[y])) * p.in_w * c_n;
      const float* row1 = input + (b * p.in_h + static_cast<size_t>(p.y1[y])) * p.in_w * c_n;
      for (size_t x = 0; x < p.out_w; ++x) {
        const float fx = p.fx[x];
        const float nx = 1.0f - fx;
        const v128_t vfx = wasm_f32x4_splat(fx), vnx = wasm_f32x4_splat(nx);
        const float* a = row0 + static_cast<size_t>(p.x0[x]) * c_n;
        const float* bb = row1 + static_cast<size_t>(p.x0[x]) * c_n;
        const float* cc = row0 + static_cast<size_t>(p.x1[x]) * c_n;
        const float* d = row1 + static_cast<size_t>(p.x1[x]) * c_n;
        float* out = output + ((b * p.out_h + y) * p.out_w + x) * c_n;
        size_t c = 0;
        for (; c + 4 <= c_n; c += 4) {
          v128_t v = wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(a + c), vny), vnx);
          v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(bb + c), vfy), vnx));
          v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(cc + c), vny), vfx));
          v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(d + c), vfy), vfx));
          wasm_v128_store(out + c, v);
        }
        for (; c < c_n; ++c) out[c] = bilinear_blend(a[c], bb[c], cc[c], d[c], fy, ny, fx, nx);
      }
    }
  }
}

}  // namespace fd
