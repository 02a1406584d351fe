// Pooling, reduce-sum and bilinear resize kernels. Everywhere (natively too, so under ASan +
// UBSan): the ref kernels against their contracts at the values that matter (padding, rounding
// ties, saturation). In the wasm build also: each wasmsimd kernel against its ref twin,
// bit-exactly, on seeded random NHWC shapes at the channel edges of its vector width (c_lt_N,
// c_eq_N, c_gt_N, c_div_N), each over several windows and strides, SAME and VALID padding, with
// and without an output clamp; and the window edges (a global 33x33 window, a 1x1 map).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/pooling.h"
#include "kernels/resize.h"
#include "ops/padding.h"

namespace fd {
namespace {

using kernel_test::expect_same_bytes;
using kernel_test::random_bytes;
using kernel_test::random_floats;

size_t out_size(const Pool2DParams& p) { return p.batches * p.out_h * p.out_w * p.channels; }

// A one-image pooling over [1, in_h, in_w, channels] with a VALID or SAME window (ops/padding.h).
Pool2DParams pool_params(size_t in_h, size_t in_w, size_t channels, size_t filter_h, size_t filter_w, size_t stride,
                         bool same) {
  Pool2DParams p;
  p.in_h = in_h, p.in_w = in_w, p.channels = channels;
  p.filter_h = filter_h, p.filter_w = filter_w, p.stride_h = p.stride_w = stride;
  const Padding padding = same ? Padding::kSame : Padding::kValid;
  int64_t out_h = 0, out_w = 0, pad_top = 0, pad_left = 0;
  EXPECT_TRUE(same_valid_window(padding, in_h, filter_h, stride, 1, &out_h, &pad_top));
  EXPECT_TRUE(same_valid_window(padding, in_w, filter_w, stride, 1, &out_w, &pad_left));
  p.out_h = out_h, p.out_w = out_w, p.pad_top = pad_top, p.pad_left = pad_left;
  return p;
}

// ---- ref kernels against their contracts -----------------------------------------------------

TEST(F32_MAXPOOL_REF, padded_taps_do_not_count) {
  // All inputs negative: a padded tap read as 0 would win.
  const Pool2DParams p = pool_params(3, 3, 1, 3, 3, 1, true);
  std::vector<float> in(9), out(out_size(p));
  for (size_t i = 0; i < 9; ++i) in[i] = -1.0f - static_cast<float>(i);
  f32_maxpool_ref(in.data(), out.data(), p, -INFINITY, INFINITY);
  EXPECT_EQ(out[0], -1.0f);  // taps (0,0) (0,1) (1,0) (1,1)
  EXPECT_EQ(out[8], -5.0f);  // taps (1,1) (1,2) (2,1) (2,2)
}

TEST(S8_MAXPOOL_REF, clamps_to_the_activation_range) {
  const Pool2DParams p = pool_params(1, 2, 2, 1, 2, 1, false);
  const int8_t in[4] = {-100, 120, -90, 10};  // pixel 0: channels -100, 120; pixel 1: -90, 10
  int8_t out[2];
  s8_maxpool_ref(in, out, p, -20, 90);
  EXPECT_EQ(out[0], -20);
  EXPECT_EQ(out[1], 90);
}

TEST(F32_AVGPOOL_REF, divides_by_the_in_bounds_taps) {
  const Pool2DParams p = pool_params(2, 2, 1, 2, 2, 1, true);  // SAME: the last row and column see fewer taps
  const float in[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float out[4];
  f32_avgpool_ref(in, out, p, -INFINITY, INFINITY);
  EXPECT_EQ(out[0], 2.5f);
  EXPECT_EQ(out[1], 3.0f);  // (2 + 4) / 2
  EXPECT_EQ(out[3], 4.0f);
}

TEST(QS8_AVGPOOL_REF, ties_round_away_from_zero) {
  const Pool2DParams p = pool_params(1, 2, 4, 1, 2, 1, false);  // one window of 2 taps, 4 channels
  const int8_t in[8] = {-1, 1, 3, -3, 0, 0, 0, 0};
  int8_t out[4];
  qs8_avgpool_ref(in, out, p, -128, 127);
  EXPECT_EQ(out[0], -1);  // -0.5
  EXPECT_EQ(out[1], 1);   // 0.5
  EXPECT_EQ(out[2], 2);   // 1.5
  EXPECT_EQ(out[3], -2);  // -1.5
}

TEST(QU8_AVGPOOL_REF, ties_round_up) {
  const Pool2DParams p = pool_params(1, 2, 3, 1, 2, 1, false);
  const uint8_t in[6] = {1, 5, 254, 0, 0, 255};
  uint8_t out[3];
  qu8_avgpool_ref(in, out, p, 0, 255);
  EXPECT_EQ(out[0], 1);    // 0.5
  EXPECT_EQ(out[1], 3);    // 2.5
  EXPECT_EQ(out[2], 255);  // 254.5
}

// Softmax parameters for type T over `table` with the given output scale and zero point.
template <typename T>
QuantSoftmaxParams softmax_params(const std::vector<float>& table, float output_scale, int32_t zero_point) {
  QuantSoftmaxParams p;
  p.exp_table = table.data();
  p.output_scale = output_scale;
  p.output_zero_point = zero_point;
  p.qmin = std::numeric_limits<T>::min();
  p.qmax = std::numeric_limits<T>::max();
  return p;
}

// A row of 4 equal inputs with output scale 0.5: each probability 0.25 is exactly 0.5 output
// steps. TFLite's table softmax (LiteRT.js) rounds the int8 tie away from zero and the uint8 one
// as trunc(v + 0.5f): both give 1 step, where round-to-nearest-even gave 0 (seen as one element
// of YOLOv8n's DFL softmax one step off LiteRT.js).
template <typename T, typename F>
void expect_softmax_ties_round_up(F kernel, int32_t zero_point) {
  std::vector<float> table(256);
  for (size_t d = 0; d < table.size(); ++d) table[d] = std::exp(-0.25f * static_cast<float>(d));
  const QuantSoftmaxParams p = softmax_params<T>(table, 0.5f, zero_point);
  const std::vector<T> in(4, T{7});
  std::vector<T> out(4);
  kernel(in.data(), 1, in.size(), p, out.data());
  for (T v : out) EXPECT_EQ(static_cast<int32_t>(v), zero_point + 1);
}

// A probability just below half an output step, 0.49999997 steps: int8 rounds it to 0 steps
// (std::round), where adding 0.5f and truncating gives 1 (the float sum rounds up to 1.0);
// uint8 does the latter, as TFLite does. Row [x, x - 1] with table[0] = 1 and table[1] = b,
// b found so that b / (1 + b) is that float.
template <typename T, typename F>
void expect_softmax_below_half(F kernel, int32_t zero_point, int32_t want_steps) {
  std::vector<float> table(256, 0.0f);
  table[0] = 1.0f;
  for (int k = 1; k < 64 && table[1] == 0.0f; ++k) {
    const float b = 1.0f - static_cast<float>(k) * 0x1p-24f;
    if (b * (1.0f / (1.0f + b)) == 0.49999997f) table[1] = b;
  }
  ASSERT_NE(table[1], 0.0f);
  const QuantSoftmaxParams p = softmax_params<T>(table, 1.0f, zero_point);
  const T in[2] = {T{9}, T{8}};
  T out[2];
  kernel(in, 1, 2, p, out);
  EXPECT_EQ(static_cast<int32_t>(out[1]), zero_point + want_steps);
}

TEST(QS8_SOFTMAX_REF, ties_round_away_from_zero) { expect_softmax_ties_round_up<int8_t>(qs8_softmax_ref, -128); }
TEST(QU8_SOFTMAX_REF, ties_round_up) { expect_softmax_ties_round_up<uint8_t>(qu8_softmax_ref, 0); }
TEST(QS8_SOFTMAX_REF, below_half_rounds_down) { expect_softmax_below_half<int8_t>(qs8_softmax_ref, -128, 0); }
TEST(QU8_SOFTMAX_REF, below_half_plus_half_truncated) { expect_softmax_below_half<uint8_t>(qu8_softmax_ref, 0, 1); }

TEST(QU8_RSUM_REF, sums_the_middle_axis_into_int32) {
  // [outer 2, reduce 3, inner 2] -> [2, 2]; 255 * 3 needs more than 8 bits.
  const uint8_t in[12] = {255, 1, 255, 2, 255, 3, 0, 4, 10, 5, 20, 6};
  int32_t out[4];
  qu8_rsum_ref(in, 2, 3, 2, out);
  EXPECT_EQ(out[0], 765);
  EXPECT_EQ(out[1], 6);
  EXPECT_EQ(out[2], 30);
  EXPECT_EQ(out[3], 15);
}

// Bilinear taps of one axis with TFLite's coordinate rules.
struct Taps {
  std::vector<int32_t> lo, hi;
  std::vector<float> frac;
};

Taps bilinear_taps(int in, int out, bool align, bool half) {
  Taps t;
  const float scale = (align && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                         : static_cast<float>(in) / static_cast<float>(out);
  for (int i = 0; i < out; ++i) {
    const float v = half ? (static_cast<float>(i) + 0.5f) * scale - 0.5f : static_cast<float>(i) * scale;
    const int32_t l = std::max(static_cast<int32_t>(std::floor(v)), 0);
    t.lo.push_back(l);
    t.hi.push_back(std::min(static_cast<int32_t>(std::ceil(v)), in - 1));
    t.frac.push_back(v - static_cast<float>(l));
  }
  return t;
}

// 2x2 -> 7x7 half-pixel taps (weights outside [0, 1] at the borders) over 17 channels of inputs
// at the type's extremes, in a 3-pixel stripe pattern.
struct ExtremeResize {
  Taps t = bilinear_taps(2, 7, false, true);
  ResizeBilinearParams p;
  ExtremeResize() {
    p.in_h = p.in_w = 2;
    p.out_h = p.out_w = 7;
    p.channels = 17;
    p.y0 = p.x0 = t.lo.data();
    p.y1 = p.x1 = t.hi.data();
    p.fy = p.fx = t.frac.data();
  }
  template <typename T>
  std::vector<T> input() const {
    std::vector<T> v(2 * 2 * 17);
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = (i / 17) % 3 == 0 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
    }
    return v;
  }
};

// The ref saturates the blends past the type's range to its largest value.
template <typename T>
void expect_extremes_saturate(void (*kernel)(const T*, T*, const ResizeBilinearParams&)) {
  const ExtremeResize r;
  const auto in = r.input<T>();
  std::vector<T> out(7 * 7 * 17);
  kernel(in.data(), out.data(), r.p);
  EXPECT_EQ(out[0], std::numeric_limits<T>::max());
}
TEST(QS8_RESIZE_BILINEAR_REF, extreme_values_saturate) { expect_extremes_saturate(qs8_resize_bilinear_ref); }
TEST(QU8_RESIZE_BILINEAR_REF, extreme_values_saturate) { expect_extremes_saturate(qu8_resize_bilinear_ref); }

#ifdef __wasm_simd128__
// ---- wasmsimd kernels against their ref twins ------------------------------------------------

size_t in_size(const Pool2DParams& p) { return p.batches * p.in_h * p.in_w * p.channels; }

// Inputs of element type T: bytes, or floats in [-10, 10).
template <typename T>
std::vector<T> random_input(std::mt19937& rng, size_t n) {
  if constexpr (std::is_same<T, float>::value) {
    return random_floats(rng, n, -10.0f, 10.0f);
  } else {
    return random_bytes<T>(rng, n);
  }
}

struct PoolCase {
  Pool2DParams p;
  std::string name;
};

// Random geometries for each channel count: windows 1x1, 2x2, 3x3, 3x2 and 1x4, strides 1 and 2,
// SAME and VALID padding, 1 or 2 images of up to 9x9.
std::vector<PoolCase> pool_cases(std::mt19937& rng, const std::vector<size_t>& channels) {
  std::vector<PoolCase> cases;
  const int kFilters[][2] = {{1, 1}, {2, 2}, {3, 3}, {3, 2}, {1, 4}};
  std::uniform_int_distribution<int> size(1, 9);
  for (size_t c : channels) {
    for (const auto& f : kFilters) {
      for (size_t stride = 1; stride <= 2; ++stride) {
        for (int same = 0; same <= 1; ++same) {
          const size_t in_h = static_cast<size_t>(std::max(size(rng), f[0]));
          const size_t in_w = static_cast<size_t>(std::max(size(rng), f[1]));
          PoolCase pc;
          pc.p = pool_params(in_h, in_w, c, f[0], f[1], stride, same);
          pc.p.batches = 1 + (c % 2);
          pc.name = "c=" + std::to_string(c) + " f=" + std::to_string(f[0]) + "x" + std::to_string(f[1]) +
                    " s=" + std::to_string(stride) + (same ? " SAME" : " VALID") + " in=" + std::to_string(in_h) +
                    "x" + std::to_string(in_w);
          cases.push_back(pc);
        }
      }
    }
  }
  return cases;
}

// A pooling kernel pair of element type T whose clamp bounds have type C, without and with a
// narrowing clamp [lo, hi].
template <typename T, typename C>
struct PoolCheck {
  void (*ref)(const T*, T*, const Pool2DParams&, C, C);
  void (*simd)(const T*, T*, const Pool2DParams&, C, C);
  C min, max, lo, hi;
  uint32_t seed;
  void run(std::mt19937& rng, const std::vector<PoolCase>& cases) const {
    for (const PoolCase& pc : cases) {
      const auto in = random_input<T>(rng, in_size(pc.p));
      for (int clamp = 0; clamp <= 1; ++clamp) {
        std::vector<T> a(out_size(pc.p)), b(out_size(pc.p), T(5));
        ref(in.data(), a.data(), pc.p, clamp ? lo : min, clamp ? hi : max);
        simd(in.data(), b.data(), pc.p, clamp ? lo : min, clamp ? hi : max);
        ASSERT_NO_FATAL_FAILURE(expect_same_bytes(a, b, pc.name + (clamp ? " clamped" : "")));
      }
    }
  }
  void operator()(const std::vector<size_t>& channels) const {
    std::mt19937 rng(seed);
    run(rng, pool_cases(rng, channels));
  }
  // A global 33x33 window over 160 channels (deeplab's average pool).
  void global_window() const {
    std::mt19937 rng(seed);
    run(rng, {{pool_params(33, 33, 160, 33, 33, 1, false), "global 33x33x160"}});
  }
  // A 1x1 map and window, 17 channels.
  void map_1x1() const {
    std::mt19937 rng(seed);
    run(rng, {{pool_params(1, 1, 17, 1, 1, 1, false), "1x1 map"}});
  }
};

const PoolCheck<float, float> kF32Maxpool{f32_maxpool_ref, f32_maxpool_wasmsimd, -INFINITY, INFINITY, -2.0f, 3.0f,
                                          1234};
const PoolCheck<float, float> kF32Avgpool{f32_avgpool_ref, f32_avgpool_wasmsimd, -INFINITY, INFINITY, -2.0f, 3.0f,
                                          1235};
const PoolCheck<int8_t, int8_t> kS8Maxpool{s8_maxpool_ref, s8_maxpool_wasmsimd, -128, 127, -20, 90, 99};
const PoolCheck<uint8_t, uint8_t> kU8Maxpool{u8_maxpool_ref, u8_maxpool_wasmsimd, 0, 255, 30, 200, 100};
const PoolCheck<int8_t, int32_t> kQs8Avgpool{qs8_avgpool_ref, qs8_avgpool_wasmsimd, -128, 127, -5, 40, 7};
const PoolCheck<uint8_t, int32_t> kQu8Avgpool{qu8_avgpool_ref, qu8_avgpool_wasmsimd, 0, 255, 100, 150, 8};

// The channel edges of a pooling kernel of vector width STEP, and its window edges.
#define FD_POOL_TESTS(SUITE, STEP, CHECK)                        \
  FD_KERNEL_EDGE_TESTS(SUITE, c, STEP, CHECK)                    \
  TEST(SUITE, global_window_33x33) { CHECK.global_window(); }   \
  TEST(SUITE, map_1x1) { CHECK.map_1x1(); }

FD_POOL_TESTS(F32_MAXPOOL_REF_VS_WASMSIMD, 4, kF32Maxpool)
FD_POOL_TESTS(F32_AVGPOOL_REF_VS_WASMSIMD, 4, kF32Avgpool)
FD_POOL_TESTS(S8_MAXPOOL_REF_VS_WASMSIMD, 16, kS8Maxpool)
FD_POOL_TESTS(U8_MAXPOOL_REF_VS_WASMSIMD, 16, kU8Maxpool)
FD_POOL_TESTS(QS8_AVGPOOL_REF_VS_WASMSIMD, 16, kQs8Avgpool)
FD_POOL_TESTS(QU8_AVGPOOL_REF_VS_WASMSIMD, 16, kQu8Avgpool)

// Sums of inputs in {-1, 0} (int8) and {0, 1} (uint8): many averages sit exactly on a half.
template <typename T>
void check_avgpool_ties(const PoolCheck<T, int32_t>& check, int sign) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> bit(0, 1);
  const Pool2DParams p = pool_params(6, 6, 33, 2, 2, 1, false);
  std::vector<T> in(in_size(p));
  for (T& v : in) v = static_cast<T>(sign * bit(rng));
  std::vector<T> a(out_size(p)), b(out_size(p));
  check.ref(in.data(), a.data(), p, check.min, check.max);
  check.simd(in.data(), b.data(), p, check.min, check.max);
  ASSERT_NO_FATAL_FAILURE(expect_same_bytes(a, b, "ties"));
  EXPECT_NE(std::count(a.begin(), a.end(), static_cast<T>(sign)), 0);
}
TEST(QS8_AVGPOOL_REF_VS_WASMSIMD, rounding_ties) { check_avgpool_ties(kQs8Avgpool, -1); }
TEST(QU8_AVGPOOL_REF_VS_WASMSIMD, rounding_ties) { check_avgpool_ties(kQu8Avgpool, 1); }

// Windows of more than 65000 taps, which the SIMD kernel hands to its ref twin.
TEST(QS8_AVGPOOL_REF_VS_WASMSIMD, window_gt_65000) {
  std::mt19937 rng(6);
  kQs8Avgpool.run(rng, {{pool_params(256, 256, 1, 256, 256, 1, false), "global 256x256x1"}});
}
TEST(QU8_AVGPOOL_REF_VS_WASMSIMD, window_gt_65000) {
  std::mt19937 rng(6);
  kQu8Avgpool.run(rng, {{pool_params(256, 256, 1, 256, 256, 1, false), "global 256x256x1"}});
}

// A reduce-sum kernel pair (T -> Acc) over [outer 1..3, reduce 1/2/7/49, inner].
template <typename T, typename Acc>
struct RsumCheck {
  void (*ref)(const T*, size_t, size_t, size_t, Acc*);
  void (*simd)(const T*, size_t, size_t, size_t, Acc*);
  uint32_t seed;
  void operator()(const std::vector<size_t>& inners) const {
    std::mt19937 rng(seed);
    for (size_t outer = 1; outer <= 3; ++outer) {
      for (size_t reduce : {1, 2, 7, 49}) {
        for (size_t inner : inners) {
          const auto in = random_input<T>(rng, outer * reduce * inner);
          std::vector<Acc> a(outer * inner), b(outer * inner, Acc(1));
          ref(in.data(), outer, reduce, inner, a.data());
          simd(in.data(), outer, reduce, inner, b.data());
          ASSERT_NO_FATAL_FAILURE(expect_same_bytes(
              a, b, std::to_string(outer) + "x" + std::to_string(reduce) + "x" + std::to_string(inner)));
        }
      }
    }
  }
};

const RsumCheck<float, float> kF32Rsum{f32_rsum_ref, f32_rsum_wasmsimd, 42};
const RsumCheck<int8_t, int32_t> kQs8Rsum{qs8_rsum_ref, qs8_rsum_wasmsimd, 43};
const RsumCheck<uint8_t, int32_t> kQu8Rsum{qu8_rsum_ref, qu8_rsum_wasmsimd, 44};
FD_KERNEL_EDGE_TESTS(F32_RSUM_REF_VS_WASMSIMD, inner, 4, kF32Rsum)
FD_KERNEL_EDGE_TESTS(QS8_RSUM_REF_VS_WASMSIMD, inner, 16, kQs8Rsum)
FD_KERNEL_EDGE_TESTS(QU8_RSUM_REF_VS_WASMSIMD, inner, 16, kQu8Rsum)
TEST(QS8_RSUM_REF_VS_WASMSIMD, inner_eq_1280) { kQs8Rsum({1280}); }

// A bilinear resize kernel pair over up- and downscales (1x1 -> 3x3 up to 33x33 -> 65x65, 5x3 ->
// 2x7, 4x4 -> 1x1, and 2x and 4x upsamples, whose weights are multiples of 1/2, 1/4 or 1/8 and
// take the quantized SIMD kernels' int16 blend; 3x3 -> 33x33 and 2x3 -> 65x129 with align_corners
// have sixteenths and sixty-fourths, their int32 blend), each with plain, align_corners and
// half_pixel_centers coordinates.
template <typename T>
struct ResizeCheck {
  void (*ref)(const T*, T*, const ResizeBilinearParams&);
  void (*simd)(const T*, T*, const ResizeBilinearParams&);
  uint32_t seed;
  void operator()(const std::vector<size_t>& channels) const {
    std::mt19937 rng(seed);
    const int kSizes[][4] = {{1, 1, 3, 3}, {2, 2, 4, 4},     {6, 6, 12, 12}, {33, 33, 65, 65},
                             {5, 3, 2, 7}, {4, 4, 1, 1},     {13, 7, 26, 14}, {5, 3, 20, 12},
                             {3, 3, 33, 33}, {2, 3, 65, 129}};
    int mode = 0;
    for (size_t c : channels) {
      for (const auto& sz : kSizes) {
        for (int m = 0; m < 3; ++m, ++mode) {
          const Taps ty = bilinear_taps(sz[0], sz[2], m == 1, m == 2);
          const Taps tx = bilinear_taps(sz[1], sz[3], m == 1, m == 2);
          ResizeBilinearParams p;
          p.batches = 1 + (mode % 2);
          p.in_h = sz[0];
          p.in_w = sz[1];
          p.out_h = sz[2];
          p.out_w = sz[3];
          p.channels = c;
          p.y0 = ty.lo.data();
          p.y1 = ty.hi.data();
          p.fy = ty.frac.data();
          p.x0 = tx.lo.data();
          p.x1 = tx.hi.data();
          p.fx = tx.frac.data();
          const auto in = random_input<T>(rng, p.batches * p.in_h * p.in_w * c);
          std::vector<T> a(p.batches * p.out_h * p.out_w * c), b(a.size(), T(1));
          ref(in.data(), a.data(), p);
          simd(in.data(), b.data(), p);
          ASSERT_NO_FATAL_FAILURE(expect_same_bytes(
              a, b, "c=" + std::to_string(c) + " " + std::to_string(sz[0]) + "x" + std::to_string(sz[1]) + "->" +
                        std::to_string(sz[2]) + "x" + std::to_string(sz[3]) + " mode " + std::to_string(m)));
        }
      }
    }
  }
  // The saturating case of ExtremeResize.
  void extreme_values() const {
    const ExtremeResize r;
    const auto in = r.input<T>();
    std::vector<T> a(7 * 7 * 17), b(7 * 7 * 17);
    ref(in.data(), a.data(), r.p);
    simd(in.data(), b.data(), r.p);
    ASSERT_NO_FATAL_FAILURE(expect_same_bytes(a, b, "extremes"));
  }
};

const ResizeCheck<float> kF32ResizeBilinear{f32_resize_bilinear_ref, f32_resize_bilinear_wasmsimd, 2024};
const ResizeCheck<int8_t> kQs8ResizeBilinear{qs8_resize_bilinear_ref, qs8_resize_bilinear_wasmsimd, 2025};
const ResizeCheck<uint8_t> kQu8ResizeBilinear{qu8_resize_bilinear_ref, qu8_resize_bilinear_wasmsimd, 2026};
FD_KERNEL_EDGE_TESTS(F32_RESIZE_BILINEAR_REF_VS_WASMSIMD, c, 4, kF32ResizeBilinear)
FD_KERNEL_EDGE_TESTS(QS8_RESIZE_BILINEAR_REF_VS_WASMSIMD, c, 16, kQs8ResizeBilinear)
FD_KERNEL_EDGE_TESTS(QU8_RESIZE_BILINEAR_REF_VS_WASMSIMD, c, 16, kQu8ResizeBilinear)
TEST(QS8_RESIZE_BILINEAR_REF_VS_WASMSIMD, extreme_values) { kQs8ResizeBilinear.extreme_values(); }
TEST(QU8_RESIZE_BILINEAR_REF_VS_WASMSIMD, extreme_values) { kQu8ResizeBilinear.extreme_values(); }
// Table softmax over seeded random rows: row counts around the kernel's block of 4, column counts
// at its 16-column edges, decaying tables of several steepnesses (and growing ones whose sums
// overflow to inf, so inf / inf gives NaN), TFLite's output scale 1/256 and random ones with
// random zero points, and the ties case of expect_softmax_ties_round_up.
template <typename T>
struct SoftmaxCheck {
  void (*ref)(const T*, size_t, size_t, const QuantSoftmaxParams&, T*);
  void (*simd)(const T*, size_t, size_t, const QuantSoftmaxParams&, T*);
  uint32_t seed;
  void operator()(const std::vector<size_t>& col_counts) const {
    std::mt19937 rng(seed);
    const float steepness[] = {0.0f, 0.02f, 0.25f, 1.5f, -1.0f};
    for (size_t cols : col_counts) {
      for (size_t rows : {1, 3, 4, 5, 9}) {
        for (size_t s = 0; s < 5; ++s) {
          std::vector<float> table(256);
          for (size_t d = 0; d < 256; ++d) table[d] = std::exp(-steepness[s] * static_cast<float>(d));
          const bool tflite = s % 2 == 0;
          const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
          const float scale = tflite ? 1.0f / 256.0f : random_floats(rng, 1, 0.001f, 0.2f)[0];
          const int32_t zero_point = tflite ? lo : kernel_test::rand_int(rng, lo, hi);
          const QuantSoftmaxParams p = softmax_params<T>(table, scale, zero_point);
          const auto in = random_bytes<T>(rng, rows * cols);
          std::vector<T> a(rows * cols), b(rows * cols);
          ref(in.data(), rows, cols, p, a.data());
          simd(in.data(), rows, cols, p, b.data());
          ASSERT_NO_FATAL_FAILURE(expect_same_bytes(
              a, b, std::to_string(rows) + "x" + std::to_string(cols) + " steepness " + std::to_string(steepness[s])));
        }
      }
    }
  }
};

const SoftmaxCheck<int8_t> kQs8Softmax{qs8_softmax_ref, qs8_softmax_wasmsimd, 2027};
const SoftmaxCheck<uint8_t> kQu8Softmax{qu8_softmax_ref, qu8_softmax_wasmsimd, 2028};
FD_KERNEL_EDGE_TESTS(QS8_SOFTMAX_REF_VS_WASMSIMD, c, 16, kQs8Softmax)
FD_KERNEL_EDGE_TESTS(QU8_SOFTMAX_REF_VS_WASMSIMD, c, 16, kQu8Softmax)
TEST(QS8_SOFTMAX_REF_VS_WASMSIMD, ties_round_away_from_zero) {
  expect_softmax_ties_round_up<int8_t>(qs8_softmax_wasmsimd, -128);
}
TEST(QU8_SOFTMAX_REF_VS_WASMSIMD, ties_round_up) { expect_softmax_ties_round_up<uint8_t>(qu8_softmax_wasmsimd, 0); }
TEST(QS8_SOFTMAX_REF_VS_WASMSIMD, below_half_rounds_down) {
  expect_softmax_below_half<int8_t>(qs8_softmax_wasmsimd, -128, 0);
}
TEST(QU8_SOFTMAX_REF_VS_WASMSIMD, below_half_plus_half_truncated) {
  expect_softmax_below_half<uint8_t>(qu8_softmax_wasmsimd, 0, 1);
}
// Arg max, SIMD128 against ref: rows of 1 to 70 values along a contiguous axis (the vector path
// from 16) and along a strided one, random values from a few levels (ties everywhere: the first
// maximum must win) and from the whole range, the type's extremes included.
template <typename T>
void check_argmax(void (*ref)(const T*, size_t, size_t, size_t, int32_t*),
                  void (*simd)(const T*, size_t, size_t, size_t, int32_t*), uint32_t seed) {
  std::mt19937 rng(seed);
  for (size_t axis = 1; axis <= 70; ++axis) {
    for (size_t inner : {size_t{1}, size_t{3}}) {
      for (int levels : {3, 256}) {
        const size_t outer = 9;
        std::vector<T> in(outer * axis * inner);
        for (T& v : in) {
          const int k = static_cast<int>(rng() % static_cast<uint32_t>(levels));
          v = static_cast<T>(levels == 256 ? std::numeric_limits<T>::min() + k : std::numeric_limits<T>::max() - k);
        }
        std::vector<int32_t> a(outer * inner, -1), b(outer * inner, -2);
        ref(in.data(), outer, axis, inner, a.data());
        simd(in.data(), outer, axis, inner, b.data());
        ASSERT_EQ(a, b) << "axis " << axis << " inner " << inner << " levels " << levels;
      }
    }
  }
}
TEST(S8_ARGMAX_REF_VS_WASMSIMD, rows_1_to_70) { check_argmax<int8_t>(s8_argmax_ref, s8_argmax_wasmsimd, 51); }
TEST(U8_ARGMAX_REF_VS_WASMSIMD, rows_1_to_70) { check_argmax<uint8_t>(u8_argmax_ref, u8_argmax_wasmsimd, 52); }

#endif  // __wasm_simd128__

}  // namespace
}  // namespace fd
