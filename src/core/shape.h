// Tensor shapes: a small list of non-negative dimensions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fd {

using Shape = std::vector<int32_t>;

// Product of the dimensions (1 for a scalar).
inline int64_t num_elements(const Shape& s) {
  int64_t n = 1;
  for (int32_t d : s) n *= d;
  return n;
}

// "[1, 224, 224, 3]".
inline std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

}  // namespace fd
