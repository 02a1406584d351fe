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

// Requantization constants of one call.
struct Epilogue {
  v128_t zp, lo, hi;
  const RequantParams* rq;
  bool is_unsigned;
};

// One tile: rows `ar` (kMR pointers, `rows` valid) times 4 * kNV output channels starting at `ch`,
// weights `w` (the 16-channel tile; with kNV = 1 or 2 only its first 4 or 8 channels are used, for
// a last tile of at most that many channels). Writes `nvalid` channels of each valid row. `kFlip`: activations
// are XORed with `flip` as they are read (no instruction at all when the caller flipped them).
template <size_t kNV, bool kFlip>
__attribute__((always_inline)) inline void tile(const uint8_t* const* ar, size_t rows, size_t kfull, size_t ktail, const int8_t* w,
                 const int32_t* bias, size_t ch, size_t nvalid, v128_t flip, const Epilogue& e, uint8_t* c,
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
    for (size_t r = 0; r < kMR; ++r) {
      va[r] = wasm_v128_load32_splat(ar[r] + kk);
      if (kFlip) va[r] = wasm_v128_xor(va[r], flip);
    }
    step(va);
  }
  if (ktail) {
    v128_t va[kMR];
    for (size_t r = 0; r < kMR; ++r) {
      uint32_t bytes = 0;
      std::memcpy(&bytes, ar[r] + kfull, ktail);
      va[r] = wasm_i32x4_splat(static_cast<int32_t>(bytes));
      if (kFlip) va[r] = wasm_v128_xor(va[r], flip);
    }
    step(va);
  }
  const RequantParams& rq = *e.rq;
  v128_t vscale[kNV];
  for (size_t j = 0; j < kNV; ++j) {
    vscale[j] = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch + 4 * j);
  }
  for (size_t r = 0; r < rows; ++r) {
    v128_t q[4];
    for (size_t j = 0; j < kNV; ++j) q[j] = requantize_f32x4(acc[r][j], vscale[j], e.lo, e.hi, e.zp);
    for (size_t j = kNV; j < 4; ++j) q[j] = q[0];
    const v128_t h01 = wasm_i16x8_narrow_i32x4(q[0], q[1]);
    const v128_t h23 = wasm_i16x8_narrow_i32x4(q[2], q[3]);
    const v128_t out = e.is_unsigned ? wasm_u8x16_narrow_i16x8(h01, h23) : wasm_i8x16_narrow_i16x8(h01, h23);
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

// `reads_unsigned`: the engine reads the i7 operand as uint8 (usdot), else as int8 (sdot); only
// the flip of the activations depends on it, so both share one body.
__attribute__((noinline)) void gemm(bool reads_unsigned, size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
          const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const size_t kp = round_up_multiple(k, kQGemm16KR);
  const size_t kfull = k - k % kQGemm16KR;
  const size_t ktail = k - kfull;
  const uint8_t flip_byte = static_cast<uint8_t>((params.is_unsigned == reads_unsigned ? 0 : 0x80) ^ params.a_xor);
  const v128_t flip = wasm_i8x16_splat(static_cast<int8_t>(flip_byte));
  Epilogue e;
  e.zp = requant_zero_point(rq.output_zero_point);
  e.lo = wasm_f32x4_splat(static_cast<float>(rq.qmin - rq.output_zero_point));
  e.hi = wasm_f32x4_splat(static_cast<float>(rq.qmax - rq.output_zero_point));
  e.rq = &rq;
  e.is_unsigned = params.is_unsigned;
  for (size_t row = 0; row < m; row += kMR) {
    const size_t rows = m - row < kMR ? m - row : kMR;
    const uint8_t* ar[kMR];
    ar[0] = a + row * a_stride;
    for (size_t r = 1; r < kMR; ++r) ar[r] = r < rows ? ar[r - 1] + a_stride : ar[r - 1];
    uint8_t* crow = c + row * c_stride;
    for (size_t ch = 0; ch < n; ch += kQGemm16NR) {
      const int8_t* w = packed_w + (ch / kQGemm16NR) * kp * kQGemm16NR;
      const size_t nvalid = n - ch < kQGemm16NR ? n - ch : kQGemm16NR;
      if (flip_byte == 0 && nvalid <= 4) {
        tile<1, false>(ar, rows, kfull, ktail, w, bias, ch, nvalid, flip, e, crow, c_stride);
      } else if (flip_byte == 0 && nvalid <= 8) {
        tile<2, false>(ar, rows, kfull, ktail, w, bias, ch, nvalid, flip, e, crow, c_stride);
      } else if (flip_byte == 0) {
        tile<4, false>(ar, rows, kfull, ktail, w, bias, ch, nvalid, flip, e, crow, c_stride);
      } else if (nvalid <= 4) {
        tile<1, true>(ar, rows, kfull, ktail, w, bias, ch, nvalid, flip, e, crow, c_stride);
      } else if (nvalid <= 8) {
        tile<2, true>(ar, rows, kfull, ktail, w, bias, ch, nvalid, flip, e, crow, c_stride);
      } else {
        tile<4, true>(ar, rows, kfull, ktail, w, bias, ch, nvalid, flip, e, crow, c_stride);
      }
    }
  }
}

}  // namespace

void qx8_gemm_2x16c4_wasmusdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                               const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                               const QConvParams& params) {
  gemm(true, m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

void qx8_gemm_2x16c4_wasmsdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                              const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                              const QConvParams& params) {
  gemm(false, m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

}  // namespace fd
