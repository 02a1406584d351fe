#include "core/decimal.h"

#include <cmath>
#include <cstdint>

namespace fd {
namespace {

// The powers of ten a double holds exactly.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kMaxExactPow10 = 22;

// m * 10^e10 in as few roundings as the exact powers allow.
double scale10(double m, long e10) {
  while (e10 > kMaxExactPow10 && m < HUGE_VAL) {
    m *= kPow10[kMaxExactPow10];
    e10 -= kMaxExactPow10;
  }
  while (e10 < -kMaxExactPow10 && m > 0.0) {
    m /= kPow10[kMaxExactPow10];
    e10 += kMaxExactPow10;
  }
  if (e10 > kMaxExactPow10 || e10 < -kMaxExactPow10) return m;  // already infinite or zero
  return e10 >= 0 ? m * kPow10[e10] : m / kPow10[-e10];
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

size_t parse_decimal(const char* p, const char* end, double* out) {
  const char* s = p;
  bool negative = false;
  if (s < end && (*s == '-' || *s == '+')) negative = *s++ == '-';
  uint64_t m = 0;
  int kept = 0;      // significant digits in m
  long e10 = 0;      // decimal exponent of m
  bool inexact = false;
  int digits = 0;
  bool fraction = false;
  for (; s < end; ++s) {
    if (*s == '.' && !fraction) {
      fraction = true;
      continue;
    }
    if (!is_digit(*s)) break;
    ++digits;
    const int d = *s - '0';
    if (kept < 19) {
      if (m != 0 || d != 0) {
        m = m * 10 + static_cast<uint64_t>(d);
        ++kept;
      }
      if (fraction) --e10;
    } else {
      inexact = inexact || d != 0;
      if (!fraction) ++e10;
    }
  }
  if (digits == 0) return 0;
  if (s < end && (*s == 'e' || *s == 'E')) {
    const char* e = s + 1;
    bool eneg = false;
    if (e < end && (*e == '-' || *e == '+')) eneg = *e++ == '-';
    if (e < end && is_digit(*e)) {
      long x = 0;
      for (; e < end && is_digit(*e); ++e) x = x < 100000 ? x * 10 + (*e - '0') : x;
      e10 += eneg ? -x : x;
      s = e;
    }
  }
  double v;
  if (m == 0) {
    v = 0.0;
  } else if (!inexact && m <= (uint64_t{1} << 53) && e10 >= -kMaxExactPow10 && e10 <= kMaxExactPow10) {
    // Both operands exact: one correctly rounded operation.
    v = e10 >= 0 ? static_cast<double>(m) * kPow10[e10] : static_cast<double>(m) / kPow10[-e10];
  } else {
    v = scale10(static_cast<double>(m), e10);
  }
  *out = negative ? -v : v;
  return static_cast<size_t>(s - p);
}

std::string format_decimal(double v) {
  if (std::isnan(v)) return "nan";
  std::string out = std::signbit(v) ? "-" : "";
  v = std::fabs(v);
  if (std::isinf(v)) return out + "inf";
  if (v == 0.0) return out + "0";
  // Six significant digits d and the exponent x of the first: v ~ d * 10^(x - 5).
  int x = 0;
  double t = v;
  while (t >= 10.0) {
    t /= 10.0;
    ++x;
  }
  while (t < 1.0) {
    t *= 10.0;
    --x;
  }
  long d = std::lround(scale10(v, 5 - x));
  if (d >= 1000000) {
    d /= 10;
    ++x;
  } else if (d < 100000) {
    d = std::lround(scale10(v, 6 - x));
    --x;
    if (d >= 1000000) {
      d /= 10;
      ++x;
    }
  }
  std::string digits = std::to_string(d);  // 6 digits
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (x < -4 || x >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += x < 0 ? "e-" : "e+";
    const int ax = x < 0 ? -x : x;
    if (ax < 10) out += "0";
    return out + std::to_string(ax);
  }
  if (x < 0) return out + "0." + std::string(static_cast<size_t>(-x - 1), '0') + digits;
  if (static_cast<int>(digits.size()) <= x + 1) return out + digits + std::string(static_cast<size_t>(x + 1) - digits.size(), '0');
  return out + digits.substr(0, static_cast<size_t>(x + 1)) + "." + digits.substr(static_cast<size_t>(x + 1));
}

}  // namespace fd
