// SIMD128 int8 and uint8 max pooling, 16 (then 8) channels per vector; bit-exact with
// s8/u8_maxpool_ref (the contract lives in kernels/pooling.h). One template for both types, over
// x8_simd.h's lanes and pool_window.h's window walk.
#include <wasm_simd128.h>

#include <limits>

#include "kernels/pool_window.h"
#include "kernels/wasmsimd/x8_simd.h"

namespace fd {
namespace {

template <typename T>
void maxpool(const T* input, T* output, const Pool2DParams& p, T out_min, T out_max) {
  using X8 = simd::X8<T>;
  constexpr T kLowest = std::numeric_limits<T>::min();
  const size_t c_n = p.channels;
  const v128_t vmin = X8::splat(out_min);
  const v128_t vmax = X8::splat(out_max);
  const v128_t vlow = X8::splat(kLowest);
  for_each_pool_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
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

}  // namespace

void s8_maxpool_wasmsimd(const int8_t* input, int8_t* output, const Pool2DParams& p, int8_t out_min, int8_t out_max) {
  maxpool(input, output, p, out_min, out_max);
}

void u8_maxpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max) {
  maxpool(input, output, p, out_min, out_max);
}

}  // namespace fd
