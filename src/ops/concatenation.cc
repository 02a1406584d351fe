// CONCATENATION: joins tensors along one axis; 8-bit inputs whose scale or zero point differ
// from the output's are requantized through a lookup table built at prepare.
#include <vector>

#include "ops/concat_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Concatenation : public ConcatOpBase {
 public:
  Status prepare(NodeContext& ctx) override {
    const int n = ctx.num_inputs();
    if (n < 1 || ctx.num_outputs() != 1) return ctx.error("expects at least 1 input and 1 output");
    if (ctx.options().activation != Activation::kNone) {
      return ctx.unsupported("fused activations are not supported on CONCATENATION");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    const Shape& first = ctx.input(0).shape;
    const int rank = static_cast<int>(first.size());
    if (rank == 0) return ctx.error("cannot concatenate scalars");
    int32_t axis = 0;
    FD_RETURN_IF_ERROR(normalize_axis(ctx, ctx.options().axis, rank, &axis));
    Shape out_shape = first;
    out_shape[axis] = 0;
    const int64_t inner = dims_product(first, axis + 1, rank);
    blocks_.resize(n);
    for (int i = 0; i < n; ++i) {
      const RTensor& in = ctx.input(i);
      if (in.dtype != ctx.input(0).dtype) {
        return ctx.error("input " + std::to_string(i) + " has type " + dtype_name(in.dtype) +
                         " but input 0 has type " + dtype_name(ctx.input(0).dtype));
      }
      bool compatible = static_cast<int>(in.shape.size()) == rank;
      for (int d = 0; compatible && d < rank; ++d) compatible = d == axis || in.shape[d] == first[d];
      if (!compatible) {
        return ctx.error("input " + std::to_string(i) + " has shape " + shape_str(in.shape) +
                         ", which does not match input 0 " + shape_str(first) +
                         " outside axis " + std::to_string(axis));
      }
      out_shape[axis] += in.shape[axis];
      blocks_[i] = in.shape[axis] * inner;
    }
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    outer_ = dims_product(first, 0, axis);
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    return prepare_tables(ctx);
  }
};

}  // namespace

std::unique_ptr<Op> create_concatenation() { return std::make_unique<Concatenation>(); }

}  // namespace fd
