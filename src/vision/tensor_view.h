// A read-only view of one model output for the decoders: dtype, shape and dequantization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/dtype.h"
#include "core/shape.h"

namespace fd {

// Points at a model output tensor (INT8, UINT8 or FLOAT32) owned by the interpreter or a test.
struct TensorView {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  const uint8_t* data = nullptr;
  float scale = 1.0f;      // quantized tensors: real = scale * (q - zero_point)
  int32_t zero_point = 0;

  int64_t size() const { return num_elements(shape); }
  // Element `i` as a real value (dequantized for INT8/UINT8).
  float at(int64_t i) const {
    switch (dtype) {
      case DType::kInt8: return scale * static_cast<float>(reinterpret_cast<const int8_t*>(data)[i] - zero_point);
      case DType::kUInt8: return scale * static_cast<float>(static_cast<int32_t>(data[i]) - zero_point);
      default: return reinterpret_cast<const float*>(data)[i];
    }
  }
};

}  // namespace fd
