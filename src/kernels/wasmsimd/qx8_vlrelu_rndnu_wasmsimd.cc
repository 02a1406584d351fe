// SIMD128 quantized leaky ReLU with the integer (rndnu) output stage, 16 bytes per step:
// d = x - input_zp as int16, the multiplier picked per lane by the sign of d, (d * m + 128) >> 8
// as i16x8.q15mulr_sat_s(d << 7, m) (exact: |d << 7| <= 32640, |m| <= 32767, no saturation), plus
// output_zp, saturating narrow (the contract lives in kernels/elementwise.h).
#include <wasm_simd128.h>

#include "kernels/elementwise.h"

namespace fd {
namespace {

template <bool kUnsigned>
inline v128_t lrelu8(v128_t x16, v128_t izp, v128_t ozp, v128_t pos, v128_t neg) {
  const v128_t d = wasm_i16x8_sub(x16, izp);
  const v128_t m = wasm_v128_bitselect(pos, neg, wasm_i16x8_gt(d, wasm_i16x8_splat(-1)));
  return wasm_i16x8_add_sat(wasm_i16x8_q15mulr_sat(wasm_i16x8_shl(d, 7), m), ozp);
}

template <bool kUnsigned, typename T>
void vlrelu(size_t n, const T* x, T* y, const QLeakyReluParams& p,
            void (*ref)(size_t, const T*, T*, const QLeakyReluParams&)) {
  const v128_t izp = wasm_i16x8_splat(static_cast<int16_t>(p.input_zero_point));
  const v128_t ozp = wasm_i16x8_splat(static_cast<int16_t>(p.output_zero_point));
  const v128_t pos = wasm_i16x8_splat(static_cast<int16_t>(p.pos_multiplier));
  const v128_t neg = wasm_i16x8_splat(static_cast<int16_t>(p.neg_multiplier));
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t lo = kUnsigned ? wasm_u16x8_extend_low_u8x16(v) : wasm_i16x8_extend_low_i8x16(v);
    const v128_t hi = kUnsigned ? wasm_u16x8_extend_high_u8x16(v) : wasm_i16x8_extend_high_i8x16(v);
    const v128_t rlo = lrelu8<kUnsigned>(lo, izp, ozp, pos, neg);
    const v128_t rhi = lrelu8<kUnsigned>(hi, izp, ozp, pos, neg);
    wasm_v128_store(y + i, kUnsigned ? wasm_u8x16_narrow_i16x8(rlo, rhi) : wasm_i8x16_narrow_i16x8(rlo, rhi));
  }
  if (i < n) ref(n - i, x + i, y + i, p);
}

}  // namespace

void qs8_vlrelu_rndnu_wasmsimd(size_t n, const int8_t* x, int8_t* y, const QLeakyReluParams& p) {
  vlrelu<false>(n, x, y, p, qs8_vlrelu_rndnu_ref);
}

void qu8_vlrelu_rndnu_wasmsimd(size_t n, const uint8_t* x, uint8_t* y, const QLeakyReluParams& p) {
  vlrelu<true>(n, x, y, p, qu8_vlrelu_rndnu_ref);
}

}  // namespace fd
