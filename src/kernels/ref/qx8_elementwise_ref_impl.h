// Scalar bodies of the int8/uint8 elementwise ref kernels (ADD, MUL, their scalar-b forms, and
// the f32 <-> 8-bit conversions); each qs8/qu8 ref kernel file instantiates one for its type.
#pragma once

#include <cmath>

#include "core/quant.h"
#include "kernels/elementwise.h"

namespace fd {
namespace ref_impl {

// out = qadd_output((a - a_zp) * a_mult + (b - b_zp) * b_mult), elementwise.
template <typename T>
void qvadd(size_t n, const T* a, const T* b, T* out, const QAddParams& p) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier +
                        (static_cast<int32_t>(b[i]) - p.b_zero_point) * p.b_multiplier;
    out[i] = static_cast<T>(qadd_output(acc, p));
  }
}

// qvadd with b a single value b[0].
template <typename T>
void qvaddc(size_t n, const T* a, const T* b, T* out, const QAddParams& p) {
  const int32_t bterm = (static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier + bterm;
    out[i] = static_cast<T>(qadd_output(acc, p));
  }
}

// out = requantize((a - a_zp) * (b - b_zp)), elementwise.
template <typename T>
void qvmul(size_t n, const T* a, const T* b, T* out, const QMulParams& p) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) *
                        (static_cast<int32_t>(b[i]) - p.b_zero_point);
    out[i] = static_cast<T>(requantize(acc, p.scale, p.output_zero_point, p.qmin, p.qmax));
  }
}

// qvmul with b a single value b[0].
template <typename T>
void qvmulc(size_t n, const T* a, const T* b, T* out, const QMulParams& p) {
  const int32_t bv = static_cast<int32_t>(b[0]) - p.b_zero_point;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * bv;
    out[i] = static_cast<T>(requantize(acc, p.scale, p.output_zero_point, p.qmin, p.qmax));
  }
}

// y = float(x - zp) * scale.
template <typename T>
void dequantize(size_t n, const T* x, float* y, const DequantizeParams& p) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zero_point) * p.scale;
  }
}

// y = round-even(clamp(x * inv_scale)) + zp.
template <typename T>
void quantize(size_t n, const float* x, T* y, const F32QuantizeParams& p) {
  const float lo = static_cast<float>(p.qmin - p.zero_point);
  const float hi = static_cast<float>(p.qmax - p.zero_point);
  for (size_t i = 0; i < n; ++i) {
    float v = x[i] * p.inv_scale;
    v = v > lo ? v : lo;  // NaN -> lo
    v = v < hi ? v : hi;
    y[i] = static_cast<T>(static_cast<int32_t>(std::nearbyint(v)) + p.zero_point);
  }
}

}  // namespace ref_impl
}  // namespace fd
