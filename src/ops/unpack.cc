// UNPACK: splits a tensor along an axis into its slices, removing that axis.
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Unpack : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() != 1) return ctx.error("expects 1 input");
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    const Shape& shape = ctx.input(0).shape;
    const int rank = static_cast<int>(shape.size());
    if (rank == 0) return ctx.error("cannot unpack a scalar");
    int32_t axis = 0;
    FD_RETURN_IF_ERROR(normalize_axis(ctx, ctx.options().axis, rank, &axis));
    const int n = ctx.num_outputs();
    if (shape[axis] != n || (ctx.options().num != 0 && ctx.options().num != n)) {
      return ctx.error("input " + shape_str(shape) + " has " + std::to_string(shape[axis]) +
                       " slices on axis " + std::to_string(axis) + " but the node has " +
                       std::to_string(n) + " outputs (num " + std::to_string(ctx.options().num) + ")");
    }
    Shape piece = shape;
    piece.erase(piece.begin() + axis);
    for (int o = 0; o < n; ++o) {
      FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, o));
      ctx.set_output_shape(o, piece);
    }
    outer_ = dims_product(shape, 0, axis);
    blocks_.assign(n, dims_product(shape, axis + 1, rank));
    outputs_.assign(n, nullptr);
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    for (int o = 0; o < ctx.num_outputs(); ++o) outputs_[o] = ctx.output(o).data;
    const RTensor& in = ctx.input(0);
    split_ref(dtype_size(in.dtype), in.data, ctx.num_outputs(), outputs_.data(), blocks_.data(), outer_);
    return Status();
  }

 private:
  std::vector<int64_t> blocks_;  // elements of one output per outer index
  std::vector<void*> outputs_;   // filled at eval (no allocation)
  int64_t outer_ = 1;
};

}  // namespace

std::unique_ptr<Op> create_unpack() { return std::make_unique<Unpack>(); }

}  // namespace fd
