// Relaxed-SIMD quantized 2x16c4 GEMM: per 2 rows and 16 output channels, K in blocks of 4; each
// i32x4.relaxed_dot_i8x16_i7x16_add_s multiplies 4 channels' int8 weights (first operand) by one
// row's 4 activation bytes splatted (the i7 operand, already flipped into the kernel's domain by
// the caller), 16 MACs per instruction; fp32 requantization as every other kernel (the contract
// lives in kernels/conv.h). Built by clang-19 with -mrelaxed-simd, for the relaxed wasm module only.
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

// One tile: rows `ar` (kMR pointers, `rows` valid) times 4 * kNV output channels starting at `ch`,
// weights `w` (the 16-channel tile; with kNV = 1 or 2 only its first 4 or 8 channels are used, for
// a last tile of at most that many channels). Writes `nvalid` channels of each valid row.
template <size_t kNV>
__attribute__((always_inline)) inline void tile(const uint8_t* const* ar, size_t rows, size_t kfull, size_t ktail,
                                                const int8_t* w, const int32_t* bias, size_t ch, size_t nvalid,
                                                const RequantParams& rq, const Requant16& e, uint8_t* c,
                                                size_t c_stride) {
  v128_t acc[kMR][kNV];
  for (size_t j = 0; j < kNV; ++j) {
    const v128_t b = wasm_v128_load(bias + ch + 4 * j);
    for (size_t r = 0; r < kMR; ++r) acc[r][j] = b;
  }
  auto step = [&](const v128_t* va) {
    v128_t wv[kNV];
    for (size_t j = 0; j < kNV; ++j) wv[j] = wasm_v128_load(w + 16 * j);
    w += kQGemm16NR * kQGemm16KR;
    for (size_t r = 0; r < kMR; ++r) {
      for (size_t j = 0; j < kNV; ++j) acc[r][j] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wv[j], va[r], acc[r][j]);
    }
  };
  for (size_t kk = 0; kk < kfull; kk += kQGemm16KR) {
    v128_t va[kMR];
    for (size_t r = 0; r < kMR; ++r) va[r] = wasm_v128_load32_splat(ar[r] + kk);
    step(va);
  }
  if (ktail) {
    v128_t va[kMR];
    for (size_t r = 0; r < kMR; ++r) {
      uint32_t bytes = 0;
      std::memcpy(&bytes, ar[r] + kfull, ktail);
      va[r] = wasm_i32x4_splat(static_cast<int32_t>(bytes));
    }
    step(va);
  }
  v128_t vscale[kNV];
  for (size_t j = 0; j < kNV; ++j) {
    vscale[j] = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch + 4 * j);
  }
  for (size_t r = 0; r < rows; ++r) {
    const v128_t out = e.apply<kNV>(acc[r], vscale);
    uint8_t* crow = c + r * c_stride + ch;
    if (nvalid == kQGemm16NR) {
      wasm_v128_store(crow, out);
    } else if (nvalid == 8) {
      wasm_v128_store64_lane(crow, out, 0);
    } else if (nvalid == 4) {
      wasm_v128_store32_lane(crow, out, 0);
    } else {
      uint8_t tmp[16];
      wasm_v128_store(tmp, out);
      std::memcpy(crow, tmp, nvalid);
    }
  }
}

// Both engine readings (usdot, sdot) share this body: the caller flipped the activations.
void gemm(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const int8_t* packed_w,
          const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const size_t kp = round_up_multiple(k, kQGemm16KR);
  const size_t kfull = k - k % kQGemm16KR;
  const size_t ktail = k - kfull;
  const Requant16 e(rq, params.is_unsigned);
  for (size_t row = 0; row < m; row += kMR) {
    const size_t rows = m - row < kMR ? m - row : kMR;
    const uint8_t* ar[kMR];
    ar[0] = a + row * a_stride;
    for (size_t r = 1; r < kMR; ++r) ar[r] = r < rows ? ar[r - 1] + a_stride : ar[r - 1];
    uint8_t* crow = c + row * c_stride;
    for (size_t ch = 0; ch < n; ch += kQGemm16NR) {
      const int8_t* w = packed_w + (ch / kQGemm16NR) * kp * kQGemm16NR;
      const size_t nvalid = n - ch < kQGemm16NR ? n - ch : kQGemm16NR;
      if (nvalid <= 4) {
        tile<1>(ar, rows, kfull, ktail, w, bias, ch, nvalid, rq, e, crow, c_stride);
      } else if (nvalid <= 8) {
        tile<2>(ar, rows, kfull, ktail, w, bias, ch, nvalid, rq, e, crow, c_stride);
      } else {
        tile<4>(ar, rows, kfull, ktail, w, bias, ch, nvalid, rq, e, crow, c_stride);
      }
    }
  }
}

}  // namespace

void qx8_gemm_2x16c4_wasmusdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                               const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                               const QConvParams& params) {
  gemm(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

void qx8_gemm_2x16c4_wasmsdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                              const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                              const QConvParams& params) {
  gemm(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

}  // namespace fd
