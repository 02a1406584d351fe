// Pooling, reduce-sum and bilinear resize kernels: wasmsimd must match ref bit-exactly on seeded
// random NHWC shapes with channel leftovers (1, 3, 7, 16, 17, 33), several windows and strides,
// SAME and VALID padding, and clamped outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/pooling.h"
#include "kernels/resize.h"

namespace fd {
namespace {

const size_t kChannels[] = {1, 3, 7, 8, 16, 17, 33};

template <typename T>
std::vector<T> random_bytes(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(d(rng));
  return v;
}

std::vector<float> random_floats(std::mt19937& rng, size_t n) {
  std::uniform_real_distribution<float> d(-10.0f, 10.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

template <typename T>
void expect_same_bytes(const std::vector<T>& a, const std::vector<T>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(T)), 0)
        << what << " at " << i << " of " << a.size() << ": " << +a[i] << " vs " << +b[i];
  }
}

// Random pooling geometry with TFLite SAME / VALID output size and padding.
struct PoolCase {
  Pool2DParams p;
  std::string name;
};

std::vector<PoolCase> pool_cases(std::mt19937& rng) {
  std::vector<PoolCase> cases;
  const int kFilters[][2] = {{1, 1}, {2, 2}, {3, 3}, {3, 2}, {1, 4}};
  std::uniform_int_distribution<int> size(1, 9);
  for (size_t c : kChannels) {
    for (const auto& f : kFilters) {
      for (int stride = 1; stride <= 2; ++stride) {
        for (int same = 0; same <= 1; ++same) {
          PoolCase pc;
          Pool2DParams& p = pc.p;
          p.batches = 1 + (c % 2);
          p.in_h = static_cast<size_t>(std::max(size(rng), f[0]));
          p.in_w = static_cast<size_t>(std::max(size(rng), f[1]));
          p.channels = c;
          p.filter_h = f[0];
          p.filter_w = f[1];
          p.stride_h = stride;
          p.stride_w = stride;
          auto axis = [&](size_t in, size_t filter, size_t* out, size_t* pad) {
            const int o = same ? (static_cast<int>(in) + stride - 1) / stride
                               : (static_cast<int>(in) - static_cast<int>(filter) + stride) / stride;
            *out = static_cast<size_t>(o);
            *pad = static_cast<size_t>(std::max(0, (o - 1) * stride + static_cast<int>(filter) - static_cast<int>(in)) / 2);
          };
          axis(p.in_h, p.filter_h, &p.out_h, &p.pad_top);
          axis(p.in_w, p.filter_w, &p.out_w, &p.pad_left);
          pc.name = "c=" + std::to_string(c) + " f=" + std::to_string(f[0]) + "x" + std::to_string(f[1]) +
                    " s=" + std::to_string(stride) + (same ? " SAME" : " VALID") + " in=" + std::to_string(p.in_h) +
                    "x" + std::to_string(p.in_w);
          cases.push_back(pc);
        }
      }
    }
  }
  // Large global window (deeplab's 33x33 average pool) and a 1x1 map.
  PoolCase global;
  global.p.in_h = global.p.in_w = global.p.filter_h = global.p.filter_w = 33;
  global.p.channels = 160;
  global.name = "global 33x33x160";
  cases.push_back(global);
  PoolCase tiny;
  tiny.p.channels = 17;
  tiny.name = "1x1 map";
  cases.push_back(tiny);
  return cases;
}

size_t in_size(const Pool2DParams& p) { return p.batches * p.in_h * p.in_w * p.channels; }
size_t out_size(const Pool2DParams& p) { return p.batches * p.out_h * p.out_w * p.channels; }

TEST(PoolingKernels, F32MaxpoolAndAvgpoolMatchRef) {
  std::mt19937 rng(1234);
  for (const PoolCase& pc : pool_cases(rng)) {
    const auto in = random_floats(rng, in_size(pc.p));
    for (int clamp = 0; clamp <= 1; ++clamp) {
      const float lo = clamp ? -2.0f : -INFINITY, hi = clamp ? 3.0f : INFINITY;
      std::vector<float> a(out_size(pc.p)), b(out_size(pc.p), 99.0f);
      f32_maxpool_ref(in.data(), a.data(), pc.p, lo, hi);
      f32_maxpool_wasmsimd(in.data(), b.data(), pc.p, lo, hi);
      expect_same_bytes(a, b, "f32_maxpool " + pc.name);
      f32_avgpool_ref(in.data(), a.data(), pc.p, lo, hi);
      f32_avgpool_wasmsimd(in.data(), b.data(), pc.p, lo, hi);
      expect_same_bytes(a, b, "f32_avgpool " + pc.name);
    }
  }
}

TEST(PoolingKernels, S8U8MaxpoolMatchRef) {
  std::mt19937 rng(99);
  for (const PoolCase& pc : pool_cases(rng)) {
    const auto s = random_bytes<int8_t>(rng, in_size(pc.p));
    const auto u = random_bytes<uint8_t>(rng, in_size(pc.p));
    for (int clamp = 0; clamp <= 1; ++clamp) {
      std::vector<int8_t> sa(out_size(pc.p)), sb(out_size(pc.p), 5);
      s8_maxpool_ref(s.data(), sa.data(), pc.p, clamp ? -20 : -128, clamp ? 90 : 127);
      s8_maxpool_wasmsimd(s.data(), sb.data(), pc.p, clamp ? -20 : -128, clamp ? 90 : 127);
      expect_same_bytes(sa, sb, "s8_maxpool " + pc.name);
      std::vector<uint8_t> ua(out_size(pc.p)), ub(out_size(pc.p), 5);
      u8_maxpool_ref(u.data(), ua.data(), pc.p, clamp ? 30 : 0, clamp ? 200 : 255);
      u8_maxpool_wasmsimd(u.data(), ub.data(), pc.p, clamp ? 30 : 0, clamp ? 200 : 255);
      expect_same_bytes(ua, ub, "u8_maxpool " + pc.name);
    }
  }
}

TEST(PoolingKernels, QuantAvgpoolMatchRef) {
  std::mt19937 rng(7);
  for (const PoolCase& pc : pool_cases(rng)) {
    const auto s = random_bytes<int8_t>(rng, in_size(pc.p));
    const auto u = random_bytes<uint8_t>(rng, in_size(pc.p));
    for (int clamp = 0; clamp <= 1; ++clamp) {
      std::vector<int8_t> sa(out_size(pc.p)), sb(out_size(pc.p), 5);
      qs8_avgpool_ref(s.data(), sa.data(), pc.p, clamp ? -5 : -128, clamp ? 40 : 127);
      qs8_avgpool_wasmsimd(s.data(), sb.data(), pc.p, clamp ? -5 : -128, clamp ? 40 : 127);
      expect_same_bytes(sa, sb, "qs8_avgpool " + pc.name);
      std::vector<uint8_t> ua(out_size(pc.p)), ub(out_size(pc.p), 5);
      qu8_avgpool_ref(u.data(), ua.data(), pc.p, clamp ? 100 : 0, clamp ? 150 : 255);
      qu8_avgpool_wasmsimd(u.data(), ub.data(), pc.p, clamp ? 100 : 0, clamp ? 150 : 255);
      expect_same_bytes(ua, ub, "qu8_avgpool " + pc.name);
    }
  }
}

TEST(PoolingKernels, QuantAvgpoolRoundingTiesMatchRef) {
  // Values in {-1, 0} and {0, 1} make many sums that sit exactly on a half.
  Pool2DParams p;
  p.in_h = p.in_w = 6;
  p.channels = 33;
  p.filter_h = p.filter_w = 2;
  p.out_h = p.out_w = 5;
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> bit(0, 1);
  std::vector<int8_t> s(in_size(p));
  std::vector<uint8_t> u(in_size(p));
  for (size_t i = 0; i < s.size(); ++i) {
    s[i] = static_cast<int8_t>(-bit(rng));
    u[i] = static_cast<uint8_t>(bit(rng));
  }
  std::vector<int8_t> sa(out_size(p)), sb(out_size(p));
  qs8_avgpool_ref(s.data(), sa.data(), p, -128, 127);
  qs8_avgpool_wasmsimd(s.data(), sb.data(), p, -128, 127);
  expect_same_bytes(sa, sb, "qs8_avgpool ties");
  EXPECT_NE(std::count(sa.begin(), sa.end(), int8_t{-1}), 0);
  std::vector<uint8_t> ua(out_size(p)), ub(out_size(p));
  qu8_avgpool_ref(u.data(), ua.data(), p, 0, 255);
  qu8_avgpool_wasmsimd(u.data(), ub.data(), p, 0, 255);
  expect_same_bytes(ua, ub, "qu8_avgpool ties");
}

TEST(PoolingKernels, RsumMatchRef) {
  std::mt19937 rng(42);
  const size_t kInner[] = {1, 3, 7, 8, 16, 17, 33, 1280};
  const size_t kReduce[] = {1, 2, 7, 49};
  for (size_t outer = 1; outer <= 3; ++outer) {
    for (size_t reduce : kReduce) {
      for (size_t inner : kInner) {
        const std::string name = std::to_string(outer) + "x" + std::to_string(reduce) + "x" + std::to_string(inner);
        const size_t n = outer * reduce * inner;
        const auto f = random_floats(rng, n);
        std::vector<float> fa(outer * inner), fb(outer * inner, 1.0f);
        f32_rsum_ref(f.data(), outer, reduce, inner, fa.data());
        f32_rsum_wasmsimd(f.data(), outer, reduce, inner, fb.data());
        expect_same_bytes(fa, fb, "f32_rsum " + name);
        const auto s = random_bytes<int8_t>(rng, n);
        std::vector<int32_t> a(outer * inner), b(outer * inner, 1);
        qs8_rsum_ref(s.data(), outer, reduce, inner, a.data());
        qs8_rsum_wasmsimd(s.data(), outer, reduce, inner, b.data());
        expect_same_bytes(a, b, "qs8_rsum " + name);
        const auto u = random_bytes<uint8_t>(rng, n);
        qu8_rsum_ref(u.data(), outer, reduce, inner, a.data());
        qu8_rsum_wasmsimd(u.data(), outer, reduce, inner, b.data());
        expect_same_bytes(a, b, "qu8_rsum " + name);
      }
    }
  }
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

TEST(ResizeKernels, BilinearMatchRef) {
  std::mt19937 rng(2024);
  const int kSizes[][4] = {{1, 1, 3, 3}, {2, 2, 4, 4}, {6, 6, 12, 12}, {33, 33, 65, 65}, {5, 3, 2, 7}, {4, 4, 1, 1}};
  int mode = 0;
  for (size_t c : kChannels) {
    for (const auto& sz : kSizes) {
      for (int m = 0; m < 3; ++m, ++mode) {
        const bool align = m == 1, half = m == 2;
        const Taps ty = bilinear_taps(sz[0], sz[2], align, half);
        const Taps tx = bilinear_taps(sz[1], sz[3], align, half);
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
        const size_t n_in = p.batches * p.in_h * p.in_w * c, n_out = p.batches * p.out_h * p.out_w * c;
        const std::string name = "c=" + std::to_string(c) + " " + std::to_string(sz[0]) + "x" + std::to_string(sz[1]) +
                                 "->" + std::to_string(sz[2]) + "x" + std::to_string(sz[3]) + " mode " + std::to_string(m);
        const auto f = random_floats(rng, n_in);
        std::vector<float> fa(n_out), fb(n_out, 1.0f);
        f32_resize_bilinear_ref(f.data(), fa.data(), p);
        f32_resize_bilinear_wasmsimd(f.data(), fb.data(), p);
        expect_same_bytes(fa, fb, "f32_resize_bilinear " + name);
        const auto s = random_bytes<int8_t>(rng, n_in);
        std::vector<int8_t> sa(n_out), sb(n_out, 1);
        qs8_resize_bilinear_ref(s.data(), sa.data(), p);
        qs8_resize_bilinear_wasmsimd(s.data(), sb.data(), p);
        expect_same_bytes(sa, sb, "qs8_resize_bilinear " + name);
        const auto u = random_bytes<uint8_t>(rng, n_in);
        std::vector<uint8_t> ua(n_out), ub(n_out, 1);
        qu8_resize_bilinear_ref(u.data(), ua.data(), p);
        qu8_resize_bilinear_wasmsimd(u.data(), ub.data(), p);
        expect_same_bytes(ua, ub, "qu8_resize_bilinear " + name);
      }
    }
  }
}

TEST(ResizeKernels, QuantBilinearSaturatesExtremes) {
  // All-extreme inputs with half-pixel weights outside [0, 1] must stay in range in both kernels.
  const Taps t = bilinear_taps(2, 7, false, true);
  ResizeBilinearParams p;
  p.in_h = p.in_w = 2;
  p.out_h = p.out_w = 7;
  p.channels = 17;
  p.y0 = p.x0 = t.lo.data();
  p.y1 = p.x1 = t.hi.data();
  p.fy = p.fx = t.frac.data();
  std::vector<uint8_t> u(2 * 2 * 17);
  std::vector<int8_t> s(2 * 2 * 17);
  for (size_t i = 0; i < u.size(); ++i) {
    u[i] = (i / 17) % 3 == 0 ? 255 : 0;
    s[i] = (i / 17) % 3 == 0 ? 127 : -128;
  }
  std::vector<uint8_t> ua(7 * 7 * 17), ub(7 * 7 * 17);
  qu8_resize_bilinear_ref(u.data(), ua.data(), p);
  qu8_resize_bilinear_wasmsimd(u.data(), ub.data(), p);
  expect_same_bytes(ua, ub, "qu8 extremes");
  EXPECT_EQ(ua[0], 255);
  std::vector<int8_t> sa(7 * 7 * 17), sb(7 * 7 * 17);
  qs8_resize_bilinear_ref(s.data(), sa.data(), p);
  qs8_resize_bilinear_wasmsimd(s.data(), sb.data(), p);
  expect_same_bytes(sa, sb, "qs8 extremes");
  EXPECT_EQ(sa[0], 127);
}

}  // namespace
}  // namespace fd
