// SIMD128 int8 and uint8 bilinear resize, 16 (then 8) channels per vector; bit-exact with
// qs8/qu8_resize_bilinear_ref (same float blend, floor(v + 0.5), saturating narrow; the contract
// lives in kernels/resize.h), or, where every weight is a small dyadic fraction, the same values
// from an exact int16 blend. One template for both types, over x8_simd.h's lanes.
#include <wasm_simd128.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/resize.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"
#include "kernels/wasmsimd/x8_simd.h"

namespace fd {
// One out-of-line function per type: in an anonymous namespace the body is inlined into both entry
// points, and the brotli-compressed wasm grows by about 200 bytes.
namespace wasmsimd_impl {

// Bilinear weights of one output pixel, splat: fy, 1 - fy, fx, 1 - fx.
struct BilinearWeights {
  v128_t fy, ny, fx, nx;
};

// Blends 4 channels given as int32 taps and rounds to int32.
inline v128_t bilinear_blend4(v128_t a, v128_t b, v128_t c, v128_t d, const BilinearWeights& w) {
  v128_t v = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(a), w.ny), w.nx);
  v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(b), w.fy), w.nx));
  v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(c), w.ny), w.fx));
  v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(d), w.fy), w.fx));
  // floor(v + 0.5) is a whole number of magnitude <= 256: adding kRequantMagic is exact, and the
  // sum's bits minus the constant's are the integer (cheaper than i32x4.trunc_sat on x86).
  const v128_t r = wasm_f32x4_floor(wasm_f32x4_add(v, wasm_f32x4_splat(0.5f)));
  return wasm_i32x4_sub(wasm_f32x4_add(r, wasm_f32x4_splat(kRequantMagic)), wasm_i32x4_splat(kRequantMagicBits));
}

// Blends 8 channels given as int16 taps; returns them as int16 lanes.
inline v128_t bilinear_blend8(v128_t a, v128_t b, v128_t c, v128_t d, const BilinearWeights& w) {
  const v128_t lo = bilinear_blend4(wasm_i32x4_extend_low_i16x8(a), wasm_i32x4_extend_low_i16x8(b),
                                    wasm_i32x4_extend_low_i16x8(c), wasm_i32x4_extend_low_i16x8(d), w);
  const v128_t hi = bilinear_blend4(wasm_i32x4_extend_high_i16x8(a), wasm_i32x4_extend_high_i16x8(b),
                                    wasm_i32x4_extend_high_i16x8(c), wasm_i32x4_extend_high_i16x8(d), w);
  return wasm_i16x8_narrow_i32x4(lo, hi);
}

// The fraction bits s (1..3) when every weight fy[y] and fx[x] is a multiple of 2^-s in [-1, 2]
// (half-pixel centers put -0.25 at the first row, whose two taps are then the same pixel), else 0.
// Then each product tap * weight * weight (below 2^10 in magnitude) and each partial sum of the
// float blend (below 2^12) is a multiple of 2^-2s, exact in float: the blend equals the integer
// sum a Wa + b Wb + c Wc + d Wd (weights scaled by 2^2s) over 2^2s, and floor(v + 0.5) is that sum
// plus 2^(2s-1), shifted right by 2s. s is taken only where 255 (|1 - fy| + |fy|) (|1 - fx| + |fx|)
// 2^2s + 2^(2s-1), a bound of every partial sum, fits in int16. Upsampling by 2 or 4 with or
// without half-pixel centers (YOLO and NanoDet necks) has such weights.
int dyadic_fraction_bits(const ResizeBilinearParams& p) {
  for (int s = 1; s <= 3; ++s) {
    const float scale = static_cast<float>(1 << s);
    bool ok = true;
    auto spread = [&](const float* f, size_t n) {
      float w = 0.0f;
      for (size_t i = 0; i < n; ++i) {
        ok &= f[i] >= -1.0f && f[i] <= 2.0f && f[i] * scale == std::floor(f[i] * scale);
        w = std::max(w, std::fabs(1.0f - f[i]) + std::fabs(f[i]));
      }
      return w;
    };
    const float wy = spread(p.fy, p.out_h);
    const float wx = spread(p.fx, p.out_w);
    if (ok && 255.0f * wy * wx * scale * scale + scale * scale / 2 <= 32767.0f) return s;
  }
  return 0;
}

// The blend in int16 for weights of `s` fraction bits (dyadic_fraction_bits).
template <typename T>
void resize_bilinear_dyadic(const T* input, T* output, const ResizeBilinearParams& p, int s) {
  using X8 = simd::X8<T>;
  const int32_t one = 1 << s;
  const int32_t round = 1 << (2 * s - 1);
  const v128_t vround = wasm_i16x8_splat(static_cast<int16_t>(round));
  const size_t c_n = p.channels;
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t y = 0; y < p.out_h; ++y) {
      const int32_t ky = static_cast<int32_t>(p.fy[y] * static_cast<float>(one));
      const T* row0 = input + (b * p.in_h + static_cast<size_t>(p.y0[y])) * p.in_w * c_n;
      const T* row1 = input + (b * p.in_h + static_cast<size_t>(p.y1[y])) * p.in_w * c_n;
      for (size_t x = 0; x < p.out_w; ++x) {
        const int32_t kx = static_cast<int32_t>(p.fx[x] * static_cast<float>(one));
        const int32_t wa = (one - ky) * (one - kx), wb = ky * (one - kx), wc = (one - ky) * kx, wd = ky * kx;
        const v128_t va16 = wasm_i16x8_splat(static_cast<int16_t>(wa)), vb16 = wasm_i16x8_splat(static_cast<int16_t>(wb));
        const v128_t vc16 = wasm_i16x8_splat(static_cast<int16_t>(wc)), vd16 = wasm_i16x8_splat(static_cast<int16_t>(wd));
        auto blend8 = [&](v128_t a, v128_t b, v128_t c, v128_t d) {
          v128_t n = wasm_i16x8_add(wasm_i16x8_mul(a, va16), wasm_i16x8_mul(b, vb16));
          n = wasm_i16x8_add(n, wasm_i16x8_mul(c, vc16));
          n = wasm_i16x8_add(n, wasm_i16x8_mul(d, vd16));
          return wasm_i16x8_shr(wasm_i16x8_add(n, vround), static_cast<uint32_t>(2 * s));
        };
        const T* ta = row0 + static_cast<size_t>(p.x0[x]) * c_n;
        const T* tb = row1 + static_cast<size_t>(p.x0[x]) * c_n;
        const T* tc = row0 + static_cast<size_t>(p.x1[x]) * c_n;
        const T* td = row1 + static_cast<size_t>(p.x1[x]) * c_n;
        T* out = output + ((b * p.out_h + y) * p.out_w + x) * c_n;
        size_t c = 0;
        for (; c + 16 <= c_n; c += 16) {
          const v128_t va = wasm_v128_load(ta + c), vb = wasm_v128_load(tb + c);
          const v128_t vc = wasm_v128_load(tc + c), vd = wasm_v128_load(td + c);
          const v128_t lo = blend8(X8::widen_lo(va), X8::widen_lo(vb), X8::widen_lo(vc), X8::widen_lo(vd));
          const v128_t hi = blend8(X8::widen_hi(va), X8::widen_hi(vb), X8::widen_hi(vc), X8::widen_hi(vd));
          wasm_v128_store(out + c, X8::narrow(lo, hi));
        }
        if (c + 8 <= c_n) {
          const v128_t lo = blend8(X8::widen_lo(wasm_v128_load64_zero(ta + c)), X8::widen_lo(wasm_v128_load64_zero(tb + c)),
                                   X8::widen_lo(wasm_v128_load64_zero(tc + c)), X8::widen_lo(wasm_v128_load64_zero(td + c)));
          wasm_v128_store64_lane(out + c, X8::narrow(lo, lo), 0);
          c += 8;
        }
        for (; c < c_n; ++c) {
          const int32_t n = ta[c] * wa + tb[c] * wb + tc[c] * wc + td[c] * wd;
          const int32_t v = (n + round) >> (2 * s);
          out[c] = static_cast<T>(std::min<int32_t>(std::max<int32_t>(v, std::numeric_limits<T>::min()),
                                                    std::numeric_limits<T>::max()));
        }
      }
    }
  }
}

template <typename T>
void resize_bilinear(const T* input, T* output, const ResizeBilinearParams& p) {
  if (const int s = dyadic_fraction_bits(p)) {
    resize_bilinear_dyadic(input, output, p, s);
    return;
  }
  using X8 = simd::X8<T>;
  constexpr float kMin = static_cast<float>(std::numeric_limits<T>::min());
  constexpr float kMax = static_cast<float>(std::numeric_limits<T>::max());
  const size_t c_n = p.channels;
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t y = 0; y < p.out_h; ++y) {
      const float fy = p.fy[y];
      const float ny = 1.0f - fy;
      const T* row0 = input + (b * p.in_h + static_cast<size_t>(p.y0[y])) * p.in_w * c_n;
      const T* row1 = input + (b * p.in_h + static_cast<size_t>(p.y1[y])) * p.in_w * c_n;
      for (size_t x = 0; x < p.out_w; ++x) {
        const float fx = p.fx[x];
        const float nx = 1.0f - fx;
        const BilinearWeights w = {wasm_f32x4_splat(fy), wasm_f32x4_splat(ny), wasm_f32x4_splat(fx), wasm_f32x4_splat(nx)};
        const T* ta = row0 + static_cast<size_t>(p.x0[x]) * c_n;
        const T* tb = row1 + static_cast<size_t>(p.x0[x]) * c_n;
        const T* tc = row0 + static_cast<size_t>(p.x1[x]) * c_n;
        const T* td = row1 + static_cast<size_t>(p.x1[x]) * c_n;
        T* out = output + ((b * p.out_h + y) * p.out_w + x) * c_n;
        size_t c = 0;
        for (; c + 16 <= c_n; c += 16) {
          const v128_t va = wasm_v128_load(ta + c), vb = wasm_v128_load(tb + c);
          const v128_t vc = wasm_v128_load(tc + c), vd = wasm_v128_load(td + c);
          const v128_t lo = bilinear_blend8(X8::widen_lo(va), X8::widen_lo(vb), X8::widen_lo(vc), X8::widen_lo(vd), w);
          const v128_t hi = bilinear_blend8(X8::widen_hi(va), X8::widen_hi(vb), X8::widen_hi(vc), X8::widen_hi(vd), w);
          wasm_v128_store(out + c, X8::narrow(lo, hi));
        }
        if (c + 8 <= c_n) {
          const v128_t lo = bilinear_blend8(X8::widen_lo(wasm_v128_load64_zero(ta + c)), X8::widen_lo(wasm_v128_load64_zero(tb + c)),
                                            X8::widen_lo(wasm_v128_load64_zero(tc + c)), X8::widen_lo(wasm_v128_load64_zero(td + c)), w);
          wasm_v128_store64_lane(out + c, X8::narrow(lo, lo), 0);
          c += 8;
        }
        for (; c < c_n; ++c) {
          float v = bilinear_blend(static_cast<float>(ta[c]), static_cast<float>(tb[c]),
                                             static_cast<float>(tc[c]), static_cast<float>(td[c]), fy, ny, fx, nx);
          v = std::floor(v + 0.5f);
          v = v < kMin ? kMin : v;
          out[c] = static_cast<T>(v > kMax ? kMax : v);
        }
      }
    }
  }
}

}  // namespace wasmsimd_impl

void qs8_resize_bilinear_wasmsimd(const int8_t* input, int8_t* output, const ResizeBilinearParams& p) {
  wasmsimd_impl::resize_bilinear(input, output, p);
}

void qu8_resize_bilinear_wasmsimd(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p) {
  wasmsimd_impl::resize_bilinear(input, output, p);
}

}  // namespace fd
