// Elementwise kernels: quantized and float binary ops, activations, lookup tables and type
// conversions. Every SIMD kernel has a scalar ref twin that it matches bit-exactly.
//
// Names follow the scheme at the top of kernels/kernel_table.h: `v<op>` works on two vectors of
// n elements, `v<op>c` on a vector and one scalar (the second operand), `<from>_<to>_vcvt`
// converts n elements between types; `_rndnu` marks the integer output stages (ADD/SUB, leaky
// ReLU), the others requantize in fp32.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace fd {

// ---- Quantized ADD / SUB -------------------------------------------------------------------
//
// out = qadd_output((a - a_zp) * a_multiplier + (b - b_zp) * b_multiplier): the multipliers are
// the input/output scale ratios in fixed point (scaled by 2^shift), so the sum is exact integer
// math, and the integer output stage divides it by 2^shift rounding to nearest, ties up (rndnu).
struct QAddParams {
  int32_t a_zero_point = 0;
  int32_t b_zero_point = 0;
  int32_t a_multiplier = 0;  // |multiplier| < 2^21, so the int32 sum cannot overflow
  int32_t b_multiplier = 0;  // negative for SUB
  int32_t shift = 20;        // the sum is divided by 2^shift, rounding half up
  int32_t output_zero_point = 0;
  int32_t qmin = -128;  // output clamp (dtype range intersected with the fused activation)
  int32_t qmax = 127;
};

// Fills QAddParams for out = a + b (or a - b when `subtract`) in real terms. Follows XNNPACK's
// integer add (what LiteRT.js runs): float scale ratios, the larger one scaled into
// [2^20, 2^21), multipliers rounded with lrintf. The caller checks that the larger ratio
// (a_scale / out_scale or b_scale / out_scale, in float) is in [2^-10, 2^20), so shift is 1..30.
inline QAddParams make_qadd_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp,
                                   float out_scale, int32_t out_zp, int32_t qmin, int32_t qmax,
                                   bool subtract) {
  QAddParams p;
  const float ra = a_scale / out_scale;
  const float rb = b_scale / out_scale;
  const float rmax = ra > rb ? ra : rb;
  p.shift = 20 - std::ilogb(rmax);
  p.a_zero_point = a_zp;
  p.b_zero_point = b_zp;
  p.a_multiplier = static_cast<int32_t>(std::lrintf(std::ldexp(ra, p.shift)));
  p.b_multiplier = static_cast<int32_t>(std::lrintf(std::ldexp(rb, p.shift)));
  if (subtract) p.b_multiplier = -p.b_multiplier;
  p.output_zero_point = out_zp;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

// The output stage of quantized ADD/SUB: acc / 2^shift rounded half up, clamped, + zero point.
inline int32_t qadd_output(int32_t acc, const QAddParams& p) {
  int32_t q = (acc + (int32_t{1} << (p.shift - 1))) >> p.shift;
  q = q < p.qmin - p.output_zero_point ? p.qmin - p.output_zero_point : q;
  q = q > p.qmax - p.output_zero_point ? p.qmax - p.output_zero_point : q;
  return q + p.output_zero_point;
}

// Swaps the roles of a and b (for a scalar first operand fed to a `vaddc` kernel).
inline QAddParams swap_qadd_params(const QAddParams& p) {
  QAddParams s = p;
  s.a_zero_point = p.b_zero_point;
  s.b_zero_point = p.a_zero_point;
  s.a_multiplier = p.b_multiplier;
  s.b_multiplier = p.a_multiplier;
  return s;
}

// Quantized int8 a + b (with the multipliers' signs): out[i] from a[i], b[i].
void qs8_vadd_rndnu_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p);
void qs8_vadd_rndnu_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p);
// Quantized int8 a + b with b one scalar: out[i] from a[i], b[0].
void qs8_vaddc_rndnu_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p);
void qs8_vaddc_rndnu_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p);
// Quantized uint8 a + b: out[i] from a[i], b[i].
void qu8_vadd_rndnu_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p);
void qu8_vadd_rndnu_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p);
// Quantized uint8 a + b with b one scalar: out[i] from a[i], b[0].
void qu8_vaddc_rndnu_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p);
void qu8_vaddc_rndnu_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p);

// ---- Quantized MUL -------------------------------------------------------------------------
//
// out = requantize((a - a_zp) * (b - b_zp), a_scale * b_scale / out_scale, out_zp, clamp).
struct QMulParams {
  int32_t a_zero_point = 0;
  int32_t b_zero_point = 0;
  float scale = 1.0f;
  int32_t output_zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;
};

// Fills QMulParams for out = a * b in real terms.
inline QMulParams make_qmul_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp,
                                   float out_scale, int32_t out_zp, int32_t qmin, int32_t qmax) {
  QMulParams p;
  p.a_zero_point = a_zp;
  p.b_zero_point = b_zp;
  p.scale = static_cast<float>(static_cast<double>(a_scale) * b_scale / out_scale);
  p.output_zero_point = out_zp;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

// Swaps the roles of a and b.
inline QMulParams swap_qmul_params(const QMulParams& p) {
  QMulParams s = p;
  s.a_zero_point = p.b_zero_point;
  s.b_zero_point = p.a_zero_point;
  return s;
}

// Quantized int8 a * b: out[i] from a[i], b[i].
void qs8_vmul_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p);
void qs8_vmul_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p);
// Quantized int8 a * b with b one scalar.
void qs8_vmulc_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p);
void qs8_vmulc_wasmsimd(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p);
// Quantized uint8 a * b: out[i] from a[i], b[i].
void qu8_vmul_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p);
void qu8_vmul_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p);
// Quantized uint8 a * b with b one scalar.
void qu8_vmulc_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p);
void qu8_vmulc_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p);

// ---- Float32 and int32 binary ops ----------------------------------------------------------

// Binary operation; the R* forms swap the operands (b - a, b / a, floor(b / a)) so a scalar
// first operand can use a `vbinaryc` kernel.
enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kFloorDiv, kRSub, kRDiv, kRFloorDiv };

// Output clamp of a float binary op (the fused activation; +-inf for none).
struct F32MinMaxParams {
  float min = -INFINITY;
  float max = INFINITY;
};

// Float32 out[i] = clamp(a[i] op b[i]); FloorDiv is floor(a / b).
void f32_vbinary_ref(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                     const F32MinMaxParams& p);
void f32_vbinary_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                          const F32MinMaxParams& p);
// Float32 out[i] = clamp(a[i] op b[0]).
void f32_vbinaryc_ref(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                      const F32MinMaxParams& p);
void f32_vbinaryc_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                           const F32MinMaxParams& p);

// Output clamp of an int32 binary op.
struct S32MinMaxParams {
  int32_t min = INT32_MIN;
  int32_t max = INT32_MAX;
};

// Int32 out[i] = clamp(a[i] op b[i]) with wrap-around add/sub/mul, Div truncating toward zero and
// FloorDiv rounding toward -inf; divisors must be non-zero (the op checks).
void s32_vbinary_ref(BinaryOp op, size_t n, const int32_t* a, const int32_t* b, int32_t* out,
                     const S32MinMaxParams& p);
// Int32 out[i] = clamp(a[i] op b[0]).
void s32_vbinaryc_ref(BinaryOp op, size_t n, const int32_t* a, const int32_t* b, int32_t* out,
                      const S32MinMaxParams& p);

// ---- Float32 activations -------------------------------------------------------------------

// Float32 y[i] = min(max(x[i], p.min), p.max) (RELU, RELU6, RELU_N1_TO_1); NaN passes through.
void f32_vclamp_ref(size_t n, const float* x, float* y, const F32MinMaxParams& p);
void f32_vclamp_wasmsimd(size_t n, const float* x, float* y, const F32MinMaxParams& p);

// Unary float functions without a SIMD variant.
enum class UnaryOp : uint8_t { kSqrt, kLogistic, kTanh, kHardSwish, kLeakyRelu };

// Float32 y[i] = f(x[i]); `alpha` is LEAKY_RELU's negative slope.
void f32_vunary_ref(UnaryOp op, size_t n, const float* x, float* y, float alpha);

// ---- 8-bit lookup table --------------------------------------------------------------------

// y[i] = table[(uint8_t)x[i]]: any 8-bit to 8-bit function (quantized activations, requantize,
// fused activation chains).
void x8_lut_ref(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);
void x8_lut_wasmsimd(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);
// Relaxed SIMD, only where i8x16.relaxed_swizzle reads indices 16..127 modulo 16 (x86's pshufb).
void x8_lut_wasmpshufb(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);

// ---- Quantized LEAKY_RELU --------------------------------------------------------------------
//
// XNNPACK's integer leaky ReLU (what LiteRT.js runs): d = x - input_zp,
// y = clamp(output_zp + ((d * (d >= 0 ? pos_mult : neg_mult) + 128) >> 8)), with multipliers of
// 8 fractional bits (|mult| <= 32767, so the SIMD form is one i16x8.q15mulr_sat_s per 8 lanes).
struct QLeakyReluParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t pos_multiplier = 256;
  int32_t neg_multiplier = 51;
};
// int8 x -> int8 y (clamped to the int8 range).
void qs8_vlrelu_rndnu_ref(size_t n, const int8_t* x, int8_t* y, const QLeakyReluParams& p);
void qs8_vlrelu_rndnu_wasmsimd(size_t n, const int8_t* x, int8_t* y, const QLeakyReluParams& p);
// uint8 x -> uint8 y (clamped to the uint8 range).
void qu8_vlrelu_rndnu_ref(size_t n, const uint8_t* x, uint8_t* y, const QLeakyReluParams& p);
void qu8_vlrelu_rndnu_wasmsimd(size_t n, const uint8_t* x, uint8_t* y, const QLeakyReluParams& p);

// ---- Conversions ---------------------------------------------------------------------------

// Float32 -> quantized: q = clamp(x * inv_scale, qmin - zp, qmax - zp) rounded to nearest-even,
// plus zp. NaN maps to qmin.
struct F32QuantizeParams {
  float inv_scale = 1.0f;
  int32_t zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;
};

// Float32 -> int8.
void f32_qs8_vcvt_ref(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p);
void f32_qs8_vcvt_wasmsimd(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p);
// Float32 -> uint8.
void f32_qu8_vcvt_ref(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p);
void f32_qu8_vcvt_wasmsimd(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p);

// Quantized -> float32: y = float(x - zero_point) * scale.
struct DequantizeParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Int8 -> float32.
void qs8_f32_vcvt_ref(size_t n, const int8_t* x, float* y, const DequantizeParams& p);
void qs8_f32_vcvt_wasmsimd(size_t n, const int8_t* x, float* y, const DequantizeParams& p);
// Uint8 -> float32.
void qu8_f32_vcvt_ref(size_t n, const uint8_t* x, float* y, const DequantizeParams& p);
void qu8_f32_vcvt_wasmsimd(size_t n, const uint8_t* x, float* y, const DequantizeParams& p);

// IEEE binary16 bits -> float32, exact (subnormals, infinities, NaN payloads kept).
void f16_f32_vcvt_ref(size_t n, const uint16_t* x, float* y);

// Plain type conversion as TFLite CAST does it: static_cast between numeric types (float ->
// integer truncates toward zero, saturating at the target range; NaN -> 0), to BOOL is x != 0.
// Supports FLOAT32, INT32, INT64, UINT8, INT8, INT16 and BOOL; returns false otherwise.
bool any_vcast_ref(DType from, DType to, size_t n, const void* x, void* y);

}  // namespace fd
