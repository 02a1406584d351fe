// Tensor shapes: a small list of non-negative dimensions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fd {

using Shape = std::vector<int32_t>;

// Product of the dimensions (1 for a scalar).
inline int64_t num_elements(const Shape& s) {
  int64_t n = 1;
  for (int32_t d : s) n *= d;
  return n;
}

// Largest tensor rank featherdet reads.
constexpr int kMaxRank = 8;

// Largest tensor featherdet holds (bytes), and largest activation arena: far above any detector,
// far below where 32-bit (wasm) size arithmetic could wrap.
constexpr int64_t kMaxTensorBytes = int64_t{256} << 20;
constexpr int64_t kMaxArenaBytes = int64_t{1} << 30;

// Bytes of a tensor of `s` with `elem_size`-byte elements, or -1 when a dimension is negative or
// the size passes kMaxTensorBytes (checked before each multiplication, so nothing overflows).
inline int64_t checked_tensor_bytes(const Shape& s, size_t elem_size) {
  int64_t n = static_cast<int64_t>(elem_size);
  for (int32_t d : s) {
    if (d < 0) return -1;
    if (d != 0 && n > kMaxTensorBytes / d) return -1;
    n *= d;
  }
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

// Fails, naming `what`, unless checked_tensor_bytes accepts `s`.
inline Status check_tensor_shape(const Shape& s, size_t elem_size, const std::string& what) {
  if (checked_tensor_bytes(s, elem_size) >= 0) return Status();
  return Status::error(what + " has shape " + shape_str(s) + ", negative or over the " +
                       std::to_string(kMaxTensorBytes >> 20) + " MiB tensor limit");
}

}  // namespace fd
