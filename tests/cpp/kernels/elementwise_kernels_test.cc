// Elementwise kernels: wasmsimd must match ref bit-exactly on seeded random data and lengths
// that exercise the 8- and 4-wide main loops and every leftover.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/elementwise.h"
#include "kernels/movement.h"

namespace fd {
namespace {

const size_t kLengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1000};

template <typename T>
std::vector<T> random_bytes(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(d(rng));
  return v;
}

std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Bitwise float comparison (so -0 vs +0 or differing rounding is caught).
void expect_same_bits(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    uint32_t x, y;
    std::memcpy(&x, &a[i], 4);
    std::memcpy(&y, &b[i], 4);
    ASSERT_EQ(x, y) << what << " at " << i << " of " << a.size() << ": " << a[i] << " vs " << b[i];
  }
}

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

using QAddFn8 = void (*)(size_t, const int8_t*, const int8_t*, int8_t*, const QAddParams&);
using QAddFnU8 = void (*)(size_t, const uint8_t*, const uint8_t*, uint8_t*, const QAddParams&);
using QMulFn8 = void (*)(size_t, const int8_t*, const int8_t*, int8_t*, const QMulParams&);
using QMulFnU8 = void (*)(size_t, const uint8_t*, const uint8_t*, uint8_t*, const QMulParams&);

// Runs ref and simd on the same random inputs for every length and several parameter sets.
template <typename T, typename P, typename Fn, typename MakeParams>
void check_quant_binary(Fn ref, Fn simd, bool scalar_b, MakeParams make, uint32_t seed) {
  std::mt19937 rng(seed);
  int distinct = 0;
  for (size_t n : kLengths) {
    for (int rep = 0; rep < 6; ++rep) {
      const P p = make(rng);
      auto a = random_bytes<T>(rng, n);
      auto b = random_bytes<T>(rng, scalar_b ? 1 : n);
      std::vector<T> y_ref(n + 1, T(0x5A)), y_simd(n + 1, T(0x5A));
      ref(n, a.data(), b.data(), y_ref.data(), p);
      simd(n, a.data(), b.data(), y_simd.data(), p);
      ASSERT_EQ(y_ref, y_simd) << "n=" << n << " rep=" << rep;
      EXPECT_EQ(y_simd[n], T(0x5A)) << "wrote past the end, n=" << n;
      for (size_t i = 1; i < n; ++i) distinct += y_ref[i] != y_ref[0];
    }
  }
  EXPECT_GT(distinct, 100) << "outputs are degenerate (all clamped?)";
}

TEST(ElementwiseKernels, Qs8VaddMatchesRef) {
  check_quant_binary<int8_t, QAddParams, QAddFn8>(qs8_vadd_ref, qs8_vadd_wasmsimd, false,
                                                  random_qadd<int8_t>, 1);
}
TEST(ElementwiseKernels, Qs8VaddcMatchesRef) {
  check_quant_binary<int8_t, QAddParams, QAddFn8>(qs8_vaddc_ref, qs8_vaddc_wasmsimd, true,
                                                  random_qadd<int8_t>, 2);
}
TEST(ElementwiseKernels, Qu8VaddMatchesRef) {
  check_quant_binary<uint8_t, QAddParams, QAddFnU8>(qu8_vadd_ref, qu8_vadd_wasmsimd, false,
                                                    random_qadd<uint8_t>, 3);
}
TEST(ElementwiseKernels, Qu8VaddcMatchesRef) {
  check_quant_binary<uint8_t, QAddParams, QAddFnU8>(qu8_vaddc_ref, qu8_vaddc_wasmsimd, true,
                                                    random_qadd<uint8_t>, 4);
}
TEST(ElementwiseKernels, Qs8VmulMatchesRef) {
  check_quant_binary<int8_t, QMulParams, QMulFn8>(qs8_vmul_ref, qs8_vmul_wasmsimd, false,
                                                  random_qmul<int8_t>, 5);
}
TEST(ElementwiseKernels, Qs8VmulcMatchesRef) {
  check_quant_binary<int8_t, QMulParams, QMulFn8>(qs8_vmulc_ref, qs8_vmulc_wasmsimd, true,
                                                  random_qmul<int8_t>, 6);
}
TEST(ElementwiseKernels, Qu8VmulMatchesRef) {
  check_quant_binary<uint8_t, QMulParams, QMulFnU8>(qu8_vmul_ref, qu8_vmul_wasmsimd, false,
                                                    random_qmul<uint8_t>, 7);
}
TEST(ElementwiseKernels, Qu8VmulcMatchesRef) {
  check_quant_binary<uint8_t, QMulParams, QMulFnU8>(qu8_vmulc_ref, qu8_vmulc_wasmsimd, true,
                                                    random_qmul<uint8_t>, 8);
}

TEST(ElementwiseKernels, QaddExtremeScalesStayExact) {
  // Largest spread of inputs (|a - zp| = 255) with very different scale ratios: no overflow.
  const QAddParams p = make_qadd_params(0.5f, -128, 1e-4f, 127, 0.002f, 0, -128, 127, true);
  std::vector<int8_t> a(17, 127), b(17, -128), y_ref(17), y_simd(17);
  qs8_vadd_ref(17, a.data(), b.data(), y_ref.data(), p);
  qs8_vadd_wasmsimd(17, a.data(), b.data(), y_simd.data(), p);
  EXPECT_EQ(y_ref, y_simd);
  EXPECT_EQ(y_ref[0], 127);  // 127.5 + 0.0255 saturates
}

const BinaryOp kAllBinaryOps[] = {BinaryOp::kAdd,      BinaryOp::kSub,  BinaryOp::kMul,
                                  BinaryOp::kDiv,      BinaryOp::kFloorDiv, BinaryOp::kRSub,
                                  BinaryOp::kRDiv,     BinaryOp::kRFloorDiv};

TEST(ElementwiseKernels, F32VbinaryMatchesRef) {
  std::mt19937 rng(11);
  for (BinaryOp op : kAllBinaryOps) {
    for (size_t n : kLengths) {
      for (int clamp = 0; clamp < 2; ++clamp) {
        F32MinMaxParams p;
        if (clamp) p.min = -1.5f, p.max = 6.0f;
        auto a = random_floats(rng, n, -10.0f, 10.0f);
        auto b = random_floats(rng, n, 0.25f, 8.0f);
        std::vector<float> y_ref(n), y_simd(n), yc_ref(n), yc_simd(n);
        f32_vbinary_ref(op, n, a.data(), b.data(), y_ref.data(), p);
        f32_vbinary_wasmsimd(op, n, a.data(), b.data(), y_simd.data(), p);
        expect_same_bits(y_ref, y_simd, "vbinary");
        f32_vbinaryc_ref(op, n, a.data(), b.data(), yc_ref.data(), p);
        f32_vbinaryc_wasmsimd(op, n, a.data(), b.data(), yc_simd.data(), p);
        expect_same_bits(yc_ref, yc_simd, "vbinaryc");
      }
    }
  }
}

TEST(ElementwiseKernels, F32VbinaryComputesTheOp) {
  const float a[5] = {7.0f, -7.0f, 1.5f, 2.0f, -3.0f};
  const float b[5] = {2.0f, 2.0f, 0.5f, -4.0f, 3.0f};
  float y[5];
  F32MinMaxParams none;
  f32_vbinary_wasmsimd(BinaryOp::kFloorDiv, 5, a, b, y, none);
  EXPECT_EQ(y[0], 3.0f);
  EXPECT_EQ(y[1], -4.0f);
  EXPECT_EQ(y[3], -1.0f);
  f32_vbinaryc_wasmsimd(BinaryOp::kRSub, 5, a, b, y, none);  // 2 - a
  EXPECT_EQ(y[0], -5.0f);
  EXPECT_EQ(y[4], 5.0f);
}

TEST(ElementwiseKernels, F32VclampMatchesRef) {
  std::mt19937 rng(12);
  const F32MinMaxParams ranges[] = {{0.0f, INFINITY}, {0.0f, 6.0f}, {-1.0f, 1.0f}};
  for (const F32MinMaxParams& p : ranges) {
    for (size_t n : kLengths) {
      auto x = random_floats(rng, n, -8.0f, 8.0f);
      if (n > 2) x[1] = -0.0f;
      std::vector<float> y_ref(n), y_simd(n);
      f32_vclamp_ref(n, x.data(), y_ref.data(), p);
      f32_vclamp_wasmsimd(n, x.data(), y_simd.data(), p);
      expect_same_bits(y_ref, y_simd, "vclamp");
      for (float v : y_ref) {
        EXPECT_GE(v, p.min);
        EXPECT_LE(v, p.max);
      }
    }
  }
}

TEST(ElementwiseKernels, F32QuantizeMatchesRef) {
  std::mt19937 rng(13);
  for (size_t n : kLengths) {
    F32QuantizeParams ps;
    ps.inv_scale = 1.0f / 0.05f;
    ps.zero_point = static_cast<int32_t>(rng() % 256) - 128;
    auto x = random_floats(rng, n, -8.0f, 8.0f);
    for (size_t i = 0; i + 3 < n; i += 4) x[i] = std::nearbyint(x[i] * 20.0f + 0.5f) / 20.0f;  // ties
    if (n > 3) x[2] = NAN;
    std::vector<int8_t> s_ref(n), s_simd(n);
    f32_qs8_vcvt_ref(n, x.data(), s_ref.data(), ps);
    f32_qs8_vcvt_wasmsimd(n, x.data(), s_simd.data(), ps);
    ASSERT_EQ(s_ref, s_simd) << n;
    if (n > 3) EXPECT_EQ(s_ref[2], -128);

    F32QuantizeParams pu;
    pu.inv_scale = 1.0f / 0.03f;
    pu.zero_point = static_cast<int32_t>(rng() % 256);
    pu.qmin = 0;
    pu.qmax = 255;
    std::vector<uint8_t> u_ref(n), u_simd(n);
    f32_qu8_vcvt_ref(n, x.data(), u_ref.data(), pu);
    f32_qu8_vcvt_wasmsimd(n, x.data(), u_simd.data(), pu);
    ASSERT_EQ(u_ref, u_simd) << n;
  }
}

TEST(ElementwiseKernels, DequantizeMatchesRef) {
  std::mt19937 rng(14);
  for (size_t n : kLengths) {
    DequantizeParams p;
    p.scale = 0.0173f;
    p.zero_point = static_cast<int32_t>(rng() % 256) - 128;
    auto xs = random_bytes<int8_t>(rng, n);
    std::vector<float> y_ref(n), y_simd(n);
    qs8_f32_vcvt_ref(n, xs.data(), y_ref.data(), p);
    qs8_f32_vcvt_wasmsimd(n, xs.data(), y_simd.data(), p);
    expect_same_bits(y_ref, y_simd, "qs8 dequantize");
    EXPECT_EQ(y_ref[0], static_cast<float>(xs[0] - p.zero_point) * p.scale);

    p.zero_point = static_cast<int32_t>(rng() % 256);
    auto xu = random_bytes<uint8_t>(rng, n);
    qu8_f32_vcvt_ref(n, xu.data(), y_ref.data(), p);
    qu8_f32_vcvt_wasmsimd(n, xu.data(), y_simd.data(), p);
    expect_same_bits(y_ref, y_simd, "qu8 dequantize");
  }
}

TEST(Zip2Kernel, WasmsimdMatchesRef) {
  std::mt19937 rng(5);
  for (size_t n : {0, 1, 15, 16, 17, 58, 116, 233}) {
    std::vector<uint8_t> a(n), b(n);
    for (auto& v : a) v = static_cast<uint8_t>(rng());
    for (auto& v : b) v = static_cast<uint8_t>(rng());
    std::vector<uint8_t> r(2 * n + 3, 0xAB), q(2 * n + 3, 0xAB);
    x8_zip2_ref(n, a.data(), b.data(), r.data());
    x8_zip2_wasmsimd(n, a.data(), b.data(), q.data());
    ASSERT_EQ(r, q) << "n=" << n;
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(r[2 * i] == a[i] && r[2 * i + 1] == b[i]);
    ASSERT_EQ(r[2 * n], 0xAB) << "wrote past 2n";
  }
}

// Quantized leaky ReLU: wasmsimd vs ref on every input byte and random lengths, for random zero
// points and multipliers (including negative slopes and the int16 extremes), int8 and uint8; the
// ref against the integer formula written out.
TEST(VLreluKernel, WasmsimdMatchesRefAndFormula) {
  std::mt19937 rng(21);
  std::uniform_int_distribution<int> mult(-32767, 32767), zp8(-128, 127), zpu(0, 255);
  for (int c = 0; c < 200; ++c) {
    QLeakyReluParams p;
    const bool is_unsigned = c % 2 == 1;
    p.input_zero_point = is_unsigned ? zpu(rng) : zp8(rng);
    p.output_zero_point = is_unsigned ? zpu(rng) : zp8(rng);
    p.pos_multiplier = c % 7 == 0 ? 32767 : (c % 7 == 1 ? 256 : mult(rng));
    p.neg_multiplier = c % 5 == 0 ? -32767 : mult(rng) / 8;
    const size_t n = 256 + static_cast<size_t>(c % 23);
    std::vector<uint8_t> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<uint8_t>(i < 256 ? i : rng());
    std::vector<uint8_t> r(n + 1, 0xCD), v(n + 1, 0xCD);
    if (is_unsigned) {
      qu8_vlrelu_ref(n, x.data(), r.data(), p);
      qu8_vlrelu_wasmsimd(n, x.data(), v.data(), p);
    } else {
      qs8_vlrelu_ref(n, reinterpret_cast<const int8_t*>(x.data()), reinterpret_cast<int8_t*>(r.data()), p);
      qs8_vlrelu_wasmsimd(n, reinterpret_cast<const int8_t*>(x.data()), reinterpret_cast<int8_t*>(v.data()), p);
    }
    ASSERT_EQ(r, v) << "case " << c;
    for (size_t i = 0; i < 256; ++i) {
      const int32_t q = is_unsigned ? static_cast<int32_t>(x[i]) : static_cast<int32_t>(static_cast<int8_t>(x[i]));
      const int32_t d = q - p.input_zero_point;
      int32_t want = (p.output_zero_point * 256 + 0x80 + d * (d >= 0 ? p.pos_multiplier : p.neg_multiplier)) >> 8;
      const int32_t lo = is_unsigned ? 0 : -128, hi = is_unsigned ? 255 : 127;
      want = want < lo ? lo : (want > hi ? hi : want);
      const int32_t got = is_unsigned ? static_cast<int32_t>(r[i]) : static_cast<int32_t>(static_cast<int8_t>(r[i]));
      ASSERT_EQ(got, want) << "case " << c << " byte " << i;
    }
    ASSERT_EQ(v[n], 0xCD) << "wrote past n";
  }
}

// Byte table lookup: wasmsimd vs ref for random tables over lengths around the 32-byte pass,
// every byte value looked up, nothing written past n.
TEST(LutKernel, WasmsimdMatchesRef) {
  std::mt19937 rng(8);
  for (size_t n : {0, 1, 15, 16, 31, 32, 33, 63, 256, 1000}) {
    std::vector<uint8_t> table = random_bytes<uint8_t>(rng, 256);
    std::vector<uint8_t> x = random_bytes<uint8_t>(rng, n);
    for (size_t i = 0; i < n && i < 256; ++i) x[i] = static_cast<uint8_t>(255 - i);
    std::vector<uint8_t> r(n + 1, 0xEE), v(n + 1, 0xEE);
    x8_lut_ref(n, x.data(), r.data(), table.data());
    x8_lut_wasmsimd(n, x.data(), v.data(), table.data());
    ASSERT_EQ(r, v) << "n=" << n;
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(r[i], table[x[i]]);
    ASSERT_EQ(v[n], 0xEE) << "wrote past n";
  }
}

}  // namespace
}  // namespace fd
