// SIMD128 quantized 4x4c8 GEMM: int8/uint8 rows widened to i16x8, i32x4.dot_i16x8 against packed
// int16 weights, fp32 requantization (the contract lives in kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

// Rows processed per channel-tile sweep, so a block of A stays in cache while weights stream.
constexpr size_t kRowBlock = 16;

template <bool kUnsigned>
inline v128_t load_widen(const uint8_t* p) {
  return kUnsigned ? wasm_u16x8_load8x8(p) : wasm_i16x8_load8x8(p);
}

// [sum(a0), sum(a1), sum(a2), sum(a3)].
inline v128_t hsum4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  const v128_t s01 = wasm_i32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7));
  const v128_t s23 = wasm_i32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5), wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(s01, s23, 0, 1, 4, 5), wasm_i32x4_shuffle(s01, s23, 2, 3, 6, 7));
}

template <bool kUnsigned>
void gemm(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const int16_t* packed_w,
          const int32_t* bias, uint8_t* c, size_t c_stride, const RequantParams& rq) {
  const size_t kp = round_up_multiple(k, kQGemmKR);
  const size_t kfull = k - k % kQGemmKR;
  const size_t ktail = k - kfull;
  const v128_t vzp = requant_zero_point(rq.output_zero_point);
  const v128_t vlo = wasm_f32x4_splat(static_cast<float>(rq.qmin - rq.output_zero_point));
  const v128_t vhi = wasm_f32x4_splat(static_cast<float>(rq.qmax - rq.output_zero_point));
  for (size_t mb = 0; mb < m; mb += kRowBlock) {
    const size_t mb_end = mb + kRowBlock < m ? mb + kRowBlock : m;
    for (size_t ch = 0; ch < n; ch += kQGemmNR) {
      const size_t nvalid = n - ch < kQGemmNR ? n - ch : kQGemmNR;
      const int16_t* wtile = packed_w + (ch / kQGemmNR) * kp * kQGemmNR;
      const v128_t vbias = wasm_v128_load(bias + ch);
      const v128_t vscale = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch);
      for (size_t row = mb; row < mb_end; row += kQGemmMR) {
        const uint8_t* a0 = a + row * a_stride;
        const uint8_t* a1 = row + 1 < mb_end ? a0 + a_stride : a0;
        const uint8_t* a2 = row + 2 < mb_end ? a1 + a_stride : a1;
        const uint8_t* a3 = row + 3 < mb_end ? a2 + a_stride : a2;
        v128_t acc00 = wasm_i32x4_splat(0), acc01 = acc00, acc02 = acc00, acc03 = acc00;
        v128_t acc10 = acc00, acc11 = acc00, acc12 = acc00, acc13 = acc00;
        v128_t acc20 = acc00, acc21 = acc00, acc22 = acc00, acc23 = acc00;
        v128_t acc30 = acc00, acc31 = acc00, acc32 = acc00, acc33 = acc00;
        const int16_t* w = wtile;
        auto step = [&](v128_t x0, v128_t x1, v128_t x2, v128_t x3) {
          const v128_t w0 = wasm_v128_load(w);
          const v128_t w1 = wasm_v128_load(w + 8);
          const v128_t w2 = wasm_v128_load(w + 16);
          const v128_t w3 = wasm_v128_load(w + 24);
          w += kQGemmNR * kQGemmKR;
          acc00 = wasm_i32x4_add(acc00, wasm_i32x4_dot_i16x8(x0, w0));
          acc01 = wasm_i32x4_add(acc01, wasm_i32x4_dot_i16x8(x0, w1));
          acc02 = wasm_i32x4_add(acc02, wasm_i32x4_dot_i16x8(x0, w2));
          acc03 = wasm_i32x4_add(acc03, wasm_i32x4_dot_i16x8(x0, w3));
          acc10 = wasm_i32x4_add(acc10, wasm_i32x4_dot_i16x8(x1, w0));
          acc11 = wasm_i32x4_add(acc11, wasm_i32x4_dot_i16x8(x1, w1));
          acc12 = wasm_i32x4_add(acc12, wasm_i32x4_dot_i16x8(x1, w2));
          acc13 = wasm_i32x4_add(acc13, wasm_i32x4_dot_i16x8(x1, w3));
          acc20 = wasm_i32x4_add(acc20, wasm_i32x4_dot_i16x8(x2, w0));
          acc21 = wasm_i32x4_add(acc21, wasm_i32x4_dot_i16x8(x2, w1));
          acc22 = wasm_i32x4_add(acc22, wasm_i32x4_dot_i16x8(x2, w2));
          acc23 = wasm_i32x4_add(acc23, wasm_i32x4_dot_i16x8(x2, w3));
          acc30 = wasm_i32x4_add(acc30, wasm_i32x4_dot_i16x8(x3, w0));
          acc31 = wasm_i32x4_add(acc31, wasm_i32x4_dot_i16x8(x3, w1));
          acc32 = wasm_i32x4_add(acc32, wasm_i32x4_dot_i16x8(x3, w2));
          acc33 = wasm_i32x4_add(acc33, wasm_i32x4_dot_i16x8(x3, w3));
        };
        for (size_t kk = 0; kk < kfull; kk += kQGemmKR) {
          step(load_widen<kUnsigned>(a0 + kk), load_widen<kUnsigned>(a1 + kk),
               load_widen<kUnsigned>(a2 + kk), load_widen<kUnsigned>(a3 + kk));
        }
        if (ktail) {
          uint8_t tail[kQGemmMR][kQGemmKR] = {};
          std::memcpy(tail[0], a0 + kfull, ktail);
          std::memcpy(tail[1], a1 + kfull, ktail);
          std::memcpy(tail[2], a2 + kfull, ktail);
          std::memcpy(tail[3], a3 + kfull, ktail);
          step(load_widen<kUnsigned>(tail[0]), load_widen<kUnsigned>(tail[1]),
               load_widen<kUnsigned>(tail[2]), load_widen<kUnsigned>(tail[3]));
        }
        const v128_t r0 = requantize_f32x4(wasm_i32x4_add(hsum4(acc00, acc01, acc02, acc03), vbias), vscale, vlo, vhi, vzp);
        const v128_t r1 = requantize_f32x4(wasm_i32x4_add(hsum4(acc10, acc11, acc12, acc13), vbias), vscale, vlo, vhi, vzp);
        const v128_t r2 = requantize_f32x4(wasm_i32x4_add(hsum4(acc20, acc21, acc22, acc23), vbias), vscale, vlo, vhi, vzp);
        const v128_t r3 = requantize_f32x4(wasm_i32x4_add(hsum4(acc30, acc31, acc32, acc33), vbias), vscale, vlo, vhi, vzp);
        // Bytes 0..3: row 0, 4..7: row 1, 8..11: row 2, 12..15: row 3.
        const v128_t h01 = wasm_i16x8_narrow_i32x4(r0, r1);
        const v128_t h23 = wasm_i16x8_narrow_i32x4(r2, r3);
        const v128_t out = kUnsigned ? wasm_u8x16_narrow_i16x8(h01, h23) : wasm_i8x16_narrow_i16x8(h01, h23);
        uint8_t bytes[16];
        wasm_v128_store(bytes, out);
        const size_t rows = mb_end - row < kQGemmMR ? mb_end - row : kQGemmMR;
        for (size_t r = 0; r < rows; ++r) {
          uint8_t* crow = c + (row + r) * c_stride + ch;
          std::memcpy(crow, bytes + r * kQGemmNR, nvalid);
        }
      }
    }
  }
}

}  // namespace

void qx8_gemm_4x4c8_wasmsimd(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                             const int16_t* packed_w, const int32_t* bias, uint8_t* c,
                             size_t c_stride, const QConvParams& params) {
  if (params.is_unsigned) {
    gemm<true>(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params.rq);
  } else {
    gemm<false>(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params.rq);
  }
}

}  // namespace fd
