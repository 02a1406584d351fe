// Element types featherdet stores in tensors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fd {

enum class DType : uint8_t {
  kFloat32,
  kFloat16,
  kInt32,
  kUInt8,
  kInt64,
  kBool,
  kInt16,
  kInt8,
};

// Bytes per element of `t`.
size_t dtype_size(DType t);
// Upper-case name as TFLite spells it ("INT8", "FLOAT32").
const char* dtype_name(DType t);
// True for the 8-bit integer types used for quantized activations and weights.
inline bool is_quant8(DType t) { return t == DType::kInt8 || t == DType::kUInt8; }

}  // namespace fd
