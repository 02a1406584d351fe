// SIMD128 int8 and uint8 average pooling, 16 (then 8) channels per vector; bit-exact with
// qs8/qu8_avgpool_ref (the contract lives in kernels/pooling.h). The rounded division
// (sum +- count/2) / count runs in float: with |sum| + count < 2^24 the correctly rounded quotient
// truncates to the same integer as C++ integer division. One template for both types, over
// x8_simd.h's lanes and pool_window.h's window walk.
#include <wasm_simd128.h>

#include "kernels/pool_window.h"
#include "kernels/wasmsimd/x8_simd.h"

namespace fd {
namespace {

// Rounded average of 4 sums (TFLite rounding), clamped to [qmin, qmax].
inline v128_t avgpool_round_div(v128_t acc, v128_t vhalf, v128_t vcount, v128_t vqmin, v128_t vqmax) {
  const v128_t up = wasm_i32x4_add(acc, vhalf);
  const v128_t down = wasm_i32x4_sub(acc, vhalf);
  const v128_t adj = wasm_v128_bitselect(up, down, wasm_i32x4_gt(acc, wasm_i32x4_splat(0)));
  v128_t q = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_div(wasm_f32x4_convert_i32x4(adj), vcount));
  return wasm_i32x4_min(wasm_i32x4_max(q, vqmin), vqmax);
}

// `ref` (the matching scalar kernel) takes windows whose int32 sums could lose the float
// division's exactness.
template <typename T>
void avgpool(const T* input, T* output, const Pool2DParams& p, int32_t qmin, int32_t qmax,
             void (*ref)(const T*, T*, const Pool2DParams&, int32_t, int32_t)) {
  if (p.filter_h * p.filter_w > 65000) {
    ref(input, output, p, qmin, qmax);
    return;
  }
  const size_t c_n = p.channels;
  const v128_t vqmin = wasm_i32x4_splat(qmin);
  const v128_t vqmax = wasm_i32x4_splat(qmax);
  for_each_pool_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    T* out = output + out_pixel * c_n;
    // Pixel of window tap (fy, fx), always in bounds.
    auto tap = [&](size_t fy, size_t fx) {
      return input + (base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n);
    };
    const int32_t count = static_cast<int32_t>((fy1 - fy0) * (fx1 - fx0));
    const v128_t vhalf = wasm_i32x4_splat(count / 2);
    const v128_t vcount = wasm_f32x4_splat(static_cast<float>(count));
    size_t c = 0;
    for (; c + 16 <= c_n; c += 16) {
      v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const T* src = tap(fy, fx0) + c;
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) {
          const v128_t v = wasm_v128_load(src);
          const v128_t lo = simd::X8<T>::widen_lo(v);
          const v128_t hi = simd::X8<T>::widen_hi(v);
          a0 = wasm_i32x4_add(a0, wasm_i32x4_extend_low_i16x8(lo));
          a1 = wasm_i32x4_add(a1, wasm_i32x4_extend_high_i16x8(lo));
          a2 = wasm_i32x4_add(a2, wasm_i32x4_extend_low_i16x8(hi));
          a3 = wasm_i32x4_add(a3, wasm_i32x4_extend_high_i16x8(hi));
        }
      }
      const v128_t q01 = wasm_i16x8_narrow_i32x4(avgpool_round_div(a0, vhalf, vcount, vqmin, vqmax),
                                                 avgpool_round_div(a1, vhalf, vcount, vqmin, vqmax));
      const v128_t q23 = wasm_i16x8_narrow_i32x4(avgpool_round_div(a2, vhalf, vcount, vqmin, vqmax),
                                                 avgpool_round_div(a3, vhalf, vcount, vqmin, vqmax));
      wasm_v128_store(out + c, simd::X8<T>::narrow(q01, q23));
    }
    if (c + 8 <= c_n) {
      v128_t a0 = wasm_i32x4_splat(0), a1 = a0;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const T* src = tap(fy, fx0) + c;
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) {
          const v128_t lo = simd::X8<T>::widen_lo(wasm_v128_load64_zero(src));
          a0 = wasm_i32x4_add(a0, wasm_i32x4_extend_low_i16x8(lo));
          a1 = wasm_i32x4_add(a1, wasm_i32x4_extend_high_i16x8(lo));
        }
      }
      const v128_t q01 = wasm_i16x8_narrow_i32x4(avgpool_round_div(a0, vhalf, vcount, vqmin, vqmax),
                                                 avgpool_round_div(a1, vhalf, vcount, vqmin, vqmax));
      wasm_v128_store64_lane(out + c, simd::X8<T>::narrow(q01, q01), 0);
      c += 8;
    }
    for (; c < c_n; ++c) {
      int32_t acc = 0;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) acc += tap(fy, fx)[c];
      }
      acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
      acc = acc < qmin ? qmin : acc;
      out[c] = static_cast<T>(acc > qmax ? qmax : acc);
    }
  });
}

}  // namespace

void qs8_avgpool_wasmsimd(const int8_t* input, int8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  avgpool(input, output, p, qmin, qmax, qs8_avgpool_ref);
}

void qu8_avgpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  avgpool(input, output, p, qmin, qmax, qu8_avgpool_ref);
}

}  // namespace fd
