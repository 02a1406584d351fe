// SIMD128 quantized 4x8c2 GEMM for short rows (small K: stems on 3-channel images, 1x1
// convolutions on few channels): each pair of K values of a row is broadcast to all four i32
// lanes and one i32x4.dot_i16x8_s against int16 weights [k pair][4 channels][2] yields four
// output channels' partial sums directly, so the tile needs no horizontal sums; the bias starts
// the accumulators. fp32 requantization (the contract lives in kernels/conv.h).
#include <wasm_simd128.h>

#include "kernels/conv.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

// The pair of activations a[0], a[1] widened to int16 and repeated in every i32 lane.
template <bool kUnsigned>
inline v128_t pair_splat(const uint8_t* a) {
  const v128_t v = wasm_v128_load16_splat(a);
  return kUnsigned ? wasm_u16x8_extend_low_u8x16(v) : wasm_i16x8_extend_low_i8x16(v);
}

// The last activation of an odd k paired with itself: its partner meets the packing's zero weight.
template <bool kUnsigned>
inline v128_t last_splat(const uint8_t* a) {
  const v128_t v = wasm_v128_load8_splat(a);
  return kUnsigned ? wasm_u16x8_extend_low_u8x16(v) : wasm_i16x8_extend_low_i8x16(v);
}

// acc[2 r + h] += row r's activations x weights of channels [4 h, 4 h + 4) over all of K; with
// kLowHalf only h = 0 (a last tile of at most 4 channels: half the weight loads and dots).
template <bool kUnsigned, bool kLowHalf>
__attribute__((always_inline)) inline void accumulate(const uint8_t* const* a, size_t k, const int16_t* w,
                                                      v128_t* acc) {
  const size_t kfull = k - k % kQGemmC2KR;
  auto step = [&](v128_t x0, v128_t x1, v128_t x2, v128_t x3) {
    const v128_t w0 = wasm_v128_load(w);
    acc[0] = wasm_i32x4_add(acc[0], wasm_i32x4_dot_i16x8(x0, w0));
    acc[2] = wasm_i32x4_add(acc[2], wasm_i32x4_dot_i16x8(x1, w0));
    acc[4] = wasm_i32x4_add(acc[4], wasm_i32x4_dot_i16x8(x2, w0));
    acc[6] = wasm_i32x4_add(acc[6], wasm_i32x4_dot_i16x8(x3, w0));
    if (!kLowHalf) {
      const v128_t w1 = wasm_v128_load(w + 8);
      acc[1] = wasm_i32x4_add(acc[1], wasm_i32x4_dot_i16x8(x0, w1));
      acc[3] = wasm_i32x4_add(acc[3], wasm_i32x4_dot_i16x8(x1, w1));
      acc[5] = wasm_i32x4_add(acc[5], wasm_i32x4_dot_i16x8(x2, w1));
      acc[7] = wasm_i32x4_add(acc[7], wasm_i32x4_dot_i16x8(x3, w1));
    }
    w += kQGemmC2NR * kQGemmC2KR;
  };
  for (size_t kk = 0; kk < kfull; kk += kQGemmC2KR) {
    step(pair_splat<kUnsigned>(a[0] + kk), pair_splat<kUnsigned>(a[1] + kk), pair_splat<kUnsigned>(a[2] + kk),
         pair_splat<kUnsigned>(a[3] + kk));
  }
  if (kfull < k) {
    step(last_splat<kUnsigned>(a[0] + kfull), last_splat<kUnsigned>(a[1] + kfull),
         last_splat<kUnsigned>(a[2] + kfull), last_splat<kUnsigned>(a[3] + kfull));
  }
}

}  // namespace

// One body for int8 and uint8: only the K loop (the widening loads) differs, so the output
// stage is compiled once.
void qx8_gemm_4x8c2_wasmsimd(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                             const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                             const QConvParams& params) {
  constexpr size_t kNR = kQGemmC2NR;
  const RequantParams& rq = params.rq;
  const size_t kp = round_up_multiple(k, kQGemmC2KR);
  const Requant16 e(rq, params.is_unsigned);
  for (size_t row = 0; row < m; row += kQGemmMR) {
    const uint8_t* rows[kQGemmMR];
    rows[0] = a + row * a_stride;
    for (size_t r = 1; r < kQGemmMR; ++r) rows[r] = row + r < m ? rows[r - 1] + a_stride : rows[r - 1];
    for (size_t ch = 0; ch < n; ch += kNR) {
      const int16_t* w = packed_w + (ch / kNR) * kp * kNR;
      v128_t acc[2 * kQGemmMR];
      acc[0] = wasm_v128_load(bias + ch);
      acc[1] = wasm_v128_load(bias + ch + 4);
      for (size_t r = 1; r < kQGemmMR; ++r) acc[2 * r] = acc[0], acc[2 * r + 1] = acc[1];
      const bool low_half = n - ch <= kNR / 2;
      if (params.is_unsigned) {
        low_half ? accumulate<true, true>(rows, k, w, acc) : accumulate<true, false>(rows, k, w, acc);
      } else {
        low_half ? accumulate<false, true>(rows, k, w, acc) : accumulate<false, false>(rows, k, w, acc);
      }
      const v128_t s0 = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch);
      const v128_t s1 = rq.per_tensor ? s0 : wasm_v128_load(rq.scale + ch + 4);
      const v128_t scale[4] = {s0, s1, s0, s1};
      const v128_t r01 = e.apply<4>(acc, scale);  // bytes 0..7: row 0, 8..15: row 1
      const v128_t r23 = e.apply<4>(acc + 4, scale);
      const size_t nvalid = n - ch < kNR ? n - ch : kNR;
      uint8_t* c0 = c + row * c_stride + ch;
      if (nvalid == kNR) {
        wasm_v128_store64_lane(c0, r01, 0);
        if (row + 1 < m) wasm_v128_store64_lane(c0 + c_stride, r01, 1);
        if (row + 2 < m) wasm_v128_store64_lane(c0 + 2 * c_stride, r23, 0);
        if (row + 3 < m) wasm_v128_store64_lane(c0 + 3 * c_stride, r23, 1);
      } else {
        store_bytes_lt8(c0, r01, nvalid);
        if (row + 1 < m) store_bytes_lt8(c0 + c_stride, wasm_i64x2_shuffle(r01, r01, 1, 1), nvalid);
        if (row + 2 < m) store_bytes_lt8(c0 + 2 * c_stride, r23, nvalid);
        if (row + 3 < m) store_bytes_lt8(c0 + 3 * c_stride, wasm_i64x2_shuffle(r23, r23, 1, 1), nvalid);
      }
    }
  }
}

}  // namespace fd
