// SIMD128 int8 and uint8 table softmax, bit-exact with qs8/qu8_softmax_ref (the contract lives
// in kernels/pooling.h). Rows go four at a time, one row per lane, so each lane adds its row's
// table values in the ref's order while the four sums hide each other's add latency; the output
// pass scales, rounds and clamps four columns per vector. The rounding is the ref's: v plus
// 0.49999997 toward v's sign (int8) or 0.5 (uint8), truncated; clamped with pmax/pmin so NaN goes
// to the lower bound; then converted through the 1.5 * 2^23 float (exact for these integers).
#include <wasm_simd128.h>

#include "kernels/pooling.h"

namespace fd {
namespace {

constexpr size_t kRows = 4;

// The largest of a row's bytes XOR `flip` (0x80 maps int8 order onto uint8 order).
__attribute__((noinline)) uint32_t row_max(const uint8_t* x, size_t cols, uint8_t flip) {
  size_t c = 0;
  uint32_t mx = 0;
  if (cols >= 16) {
    const v128_t vflip = wasm_i8x16_splat(static_cast<int8_t>(flip));
    v128_t v = wasm_v128_xor(wasm_v128_load(x), vflip);
    for (c = 16; c + 16 <= cols; c += 16) v = wasm_u8x16_max(v, wasm_v128_xor(wasm_v128_load(x + c), vflip));
    v = wasm_u8x16_max(v, wasm_i8x16_shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
    v = wasm_u8x16_max(v, wasm_i8x16_shuffle(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
    v = wasm_u8x16_max(v, wasm_i8x16_shuffle(v, v, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1));
    v = wasm_u8x16_max(v, wasm_i8x16_shuffle(v, v, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0));
    mx = wasm_u8x16_extract_lane(v, 0);
  }
  for (; c < cols; ++c) {
    const uint32_t b = x[c] ^ flip;
    mx = b > mx ? b : mx;
  }
  return mx;
}

// One body for both types: int8 bytes are read XOR 0x80 (the differences max - x stay the same)
// and written as uint8 values 128 higher, XOR 0x80.
void softmax(const uint8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* output,
             uint8_t flip) {
  const float* table = p.exp_table;
  const v128_t vscale = wasm_f32x4_splat(p.output_scale);
  const v128_t vlo = wasm_f32x4_splat(static_cast<float>(p.qmin - p.output_zero_point));
  const v128_t vhi = wasm_f32x4_splat(static_cast<float>(p.qmax - p.output_zero_point));
  const v128_t vhalf = wasm_f32x4_splat(flip ? 0.49999997f : 0.5f);
  const v128_t vsign = wasm_i32x4_splat(static_cast<int32_t>(0x80000000u));
  const v128_t vmagic = wasm_f32x4_splat(12582912.0f);
  const v128_t vbias = wasm_i32x4_splat(0x4B400000 - p.output_zero_point - flip);
  const v128_t vflip = wasm_i8x16_splat(static_cast<int8_t>(flip));
  for (size_t r0 = 0; r0 < rows; r0 += kRows) {
    const size_t nr = rows - r0 < kRows ? rows - r0 : kRows;
    const uint8_t* x[kRows];
    const float* t[kRows];
    for (size_t r = 0; r < kRows; ++r) {
      x[r] = input + (r0 + (r < nr ? r : nr - 1)) * cols;
      t[r] = table + row_max(x[r], cols, flip);
    }
    v128_t vsum = wasm_f32x4_splat(0.0f);
    for (size_t c = 0; c < cols; ++c) {
      vsum = wasm_f32x4_add(vsum, wasm_f32x4_make(t[0][-(x[0][c] ^ flip)], t[1][-(x[1][c] ^ flip)],
                                                  t[2][-(x[2][c] ^ flip)], t[3][-(x[3][c] ^ flip)]));
    }
    const v128_t vinv = wasm_f32x4_div(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(vsum, vscale));
    float inv[kRows];
    wasm_v128_store(inv, vinv);
    for (size_t r = 0; r < nr; ++r) {
      const uint8_t* xr = x[r];
      const float* tr = t[r];
      const v128_t vi = wasm_f32x4_splat(inv[r]);
      // Four probabilities to output values (uint8 order), as the ref rounds and clamps them.
      auto quantize = [&](v128_t e) {
        v128_t v = wasm_f32x4_mul(e, vi);
        v = wasm_f32x4_trunc(wasm_f32x4_add(v, wasm_v128_or(vhalf, wasm_v128_and(v, vsign))));
        v = wasm_f32x4_pmin(vhi, wasm_f32x4_pmax(vlo, v));
        return wasm_i32x4_sub(wasm_f32x4_add(v, vmagic), vbias);
      };
      // Four probabilities to four output bytes in the low lane.
      auto bytes = [&](v128_t e) {
        const v128_t q = wasm_i16x8_narrow_i32x4(quantize(e), quantize(e));
        return wasm_v128_xor(wasm_u8x16_narrow_i16x8(q, q), vflip);
      };
      uint8_t* y = output + (r0 + r) * cols;
      size_t c = 0;
      for (; c + 4 <= cols; c += 4) {
        const uint8_t* xc = xr + c;
        const v128_t e = wasm_f32x4_make(tr[-(xc[0] ^ flip)], tr[-(xc[1] ^ flip)], tr[-(xc[2] ^ flip)], tr[-(xc[3] ^ flip)]);
        wasm_v128_store32_lane(y + c, bytes(e), 0);
      }
      if (c < cols) {
        float f[4] = {};
        for (size_t j = c; j < cols; ++j) f[j - c] = tr[-(xr[j] ^ flip)];
        const uint32_t b = static_cast<uint32_t>(wasm_i32x4_extract_lane(bytes(wasm_v128_load(f)), 0));
        for (size_t j = c; j < cols; ++j) y[j] = static_cast<uint8_t>(b >> (8 * (j - c)));
      }
    }
  }
}

}  // namespace

void qs8_softmax_wasmsimd(const int8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, int8_t* output) {
  softmax(reinterpret_cast<const uint8_t*>(input), rows, cols, p, reinterpret_cast<uint8_t*>(output), 0x80);
}

void qu8_softmax_wasmsimd(const uint8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* output) {
  softmax(input, rows, cols, p, output, 0);
}

}  // namespace fd
