// core/decimal.h against the C library it replaces: parse_decimal vs strtod (correctly rounded
// on metadata-like numbers, within a few units in the last place elsewhere), format_decimal vs
// printf's %g.
#include "core/decimal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace fd {
namespace {

double parse(const std::string& s, size_t* used = nullptr) {
  double v = -12345.0;
  const size_t n = parse_decimal(s.data(), s.data() + s.size(), &v);
  if (used != nullptr) *used = n;
  return v;
}

std::string percent_g(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

TEST(ParseDecimal, ReadsTheGrammarAndSaysHowMuch) {
  size_t used = 0;
  EXPECT_EQ(parse("0.45", &used), 0.45);
  EXPECT_EQ(used, 4u);
  EXPECT_EQ(parse("-57.375,", &used), -57.375);
  EXPECT_EQ(used, 7u);
  EXPECT_EQ(parse("+7", &used), 7.0);
  EXPECT_EQ(used, 2u);
  EXPECT_EQ(parse("1e-5]", &used), 1e-5);
  EXPECT_EQ(used, 4u);
  EXPECT_EQ(parse("2.5E+3", &used), 2500.0);
  EXPECT_EQ(used, 6u);
  EXPECT_EQ(parse("1.", &used), 1.0);  // Python float literals
  EXPECT_EQ(used, 2u);
  EXPECT_EQ(parse(".5", &used), 0.5);
  EXPECT_EQ(used, 2u);
  EXPECT_EQ(parse("1e", &used), 1.0);  // an exponent needs digits: not read
  EXPECT_EQ(used, 1u);
  EXPECT_EQ(parse("3e+x", &used), 3.0);
  EXPECT_EQ(used, 1u);
  EXPECT_EQ(parse("000123", &used), 123.0);
  EXPECT_EQ(used, 6u);
  for (const char* none : {"", "-", "+", ".", "e5", "-.e1", "x1"}) {
    parse(none, &used);
    EXPECT_EQ(used, 0u) << none;
  }
  EXPECT_TRUE(std::signbit(parse("-0.0")));
  EXPECT_EQ(parse("1e999"), HUGE_VAL);
  EXPECT_EQ(parse("-1e99999999999"), -HUGE_VAL);
  EXPECT_EQ(parse("1e-999"), 0.0);
  EXPECT_EQ(parse("0e999"), 0.0);
}

TEST(ParseDecimal, CorrectlyRoundedOnMetadataLikeNumbers) {
  // Up to 15 significant digits, exponents within +/-22: exactly strtod's double.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const int digits = 1 + static_cast<int>(rng() % 15);
    std::string s = (rng() & 1) ? "-" : "";
    for (int d = 0; d < digits; ++d) s += static_cast<char>('0' + rng() % 10);
    const int point = static_cast<int>(rng() % (digits + 1));
    if (point < digits) s.insert(s.size() - static_cast<size_t>(digits - point), ".");
    if (rng() % 3 == 0) s += "e" + std::to_string(static_cast<int>(rng() % 15) - 7);
    if (s.back() == '.' || s == "-.") s += "0";
    ASSERT_EQ(parse(s), std::strtod(s.c_str(), nullptr)) << s;
  }
}

TEST(ParseDecimal, WithinAFewUlpElsewhere) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    const int digits = 1 + static_cast<int>(rng() % 30);
    for (int d = 0; d < digits; ++d) s += static_cast<char>('0' + (d == 0 ? 1 + rng() % 9 : rng() % 10));
    s += "e" + std::to_string(static_cast<int>(rng() % 600) - 300);
    const double want = std::strtod(s.c_str(), nullptr);
    const double got = parse(s);
    if (want == 0.0 || std::isinf(want) || std::fpclassify(want) == FP_SUBNORMAL) continue;
    ASSERT_LE(std::fabs(got - want), 16 * std::fabs(want) * 2.220446049250313e-16) << s;
  }
}

TEST(FormatDecimal, WritesWhatPercentGWrites) {
  for (double v : {0.0, -0.0, 0.25, 1e-40, -3.5e12, 0.1, 1.0 / 3, 100000.0, 999999.0, 999999.5, 1e6, 123456789.0,
                   1e-5, 0.0001, 0.00012345, 2.0, 1e15, 5e-324, 1.7976931348623157e308, 57.375, double{0.45f}, double{1e-35f}}) {
    EXPECT_EQ(format_decimal(v), percent_g(v)) << v;
  }
  EXPECT_EQ(format_decimal(HUGE_VAL), "inf");
  EXPECT_EQ(format_decimal(-HUGE_VAL), "-inf");
  EXPECT_EQ(format_decimal(std::nan("")), "nan");
}

TEST(FormatDecimal, AgreesWithPercentGOnRandomDoubles) {
  // Rounding ties at the sixth digit may land the other way: allow 1 in 10,000, never more than
  // one unit in the sixth digit.
  std::mt19937_64 rng(3);
  int differ = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double v = std::ldexp(static_cast<double>(rng() >> 11) / 9007199254740992.0 + 0.5, static_cast<int>(rng() % 400) - 200);
    const std::string got = format_decimal(v), want = percent_g(v);
    if (got == want) continue;
    ++differ;
    ASSERT_NEAR(std::strtod(got.c_str(), nullptr), std::strtod(want.c_str(), nullptr), std::fabs(v) * 1.1e-5) << got << " vs " << want;
  }
  EXPECT_LE(differ, n / 10000);
}

}  // namespace
}  // namespace fd
