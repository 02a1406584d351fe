#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/elementwise.h"

namespace fd {
namespace {

// One element of TFLite CAST: float -> integer truncates (saturating, NaN -> 0), to bool is != 0.
template <typename To, typename From>
inline To convert(From v) {
  if constexpr (std::is_same<To, bool>::value) return static_cast<To>(v != From(0));
  else if constexpr (std::is_floating_point<From>::value && std::is_integral<To>::value) {
    const double d = static_cast<double>(v);
    if (std::isnan(d)) return To(0);
    const double lo = static_cast<double>(std::numeric_limits<To>::min());
    const double hi = static_cast<double>(std::numeric_limits<To>::max());
    if (d <= lo) return std::numeric_limits<To>::min();
    if (d >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(std::trunc(d));
  }
  return static_cast<To>(v);
}

template <typename From, typename To>
void cast_loop(size_t n, const void* x, void* y) {
  const From* in = static_cast<const From*>(x);
  To* out = static_cast<To*>(y);
  for (size_t i = 0; i < n; ++i) out[i] = convert<To, From>(in[i]);
}

template <typename From>
bool cast_from(DType to, size_t n, const void* x, void* y) {
  switch (to) {
    case DType::kFloat32: cast_loop<From, float>(n, x, y); return true;
    case DType::kInt32: cast_loop<From, int32_t>(n, x, y); return true;
    case DType::kInt64: cast_loop<From, int64_t>(n, x, y); return true;
    case DType::kUInt8: cast_loop<From, uint8_t>(n, x, y); return true;
    case DType::kInt8: cast_loop<From, int8_t>(n, x, y); return true;
    case DType::kInt16: cast_loop<From, int16_t>(n, x, y); return true;
    case DType::kBool: cast_loop<From, bool>(n, x, y); return true;
    default: return false;
  }
}

}  // namespace

bool any_vcast_ref(DType from, DType to, size_t n, const void* x, void* y) {
  switch (from) {
    case DType::kFloat32: return cast_from<float>(to, n, x, y);
    case DType::kInt32: return cast_from<int32_t>(to, n, x, y);
    case DType::kInt64: return cast_from<int64_t>(to, n, x, y);
    case DType::kUInt8: return cast_from<uint8_t>(to, n, x, y);
    case DType::kInt8: return cast_from<int8_t>(to, n, x, y);
    case DType::kInt16: return cast_from<int16_t>(to, n, x, y);
    case DType::kBool: return cast_from<bool>(to, n, x, y);
    default: return false;
  }
}

}  // namespace fd
