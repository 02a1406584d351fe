// Scalar float32 binary operations shared by the f32_vbinary* ref kernels.
#pragma once

#include <cmath>

#include "kernels/elementwise.h"

namespace fd {
namespace f32_binary {

// a op b for one element.
template <BinaryOp kOp>
inline float apply(float a, float b) {
  switch (kOp) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kFloorDiv: return std::floor(a / b);
    case BinaryOp::kRSub: return b - a;
    case BinaryOp::kRDiv: return b / a;
    case BinaryOp::kRFloorDiv: return std::floor(b / a);
  }
  return 0.0f;
}

// x clamped to [p.min, p.max], NaN kept.
inline float clamp(float x, const F32MinMaxParams& p) {
  x = x < p.min ? p.min : x;
  return x > p.max ? p.max : x;
}

}  // namespace f32_binary
}  // namespace fd
