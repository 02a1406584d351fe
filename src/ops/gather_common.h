// Index handling shared by GATHER and GATHER_ND: input 0 is params, input 1 holds INT32/INT64
// indices, constant (validated and copied once at prepare) or computed at run time (validated,
// and converted from INT64 into scratch, at every eval).
#pragma once

#include <cstdint>
#include <vector>

#include "ops/movement_common.h"
#include "ops/op.h"

namespace fd {

class GatherOpBase : public Op {
 public:
  Status eval(NodeContext& ctx) override {
    const RTensor& idx = ctx.input(1);
    const int32_t* indices;
    if (idx.is_constant) {
      indices = const_indices_.data();
    } else {
      int32_t* converted = idx.dtype == DType::kInt64 ? reinterpret_cast<int32_t*>(ctx.scratch()) : nullptr;
      FD_RETURN_IF_ERROR(check_indices(ctx, converted));
      indices = converted ? converted : idx.as<int32_t>();
    }
    gather(ctx, indices);
    return Status();
  }

 protected:
  // Fails unless the node has inputs (params, indices) of movable / INT32-INT64 types and one
  // output of the params type.
  static Status expect_gather_io(NodeContext& ctx) {
    if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1) {
      return ctx.error("expects 2 inputs (params, indices) and 1 output");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(ctx.expect_input_type(1, {DType::kInt32, DType::kInt64}));
    return expect_same_output_type(ctx, 0, 0);
  }

  // Ends prepare, once the params check_indices uses are set: validates and copies constant
  // indices, or requests scratch for converting INT64 ones.
  Status prepare_indices(NodeContext& ctx) {
    const RTensor& idx = ctx.input(1);
    const int64_t count = num_elements(idx.shape);
    if (idx.is_constant) {
      const_indices_.resize(static_cast<size_t>(count));
      FD_RETURN_IF_ERROR(check_indices(ctx, const_indices_.data()));
    } else if (idx.dtype == DType::kInt64) {
      ctx.request_scratch(static_cast<size_t>(count) * sizeof(int32_t));
    }
    return Status();
  }

  // Fails on an out-of-range index in input 1; copies the indices as INT32 to `dst` when non-null.
  virtual Status check_indices(NodeContext& ctx, int32_t* dst) = 0;
  // Copies the selected slices of input 0 to output 0, given validated INT32 `indices`.
  virtual void gather(NodeContext& ctx, const int32_t* indices) = 0;

 private:
  std::vector<int32_t> const_indices_;  // validated copy of constant indices
};

}  // namespace fd
