// Helpers shared by the pooling, reduction, softmax, resize and arg max ops: constant axis tensors.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ops/op.h"

namespace fd {
namespace pool_common {

// Reads a constant INT32 or INT64 tensor of axis or size values.
inline Status read_int_constant(NodeContext& ctx, int index, const char* what, std::vector<int32_t>* values) {
  if (!ctx.has_input(index)) return ctx.error(std::string("missing ") + what + " input");
  const RTensor& t = ctx.input(index);
  if (!t.is_constant) return ctx.unsupported(std::string(what) + " must be a constant tensor (dynamic values are not supported)");
  const int64_t n = num_elements(t.shape);
  values->clear();
  if (t.dtype == DType::kInt32) {
    values->assign(t.as<int32_t>(), t.as<int32_t>() + n);
  } else if (t.dtype == DType::kInt64) {
    for (int64_t i = 0; i < n; ++i) values->push_back(static_cast<int32_t>(t.as<int64_t>()[i]));
  } else {
    return ctx.error(std::string(what) + " has type " + dtype_name(t.dtype) + " (expected INT32 or INT64)");
  }
  return Status();
}

// Fails unless quantized tensor `t` carries per-tensor quantization parameters.
inline Status expect_per_tensor_quant(NodeContext& ctx, const RTensor& t, const char* which) {
  if (!is_quant8(t.dtype)) return Status();
  if (t.quant.empty() || t.quant.zero_point.empty()) return ctx.error(std::string(which) + " lacks quantization parameters");
  if (t.quant.per_channel()) return ctx.unsupported(std::string(which) + " is quantized per channel, which this op does not support");
  if (!(t.quant.scale[0] > 0.0f)) return ctx.error(std::string(which) + " has a non-positive quantization scale");
  return Status();
}

}  // namespace pool_common
}  // namespace fd
