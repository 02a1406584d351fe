// Elementwise kernels. Everywhere (natively too, so under ASan + UBSan): the ref kernels against
// their contracts at the values that matter (saturation, rounding ties, NaN, every byte of a
// table). In the wasm build also: each wasmsimd kernel against its ref twin, bit-exactly, on
// seeded random data at the length edges of its step (n_lt_N, n_eq_N, n_gt_N, n_div_N for a
// kernel that works N elements at a time and leaves the rest to its ref twin).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/elementwise.h"
#include "kernels/kernel_table.h"
#include "kernels/movement.h"

namespace fd {
namespace {

using kernel_test::expect_same_bytes;
using kernel_test::random_bytes;
using kernel_test::random_floats;

// ---- ref kernels against their contracts -----------------------------------------------------

TEST(QS8_VADD_RNDNU_REF, extreme_scales_saturate) {
  // Largest spread of inputs (|a - zp| = 255) with very different scale ratios: no overflow.
  const QAddParams p = make_qadd_params(0.5f, -128, 1e-4f, 127, 0.002f, 0, -128, 127, true);
  std::vector<int8_t> a(17, 127), b(17, -128), y(17);
  qs8_vadd_rndnu_ref(17, a.data(), b.data(), y.data(), p);
  EXPECT_EQ(y, std::vector<int8_t>(17, 127));  // 127.5 + 0.0255 saturates
}

TEST(QS8_VADD_RNDNU_REF, ties_round_up) {
  // a_mult = 2^19 with shift 20 halves (a - a_zp): +1.5 -> 2, -1.5 -> -1, +0.5 -> 1, -0.5 -> 0.
  QAddParams p;
  p.a_multiplier = 1 << 19;
  p.b_multiplier = 0;
  const int8_t a[4] = {3, -3, 1, -1}, b[4] = {};
  int8_t y[4];
  qs8_vadd_rndnu_ref(4, a, b, y, p);
  EXPECT_EQ(y[0], 2);
  EXPECT_EQ(y[1], -1);
  EXPECT_EQ(y[2], 1);
  EXPECT_EQ(y[3], 0);
}

TEST(F32_VBINARY_REF, floor_div_rounds_toward_minus_inf) {
  const float a[5] = {7.0f, -7.0f, 1.5f, 2.0f, -3.0f};
  const float b[5] = {2.0f, 2.0f, 0.5f, -4.0f, 3.0f};
  float y[5];
  f32_vbinary_ref(BinaryOp::kFloorDiv, 5, a, b, y, F32MinMaxParams());
  EXPECT_EQ(y[0], 3.0f);
  EXPECT_EQ(y[1], -4.0f);
  EXPECT_EQ(y[2], 3.0f);
  EXPECT_EQ(y[3], -1.0f);
  EXPECT_EQ(y[4], -1.0f);
}

TEST(F32_VBINARYC_REF, reversed_sub_takes_the_scalar_first) {
  const float a[5] = {7.0f, -7.0f, 1.5f, 2.0f, -3.0f};
  const float b = 2.0f;
  float y[5];
  f32_vbinaryc_ref(BinaryOp::kRSub, 5, a, &b, y, F32MinMaxParams());  // 2 - a
  EXPECT_EQ(y[0], -5.0f);
  EXPECT_EQ(y[1], 9.0f);
  EXPECT_EQ(y[4], 5.0f);
}

TEST(F32_VCLAMP_REF, clamps_and_passes_nan) {
  const float x[6] = {-1.0f, 0.0f, -0.0f, 3.0f, 7.0f, NAN};
  float y[6];
  f32_vclamp_ref(6, x, y, F32MinMaxParams{0.0f, 6.0f});  // RELU6
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[3], 3.0f);
  EXPECT_EQ(y[4], 6.0f);
  EXPECT_TRUE(std::signbit(y[2])) << "-0 is inside [0, 6]: kept";
  EXPECT_TRUE(std::isnan(y[5]));
}

TEST(F32_QS8_VCVT_REF, nan_to_qmin_and_ties_to_even) {
  F32QuantizeParams p;
  p.inv_scale = 4.0f;  // x * 4 is exact: ties stay ties
  p.zero_point = 3;
  const float x[7] = {0.125f, 0.375f, -0.125f, 0.625f, NAN, 100.0f, -100.0f};
  int8_t y[7];
  f32_qs8_vcvt_ref(7, x, y, p);
  EXPECT_EQ(y[0], 3 + 0);  // 0.5
  EXPECT_EQ(y[1], 3 + 2);  // 1.5
  EXPECT_EQ(y[2], 3 + 0);  // -0.5
  EXPECT_EQ(y[3], 3 + 2);  // 2.5
  EXPECT_EQ(y[4], -128);
  EXPECT_EQ(y[5], 127);
  EXPECT_EQ(y[6], -128);
}

TEST(F32_QU8_VCVT_REF, clamps_to_the_activation_range) {
  F32QuantizeParams p;
  p.inv_scale = 2.0f;
  p.zero_point = 128;
  p.qmin = 128;  // a fused RELU: nothing below the zero point
  p.qmax = 255;
  const float x[4] = {-3.0f, 1.25f, 1000.0f, NAN};
  uint8_t y[4];
  f32_qu8_vcvt_ref(4, x, y, p);
  EXPECT_EQ(y[0], 128);
  EXPECT_EQ(y[1], 128 + 2);  // 2.5 -> 2
  EXPECT_EQ(y[2], 255);
  EXPECT_EQ(y[3], 128);
}

// y = float(x - zp) * scale for every input byte.
template <typename T>
void expect_dequantize_formula(void (*kernel)(size_t, const T*, float*, const DequantizeParams&), int32_t zp) {
  DequantizeParams p;
  p.scale = 0.0173f;
  p.zero_point = zp;
  std::vector<T> x(256);
  for (size_t i = 0; i < 256; ++i) x[i] = static_cast<T>(i);
  std::vector<float> y(256);
  kernel(256, x.data(), y.data(), p);
  for (size_t i = 0; i < 256; ++i) {
    ASSERT_EQ(y[i], static_cast<float>(static_cast<int32_t>(x[i]) - zp) * p.scale) << "byte " << i;
  }
}

TEST(QS8_F32_VCVT_REF, every_byte) { expect_dequantize_formula<int8_t>(qs8_f32_vcvt_ref, -7); }
TEST(QU8_F32_VCVT_REF, every_byte) { expect_dequantize_formula<uint8_t>(qu8_f32_vcvt_ref, 131); }

TEST(X8_ZIP2_REF, interleaves_two_rows) {
  std::mt19937 rng(5);
  const size_t n = 37;
  const auto a = random_bytes(rng, n), b = random_bytes(rng, n);
  std::vector<uint8_t> r(2 * n + 3, 0xAB);
  x8_zip2_ref(n, a.data(), b.data(), r.data());
  for (size_t i = 0; i < n; ++i) ASSERT_TRUE(r[2 * i] == a[i] && r[2 * i + 1] == b[i]) << i;
  EXPECT_EQ(r[2 * n], 0xAB) << "wrote past 2n";
}

TEST(X8_LUT_REF, looks_up_every_byte) {
  std::mt19937 rng(8);
  const auto table = random_bytes(rng, 256);
  std::vector<uint8_t> x(256), y(257, 0xEE);
  for (size_t i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(255 - i);
  x8_lut_ref(256, x.data(), y.data(), table.data());
  for (size_t i = 0; i < 256; ++i) ASSERT_EQ(y[i], table[x[i]]) << i;
  EXPECT_EQ(y[256], 0xEE) << "wrote past n";
}

// Random leaky ReLU parameters of case `c`: zero points anywhere in the type's range, multipliers
// random with the int16 extremes and the identity slope mixed in.
QLeakyReluParams random_lrelu(std::mt19937& rng, int c, bool is_unsigned) {
  std::uniform_int_distribution<int> mult(-32767, 32767), zp8(-128, 127), zpu(0, 255);
  QLeakyReluParams p;
  p.input_zero_point = is_unsigned ? zpu(rng) : zp8(rng);
  p.output_zero_point = is_unsigned ? zpu(rng) : zp8(rng);
  p.pos_multiplier = c % 7 == 0 ? 32767 : (c % 7 == 1 ? 256 : mult(rng));
  p.neg_multiplier = c % 5 == 0 ? -32767 : mult(rng) / 8;
  return p;
}

// The 8-bit leaky ReLU ref on every input byte against the integer formula written out.
template <typename T>
void expect_lrelu_formula(void (*kernel)(size_t, const T*, T*, const QLeakyReluParams&), uint32_t seed) {
  constexpr bool kUnsigned = std::is_unsigned<T>::value;
  std::mt19937 rng(seed);
  for (int c = 0; c < 100; ++c) {
    const QLeakyReluParams p = random_lrelu(rng, c, kUnsigned);
    std::vector<T> x(256), y(256);
    for (size_t i = 0; i < 256; ++i) x[i] = static_cast<T>(i);
    kernel(256, x.data(), y.data(), p);
    for (size_t i = 0; i < 256; ++i) {
      const int32_t d = static_cast<int32_t>(x[i]) - p.input_zero_point;
      int32_t want = (p.output_zero_point * 256 + 0x80 + d * (d >= 0 ? p.pos_multiplier : p.neg_multiplier)) >> 8;
      const int32_t lo = kUnsigned ? 0 : -128, hi = kUnsigned ? 255 : 127;
      want = want < lo ? lo : (want > hi ? hi : want);
      ASSERT_EQ(static_cast<int32_t>(y[i]), want) << "case " << c << " byte " << i;
    }
  }
}

TEST(QS8_VLRELU_RNDNU_REF, every_byte_matches_formula) { expect_lrelu_formula<int8_t>(qs8_vlrelu_rndnu_ref, 21); }
TEST(QU8_VLRELU_RNDNU_REF, every_byte_matches_formula) { expect_lrelu_formula<uint8_t>(qu8_vlrelu_rndnu_ref, 22); }

#ifdef __wasm_simd128__
// ---- wasmsimd kernels against their ref twins ------------------------------------------------

// Random quantization: scale in [2^-9, 2^-2], zero point anywhere in the type's range.
template <typename T>
void random_quant(std::mt19937& rng, float* scale, int32_t* zp) {
  std::uniform_real_distribution<float> e(-9.0f, -2.0f);
  *scale = std::exp2(e(rng));
  std::uniform_int_distribution<int32_t> z(std::is_signed<T>::value ? -128 : 0,
                                           std::is_signed<T>::value ? 127 : 255);
  *zp = z(rng);
}

template <typename T>
void random_clamp(std::mt19937& rng, int32_t* qmin, int32_t* qmax) {
  const int32_t lo = std::is_signed<T>::value ? -128 : 0;
  *qmin = lo;
  *qmax = lo + 255;
  if (rng() % 2) {  // a fused activation narrowing the range
    *qmin = lo + static_cast<int32_t>(rng() % 100);
    *qmax = lo + 155 + static_cast<int32_t>(rng() % 100);
  }
}

template <typename T>
QAddParams random_qadd(std::mt19937& rng) {
  float sa, sb, so;
  int32_t za, zb, zo, qmin, qmax;
  random_quant<T>(rng, &sa, &za);
  random_quant<T>(rng, &sb, &zb);
  random_quant<T>(rng, &so, &zo);
  random_clamp<T>(rng, &qmin, &qmax);
  return make_qadd_params(sa, za, sb, zb, so, zo, qmin, qmax, rng() % 2);
}

template <typename T>
QMulParams random_qmul(std::mt19937& rng) {
  float sa, sb, so;
  int32_t za, zb, zo, qmin, qmax;
  random_quant<T>(rng, &sa, &za);
  random_quant<T>(rng, &sb, &zb);
  random_quant<T>(rng, &so, &zo);
  so *= 0.05f;  // products of two scales need a small output scale to use the range
  random_clamp<T>(rng, &qmin, &qmax);
  return make_qmul_params(sa, za, sb, zb, so, zo, qmin, qmax);
}

// A quantized binary kernel pair (ADD/SUB or MUL, b a vector or one scalar) on 6 random inputs
// and parameter sets per length; nothing may be written past n, and (over enough elements) the
// outputs must not all be clamped to one value.
template <typename T, typename P>
struct QBinaryCheck {
  using Fn = void (*)(size_t, const T*, const T*, T*, const P&);
  Fn ref, simd;
  bool scalar_b;
  P (*make)(std::mt19937&);
  uint32_t seed;
  void operator()(const std::vector<size_t>& lengths) const {
    std::mt19937 rng(seed);
    size_t compared = 0, distinct = 0;
    for (size_t n : lengths) {
      for (int rep = 0; rep < 6; ++rep) {
        const P p = make(rng);
        const auto a = random_bytes<T>(rng, n);
        const auto b = random_bytes<T>(rng, scalar_b ? 1 : n);
        std::vector<T> y_ref(n + 1, T(0x5A)), y_simd(n + 1, T(0x5A));
        ref(n, a.data(), b.data(), y_ref.data(), p);
        simd(n, a.data(), b.data(), y_simd.data(), p);
        ASSERT_EQ(y_ref, y_simd) << "n=" << n << " rep=" << rep;
        ASSERT_EQ(y_simd[n], T(0x5A)) << "wrote past the end, n=" << n;
        for (size_t i = 1; i < n; ++i) distinct += y_ref[i] != y_ref[0];
        compared += n - 1;
      }
    }
    if (compared >= 600) EXPECT_GT(distinct, compared / 60) << "outputs are degenerate (all clamped?)";
  }
};

const QBinaryCheck<int8_t, QAddParams> kQs8VaddRndnu{qs8_vadd_rndnu_ref, qs8_vadd_rndnu_wasmsimd, false,
                                                     random_qadd<int8_t>, 1};
const QBinaryCheck<int8_t, QAddParams> kQs8VaddcRndnu{qs8_vaddc_rndnu_ref, qs8_vaddc_rndnu_wasmsimd, true,
                                                      random_qadd<int8_t>, 2};
const QBinaryCheck<uint8_t, QAddParams> kQu8VaddRndnu{qu8_vadd_rndnu_ref, qu8_vadd_rndnu_wasmsimd, false,
                                                      random_qadd<uint8_t>, 3};
const QBinaryCheck<uint8_t, QAddParams> kQu8VaddcRndnu{qu8_vaddc_rndnu_ref, qu8_vaddc_rndnu_wasmsimd, true,
                                                       random_qadd<uint8_t>, 4};
const QBinaryCheck<int8_t, QMulParams> kQs8Vmul{qs8_vmul_ref, qs8_vmul_wasmsimd, false, random_qmul<int8_t>, 5};
const QBinaryCheck<int8_t, QMulParams> kQs8Vmulc{qs8_vmulc_ref, qs8_vmulc_wasmsimd, true, random_qmul<int8_t>, 6};
const QBinaryCheck<uint8_t, QMulParams> kQu8Vmul{qu8_vmul_ref, qu8_vmul_wasmsimd, false, random_qmul<uint8_t>, 7};
const QBinaryCheck<uint8_t, QMulParams> kQu8Vmulc{qu8_vmulc_ref, qu8_vmulc_wasmsimd, true, random_qmul<uint8_t>, 8};

FD_KERNEL_EDGE_TESTS(QS8_VADD_RNDNU_REF_VS_WASMSIMD, n, 8, kQs8VaddRndnu)
FD_KERNEL_EDGE_TESTS(QS8_VADDC_RNDNU_REF_VS_WASMSIMD, n, 8, kQs8VaddcRndnu)
FD_KERNEL_EDGE_TESTS(QU8_VADD_RNDNU_REF_VS_WASMSIMD, n, 8, kQu8VaddRndnu)
FD_KERNEL_EDGE_TESTS(QU8_VADDC_RNDNU_REF_VS_WASMSIMD, n, 8, kQu8VaddcRndnu)
FD_KERNEL_EDGE_TESTS(QS8_VMUL_REF_VS_WASMSIMD, n, 8, kQs8Vmul)
FD_KERNEL_EDGE_TESTS(QS8_VMULC_REF_VS_WASMSIMD, n, 8, kQs8Vmulc)
FD_KERNEL_EDGE_TESTS(QU8_VMUL_REF_VS_WASMSIMD, n, 8, kQu8Vmul)
FD_KERNEL_EDGE_TESTS(QU8_VMULC_REF_VS_WASMSIMD, n, 8, kQu8Vmulc)

TEST(QS8_VADD_RNDNU_REF_VS_WASMSIMD, extreme_scales) {
  const QAddParams p = make_qadd_params(0.5f, -128, 1e-4f, 127, 0.002f, 0, -128, 127, true);
  std::vector<int8_t> a(17, 127), b(17, -128), y_ref(17), y_simd(17);
  qs8_vadd_rndnu_ref(17, a.data(), b.data(), y_ref.data(), p);
  qs8_vadd_rndnu_wasmsimd(17, a.data(), b.data(), y_simd.data(), p);
  EXPECT_EQ(y_ref, y_simd);
}

const BinaryOp kAllBinaryOps[] = {BinaryOp::kAdd,      BinaryOp::kSub,  BinaryOp::kMul,
                                  BinaryOp::kDiv,      BinaryOp::kFloorDiv, BinaryOp::kRSub,
                                  BinaryOp::kRDiv,     BinaryOp::kRFloorDiv};

// A float binary kernel pair for every op, with and without a clamp.
struct F32BinaryCheck {
  using Fn = void (*)(BinaryOp, size_t, const float*, const float*, float*, const F32MinMaxParams&);
  Fn ref, simd;
  uint32_t seed;
  void operator()(const std::vector<size_t>& lengths) const {
    std::mt19937 rng(seed);
    for (BinaryOp op : kAllBinaryOps) {
      for (size_t n : lengths) {
        for (int clamp = 0; clamp < 2; ++clamp) {
          F32MinMaxParams p;
          if (clamp) p.min = -1.5f, p.max = 6.0f;
          const auto a = random_floats(rng, n, -10.0f, 10.0f);
          const auto b = random_floats(rng, n, 0.25f, 8.0f);
          std::vector<float> y_ref(n), y_simd(n);
          ref(op, n, a.data(), b.data(), y_ref.data(), p);
          simd(op, n, a.data(), b.data(), y_simd.data(), p);
          ASSERT_NO_FATAL_FAILURE(expect_same_bytes(y_ref, y_simd, "op " + std::to_string(static_cast<int>(op))));
        }
      }
    }
  }
};

const F32BinaryCheck kF32Vbinary{f32_vbinary_ref, f32_vbinary_wasmsimd, 11};
const F32BinaryCheck kF32Vbinaryc{f32_vbinaryc_ref, f32_vbinaryc_wasmsimd, 12};
FD_KERNEL_EDGE_TESTS(F32_VBINARY_REF_VS_WASMSIMD, n, 8, kF32Vbinary)
FD_KERNEL_EDGE_TESTS(F32_VBINARYC_REF_VS_WASMSIMD, n, 8, kF32Vbinaryc)

// A unary kernel pair X -> Y with parameters P on 6 random inputs (make_input) and parameter
// sets (make_params, given the case number) per length: bit-exact outputs, nothing written past n.
template <typename X, typename Y, typename P>
struct UnaryCheck {
  void (*ref)(size_t, const X*, Y*, const P&);
  void (*simd)(size_t, const X*, Y*, const P&);
  std::vector<X> (*make_input)(std::mt19937&, size_t);
  P (*make_params)(std::mt19937&, int);
  uint32_t seed;
  void operator()(const std::vector<size_t>& lengths) const {
    std::mt19937 rng(seed);
    Y sentinel;
    std::memset(&sentinel, 0x5A, sizeof(Y));
    int c = 0;
    for (size_t n : lengths) {
      for (int rep = 0; rep < 6; ++rep, ++c) {
        const P p = make_params(rng, c);
        const std::vector<X> x = make_input(rng, n);
        std::vector<Y> y_ref(n + 1, sentinel), y_simd(n + 1, sentinel);
        ref(n, x.data(), y_ref.data(), p);
        simd(n, x.data(), y_simd.data(), p);
        ASSERT_NO_FATAL_FAILURE(
            expect_same_bytes(y_ref, y_simd, "n=" + std::to_string(n) + " case " + std::to_string(c)));
        ASSERT_EQ(std::memcmp(&y_simd[n], &sentinel, sizeof(Y)), 0) << "wrote past n=" << n;
      }
    }
  }
};

// Floats in [-8, 8) with a -0 (clamps), rounding ties at a scale of 0.05 and a NaN (quantization).
std::vector<float> clamp_input(std::mt19937& rng, size_t n) {
  auto x = random_floats(rng, n, -8.0f, 8.0f);
  if (n > 2) x[1] = -0.0f;
  return x;
}
std::vector<float> quantize_input(std::mt19937& rng, size_t n) {
  auto x = random_floats(rng, n, -8.0f, 8.0f);
  for (size_t i = 0; i + 3 < n; i += 4) x[i] = std::nearbyint(x[i] * 20.0f + 0.5f) / 20.0f;  // ties
  if (n > 3) x[2] = NAN;
  return x;
}
// Bytes, the first 256 of them every byte value.
template <typename T>
std::vector<T> every_byte_input(std::mt19937& rng, size_t n) {
  auto x = random_bytes<T>(rng, n);
  for (size_t i = 0; i < n && i < 256; ++i) x[i] = static_cast<T>(i);
  return x;
}

// RELU, RELU6 and RELU_N1_TO_1 clamps in turn.
F32MinMaxParams clamp_params(std::mt19937&, int c) {
  const F32MinMaxParams ranges[] = {{0.0f, INFINITY}, {0.0f, 6.0f}, {-1.0f, 1.0f}};
  return ranges[c % 3];
}
// Scale 0.05, a random zero point over T's range.
template <typename T>
F32QuantizeParams quantize_params(std::mt19937& rng, int) {
  F32QuantizeParams p;
  p.inv_scale = 1.0f / 0.05f;
  p.qmin = std::is_signed<T>::value ? -128 : 0;
  p.qmax = p.qmin + 255;
  p.zero_point = p.qmin + static_cast<int32_t>(rng() % 256);
  return p;
}
template <typename T>
DequantizeParams dequantize_params(std::mt19937& rng, int) {
  DequantizeParams p;
  p.scale = 0.0173f;
  p.zero_point = (std::is_signed<T>::value ? -128 : 0) + static_cast<int32_t>(rng() % 256);
  return p;
}
template <typename T>
QLeakyReluParams lrelu_params(std::mt19937& rng, int c) {
  return random_lrelu(rng, c, std::is_unsigned<T>::value);
}

const UnaryCheck<float, float, F32MinMaxParams> kF32Vclamp{f32_vclamp_ref, f32_vclamp_wasmsimd, clamp_input,
                                                           clamp_params, 13};
const UnaryCheck<float, int8_t, F32QuantizeParams> kF32Qs8Vcvt{f32_qs8_vcvt_ref, f32_qs8_vcvt_wasmsimd, quantize_input,
                                                               quantize_params<int8_t>, 14};
const UnaryCheck<float, uint8_t, F32QuantizeParams> kF32Qu8Vcvt{f32_qu8_vcvt_ref, f32_qu8_vcvt_wasmsimd,
                                                                quantize_input, quantize_params<uint8_t>, 15};
const UnaryCheck<int8_t, float, DequantizeParams> kQs8F32Vcvt{qs8_f32_vcvt_ref, qs8_f32_vcvt_wasmsimd,
                                                              random_bytes<int8_t>, dequantize_params<int8_t>, 16};
const UnaryCheck<uint8_t, float, DequantizeParams> kQu8F32Vcvt{qu8_f32_vcvt_ref, qu8_f32_vcvt_wasmsimd,
                                                               random_bytes<uint8_t>, dequantize_params<uint8_t>, 17};
const UnaryCheck<int8_t, int8_t, QLeakyReluParams> kQs8VlreluRndnu{
    qs8_vlrelu_rndnu_ref, qs8_vlrelu_rndnu_wasmsimd, every_byte_input<int8_t>, lrelu_params<int8_t>, 21};
const UnaryCheck<uint8_t, uint8_t, QLeakyReluParams> kQu8VlreluRndnu{
    qu8_vlrelu_rndnu_ref, qu8_vlrelu_rndnu_wasmsimd, every_byte_input<uint8_t>, lrelu_params<uint8_t>, 22};

FD_KERNEL_EDGE_TESTS(F32_VCLAMP_REF_VS_WASMSIMD, n, 8, kF32Vclamp)
FD_KERNEL_EDGE_TESTS(F32_QS8_VCVT_REF_VS_WASMSIMD, n, 8, kF32Qs8Vcvt)
FD_KERNEL_EDGE_TESTS(F32_QU8_VCVT_REF_VS_WASMSIMD, n, 8, kF32Qu8Vcvt)
FD_KERNEL_EDGE_TESTS(QS8_F32_VCVT_REF_VS_WASMSIMD, n, 8, kQs8F32Vcvt)
FD_KERNEL_EDGE_TESTS(QU8_F32_VCVT_REF_VS_WASMSIMD, n, 8, kQu8F32Vcvt)
FD_KERNEL_EDGE_TESTS(QS8_VLRELU_RNDNU_REF_VS_WASMSIMD, n, 16, kQs8VlreluRndnu)
FD_KERNEL_EDGE_TESTS(QU8_VLRELU_RNDNU_REF_VS_WASMSIMD, n, 16, kQu8VlreluRndnu)

// Every byte value through the leaky ReLU's SIMD path (n = 256, and + a leftover).
TEST(QS8_VLRELU_RNDNU_REF_VS_WASMSIMD, every_byte) { kQs8VlreluRndnu({256, 256 + 15}); }
TEST(QU8_VLRELU_RNDNU_REF_VS_WASMSIMD, every_byte) { kQu8VlreluRndnu({256, 256 + 15}); }

// Byte zip with nothing written past 2n.
void check_x8_zip2(const std::vector<size_t>& lengths) {
  std::mt19937 rng(5);
  for (size_t n : lengths) {
    const auto a = random_bytes(rng, n), b = random_bytes(rng, n);
    std::vector<uint8_t> r(2 * n + 3, 0xAB), q(2 * n + 3, 0xAB);
    x8_zip2_ref(n, a.data(), b.data(), r.data());
    x8_zip2_wasmsimd(n, a.data(), b.data(), q.data());
    ASSERT_EQ(r, q) << "n=" << n;
  }
}
FD_KERNEL_EDGE_TESTS(X8_ZIP2_REF_VS_WASMSIMD, n, 16, check_x8_zip2)
TEST(X8_ZIP2_REF_VS_WASMSIMD, n_eq_0) { check_x8_zip2({0}); }

// Byte table lookup `lut` against the ref over random tables, every byte value looked up,
// nothing written past n.
void check_lut_kernel(void (*lut)(size_t, const uint8_t*, uint8_t*, const uint8_t*),
                      const std::vector<size_t>& lengths) {
  std::mt19937 rng(8);
  for (size_t n : lengths) {
    const auto table = random_bytes(rng, 256);
    auto x = random_bytes(rng, n);
    for (size_t i = 0; i < n && i < 256; ++i) x[i] = static_cast<uint8_t>(255 - i);
    std::vector<uint8_t> r(n + 1, 0xEE), v(n + 1, 0xEE);
    x8_lut_ref(n, x.data(), r.data(), table.data());
    lut(n, x.data(), v.data(), table.data());
    ASSERT_EQ(r, v) << "n=" << n;
  }
}
void check_x8_lut(const std::vector<size_t>& lengths) { check_lut_kernel(x8_lut_wasmsimd, lengths); }
FD_KERNEL_EDGE_TESTS(X8_LUT_REF_VS_WASMSIMD, n, 32, check_x8_lut)
TEST(X8_LUT_REF_VS_WASMSIMD, n_eq_0) { check_x8_lut({0}); }
TEST(X8_LUT_REF_VS_WASMSIMD, every_byte) { check_x8_lut({256, 1000}); }

// The relaxed table's byte lookup (x8_lut_wasmpshufb where the engine's relaxed swizzle reads
// as pshufb, else the ref) against the ref: every byte through random tables, lengths around
// its 32-byte pass. (tests/e2e/kernels_relaxed.test.mjs looks for this test's name and its
// "relaxed table lookup:" line.)
TEST(X8LutKernel, RelaxedTableMatchesRef) {
  const KernelTable* table = nullptr;
  for (Isa isa : {Isa::kWasmRelaxedUsdot, Isa::kWasmRelaxedSdot}) {
    if (kernels_for(isa)) table = kernels_for(isa);
  }
  if (!table) GTEST_SKIP() << "no relaxed-SIMD kernels in this build or engine";
  std::printf("relaxed table lookup: %s\n", table->x8_lut == x8_lut_ref ? "x8_lut_ref" : "x8_lut_wasmpshufb");
  std::vector<size_t> lengths = kernel_test::lengths_lt(32);
  for (size_t n : {32, 33, 47, 63, 64, 65, 256, 1000}) lengths.push_back(n);
  check_lut_kernel(table->x8_lut, lengths);
}
#endif  // __wasm_simd128__

}  // namespace
}  // namespace fd
