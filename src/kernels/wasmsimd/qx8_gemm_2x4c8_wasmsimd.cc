// SIMD128 quantized 2x4c8 GEMM: int8/uint8 rows widened to i16x8, i32x4.dot_i16x8 against int16
// weights in the 4c8 packing of qx8_gemm_4x4c8_pack, fp32 requantization (the contract lives in
// kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

// Rows processed per channel-tile sweep, so a block of A stays in cache while weights stream.
constexpr size_t kRowBlock = 16;
// Rows per tile: two rows' 8 accumulators, 2 rows of A and 4 weight vectors fit x86's 16 vector
// registers; V8 spilled 4 rows' 16 accumulators to the stack on every K step.
constexpr size_t kMR = 2;

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

// acc[4 r + j] += row r's activations x weights of channel j of the tile over all of K (a_end:
// one past A's last byte).
template <bool kUnsigned>
__attribute__((always_inline)) inline void accumulate(const uint8_t* a0, const uint8_t* a1, size_t k,
                                                      const uint8_t* a_end, const int16_t* w, v128_t* acc) {
  const size_t kfull = k - k % kQGemmKR;
  const size_t ktail = k - kfull;
  v128_t acc00 = acc[0], acc01 = acc[1], acc02 = acc[2], acc03 = acc[3];
  v128_t acc10 = acc[4], acc11 = acc[5], acc12 = acc[6], acc13 = acc[7];
  auto step = [&](v128_t x0, v128_t x1) {
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
  };
  for (size_t kk = 0; kk < kfull; kk += kQGemmKR) {
    step(load_widen<kUnsigned>(a0 + kk), load_widen<kUnsigned>(a1 + kk));
  }
  if (ktail && a1 + kfull + kQGemmKR <= a_end) {
    // Whole 8-byte loads that stay inside A (the next row's bytes, or the gap before it, meet
    // the packing's zero weights past k).
    step(load_widen<kUnsigned>(a0 + kfull), load_widen<kUnsigned>(a1 + kfull));
  } else if (ktail) {
    uint8_t tail[kMR][kQGemmKR] = {};
    std::memcpy(tail[0], a0 + kfull, ktail);
    std::memcpy(tail[1], a1 + kfull, ktail);
    step(load_widen<kUnsigned>(tail[0]), load_widen<kUnsigned>(tail[1]));
  }
  acc[0] = acc00, acc[1] = acc01, acc[2] = acc02, acc[3] = acc03;
  acc[4] = acc10, acc[5] = acc11, acc[6] = acc12, acc[7] = acc13;
}

}  // namespace

// One body for int8 and uint8: only the K loop (the widening loads) differs, so the output
// stage is compiled once.
void qx8_gemm_2x4c8_wasmsimd(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                             const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                             const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const bool is_unsigned = params.is_unsigned;
  const size_t kp = round_up_multiple(k, kQGemmKR);
  const uint8_t* a_end = m ? a + (m - 1) * a_stride + k : a;  // one past A's last byte
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
      for (size_t row = mb; row < mb_end; row += kMR) {
        const uint8_t* a0 = a + row * a_stride;
        const uint8_t* a1 = row + 1 < mb_end ? a0 + a_stride : a0;
        v128_t acc[2 * kQGemmNR];
        for (v128_t& v : acc) v = wasm_i32x4_splat(0);
        if (is_unsigned) {
          accumulate<true>(a0, a1, k, a_end, wtile, acc);
        } else {
          accumulate<false>(a0, a1, k, a_end, wtile, acc);
        }
        const v128_t r0 = requantize_f32x4(wasm_i32x4_add(hsum4(acc[0], acc[1], acc[2], acc[3]), vbias), vscale, vlo, vhi, vzp);
        const v128_t r1 = requantize_f32x4(wasm_i32x4_add(hsum4(acc[4], acc[5], acc[6], acc[7]), vbias), vscale, vlo, vhi, vzp);
        // Bytes 0..3: row 0, 4..7: row 1.
        const v128_t h01 = wasm_i16x8_narrow_i32x4(r0, r1);
        const v128_t out = is_unsigned ? wasm_u8x16_narrow_i16x8(h01, h01) : wasm_i8x16_narrow_i16x8(h01, h01);
        uint8_t* c0 = c + row * c_stride + ch;
        if (nvalid == kQGemmNR) {
          wasm_v128_store32_lane(c0, out, 0);
          if (row + 1 < mb_end) wasm_v128_store32_lane(c0 + c_stride, out, 1);
        } else {
          store_bytes_lt8(c0, out, nvalid);
          if (row + 1 < mb_end) store_bytes_lt8(c0 + c_stride, wasm_u64x2_shr(out, 32), nvalid);
        }
      }
    }
  }
}

}  // namespace fd
