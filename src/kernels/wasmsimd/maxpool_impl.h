// SIMD128 8-bit max pooling, 16 (then 8) channels per vector, for int8 and uint8; bit-exact with
// s8/u8_maxpool_ref.
#pragma once

#include <wasm_simd128.h>

#include <limits>

#include "kernels/ref/pooling_ref_impl.h"
#include "kernels/wasmsimd/x8_simd.h"

namespace fd {
namespace wasmsimd_impl {

// Body of s8/u8_maxpool_wasmsimd for element type T.
template <typename T>
void maxpool(const T* input, T* output, const Pool2DParams& p, T out_min, T out_max) {
  using X8 = simd::X8<T>;
  constexpr T kLowest = std::numeric_limits<T>::min();
  const size_t c_n = p.channels;
  const v128_t vmin = X8::splat(out_min);
  const v128_t vmax = X8::splat(out_max);
  const v128_t vlow = X8::splat(kLowest);
  ref_impl::for_each_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    T* out = output + out_pixel * c_n;
    // Pixel of window tap (fy, fx), always in bounds.
    auto tap = [&](size_t fy, size_t fx) {
      return input + (base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n);
    };
    size_t c = 0;
    for (; c + 16 <= c_n; c += 16) {
      v128_t m = vlow;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const T* src = tap(fy, fx0) + c;
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) m = X8::max(m, wasm_v128_load(src));
      }
      wasm_v128_store(out + c, X8::min(X8::max(m, vmin), vmax));
    }
    if (c + 8 <= c_n) {
      v128_t m = vlow;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        const T* src = tap(fy, fx0) + c;
        for (size_t fx = fx0; fx < fx1; ++fx, src += c_n) m = X8::max(m, wasm_v128_load64_zero(src));
      }
      wasm_v128_store64_lane(out + c, X8::min(X8::max(m, vmin), vmax), 0);
      c += 8;
    }
    for (; c < c_n; ++c) {
      T m = kLowest;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          const T v = tap(fy, fx)[c];
          m = m < v ? v : m;
        }
      }
      m = m < out_min ? out_min : m;
      out[c] = m > out_max ? out_max : m;
    }
  });
}

}  // namespace wasmsimd_impl
}  // namespace fd
