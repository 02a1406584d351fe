// TRANSPOSE: permutes dimensions (up to 6-D) by a constant perm tensor.
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Transpose : public StridedCopyOp {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1) {
      return ctx.error("expects 2 inputs (tensor, perm) and 1 output");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    std::vector<int32_t> perm;
    FD_RETURN_IF_ERROR(read_const_ints(ctx, 1, "perm", &perm));
    const Shape& shape = ctx.input(0).shape;
    const int rank = static_cast<int>(shape.size());
    if (rank > kMaxMovementDims) {
      return ctx.error("input " + shape_str(shape) + " has more than " +
                       std::to_string(kMaxMovementDims) + " dimensions");
    }
    if (static_cast<int>(perm.size()) != rank) {
      return ctx.error("perm has " + std::to_string(perm.size()) + " entries for a rank-" +
                       std::to_string(rank) + " input");
    }
    std::vector<bool> seen(rank, false);
    for (int32_t& p : perm) {
      FD_RETURN_IF_ERROR(normalize_axis(ctx, p, rank, &p));
      if (seen[p]) return ctx.error("perm lists dimension " + std::to_string(p) + " twice");
      seen[p] = true;
    }
    int64_t in_strides[kMaxMovementDims];
    int64_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      in_strides[d] = stride;
      stride *= shape[d];
    }
    Shape out_shape(rank);
    params_ = StridedCopyParams();
    params_.rank = rank;
    for (int d = 0; d < rank; ++d) {
      out_shape[d] = shape[perm[d]];
      params_.out_dims[d] = shape[perm[d]];
      params_.in_strides[d] = in_strides[perm[d]];
    }
    return finish_prepare(ctx, out_shape);
  }
};

}  // namespace

std::unique_ptr<Op> create_transpose() { return std::make_unique<Transpose>(); }

}  // namespace fd
