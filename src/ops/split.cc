// SPLIT: cuts a tensor into num_splits equal pieces along an axis given as constant input 0.
#include <vector>

#include "ops/ops.h"
#include "ops/split_common.h"

namespace fd {
namespace {

class Split : public SplitOpBase {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() != 2 || ctx.num_outputs() < 1) {
      return ctx.error("expects 2 inputs (axis, tensor) and at least 1 output");
    }
    std::vector<int32_t> axis_values;
    FD_RETURN_IF_ERROR(read_const_ints(ctx, 0, "axis", &axis_values));
    if (axis_values.size() != 1) return ctx.error("the axis input must hold exactly one value");
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 1));
    const Shape& shape = ctx.input(1).shape;
    const int rank = static_cast<int>(shape.size());
    int32_t axis = 0;
    FD_RETURN_IF_ERROR(normalize_axis(ctx, axis_values[0], rank, &axis));
    const int n = ctx.num_outputs();
    if (ctx.options().num != 0 && ctx.options().num != n) {
      return ctx.error("num_splits is " + std::to_string(ctx.options().num) + " but the node has " +
                       std::to_string(n) + " outputs");
    }
    if (shape[axis] % n != 0) {
      return ctx.error("dimension " + std::to_string(axis) + " of " + shape_str(shape) +
                       " is not divisible into " + std::to_string(n) + " splits");
    }
    Shape piece = shape;
    piece[axis] = shape[axis] / n;
    return prepare_pieces(ctx, 1, piece, dims_product(shape, 0, axis), dims_product(piece, axis, rank));
  }
};

}  // namespace

std::unique_ptr<Op> create_split() { return std::make_unique<Split>(); }

}  // namespace fd
