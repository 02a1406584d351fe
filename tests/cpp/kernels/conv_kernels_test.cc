// Convolution-family kernels: GEMM, depthwise, im2col and the weight packers. Everywhere (natively
// too, so under ASan + UBSan): the ref kernels against naive loops or against each other, the
// packers, im2col. In the wasm build also: each wasmsimd kernel against its ref twin, bit-exactly.
// Test names say the edge they cover, XNNPACK-style: k_lt_8 (K below one block of the tile),
// n_gt_4 (output channels past one tile), m_gt_4, c_lt_8 (channels below one block), _subtile
// (every m and n up to one tile); every case also varies the row strides, int8 / uint8 and
// per-channel / per-tensor scales.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/conv.h"
#include "kernels/dw_taps.h"
#include "kernels/kernel_table.h"

namespace fd {
namespace {

using kernel_test::expect_same_bytes;
using kernel_test::rand_int;
using kernel_test::random_bytes;
using kernel_test::random_floats;

// Random requantization stage over `channels` channels (padded to `pad`): scales that keep
// outputs spread over the range for accumulators of `k` products (one stage in four 256 times
// louder: most outputs clamp, many beyond int16), a random zero point, sometimes a narrowed
// (activation-like) clamp, and RequantParams::bounded set in half the stages where it holds for
// any accumulator the tests build (|bias| <= 20000, |x - zp| * |w - w_zp| <= 255 * 255).
struct RandomRequant {
  std::vector<float> scale;
  QConvParams params;
  RandomRequant(std::mt19937& rng, bool is_unsigned, size_t channels, size_t pad, size_t k, bool per_tensor) {
    scale.assign(round_up_multiple(channels, pad), 0.0f);
    std::uniform_real_distribution<float> e(-1.0f, 1.0f);
    const float loud = rand_int(rng, 0, 3) == 0 ? 256.0f : 1.0f;
    const float base = loud / (64.0f * std::sqrt(static_cast<float>(k)) * 16.0f);
    for (float& s : scale) s = base * std::exp2(e(rng));
    const double max_acc = 20000.0 + 255.0 * 255.0 * static_cast<double>(k);
    params.rq.bounded = rand_int(rng, 0, 1) == 0 && max_acc * 2.0 * base < 2097152.0;
    params.is_unsigned = is_unsigned;
    params.rq.scale = scale.data();
    params.rq.per_tensor = per_tensor;
    const int32_t lo = is_unsigned ? 0 : -128, hi = is_unsigned ? 255 : 127;
    params.rq.output_zero_point = rand_int(rng, lo, hi);
    params.rq.qmin = lo;
    params.rq.qmax = hi;
    if (rand_int(rng, 0, 2) == 0) {
      params.rq.qmin = params.rq.output_zero_point;               // relu-like
      params.rq.qmax = rand_int(rng, params.rq.qmin, hi);         // relu6-like
    }
  }
};

int32_t as_int(uint8_t v, bool is_unsigned) {
  return is_unsigned ? static_cast<int32_t>(v) : static_cast<int32_t>(static_cast<int8_t>(v));
}

// One GEMM case: A [m, k] (stride a_stride), weights [n, k] minus per-channel zero points, bias;
// `c` must hold the naive requantized sums and nothing past n in each row (0xA5 there).
struct GemmCase {
  size_t m, n, k, a_stride, c_stride;
  bool is_unsigned, per_tensor;
};
void expect_naive(const GemmCase& g, const std::vector<uint8_t>& a, const std::vector<uint8_t>& w,
                  const std::vector<int32_t>& wzp, const std::vector<int32_t>& bias, const RandomRequant& rq,
                  const std::vector<uint8_t>& c) {
  for (size_t r = 0; r < g.m; ++r) {
    for (size_t ch = 0; ch < g.n; ++ch) {
      int32_t acc = bias[ch];
      for (size_t i = 0; i < g.k; ++i) {
        acc += as_int(a[r * g.a_stride + i], g.is_unsigned) * (as_int(w[ch * g.k + i], g.is_unsigned) - wzp[ch]);
      }
      const float s = g.per_tensor ? rq.scale[0] : rq.scale[ch];
      const int32_t want = requantize(acc, s, rq.params.rq.output_zero_point, rq.params.rq.qmin, rq.params.rq.qmax);
      ASSERT_EQ(as_int(c[r * g.c_stride + ch], g.is_unsigned), want) << "naive mismatch at " << r << "," << ch;
    }
    for (size_t ch = g.n; ch < g.c_stride; ++ch) ASSERT_EQ(c[r * g.c_stride + ch], 0xA5) << "wrote past n";
  }
}

// GEMM case `index` of shape m x n x k: row strides past k and n (by up to 2 and 3 bytes), and
// per-tensor scales in one case of five.
GemmCase gemm_case(size_t m, size_t n, size_t k, bool is_unsigned, int index) {
  return {m, n, k, k + static_cast<size_t>((index + 1) % 3), n + static_cast<size_t>((index + 1) % 4), is_unsigned,
          index % 5 == 0};
}

using QGemmI16Fn = void (*)(size_t, size_t, size_t, const uint8_t*, size_t, const int16_t*, const int32_t*, uint8_t*,
                            size_t, const QConvParams&);
// An int16-tile GEMM: its tile (nr channels, K blocks of kr), its ref and (wasm build) SIMD kernel.
struct QGemmI16 {
  size_t nr, kr;
  QGemmI16Fn ref;
  QGemmI16Fn simd;
};
#ifdef __wasm_simd128__
const QGemmI16 k4x4c8 = {kQGemmNR, kQGemmKR, qx8_gemm_4x4c8_ref, qx8_gemm_2x4c8_wasmsimd};
const QGemmI16 k4x8c2 = {kQGemmC2NR, kQGemmC2KR, qx8_gemm_4x8c2_ref, qx8_gemm_4x8c2_wasmsimd};
#else
const QGemmI16 k4x4c8 = {kQGemmNR, kQGemmKR, qx8_gemm_4x4c8_ref, nullptr};
const QGemmI16 k4x8c2 = {kQGemmC2NR, kQGemmC2KR, qx8_gemm_4x8c2_ref, nullptr};
#endif

// An int16-tile GEMM on every (m, n, k) of the lists, int8 and uint8 activations each: the
// packer's row sums, the ref against the naive sum and, in the wasm build, the SIMD kernel
// against the ref.
void check_qgemm_i16(const QGemmI16& uk, const std::vector<size_t>& ms, const std::vector<size_t>& ns,
                     const std::vector<size_t>& ks, uint32_t seed) {
  std::mt19937 rng(seed);
  int cases = 0;
  for (size_t m : ms) {
    for (size_t n : ns) {
      for (size_t k : ks) {
        for (const bool is_unsigned : {false, true}) {
          const GemmCase g = gemm_case(m, n, k, is_unsigned, cases++);
          std::vector<uint8_t> a = random_bytes(rng, m * g.a_stride);
          std::vector<uint8_t> w = random_bytes(rng, n * k);
          std::vector<int32_t> wzp(n);
          for (int32_t& z : wzp) z = g.is_unsigned ? rand_int(rng, 0, 255) : rand_int(rng, -3, 3);
          std::vector<int16_t> packed(round_up_multiple(n, uk.nr) * round_up_multiple(k, uk.kr), -1);
          std::vector<int32_t> row_sums(n);
          qx8_gemm_i16_pack(uk.nr, uk.kr, n, k, w.data(), g.is_unsigned, wzp.data(), true, packed.data(),
                            row_sums.data());
          for (size_t c = 0; c < n; ++c) {
            int32_t sum = 0;
            for (size_t i = 0; i < k; ++i) sum += as_int(w[c * k + i], g.is_unsigned) - wzp[c];
            ASSERT_EQ(row_sums[c], sum);
          }
          std::vector<int32_t> bias(round_up_multiple(n, uk.nr), 0);
          for (size_t c = 0; c < n; ++c) bias[c] = rand_int(rng, -20000, 20000);
          RandomRequant rq(rng, g.is_unsigned, n, uk.nr, k, g.per_tensor);
          std::vector<uint8_t> c_ref(m * g.c_stride, 0xA5);
          uk.ref(m, n, k, a.data(), g.a_stride, packed.data(), bias.data(), c_ref.data(), g.c_stride, rq.params);
          ASSERT_NO_FATAL_FAILURE(expect_naive(g, a, w, wzp, bias, rq, c_ref));
          if (uk.simd) {
            std::vector<uint8_t> c_simd(m * g.c_stride, 0xA5);
            uk.simd(m, n, k, a.data(), g.a_stride, packed.data(), bias.data(), c_simd.data(), g.c_stride, rq.params);
            ASSERT_EQ(c_ref, c_simd) << "m=" << m << " n=" << n << " k=" << k << " unsigned=" << g.is_unsigned;
          }
        }
      }
    }
  }
}

const std::vector<size_t> kUpTo4 = {1, 2, 3, 4};
TEST(QX8_GEMM_4X4C8, k_eq_8) { check_qgemm_i16(k4x4c8, {4}, {4}, {8}, 1); }
TEST(QX8_GEMM_4X4C8, k_eq_8_subtile) { check_qgemm_i16(k4x4c8, kUpTo4, kUpTo4, {8}, 2); }
TEST(QX8_GEMM_4X4C8, k_lt_8) { check_qgemm_i16(k4x4c8, {4}, {4}, kernel_test::lengths_lt(8), 3); }
TEST(QX8_GEMM_4X4C8, k_lt_8_subtile) { check_qgemm_i16(k4x4c8, kUpTo4, kUpTo4, kernel_test::lengths_lt(8), 4); }
TEST(QX8_GEMM_4X4C8, k_gt_8) { check_qgemm_i16(k4x4c8, {4}, {4}, kernel_test::lengths_gt(8), 5); }
TEST(QX8_GEMM_4X4C8, k_gt_8_subtile) { check_qgemm_i16(k4x4c8, kUpTo4, kUpTo4, kernel_test::lengths_gt(8), 6); }
TEST(QX8_GEMM_4X4C8, k_div_8) { check_qgemm_i16(k4x4c8, {4}, {4}, {16, 24, 80, 144}, 7); }
TEST(QX8_GEMM_4X4C8, n_gt_4) { check_qgemm_i16(k4x4c8, {1, 4}, {5, 6, 7}, {1, 8, 27, 75}, 8); }
TEST(QX8_GEMM_4X4C8, n_div_4) { check_qgemm_i16(k4x4c8, {1, 4}, {8, 12, 16}, {1, 8, 27, 75}, 9); }
TEST(QX8_GEMM_4X4C8, m_gt_4) { check_qgemm_i16(k4x4c8, {5, 7, 8, 13, 17, 33}, {1, 4, 19}, {1, 8, 27, 75}, 10); }

const std::vector<size_t> kUpTo8 = {1, 2, 3, 4, 5, 6, 7, 8};
TEST(QX8_GEMM_4X8C2, k_eq_2) { check_qgemm_i16(k4x8c2, {4}, {8}, {2}, 21); }
TEST(QX8_GEMM_4X8C2, k_eq_2_subtile) { check_qgemm_i16(k4x8c2, kUpTo4, kUpTo8, {2}, 22); }
TEST(QX8_GEMM_4X8C2, k_lt_2) { check_qgemm_i16(k4x8c2, kUpTo4, kUpTo8, {1}, 23); }
TEST(QX8_GEMM_4X8C2, k_gt_2) { check_qgemm_i16(k4x8c2, {4}, {8}, kernel_test::lengths_gt(2), 24); }
TEST(QX8_GEMM_4X8C2, k_gt_2_subtile) { check_qgemm_i16(k4x8c2, kUpTo4, kUpTo8, kernel_test::lengths_gt(2), 25); }
TEST(QX8_GEMM_4X8C2, k_small_k) { check_qgemm_i16(k4x8c2, {4}, {8}, {16, 24, 27, 31, 32}, 26); }
TEST(QX8_GEMM_4X8C2, k_up_to_max) { check_qgemm_i16(k4x8c2, {4, 5}, {8, 11}, {33, 40, 53, 58, 64, 95, 96}, 29); }
TEST(QX8_GEMM_4X8C2, n_gt_8) { check_qgemm_i16(k4x8c2, {1, 4}, {9, 13, 15, 24, 53}, {1, 3, 16, 27}, 27); }
TEST(QX8_GEMM_4X8C2, m_gt_4) { check_qgemm_i16(k4x8c2, {5, 6, 7, 8, 13, 17, 33}, {1, 8, 19}, {1, 3, 16, 27}, 28); }

// The relaxed-SIMD 2x16c4 GEMM (through the kernel table, which holds it only when the engine's
// relaxed dot product is exact) against its ref in the same activation domain, and both against
// a naive sum: int8 and uint8 activations, leftovers in m, n and k, strides, per-tensor scales.
// (tests/e2e/kernels_relaxed.test.mjs looks for this test's name and its "relaxed kernels:" line.)
TEST(QGemm2x16c4Kernel, RelaxedMatchesRefAndNaive) {
  const KernelTable* table = nullptr;
  for (Isa isa : {Isa::kWasmRelaxedUsdot, Isa::kWasmRelaxedSdot}) {
    if (kernels_for(isa)) table = kernels_for(isa);
  }
  if (!table) GTEST_SKIP() << "no relaxed-SIMD kernels in this build or engine";
  std::printf("relaxed kernels: %s (%s)\n", isa_name(table->isa), table->qgemm.name);
  const QGemmUkernel& uk = table->qgemm;
  const bool usdot = uk.domain == ActDomain::kUnsigned;
  std::mt19937 rng(4321);
  const size_t ms[] = {1, 2, 3, 4, 5, 7, 13, 33};
  const size_t ns[] = {1, 3, 4, 10, 12, 15, 16, 17, 24, 27, 33};  // last tiles of 1-4, 5-8, 9-12 and 13-16
  const size_t ks[] = {1, 3, 4, 5, 8, 27, 64, 75};
  int cases = 0, bounded_cases = 0;
  for (size_t m : ms) {
    for (size_t n : ns) {
      for (size_t k : ks) {
        const GemmCase g = gemm_case(m, n, k, (cases % 2) == 1, cases);
        ++cases;
        std::vector<uint8_t> a = random_bytes(rng, m * g.a_stride);
        std::vector<uint8_t> w = random_bytes(rng, n * k);
        std::vector<int32_t> wzp(n, 0);
        if (g.is_unsigned) {
          for (size_t c = 0; c < n; ++c) wzp[c] = 128;  // uint8 weights centred: w - 128 fits int8
        }
        std::vector<uint8_t> packed(uk.packed_bytes(n, k), 0x5A);
        std::vector<int32_t> row_sums(n);
        ASSERT_TRUE(uk.pack(n, k, w.data(), g.is_unsigned, wzp.data(), packed.data(), row_sums.data()));
        const int32_t shift = activation_shift(uk.domain, g.is_unsigned);
        std::vector<int32_t> bias(round_up_multiple(n, uk.nr), 0);
        for (size_t c = 0; c < n; ++c) bias[c] = rand_int(rng, -20000, 20000);
        // The kernel adds `shift` to every activation: fold -shift * row_sum into its bias.
        std::vector<int32_t> folded = bias;
        for (size_t c = 0; c < n; ++c) folded[c] -= shift * row_sums[c];
        RandomRequant rq(rng, g.is_unsigned, n, uk.nr, k, g.per_tensor);
        bounded_cases += rq.params.rq.bounded;
        std::vector<uint8_t> c_ref(m * g.c_stride, 0xA5), c_simd(m * g.c_stride, 0xA5);
        const int8_t* pw = reinterpret_cast<const int8_t*>(packed.data());
        if (usdot) {
          qx8_gemm_2x16c4_usdot_ref(m, n, k, a.data(), g.a_stride, pw, folded.data(), c_ref.data(), g.c_stride,
                                    rq.params);
        } else {
          qx8_gemm_2x16c4_sdot_ref(m, n, k, a.data(), g.a_stride, pw, folded.data(), c_ref.data(), g.c_stride,
                                   rq.params);
        }
        // The SIMD kernel takes the activations flipped into its domain by the caller (as im2col
        // and the row copy do): a_xor = 0x80 where the kernel reads the other signedness.
        std::vector<uint8_t> a_domain(a);
        QConvParams pre = rq.params;
        if (shift != 0) {
          for (uint8_t& v : a_domain) v ^= 0x80;
          pre.a_xor = 0x80;
        }
        uk.run(m, n, k, a_domain.data(), g.a_stride, packed.data(), folded.data(), c_simd.data(), g.c_stride, pre);
        ASSERT_EQ(c_ref, c_simd) << "m=" << m << " n=" << n << " k=" << k << " unsigned=" << g.is_unsigned;
        ASSERT_NO_FATAL_FAILURE(expect_naive(g, a, w, wzp, bias, rq, c_ref));
      }
    }
  }
  EXPECT_EQ(cases, 8 * 11 * 8);
  EXPECT_GT(bounded_cases, 200);  // the rounding-first output stage is covered too
}

// The 2x16c4 packer refuses weights that do not fit int8 after the zero point (the op then falls
// back to the general kernel).
TEST(QX8_GEMM_2X16C4_PACK, refuses_weights_outside_int8) {
  const uint8_t w[4] = {0, 10, 200, 255};
  const int32_t zp_fit[1] = {128}, zp_far[1] = {0};
  std::vector<int8_t> packed(qx8_gemm_2x16c4_packed_bytes(1, 4));
  int32_t row_sum = 0;
  EXPECT_TRUE(qx8_gemm_2x16c4_pack(1, 4, w, true, zp_fit, packed.data(), &row_sum));
  EXPECT_EQ(row_sum, (0 - 128) + (10 - 128) + (200 - 128) + (255 - 128));
  EXPECT_FALSE(qx8_gemm_2x16c4_pack(1, 4, w, true, zp_far, packed.data(), &row_sum));
}

// The process's table is the best one this build and engine offer.
TEST(KERNEL_TABLE, process_table_is_the_best_available) {
  Isa best = Isa::kRef;
  for (Isa isa : {Isa::kRef, Isa::kWasmSimd, Isa::kWasmRelaxedUsdot, Isa::kWasmRelaxedSdot}) {
    if (kernels_for(isa)) best = isa;
  }
  EXPECT_EQ(kernels().isa, best);
#ifdef __wasm_simd128__
  ASSERT_NE(kernels_for(Isa::kWasmSimd), nullptr);
  EXPECT_STREQ(kernels_for(Isa::kWasmSimd)->qgemm.name, "qx8_gemm_2x4c8_wasmsimd");
#endif
  EXPECT_FALSE(kernels_for(Isa::kWasmRelaxedUsdot) && kernels_for(Isa::kWasmRelaxedSdot))
      << "an engine has one reading of the i7 operand";
}

// The float 4x8 GEMM on every (m, n, k) of the lists, clamped to [0, 6], [-inf, 1] or not at all:
// the ref against a direct sum and, in the wasm build, the SIMD kernel against the ref.
void check_f32_gemm_4x8(const std::vector<size_t>& ms, const std::vector<size_t>& ns, const std::vector<size_t>& ks,
                        uint32_t seed) {
  std::mt19937 rng(seed);
  int cases = 0;
  for (size_t m : ms) {
    for (size_t n : ns) {
      for (size_t k : ks) {
        ++cases;
        const size_t a_stride = k + (cases % 3);
        const size_t c_stride = n + (cases % 2);
        std::vector<float> a = random_floats(rng, m * a_stride, -2.0f, 2.0f);
        std::vector<float> w = random_floats(rng, n * k, -1.0f, 1.0f);
        std::vector<float> packed(round_up_multiple(n, kFGemmNR) * k, 7.0f);
        f32_gemm_4x8_pack(n, k, w.data(), packed.data());
        std::vector<float> bias = random_floats(rng, round_up_multiple(n, kFGemmNR), -1.0f, 1.0f);
        const float lo = (cases % 3 == 0) ? 0.0f : -INFINITY;
        const float hi = (cases % 3 == 0) ? 6.0f : (cases % 3 == 1 ? 1.0f : INFINITY);
        std::vector<float> c_ref(m * c_stride, 42.0f);
        f32_gemm_4x8_ref(m, n, k, a.data(), a_stride, packed.data(), bias.data(), c_ref.data(), c_stride, lo, hi);
        for (size_t r = 0; r < m; ++r) {
          for (size_t ch = 0; ch < c_stride; ++ch) {
            if (ch >= n) {
              ASSERT_EQ(c_ref[r * c_stride + ch], 42.0f) << "wrote past n";
              continue;
            }
            float acc = bias[ch];
            for (size_t i = 0; i < k; ++i) acc += a[r * a_stride + i] * w[ch * k + i];
            acc = std::min(std::max(acc, lo), hi);
            ASSERT_NEAR(c_ref[r * c_stride + ch], acc, 1e-4f) << "m=" << m << " n=" << n << " k=" << k;
          }
        }
#ifdef __wasm_simd128__
        std::vector<float> c_simd(m * c_stride, 42.0f);
        f32_gemm_4x8_wasmsimd(m, n, k, a.data(), a_stride, packed.data(), bias.data(), c_simd.data(), c_stride, lo, hi);
        ASSERT_NO_FATAL_FAILURE(expect_same_bytes(
            c_ref, c_simd, "m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k)));
#endif
      }
    }
  }
}

TEST(F32_GEMM_4X8, n_eq_8) { check_f32_gemm_4x8(kUpTo4, {8}, {1, 2, 5, 27}, 99); }
TEST(F32_GEMM_4X8, n_lt_8) { check_f32_gemm_4x8({1, 4}, kernel_test::lengths_lt(8), {1, 5, 27}, 100); }
TEST(F32_GEMM_4X8, n_gt_8) { check_f32_gemm_4x8({1, 4}, kernel_test::lengths_gt(8), {1, 5, 27}, 101); }
TEST(F32_GEMM_4X8, n_div_8) { check_f32_gemm_4x8({4}, {16, 24}, {1, 8, 75}, 102); }
TEST(F32_GEMM_4X8, m_gt_4) { check_f32_gemm_4x8({5, 9, 17, 21}, {3, 8, 19}, {2, 27, 75}, 103); }

// A random depthwise geometry (possibly a 1x1 map) with padding that keeps at least one output.
ConvGeometry random_geometry(std::mt19937& rng) {
  ConvGeometry g;
  g.in_h = rand_int(rng, 1, 9);
  g.in_w = rand_int(rng, 1, 9);
  g.kernel_h = rand_int(rng, 1, 5);
  g.kernel_w = rand_int(rng, 1, 5);
  g.stride_h = rand_int(rng, 1, 2);
  g.stride_w = rand_int(rng, 1, 2);
  g.dilation_h = rand_int(rng, 1, 2);
  g.dilation_w = rand_int(rng, 1, 2);
  const size_t eff_h = (g.kernel_h - 1) * g.dilation_h + 1, eff_w = (g.kernel_w - 1) * g.dilation_w + 1;
  g.pad_top = rand_int(rng, 0, 2);
  g.pad_left = rand_int(rng, 0, 2);
  const size_t span_h = g.in_h + 2 * g.pad_top, span_w = g.in_w + 2 * g.pad_left;
  if (span_h < eff_h) g.pad_top += (eff_h - span_h + 1) / 2;
  if (span_w < eff_w) g.pad_left += (eff_w - span_w + 1) / 2;
  g.out_h = (g.in_h + 2 * g.pad_top - eff_h) / g.stride_h + 1;
  g.out_w = (g.in_w + 2 * g.pad_left - eff_w) / g.stride_w + 1;
  return g;
}

// One tap-pair depthwise case: random input, weights (int8 or uint8 range), bias, input zero point
// and requantization on geometry `g` with `c` channels; the ref (input zero point folded into the
// bias) and, in the wasm build, the SIMD kernel against the general ref that subtracts the zero
// point tap by tap, bit for bit. Returns the general ref's output; *full_range: whether the
// output clamp is the whole 8-bit range.
std::vector<uint8_t> check_qdwconv_c8p2_case(std::mt19937& rng, size_t c, const ConvGeometry& g, bool is_unsigned,
                                             bool per_tensor, bool* full_range = nullptr) {
  const size_t cp = round_up_multiple(c, kDwChannelBlock), taps = g.kernel_h * g.kernel_w;
  std::vector<uint8_t> in = random_bytes(rng, g.in_h * g.in_w * c);
  std::vector<int16_t> w(taps * cp, 0);
  for (size_t t = 0; t < taps; ++t) {
    for (size_t ch = 0; ch < c; ++ch) {
      w[t * cp + ch] = static_cast<int16_t>(rand_int(rng, is_unsigned ? -255 : -127, is_unsigned ? 255 : 127));
    }
  }
  std::vector<int32_t> bias(cp, 0);
  for (size_t ch = 0; ch < c; ++ch) bias[ch] = rand_int(rng, -5000, 5000);
  const int32_t in_zp = is_unsigned ? rand_int(rng, 0, 255) : rand_int(rng, -128, 127);
  RandomRequant rq(rng, is_unsigned, c, kDwChannelBlock, taps, per_tensor);
  if (full_range) *full_range = rq.params.rq.qmax - rq.params.rq.qmin == 255;
  std::vector<int16_t> packed(qx8_dwconv_c8p2_packed_size(c, taps), 7);
  std::vector<int32_t> folded(cp, 0);
  qx8_dwconv_c8p2_pack(c, taps, w.data(), bias.data(), in_zp, packed.data(), folded.data());
  const std::vector<uint8_t> zero_row(c + kDwZeroRowSlack, static_cast<uint8_t>(in_zp));
  std::vector<uint8_t> o_ref(g.out_h * g.out_w * c, 1), o_p2(g.out_h * g.out_w * c, 2);
  qx8_dwconv_c8_ref(in.data(), c, 1, g, w.data(), bias.data(), in_zp, o_ref.data(), rq.params);
  qx8_dwconv_c8p2_ref(in.data(), c, g, packed.data(), folded.data(), zero_row.data(), o_p2.data(), rq.params);
  EXPECT_EQ(o_ref, o_p2) << "p2 ref, c=" << c;
#ifdef __wasm_simd128__
  std::vector<uint8_t> o_simd(g.out_h * g.out_w * c, 3);
  qx8_dwconv_c8p2_wasmsimd(in.data(), c, g, packed.data(), folded.data(), zero_row.data(), o_simd.data(), rq.params);
  EXPECT_EQ(o_ref, o_simd) << "c=" << c << " in " << g.in_h << "x" << g.in_w << " k " << g.kernel_h << "x"
                           << g.kernel_w << " s " << g.stride_h << "x" << g.stride_w << " d " << g.dilation_h;
#endif
  return o_ref;
}

// The tap-pair depthwise kernels on 20 random geometries (kernels 1x1 to 5x5, strides, dilations,
// padding, 1x1 maps) per channel count.
void check_qdwconv_c8p2(const std::vector<size_t>& channels) {
  std::mt19937 rng(7 + static_cast<uint32_t>(channels[0]));
  int eligible = 0, varied_cases = 0, iter = 0;
  for (size_t c : channels) {
    for (int rep = 0; rep < 20; ++rep, ++iter) {
      const ConvGeometry g = random_geometry(rng);
      bool full_range = false;
      const std::vector<uint8_t> o_ref = check_qdwconv_c8p2_case(rng, c, g, iter % 2 == 0, iter % 4 == 0, &full_range);
      if (::testing::Test::HasFailure()) return;
      // Count cases whose outputs vary (the test must not compare constant planes).
      if (o_ref.size() > 8 && full_range) {
        ++eligible;
        bool varied = false;
        for (uint8_t v : o_ref) varied |= v != o_ref[0];
        varied_cases += varied;
      }
    }
  }
  EXPECT_GT(eligible * 4, iter);
  EXPECT_GE(varied_cases * 10, eligible * 9);
}
FD_KERNEL_EDGE_TESTS(QX8_DWCONV_C8P2, c, 8, check_qdwconv_c8p2)

// Larger maps, where rows hold runs of windows inside the image (the SIMD kernel computes two
// such windows at a time): 3x3 and 5x5, strides 1 and 2, dilation 2, odd widths, channel counts
// around the blocks.
TEST(QX8_DWCONV_C8P2, interior_runs) {
  std::mt19937 rng(77);
  for (const size_t c : {1, 8, 13, 16, 24, 29}) {
    for (int rep = 0; rep < 8; ++rep) {
      ConvGeometry g;
      g.in_h = rand_int(rng, 6, 13);
      g.in_w = rand_int(rng, 6, 17);
      g.kernel_h = g.kernel_w = rep % 4 == 3 ? 5 : 3;
      g.stride_h = g.stride_w = rep % 3 == 2 ? 2 : 1;
      g.dilation_h = g.dilation_w = rep == 5 ? 2 : 1;
      g.pad_top = g.pad_left = rand_int(rng, 0, 2);
      const size_t eff = (g.kernel_w - 1) * g.dilation_w + 1;
      g.out_h = (g.in_h + 2 * g.pad_top - eff) / g.stride_h + 1;
      g.out_w = (g.in_w + 2 * g.pad_left - eff) / g.stride_w + 1;
      check_qdwconv_c8p2_case(rng, c, g, rep % 2 == 1, false);
      if (HasFailure()) return;
    }
  }
}

// The relaxed-SIMD depthwise kernel (from the kernel table, present only where the engine's
// relaxed dot product is exact) against its ref in the same domain and against the general ref.
// (tests/e2e/kernels_relaxed.test.mjs looks for this test's name.)
TEST(QDwconvKernel, RelaxedMatchesRefs) {
  const KernelTable* table = nullptr;
  for (Isa isa : {Isa::kWasmRelaxedUsdot, Isa::kWasmRelaxedSdot}) {
    if (kernels_for(isa)) table = kernels_for(isa);
  }
  if (!table) GTEST_SKIP() << "no relaxed-SIMD kernels in this build or engine";
  const QDwconvUkernel& uk = table->qx8_dwconv_m1;
  std::printf("relaxed depthwise: %s\n", uk.name);
  std::mt19937 rng(11);
  const size_t channels[] = {1, 3, 8, 15, 16, 17, 24, 32, 45, 58};
  for (int iter = 0; iter < 200; ++iter) {
    const size_t c = channels[iter % 10];
    const bool is_unsigned = iter % 2 == 0;
    const ConvGeometry g = random_geometry(rng);
    const size_t taps = g.kernel_h * g.kernel_w;
    const size_t cp = round_up_multiple(c, kDwChannelBlock);
    std::vector<uint8_t> in = random_bytes(rng, g.in_h * g.in_w * c);
    std::vector<int16_t> w(taps * cp, 0);
    for (size_t t = 0; t < taps; ++t) {
      for (size_t ch = 0; ch < c; ++ch) w[t * cp + ch] = static_cast<int16_t>(rand_int(rng, -128, 127));
    }
    std::vector<int32_t> bias(round_up_multiple(c, kDwQuadBlock), 0);
    for (size_t ch = 0; ch < c; ++ch) bias[ch] = rand_int(rng, -5000, 5000);
    const int32_t in_zp = is_unsigned ? rand_int(rng, 0, 255) : rand_int(rng, -128, 127);
    RandomRequant rq(rng, is_unsigned, c, kDwQuadBlock, taps, iter % 4 == 0);
    std::vector<uint8_t> packed(uk.packed_bytes(c, taps), 0x5A);
    std::vector<int32_t> folded(round_up_multiple(c, uk.channel_block), 0);
    ASSERT_TRUE(uk.pack(c, taps, w.data(), bias.data(), in_zp + activation_shift(uk.domain, is_unsigned),
                        packed.data(), folded.data()));
    const std::vector<uint8_t> zero_row(c + kDwZeroRowSlack, static_cast<uint8_t>(in_zp));
    std::vector<uint8_t> o_general(g.out_h * g.out_w * c, 1), o_ref(g.out_h * g.out_w * c, 2), o_simd(g.out_h * g.out_w * c, 3);
    qx8_dwconv_c8_ref(in.data(), c, 1, g, w.data(), bias.data(), in_zp, o_general.data(), rq.params);
    const int8_t* pw = reinterpret_cast<const int8_t*>(packed.data());
    if (uk.domain == ActDomain::kUnsigned) {
      qx8_dwconv_c16q4_usdot_ref(in.data(), c, g, pw, folded.data(), zero_row.data(), o_ref.data(), rq.params);
    } else {
      qx8_dwconv_c16q4_sdot_ref(in.data(), c, g, pw, folded.data(), zero_row.data(), o_ref.data(), rq.params);
    }
    uk.run(in.data(), c, g, packed.data(), folded.data(), zero_row.data(), o_simd.data(), rq.params);
    ASSERT_EQ(o_general, o_ref) << "ref vs general ref, iter " << iter << " c=" << c;
    ASSERT_EQ(o_ref, o_simd) << "iter " << iter << " c=" << c << " k " << g.kernel_h << "x" << g.kernel_w;
  }
}

// A 3x3 stride-1 geometry: image sizes from 1x1 to max_side, padding 0 or 1 on each side (so
// windows cross every edge, or none).
ConvGeometry random_3x3s1_geometry(std::mt19937& rng, int max_side) {
  ConvGeometry g;
  g.kernel_h = g.kernel_w = 3;
  g.in_h = static_cast<size_t>(rand_int(rng, 1, max_side));
  g.in_w = static_cast<size_t>(rand_int(rng, 1, max_side));
  g.pad_top = static_cast<size_t>(rand_int(rng, 0, 1));
  g.pad_left = static_cast<size_t>(rand_int(rng, 0, 1));
  size_t pad_bottom = static_cast<size_t>(rand_int(rng, 0, 1)), pad_right = static_cast<size_t>(rand_int(rng, 0, 1));
  if (g.in_h + g.pad_top + pad_bottom < 3) g.pad_top = pad_bottom = 1;
  if (g.in_w + g.pad_left + pad_right < 3) g.pad_left = pad_right = 1;
  g.out_h = g.in_h + g.pad_top + pad_bottom - 2;
  g.out_w = g.in_w + g.pad_left + pad_right - 2;
  return g;
}

// A sliding 3x3 kernel's output `o_simd` against the ref's `o_ref` for case `iter` (c channels on
// g); *varied counts the cases whose output is not constant.
void check_3x3s1_case(const std::vector<uint8_t>& o_ref, const std::vector<uint8_t>& o_simd, int iter, size_t c,
                      const ConvGeometry& g, int* varied) {
  ASSERT_EQ(o_ref, o_simd) << "iter " << iter << " c=" << c << " in " << g.in_h << "x" << g.in_w << " out "
                           << g.out_h << "x" << g.out_w << " pad " << g.pad_top << "," << g.pad_left;
  bool any = false;
  for (uint8_t v : o_ref) any |= v != o_ref[0];
  *varied += any;
}

// The sliding 3x3 tests' cases: 120 of them over channel counts 16-96 with and without a partial
// block, alternating activation types, random stride-1 geometries up to `max_side` pixels and
// random input; one(rng, iter, c, is_unsigned, g, in, &varied) checks each (check_3x3s1_case), and
// at least 90 must have outputs that vary.
template <typename F>
void for_3x3s1_cases(uint32_t seed, int max_side, F one) {
  std::mt19937 rng(seed);
  const size_t channels[] = {16, 17, 24, 31, 32, 45, 58, 64, 96};
  int varied = 0;
  for (int iter = 0; iter < 120; ++iter) {
    const size_t c = channels[iter % 9];
    const bool is_unsigned = iter % 2 == 0;
    const ConvGeometry g = random_3x3s1_geometry(rng, max_side);
    ASSERT_TRUE(dw_3x3s1_eligible(g, c));
    const std::vector<uint8_t> in = random_bytes(rng, g.in_h * g.in_w * c);
    ASSERT_NO_FATAL_FAILURE(one(rng, iter, c, is_unsigned, g, in, &varied));
  }
  EXPECT_GE(varied, 90);
}

// Weights of a 3x3 depthwise filter for `c` channels in rows of `cp` ([tap, cp], the padding
// channels 0), each in [lo, hi], drawn tap by tap.
std::vector<int16_t> random_3x3_taps(std::mt19937& rng, size_t c, size_t cp, int lo, int hi) {
  std::vector<int16_t> w(9 * cp, 0);
  for (size_t t = 0; t < 9; ++t) {
    for (size_t ch = 0; ch < c; ++ch) w[t * cp + ch] = static_cast<int16_t>(rand_int(rng, lo, hi));
  }
  return w;
}

// The relaxed kernel's sliding 3x3 stride-1 form, weights packed from the taps in
// kDw3x3s1QuadOrder, against the tap-quad ref with the row-major packing, bit for bit: random
// 3x3 stride-1 geometries, channel counts with and without a partial last block, both activation
// types.
// (tests/e2e/kernels_relaxed.test.mjs looks for this test's name.)
TEST(QDwconvKernel, Relaxed3x3Stride1MatchesRef) {
  const KernelTable* table = nullptr;
  for (Isa isa : {Isa::kWasmRelaxedUsdot, Isa::kWasmRelaxedSdot}) {
    if (kernels_for(isa)) table = kernels_for(isa);
  }
  if (!table) GTEST_SKIP() << "no relaxed-SIMD kernels in this build or engine";
  const QDwconvUkernel& uk = table->qx8_dwconv_m1;
  ASSERT_NE(uk.run_3x3s1, nullptr);
  for_3x3s1_cases(13, 12, [&](std::mt19937& rng, int iter, size_t c, bool is_unsigned, const ConvGeometry& g,
                               const std::vector<uint8_t>& in, int* varied_cases) {
    const size_t cp = round_up_multiple(c, kDwChannelBlock);
    const std::vector<int16_t> w = random_3x3_taps(rng, c, cp, -128, 127);
    std::vector<int16_t> w12(12 * cp);
    dw_3x3_ordered_taps(cp, w.data(), kDw3x3s1QuadOrder, 12, w12.data());
    std::vector<int32_t> bias(round_up_multiple(c, kDwQuadBlock), 0);
    for (size_t ch = 0; ch < c; ++ch) bias[ch] = rand_int(rng, -5000, 5000);
    const int32_t in_zp = is_unsigned ? rand_int(rng, 0, 255) : rand_int(rng, -128, 127);
    RandomRequant rq(rng, is_unsigned, c, kDwQuadBlock, 9, iter % 4 == 0);
    const int32_t zp = in_zp + activation_shift(uk.domain, is_unsigned);
    std::vector<uint8_t> packed(uk.packed_bytes(c, 9), 0x5A), packed12(uk.packed_bytes(c, 12), 0x5A);
    std::vector<int32_t> folded(round_up_multiple(c, uk.channel_block), 0), folded12(folded.size(), 0);
    ASSERT_TRUE(uk.pack(c, 9, w.data(), bias.data(), zp, packed.data(), folded.data()));
    ASSERT_TRUE(uk.pack(c, 12, w12.data(), bias.data(), zp, packed12.data(), folded12.data()));
    const std::vector<uint8_t> zero_row(c + kDwZeroRowSlack, static_cast<uint8_t>(in_zp));
    std::vector<uint8_t> o_ref(g.out_h * g.out_w * c, 2), o_simd(g.out_h * g.out_w * c, 3);
    const int8_t* pw = reinterpret_cast<const int8_t*>(packed.data());
    if (uk.domain == ActDomain::kUnsigned) {
      qx8_dwconv_c16q4_usdot_ref(in.data(), c, g, pw, folded.data(), zero_row.data(), o_ref.data(), rq.params);
    } else {
      qx8_dwconv_c16q4_sdot_ref(in.data(), c, g, pw, folded.data(), zero_row.data(), o_ref.data(), rq.params);
    }
    uk.run_3x3s1(in.data(), c, g, packed12.data(), folded12.data(), zero_row.data(), o_simd.data(), rq.params);
    ASSERT_NO_FATAL_FAILURE(check_3x3s1_case(o_ref, o_simd, iter, c, g, varied_cases));
  });
}

// The SIMD128 kernel's sliding 3x3 stride-1 form, weights packed from the taps in
// kDw3x3s1PairOrder, against the tap-pair ref with the row-major packing, bit for bit: random 3x3
// stride-1 geometries up to 20 pixels wide (odd and even output widths, interior pairs and edge
// pairs), channel counts with and without a partial last block, weights in the int8 and the
// uint8 range, both activation types.
TEST(QDwconvKernel, Simd3x3Stride1MatchesRef) {
  const KernelTable* table = kernels_for(Isa::kWasmSimd);
  if (!table) GTEST_SKIP() << "no SIMD128 kernels in this build";
  const QDwconvUkernel& uk = table->qx8_dwconv_m1_general;
  ASSERT_NE(uk.run_3x3s1, nullptr);
  ASSERT_EQ(uk.taps_3x3s1, 9u);
  for_3x3s1_cases(17, 20, [&](std::mt19937& rng, int iter, size_t c, bool is_unsigned, const ConvGeometry& g,
                               const std::vector<uint8_t>& in, int* varied_cases) {
    const size_t cp = round_up_multiple(c, kDwChannelBlock);
    const std::vector<int16_t> w = random_3x3_taps(rng, c, cp, is_unsigned ? -255 : -128, is_unsigned ? 255 : 127);
    std::vector<int16_t> w9(9 * cp);
    dw_3x3_ordered_taps(cp, w.data(), kDw3x3s1PairOrder, 9, w9.data());
    std::vector<int32_t> bias(cp, 0);
    for (size_t ch = 0; ch < c; ++ch) bias[ch] = rand_int(rng, -5000, 5000);
    const int32_t in_zp = is_unsigned ? rand_int(rng, 0, 255) : rand_int(rng, -128, 127);
    RandomRequant rq(rng, is_unsigned, c, kDwChannelBlock, 9, iter % 4 == 0);
    std::vector<int16_t> packed(qx8_dwconv_c8p2_packed_size(c, 9), 7);
    std::vector<uint8_t> packed9(uk.packed_bytes(c, 9), 0x5A);
    std::vector<int32_t> folded(cp, 0), folded9(cp, 0);
    qx8_dwconv_c8p2_pack(c, 9, w.data(), bias.data(), in_zp, packed.data(), folded.data());
    ASSERT_TRUE(uk.pack(c, 9, w9.data(), bias.data(), in_zp, packed9.data(), folded9.data()));
    const std::vector<uint8_t> zero_row(c + kDwZeroRowSlack, static_cast<uint8_t>(in_zp));
    std::vector<uint8_t> o_ref(g.out_h * g.out_w * c, 2), o_simd(g.out_h * g.out_w * c, 3);
    qx8_dwconv_c8p2_ref(in.data(), c, g, packed.data(), folded.data(), zero_row.data(), o_ref.data(), rq.params);
    uk.run_3x3s1(in.data(), c, g, packed9.data(), folded9.data(), zero_row.data(), o_simd.data(), rq.params);
    ASSERT_NO_FATAL_FAILURE(check_3x3s1_case(o_ref, o_simd, iter, c, g, varied_cases));
  });
}

// The int8 tap-quad packer refuses weights outside int8 (uint8 models' w - w_zp can reach 255).
TEST(QX8_DWCONV_C16Q4_PACK, refuses_weights_outside_int8) {
  const int16_t w[8] = {200, 0, 0, 0, 0, 0, 0, 0};
  const int32_t bias[16] = {};
  std::vector<int8_t> packed(qx8_dwconv_c16q4_packed_bytes(1, 1));
  std::vector<int32_t> out(16);
  EXPECT_FALSE(qx8_dwconv_c16q4_pack(1, 1, w, bias, 0, packed.data(), out.data()));
  const int16_t fit[8] = {-128, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(qx8_dwconv_c16q4_pack(1, 1, fit, bias, 3, packed.data(), out.data()));
  EXPECT_EQ(out[0], 3 * 128);
}

#ifdef __wasm_simd128__
// A 3x3 window on a 7x9 image padded by 1, stride and dilation 1 or 2 (from `variant`'s bits).
ConvGeometry padded_3x3(int variant) {
  ConvGeometry g;
  g.in_h = 7;
  g.in_w = 9;
  g.kernel_h = g.kernel_w = 3;
  g.stride_h = g.stride_w = 1 + (variant & 1);
  g.dilation_h = g.dilation_w = 1 + ((variant >> 1) & 1);
  g.pad_top = g.pad_left = 1;
  const size_t eff = 2 * g.dilation_h + 1;
  g.out_h = (g.in_h + 2 - eff) / g.stride_h + 1;
  g.out_w = (g.in_w + 2 - eff) / g.stride_w + 1;
  return g;
}

// The float depthwise kernel, depth multiplier 1, SIMD against ref bit-exactly: per channel count
// the four padded_3x3 geometries (whose interior windows take the unrolled 3x3 path) and 10
// random ones, clamped or not.
void check_f32_dwconv_c8(const std::vector<size_t>& channels) {
  std::mt19937 rng(11 + static_cast<uint32_t>(channels[0]));
  int iter = 0;
  for (size_t c : channels) {
    for (int rep = 0; rep < 14; ++rep, ++iter) {
      const ConvGeometry g = rep < 4 ? padded_3x3(rep) : random_geometry(rng);
      const size_t cp = round_up_multiple(c, kDwChannelBlock);
      std::vector<float> in = random_floats(rng, g.in_h * g.in_w * c, -3.0f, 3.0f);
      std::vector<float> w = random_floats(rng, g.kernel_h * g.kernel_w * cp, -1.0f, 1.0f);
      std::vector<float> bias = random_floats(rng, cp, -0.5f, 0.5f);
      const float lo = iter % 2 ? 0.0f : -INFINITY, hi = iter % 3 ? 6.0f : INFINITY;
      std::vector<float> o_ref(g.out_h * g.out_w * c, 1), o_simd(g.out_h * g.out_w * c, 2);
      f32_dwconv_c8_ref(in.data(), c, 1, g, w.data(), bias.data(), o_ref.data(), lo, hi);
      f32_dwconv_c8_wasmsimd(in.data(), c, 1, g, w.data(), bias.data(), o_simd.data(), lo, hi);
      ASSERT_NO_FATAL_FAILURE(
          expect_same_bytes(o_ref, o_simd, "c=" + std::to_string(c) + " iter " + std::to_string(iter)));
    }
  }
}
FD_KERNEL_EDGE_TESTS(F32_DWCONV_C8_REF_VS_WASMSIMD, c, 8, check_f32_dwconv_c8)
#endif  // __wasm_simd128__

TEST(X8_IM2COL_REF, fills_taps_and_padding) {
  // 3x3 image, 2 bytes per pixel, 2x2 kernel, stride 2, pad 1: output 2x2.
  std::vector<uint8_t> in(3 * 3 * 2);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(10 + i);
  ConvGeometry g;
  g.in_h = g.in_w = 3;
  g.kernel_h = g.kernel_w = 2;
  g.stride_h = g.stride_w = 2;
  g.pad_top = g.pad_left = 1;
  g.out_h = g.out_w = 2;
  // Rows of 8 bytes padded to a stride of 10.
  std::vector<uint8_t> out(4 * 10, 0);
  x8_im2col_ref(in.data(), 2, g, 0, 4, 0xEE, 10, out.data());
  // Output pixel (0, 0): taps (-1,-1) (-1,0) (0,-1) pad, (0,0) = pixel 0, then 2 stride bytes.
  const std::vector<uint8_t> row0 = {0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 10, 11, 0xEE, 0xEE};
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + 10), row0);
  // Output pixel (1, 1): taps (1,1) (1,2) (2,1) (2,2) = pixels 4, 5, 7, 8.
  const std::vector<uint8_t> row3 = {18, 19, 20, 21, 24, 25, 26, 27, 0xEE, 0xEE};
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 30, out.end()), row3);
  // One row only: output pixel 2 = (1, 0), taps (1,-1) pad, (1,0) = pixel 3, (2,-1) pad, (2,0) = pixel 6.
  std::vector<uint8_t> one(8, 0);
  x8_im2col_ref(in.data(), 2, g, 2, 1, 0xEE, 8, one.data());
  const std::vector<uint8_t> row2 = {0xEE, 0xEE, 16, 17, 0xEE, 0xEE, 22, 23};
  EXPECT_EQ(one, row2);
}

// im2col against a tap-by-tap naive copy on 75 random geometries with pixels of [pb_lo, pb_hi]
// bytes: kernels 1..5, strides, dilations and paddings that put windows across every edge.
void check_x8_im2col(int pb_lo, int pb_hi, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int c = 0; c < 75; ++c) {
    ConvGeometry g;
    const size_t pb = static_cast<size_t>(rand_int(rng, pb_lo, pb_hi));
    g.in_h = static_cast<size_t>(rand_int(rng, 1, 9));
    g.in_w = static_cast<size_t>(rand_int(rng, 1, 9));
    g.kernel_h = static_cast<size_t>(rand_int(rng, 1, 5));
    g.kernel_w = static_cast<size_t>(rand_int(rng, 1, 5));
    g.stride_h = static_cast<size_t>(rand_int(rng, 1, 3));
    g.stride_w = static_cast<size_t>(rand_int(rng, 1, 3));
    g.dilation_h = static_cast<size_t>(rand_int(rng, 1, 2));
    g.dilation_w = static_cast<size_t>(rand_int(rng, 1, 2));
    g.pad_top = static_cast<size_t>(rand_int(rng, 0, 2));
    g.pad_left = static_cast<size_t>(rand_int(rng, 0, 2));
    g.out_h = static_cast<size_t>(rand_int(rng, 1, 6));
    g.out_w = static_cast<size_t>(rand_int(rng, 1, 6));
    const std::vector<uint8_t> in = random_bytes(rng, g.in_h * g.in_w * pb);
    const size_t k = g.kernel_h * g.kernel_w * pb;
    const size_t stride = k + static_cast<size_t>(rand_int(rng, 0, 9));
    const size_t pixels = g.out_h * g.out_w;
    std::vector<uint8_t> out(pixels * stride, 0x11), want(pixels * stride, 0x11);
    const uint8_t mask = c % 2 ? 0x80 : 0;  // half the cases flip every byte written
    x8_im2col_ref(in.data(), pb, g, 0, pixels, 0xEE, stride, out.data(), mask);
    for (uint8_t& v : out) v ^= mask;
    for (size_t p = 0; p < pixels; ++p) {
      const size_t oy = p / g.out_w, ox = p % g.out_w;
      uint8_t* w = want.data() + p * stride;
      for (size_t ky = 0; ky < g.kernel_h; ++ky) {
        for (size_t kx = 0; kx < g.kernel_w; ++kx) {
          const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) - static_cast<ptrdiff_t>(g.pad_top);
          const ptrdiff_t ix = static_cast<ptrdiff_t>(ox * g.stride_w + kx * g.dilation_w) - static_cast<ptrdiff_t>(g.pad_left);
          const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<ptrdiff_t>(g.in_h) && ix < static_cast<ptrdiff_t>(g.in_w);
          for (size_t b = 0; b < pb; ++b) {
            *w++ = inside ? in[(static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * pb + b] : 0xEE;
          }
        }
      }
      for (size_t b = k; b < stride; ++b) *w++ = 0xEE;
    }
    ASSERT_EQ(out, want) << "case " << c << " pixel bytes " << pb;
    // A block of rows starting anywhere (the ops build im2col rows a block at a time).
    const size_t first = static_cast<size_t>(rand_int(rng, 0, static_cast<int>(pixels) - 1));
    const size_t count = static_cast<size_t>(rand_int(rng, 1, static_cast<int>(pixels - first)));
    std::vector<uint8_t> block(count * stride, 0x11);
    x8_im2col_ref(in.data(), pb, g, first, count, 0xEE, stride, block.data(), mask);
    for (uint8_t& v : block) v ^= mask;
    ASSERT_TRUE(std::equal(block.begin(), block.end(), want.begin() + static_cast<ptrdiff_t>(first * stride)))
        << "case " << c << " pixel bytes " << pb << " rows [" << first << ", " << first + count << ")";
  }
}

// Pixel sizes by the copy path a tap takes (runs copied in 16-, 8- or 4-byte pieces, or bytes;
// runs of 128 bytes or more without a mask by memcpy).
TEST(X8_IM2COL_REF, pixel_bytes_lt_4) { check_x8_im2col(1, 3, 77); }
TEST(X8_IM2COL_REF, pixel_bytes_lt_8) { check_x8_im2col(4, 7, 78); }
TEST(X8_IM2COL_REF, pixel_bytes_lt_16) { check_x8_im2col(8, 15, 79); }
TEST(X8_IM2COL_REF, pixel_bytes_ge_16) { check_x8_im2col(16, 20, 80); }
TEST(X8_IM2COL_REF, long_runs) { check_x8_im2col(40, 48, 81); }

TEST(WINDOW_TAP_RANGE, clips_taps_to_the_image) {
  size_t f = 0, l = 0;
  // Input 5, kernel 3, dilation 2, pad 2: output 0 starts at -2, taps at -2, 0, 2.
  window_tap_range(0, 1, 2, 2, 3, 5, &f, &l);
  EXPECT_EQ(f, 1u);
  EXPECT_EQ(l, 3u);
  // Output 4 starts at 2: taps at 2, 4, 6 -> only the first two are inside.
  window_tap_range(4, 1, 2, 2, 3, 5, &f, &l);
  EXPECT_EQ(f, 0u);
  EXPECT_EQ(l, 2u);
  // Input 1, kernel 3, pad 1: the middle tap only.
  window_tap_range(0, 2, 1, 1, 3, 1, &f, &l);
  EXPECT_EQ(f, 1u);
  EXPECT_EQ(l, 2u);
}

// The 1x1 convolution's flipped rows: every byte XORed, strides honoured, padding zeroed.
TEST(X8_XOR_ROWS_REF, flips_every_byte_and_zeroes_the_padding) {
  std::mt19937 rng(31);
  for (size_t cols : {1, 3, 16, 17, 58}) {
    const size_t rows = 5, src_stride = cols + 3, dst_stride = round_up_multiple(cols, 4) + 4;
    const std::vector<uint8_t> src = random_bytes(rng, rows * src_stride);
    std::vector<uint8_t> dst(rows * dst_stride + 1, 0x77);
    x8_xor_rows_ref(rows, cols, src.data(), src_stride, 0x80, dst.data(), dst_stride);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < dst_stride; ++c) {
        const uint8_t want = c < cols ? static_cast<uint8_t>(src[r * src_stride + c] ^ 0x80) : 0;
        ASSERT_EQ(dst[r * dst_stride + c], want) << "cols " << cols << " row " << r << " col " << c;
      }
    }
    ASSERT_EQ(dst.back(), 0x77) << "wrote past the last row";
  }
}

}  // namespace
}  // namespace fd
