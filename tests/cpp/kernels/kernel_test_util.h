// Helpers of the kernel tests (tests/cpp/kernels/*_test.cc): seeded random data, bitwise
// comparisons, and the length edges of a kernel that works in steps of N elements, named as
// XNNPACK names its test cases (n_lt_N, n_eq_N, n_gt_N, n_div_N).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace fd {
namespace kernel_test {

// n random bytes as T (int8_t or uint8_t).
template <typename T = uint8_t>
std::vector<T> random_bytes(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(d(rng));
  return v;
}

// n floats uniform in [lo, hi).
inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

inline int rand_int(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

// Bitwise equality of two arrays (so -0 vs +0, NaN payloads or differing rounding are caught).
template <typename T>
void expect_same_bytes(const std::vector<T>& a, const std::vector<T>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(T)), 0)
        << what << " at " << i << " of " << a.size() << ": " << +a[i] << " vs " << +b[i];
  }
}

// The lengths that exercise a kernel stepping `step` elements at a time (or over a `step`-wide
// channel block) up to its leftover path: every n below one step, exactly one step, every n
// between one and two steps, and multiples of the step.
inline std::vector<size_t> lengths_lt(size_t step) {
  std::vector<size_t> v;
  for (size_t n = 1; n < step; ++n) v.push_back(n);
  return v;
}
inline std::vector<size_t> lengths_eq(size_t step) { return {step}; }
inline std::vector<size_t> lengths_gt(size_t step) {
  std::vector<size_t> v;
  for (size_t n = step + 1; n < 2 * step; ++n) v.push_back(n);
  return v;
}
inline std::vector<size_t> lengths_div(size_t step) { return {2 * step, 3 * step, 5 * step, 10 * step}; }

}  // namespace kernel_test
}  // namespace fd

// TEST(SUITE, <x>_lt_STEP), <x>_eq_STEP, <x>_gt_STEP and <x>_div_STEP for AXIS x (n for lengths,
// c for channels, ...), each calling CHECK (a callable taking the std::vector<size_t> of sizes)
// with those sizes.
#define FD_KERNEL_EDGE_TESTS(SUITE, AXIS, STEP, CHECK)                                         \
  TEST(SUITE, AXIS##_lt_##STEP) { CHECK(::fd::kernel_test::lengths_lt(STEP)); }               \
  TEST(SUITE, AXIS##_eq_##STEP) { CHECK(::fd::kernel_test::lengths_eq(STEP)); }               \
  TEST(SUITE, AXIS##_gt_##STEP) { CHECK(::fd::kernel_test::lengths_gt(STEP)); }               \
  TEST(SUITE, AXIS##_div_##STEP) { CHECK(::fd::kernel_test::lengths_div(STEP)); }
