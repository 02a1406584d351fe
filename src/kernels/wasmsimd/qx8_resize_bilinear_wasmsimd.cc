// SIMD128 int8 and uint8 bilinear resize, 16 (then 8) channels per vector; bit-exact with
// qs8/qu8_resize_bilinear_ref (same float blend, floor(v + 0.5), saturating narrow; the contract
// lives in kernels/resize.h), or, where every weight is a dyadic fraction of up to 6 bits, the
// same values from an exact integer blend. One template for both types, over x8_simd.h's lanes.
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

// The fraction bits s (1..6) when every weight fy[y] and fx[x] is a multiple of 2^-s in [-1, 2]
// (half-pixel centers put -0.25 at the first row, whose two taps are then the same pixel), else 0;
// *int16 tells whether the int16 blend holds the sums. Then each product tap * weight * weight
// (below 2^10 in magnitude, a multiple of 2^-2s: at most 22 significant bits) and each partial sum
// of the float blend (below 2^12, so at most 24 bits) is exact in float: the blend equals the
// integer sum a Wa + b Wb + c Wc + d Wd (weights scaled by 2^2s) over 2^2s, and floor(v + 0.5) is
// that sum plus 2^(2s-1), shifted right by 2s. *int16 is set where 255 (|1 - fy| + |fy|)
// (|1 - fx| + |fx|) 2^2s + 2^(2s-1), a bound of every partial sum, fits in int16 (upsampling by 2
// or 4 with or without half-pixel centers: YOLO and NanoDet necks); otherwise the sums are taken
// in int32 (DeepLab's 33 -> 513 align-corners upsample: sixteenths).
int dyadic_fraction_bits(const ResizeBilinearParams& p, bool* int16) {
  for (int s = 1; s <= 6; ++s) {
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
    if (ok) {
      *int16 = 255.0f * wy * wx * scale * scale + scale * scale / 2 <= 32767.0f;
      return s;
    }
  }
  return 0;
}

// Visits every output pixel: `pixel(y, x)` gives the blend of that pixel, an object with
// v128_t lanes(a, b, c, d) over eight int16 taps per corner and int32_t one(a, b, c, d) for a
// single channel (its result is clamped to T here); 16, then 8 channels per vector.
template <typename T, typename PixelBlend>
void for_each_pixel(const T* input, T* output, const ResizeBilinearParams& p, PixelBlend pixel) {
  using X8 = simd::X8<T>;
  const size_t c_n = p.channels;
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t y = 0; y < p.out_h; ++y) {
      const T* row0 = input + (b * p.in_h + static_cast<size_t>(p.y0[y])) * p.in_w * c_n;
      const T* row1 = input + (b * p.in_h + static_cast<size_t>(p.y1[y])) * p.in_w * c_n;
      for (size_t x = 0; x < p.out_w; ++x) {
        const auto blend = pixel(y, x);
        const T* ta = row0 + static_cast<size_t>(p.x0[x]) * c_n;
        const T* tb = row1 + static_cast<size_t>(p.x0[x]) * c_n;
        const T* tc = row0 + static_cast<size_t>(p.x1[x]) * c_n;
        const T* td = row1 + static_cast<size_t>(p.x1[x]) * c_n;
        T* out = output + ((b * p.out_h + y) * p.out_w + x) * c_n;
        size_t c = 0;
        for (; c + 16 <= c_n; c += 16) {
          const v128_t va = wasm_v128_load(ta + c), vb = wasm_v128_load(tb + c);
          const v128_t vc = wasm_v128_load(tc + c), vd = wasm_v128_load(td + c);
          const v128_t lo = blend.lanes(X8::widen_lo(va), X8::widen_lo(vb), X8::widen_lo(vc), X8::widen_lo(vd));
          const v128_t hi = blend.lanes(X8::widen_hi(va), X8::widen_hi(vb), X8::widen_hi(vc), X8::widen_hi(vd));
          wasm_v128_store(out + c, X8::narrow(lo, hi));
        }
        auto eight = [&](size_t at) {
          const v128_t lo = blend.lanes(X8::widen_lo(wasm_v128_load64_zero(ta + at)), X8::widen_lo(wasm_v128_load64_zero(tb + at)),
                                        X8::widen_lo(wasm_v128_load64_zero(tc + at)), X8::widen_lo(wasm_v128_load64_zero(td + at)));
          wasm_v128_store64_lane(out + at, X8::narrow(lo, lo), 0);
        };
        if (c + 8 <= c_n) {
          eight(c);
          c += 8;
        }
        // The last channels of a pixel with 8 or more: the 8 ending there, overlapping channels
        // already written (the same values again).
        if (c < c_n && c_n >= 8) {
          eight(c_n - 8);
          c = c_n;
        }
        for (; c < c_n; ++c) {
          const int32_t v = blend.one(ta[c], tb[c], tc[c], td[c]);
          out[c] = static_cast<T>(std::min<int32_t>(std::max<int32_t>(v, std::numeric_limits<T>::min()),
                                                    std::numeric_limits<T>::max()));
        }
      }
    }
  }
}

// The float blend of one pixel.
struct FloatBlend {
  float fy, ny, fx, nx;
  BilinearWeights w;
  v128_t lanes(v128_t a, v128_t b, v128_t c, v128_t d) const { return bilinear_blend8(a, b, c, d, w); }
  int32_t one(int32_t a, int32_t b, int32_t c, int32_t d) const {
    const float v = bilinear_blend(static_cast<float>(a), static_cast<float>(b), static_cast<float>(c),
                                   static_cast<float>(d), fy, ny, fx, nx);
    return static_cast<int32_t>(std::fmin(std::fmax(std::floor(v + 0.5f), -32768.0f), 32767.0f));
  }
};

// The int16 blend of one pixel for weights of `s` fraction bits (dyadic_fraction_bits).
struct DyadicBlend {
  int32_t wa, wb, wc, wd, round, shift;
  v128_t va, vb, vc, vd, vround;
  DyadicBlend(int32_t ky, int32_t kx, int s)
      : wa(((1 << s) - ky) * ((1 << s) - kx)), wb(ky * ((1 << s) - kx)), wc(((1 << s) - ky) * kx), wd(ky * kx),
        round(1 << (2 * s - 1)), shift(2 * s),
        va(wasm_i16x8_splat(static_cast<int16_t>(wa))), vb(wasm_i16x8_splat(static_cast<int16_t>(wb))),
        vc(wasm_i16x8_splat(static_cast<int16_t>(wc))), vd(wasm_i16x8_splat(static_cast<int16_t>(wd))),
        vround(wasm_i16x8_splat(static_cast<int16_t>(round))) {}
  v128_t lanes(v128_t a, v128_t b, v128_t c, v128_t d) const {
    v128_t n = wasm_i16x8_add(wasm_i16x8_mul(a, va), wasm_i16x8_mul(b, vb));
    n = wasm_i16x8_add(n, wasm_i16x8_mul(c, vc));
    n = wasm_i16x8_add(n, wasm_i16x8_mul(d, vd));
    return wasm_i16x8_shr(wasm_i16x8_add(n, vround), static_cast<uint32_t>(shift));
  }
  int32_t one(int32_t a, int32_t b, int32_t c, int32_t d) const {
    return (a * wa + b * wb + c * wc + d * wd + round) >> shift;
  }
};

// The int32 blend of one pixel for weights of `s` fraction bits (up to 6: each scaled weight
// product has magnitude at most 2^(2s+2) and fits int16): taps a, b and c, d interleaved in pairs,
// one i32x4.dot_i16x8_s per pair of corners.
struct DyadicBlend32 {
  int32_t wa, wb, wc, wd, round, shift;
  v128_t wab, wcd, vround;
  DyadicBlend32(int32_t ky, int32_t kx, int s)
      : wa(((1 << s) - ky) * ((1 << s) - kx)), wb(ky * ((1 << s) - kx)), wc(((1 << s) - ky) * kx), wd(ky * kx),
        round(1 << (2 * s - 1)), shift(2 * s),
        wab(wasm_i32x4_splat(static_cast<int32_t>((static_cast<uint32_t>(wb) << 16) | static_cast<uint16_t>(wa)))),
        wcd(wasm_i32x4_splat(static_cast<int32_t>((static_cast<uint32_t>(wd) << 16) | static_cast<uint16_t>(wc)))),
        vround(wasm_i32x4_splat(round)) {}
  v128_t half(v128_t ab, v128_t cd) const {
    const v128_t n = wasm_i32x4_add(wasm_i32x4_dot_i16x8(ab, wab), wasm_i32x4_dot_i16x8(cd, wcd));
    return wasm_i32x4_shr(wasm_i32x4_add(n, vround), static_cast<uint32_t>(shift));
  }
  v128_t lanes(v128_t a, v128_t b, v128_t c, v128_t d) const {
    const v128_t lo = half(wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11), wasm_i16x8_shuffle(c, d, 0, 8, 1, 9, 2, 10, 3, 11));
    const v128_t hi = half(wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15), wasm_i16x8_shuffle(c, d, 4, 12, 5, 13, 6, 14, 7, 15));
    return wasm_i16x8_narrow_i32x4(lo, hi);
  }
  int32_t one(int32_t a, int32_t b, int32_t c, int32_t d) const {
    return (a * wa + b * wb + c * wc + d * wd + round) >> shift;
  }
};

template <typename T>
void resize_bilinear(const T* input, T* output, const ResizeBilinearParams& p) {
  bool int16 = false;
  if (const int s = dyadic_fraction_bits(p, &int16)) {
    const float one = static_cast<float>(1 << s);
    if (int16) {
      for_each_pixel(input, output, p, [&](size_t y, size_t x) {
        return DyadicBlend(static_cast<int32_t>(p.fy[y] * one), static_cast<int32_t>(p.fx[x] * one), s);
      });
    } else {
      for_each_pixel(input, output, p, [&](size_t y, size_t x) {
        return DyadicBlend32(static_cast<int32_t>(p.fy[y] * one), static_cast<int32_t>(p.fx[x] * one), s);
      });
    }
    return;
  }
  for_each_pixel(input, output, p, [&](size_t y, size_t x) {
    const float fy = p.fy[y], fx = p.fx[x];
    return FloatBlend{fy, 1.0f - fy, fx, 1.0f - fx,
                      {wasm_f32x4_splat(fy), wasm_f32x4_splat(1.0f - fy), wasm_f32x4_splat(fx), wasm_f32x4_splat(1.0f - fx)}};
  });
}

}  // namespace wasmsimd_impl

void qs8_resize_bilinear_wasmsimd(const int8_t* input, int8_t* output, const ResizeBilinearParams& p) {
  wasmsimd_impl::resize_bilinear(input, output, p);
}

void qu8_resize_bilinear_wasmsimd(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p) {
  wasmsimd_impl::resize_bilinear(input, output, p);
}

}  // namespace fd
