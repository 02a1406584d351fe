// SIMD128 float 4x8 GEMM: each row's 8 output channels live in two f32x4 accumulators, so every
// output is summed in k order like the ref kernel (separate multiply and add, no FMA).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"

namespace fd {
namespace {

// Rows processed per channel-tile sweep, so a block of A stays in cache while weights stream.
constexpr size_t kRowBlock = 16;

}  // namespace

void f32_gemm_4x8_wasmsimd(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                           const float* packed_w, const float* bias, float* c, size_t c_stride,
                           float out_min, float out_max) {
  const v128_t vmin = wasm_f32x4_splat(out_min);
  const v128_t vmax = wasm_f32x4_splat(out_max);
  for (size_t mb = 0; mb < m; mb += kRowBlock) {
    const size_t mb_end = mb + kRowBlock < m ? mb + kRowBlock : m;
    for (size_t ch = 0; ch < n; ch += kFGemmNR) {
      const size_t nvalid = n - ch < kFGemmNR ? n - ch : kFGemmNR;
      const float* wtile = packed_w + (ch / kFGemmNR) * k * kFGemmNR;
      const v128_t b_lo = wasm_v128_load(bias + ch);
      const v128_t b_hi = wasm_v128_load(bias + ch + 4);
      for (size_t row = mb; row < mb_end; row += kFGemmMR) {
        const float* a0 = a + row * a_stride;
        const float* a1 = row + 1 < mb_end ? a0 + a_stride : a0;
        const float* a2 = row + 2 < mb_end ? a1 + a_stride : a1;
        const float* a3 = row + 3 < mb_end ? a2 + a_stride : a2;
        v128_t c0l = b_lo, c0h = b_hi, c1l = b_lo, c1h = b_hi;
        v128_t c2l = b_lo, c2h = b_hi, c3l = b_lo, c3h = b_hi;
        const float* w = wtile;
        for (size_t kk = 0; kk < k; ++kk) {
          const v128_t wl = wasm_v128_load(w);
          const v128_t wh = wasm_v128_load(w + 4);
          w += kFGemmNR;
          const v128_t x0 = wasm_f32x4_splat(a0[kk]);
          const v128_t x1 = wasm_f32x4_splat(a1[kk]);
          const v128_t x2 = wasm_f32x4_splat(a2[kk]);
          const v128_t x3 = wasm_f32x4_splat(a3[kk]);
          c0l = wasm_f32x4_add(c0l, wasm_f32x4_mul(x0, wl));
          c0h = wasm_f32x4_add(c0h, wasm_f32x4_mul(x0, wh));
          c1l = wasm_f32x4_add(c1l, wasm_f32x4_mul(x1, wl));
          c1h = wasm_f32x4_add(c1h, wasm_f32x4_mul(x1, wh));
          c2l = wasm_f32x4_add(c2l, wasm_f32x4_mul(x2, wl));
          c2h = wasm_f32x4_add(c2h, wasm_f32x4_mul(x2, wh));
          c3l = wasm_f32x4_add(c3l, wasm_f32x4_mul(x3, wl));
          c3h = wasm_f32x4_add(c3h, wasm_f32x4_mul(x3, wh));
        }
        v128_t res[kFGemmMR][2] = {{c0l, c0h}, {c1l, c1h}, {c2l, c2h}, {c3l, c3h}};
        const size_t rows = mb_end - row < kFGemmMR ? mb_end - row : kFGemmMR;
        for (size_t r = 0; r < rows; ++r) {
          // pmax/pmin are the ref's compare-and-select (same result for -0.0 and NaN).
          const v128_t lo = wasm_f32x4_pmin(wasm_f32x4_pmax(res[r][0], vmin), vmax);
          const v128_t hi = wasm_f32x4_pmin(wasm_f32x4_pmax(res[r][1], vmin), vmax);
          float* crow = c + (row + r) * c_stride + ch;
          if (nvalid == kFGemmNR) {
            wasm_v128_store(crow, lo);
            wasm_v128_store(crow + 4, hi);
          } else {
            float tmp[kFGemmNR];
            wasm_v128_store(tmp, lo);
            wasm_v128_store(tmp + 4, hi);
            std::memcpy(crow, tmp, nvalid * sizeof(float));
          }
        }
      }
    }
  }
}

}  // namespace fd
