// Scalar int32 binary operations shared by ref/s32_vbinary_ref.cc and ref/s32_vbinaryc_ref.cc.
#pragma once

#include <cstdint>

#include "kernels/elementwise.h"

namespace fd {
namespace s32_binary {

// Integer division rounding toward zero; INT32_MIN / -1 wraps to INT32_MIN.
inline int32_t div_trunc(int32_t a, int32_t b) {
  if (b == -1) return static_cast<int32_t>(0u - static_cast<uint32_t>(a));
  return a / b;
}

// Integer division rounding toward -inf.
inline int32_t div_floor(int32_t a, int32_t b) {
  const int32_t q = div_trunc(a, b);
  return (b != -1 && a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// a op b for one element.
inline int32_t apply(BinaryOp op, int32_t a, int32_t b) {
  const uint32_t ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  switch (op) {
    case BinaryOp::kAdd: return static_cast<int32_t>(ua + ub);
    case BinaryOp::kSub: return static_cast<int32_t>(ua - ub);
    case BinaryOp::kMul: return static_cast<int32_t>(ua * ub);
    case BinaryOp::kDiv: return div_trunc(a, b);
    case BinaryOp::kFloorDiv: return div_floor(a, b);
    case BinaryOp::kRSub: return static_cast<int32_t>(ub - ua);
    case BinaryOp::kRDiv: return div_trunc(b, a);
    case BinaryOp::kRFloorDiv: return div_floor(b, a);
  }
  return 0;
}

// x clamped to [p.min, p.max].
inline int32_t clamp(int32_t x, const S32MinMaxParams& p) {
  return x < p.min ? p.min : (x > p.max ? p.max : x);
}

}  // namespace s32_binary
}  // namespace fd
