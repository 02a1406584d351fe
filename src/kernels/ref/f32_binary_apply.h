// Scalar float32 binary operations and the switch that turns a run-time BinaryOp into a
// compile-time one, shared by ref/f32_vbinary_ref.cc, ref/f32_vbinaryc_ref.cc and
// wasmsimd/f32_vbinary_wasmsimd.cc.
#pragma once

#include <cmath>
#include <type_traits>

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

// Calls body(std::integral_constant<BinaryOp, op>()), so the body is compiled once per op.
template <typename Body>
inline void dispatch(BinaryOp op, Body body) {
  switch (op) {
    case BinaryOp::kAdd: return body(std::integral_constant<BinaryOp, BinaryOp::kAdd>());
    case BinaryOp::kSub: return body(std::integral_constant<BinaryOp, BinaryOp::kSub>());
    case BinaryOp::kMul: return body(std::integral_constant<BinaryOp, BinaryOp::kMul>());
    case BinaryOp::kDiv: return body(std::integral_constant<BinaryOp, BinaryOp::kDiv>());
    case BinaryOp::kFloorDiv: return body(std::integral_constant<BinaryOp, BinaryOp::kFloorDiv>());
    case BinaryOp::kRSub: return body(std::integral_constant<BinaryOp, BinaryOp::kRSub>());
    case BinaryOp::kRDiv: return body(std::integral_constant<BinaryOp, BinaryOp::kRDiv>());
    case BinaryOp::kRFloorDiv: return body(std::integral_constant<BinaryOp, BinaryOp::kRFloorDiv>());
  }
}

}  // namespace f32_binary
}  // namespace fd
