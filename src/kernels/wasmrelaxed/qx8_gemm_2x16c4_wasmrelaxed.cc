// Relaxed-SIMD quantized 2x16c4 GEMM: per 2 rows and 16 output channels, K in blocks of 4; each
// i32x4.relaxed_dot_i8x16_i7x16_add_s multiplies 4 channels' int8 weights (first operand) by one
// row's 4 activation bytes splatted (the i7 operand), 16 MACs per instruction; fp32
// requantization as every other kernel (the contract lives in kernels/conv.h). Built by clang-19
// with -mrelaxed-simd, for the relaxed wasm module only.
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

// Two rows: 8 accumulators + 4 weight vectors + the rows' activations fit the 16 vector registers
// V8 uses on x64; 4 rows spilled (NanoDet-m's large 1x1 convolutions: 45-67 GMAC/s with 2 rows,
// 39-51 with 4, in Chromium 156).
constexpr size_t kMR = 2;

// `kReadsUnsigned`: the engine reads the i7 operand as uint8 (usdot), else as int8 (sdot).
template <bool kReadsUnsigned>
void gemm(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const int8_t* packed_w,
          const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const size_t kp = round_up_multiple(k, kQGemm16KR);
  const size_t kfull = k - k % kQGemm16KR;
  const size_t ktail = k - kfull;
  const v128_t flip = wasm_i8x16_splat(static_cast<int8_t>(params.is_unsigned == kReadsUnsigned ? 0 : 0x80));
  const v128_t vzp = wasm_i32x4_splat(rq.output_zero_point);
  const v128_t vlo = wasm_f32x4_splat(static_cast<float>(rq.qmin - rq.output_zero_point));
  const v128_t vhi = wasm_f32x4_splat(static_cast<float>(rq.qmax - rq.output_zero_point));
  for (size_t row = 0; row < m; row += kMR) {
    const size_t rows = m - row < kMR ? m - row : kMR;
    const uint8_t* ar[kMR];
    ar[0] = a + row * a_stride;
    for (size_t r = 1; r < kMR; ++r) ar[r] = r < rows ? ar[r - 1] + a_stride : ar[r - 1];
    for (size_t ch = 0; ch < n; ch += kQGemm16NR) {
      const int8_t* w = packed_w + (ch / kQGemm16NR) * kp * kQGemm16NR;
      v128_t acc[kMR][4];
      for (size_t j = 0; j < 4; ++j) {
        const v128_t b = wasm_v128_load(bias + ch + 4 * j);
        for (size_t r = 0; r < kMR; ++r) acc[r][j] = b;
      }
      auto step = [&](const v128_t* va) {
        const v128_t w0 = wasm_v128_load(w);
        const v128_t w1 = wasm_v128_load(w + 16);
        const v128_t w2 = wasm_v128_load(w + 32);
        const v128_t w3 = wasm_v128_load(w + 48);
        w += kQGemm16NR * kQGemm16KR;
        for (size_t r = 0; r < kMR; ++r) {
          acc[r][0] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(w0, va[r], acc[r][0]);
          acc[r][1] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(w1, va[r], acc[r][1]);
          acc[r][2] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(w2, va[r], acc[r][2]);
          acc[r][3] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(w3, va[r], acc[r][3]);
        }
      };
      for (size_t kk = 0; kk < kfull; kk += kQGemm16KR) {
        v128_t va[kMR];
        for (size_t r = 0; r < kMR; ++r) va[r] = wasm_v128_xor(wasm_v128_load32_splat(ar[r] + kk), flip);
        step(va);
      }
      if (ktail) {
        v128_t va[kMR];
        for (size_t r = 0; r < kMR; ++r) {
          uint32_t bytes = 0;
          std::memcpy(&bytes, ar[r] + kfull, ktail);
          va[r] = wasm_v128_xor(wasm_i32x4_splat(static_cast<int32_t>(bytes)), flip);
        }
        step(va);
      }
      const size_t nvalid = n - ch < kQGemm16NR ? n - ch : kQGemm16NR;
      v128_t vscale[4];
      for (size_t j = 0; j < 4; ++j) {
        vscale[j] = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch + 4 * j);
      }
      for (size_t r = 0; r < rows; ++r) {
        const v128_t q0 = requantize_f32x4(acc[r][0], vscale[0], vlo, vhi, vzp);
        const v128_t q1 = requantize_f32x4(acc[r][1], vscale[1], vlo, vhi, vzp);
        const v128_t q2 = requantize_f32x4(acc[r][2], vscale[2], vlo, vhi, vzp);
        const v128_t q3 = requantize_f32x4(acc[r][3], vscale[3], vlo, vhi, vzp);
        const v128_t h01 = wasm_i16x8_narrow_i32x4(q0, q1);
        const v128_t h23 = wasm_i16x8_narrow_i32x4(q2, q3);
        const v128_t out = params.is_unsigned ? wasm_u8x16_narrow_i16x8(h01, h23) : wasm_i8x16_narrow_i16x8(h01, h23);
        uint8_t* crow = c + (row + r) * c_stride + ch;
        if (nvalid == kQGemm16NR) {
          wasm_v128_store(crow, out);
        } else {
          uint8_t tmp[16];
          wasm_v128_store(tmp, out);
          std::memcpy(crow, tmp, nvalid);
        }
      }
    }
  }
}

}  // namespace

void qx8_gemm_2x16c4_wasmusdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                               const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                               const QConvParams& params) {
  gemm<true>(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

void qx8_gemm_2x16c4_wasmsdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                              const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                              const QConvParams& params) {
  gemm<false>(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

}  // namespace fd
