// UNPACK: splits a tensor along an axis into its slices, removing that axis.
#include "ops/ops.h"
#include "ops/split_common.h"

namespace fd {
namespace {

class Unpack : public SplitOpBase {
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
    return prepare_pieces(ctx, 0, piece, dims_product(shape, 0, axis), dims_product(shape, axis + 1, rank));
  }
};

}  // namespace

std::unique_ptr<Op> create_unpack() { return std::make_unique<Unpack>(); }

}  // namespace fd
