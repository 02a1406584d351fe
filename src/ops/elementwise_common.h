// Shared pieces of the elementwise ops: TFLite broadcasting reduced to a loop of contiguous
// kernel calls, fused-activation clamp ranges, and per-tensor quantization checks.
#pragma once

#include <cstdint>
#include <string>

#include "core/shape.h"
#include "core/status.h"
#include "model/graph.h"
#include "ops/activation_range.h"
#include "ops/op.h"

namespace fd {

// How a broadcast binary op runs: `runs` kernel calls of `inner` elements each, walking the
// outer dims with per-operand element strides (0 where the operand is broadcast).
struct BroadcastPlan {
  static constexpr int kMaxDims = 6;
  enum class Kind : uint8_t {
    kVecVec,     // a and b both advance along the inner run
    kVecScalar,  // a advances, b is one element repeated
    kScalarVec,  // a is one element repeated, b advances
  };
  Kind kind = Kind::kVecVec;
  int64_t inner = 0;  // elements per kernel call
  int64_t runs = 0;   // number of kernel calls (product of outer)
  int rank = 0;       // number of outer dims
  int64_t outer[kMaxDims] = {};
  int64_t a_stride[kMaxDims] = {};
  int64_t b_stride[kMaxDims] = {};
};

// Output shape of broadcasting `a` with `b` (TFLite/NumPy rules, up to 6 dims) and the plan
// that runs it; an error naming both shapes when they do not broadcast.
Status make_broadcast_plan(const Shape& a, const Shape& b, Shape* out, BroadcastPlan* plan);

// Calls f(a_offset, b_offset, out_offset) for every run of `plan`, in output order. No allocation.
template <typename F>
void for_each_run(const BroadcastPlan& plan, F&& f) {
  int64_t idx[BroadcastPlan::kMaxDims] = {};
  int64_t ao = 0, bo = 0, oo = 0;
  for (int64_t r = 0; r < plan.runs; ++r) {
    f(ao, bo, oo);
    oo += plan.inner;
    for (int d = plan.rank - 1; d >= 0; --d) {
      ao += plan.a_stride[d];
      bo += plan.b_stride[d];
      if (++idx[d] < plan.outer[d]) break;
      ao -= plan.a_stride[d] * plan.outer[d];
      bo -= plan.b_stride[d] * plan.outer[d];
      idx[d] = 0;
    }
  }
}


// Checks that `t` (described as `what`, e.g. "input 0") carries one positive scale and a zero
// point within its 8-bit range, as quantized elementwise ops need.
Status check_per_tensor_quant(NodeContext& ctx, const RTensor& t, const char* what);

}  // namespace fd
