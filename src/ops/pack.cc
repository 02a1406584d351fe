// PACK: stacks N same-shaped tensors along a new axis; 8-bit inputs whose scale or zero point
// differ from the output's are requantized through a lookup table built at prepare.
#include "ops/concat_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Pack : public ConcatOpBase {
 public:
  Status prepare(NodeContext& ctx) override {
    const int n = ctx.num_inputs();
    if (n < 1 || ctx.num_outputs() != 1) return ctx.error("expects at least 1 input and 1 output");
    if (ctx.options().num != 0 && ctx.options().num != n) {
      return ctx.error("values_count is " + std::to_string(ctx.options().num) + " but the node has " +
                       std::to_string(n) + " inputs");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    const Shape& shape = ctx.input(0).shape;
    const int rank = static_cast<int>(shape.size());
    int32_t axis = 0;
    FD_RETURN_IF_ERROR(normalize_axis(ctx, ctx.options().axis, rank + 1, &axis));
    for (int i = 1; i < n; ++i) {
      if (ctx.input(i).dtype != ctx.input(0).dtype || ctx.input(i).shape != shape) {
        return ctx.error("input " + std::to_string(i) + " (" + dtype_name(ctx.input(i).dtype) + " " +
                         shape_str(ctx.input(i).shape) + ") differs from input 0 (" +
                         dtype_name(ctx.input(0).dtype) + " " + shape_str(shape) + ")");
      }
    }
    Shape out_shape = shape;
    out_shape.insert(out_shape.begin() + axis, n);
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    outer_ = dims_product(shape, 0, axis);
    blocks_.assign(n, dims_product(shape, axis, rank));
    return prepare_tables(ctx);
  }
};

}  // namespace

std::unique_ptr<Op> create_pack() { return std::make_unique<Pack>(); }

}  // namespace fd
