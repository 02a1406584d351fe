// GATHER: picks slices along `axis` by INT32/INT64 indices (constant or computed at run time),
// with batch_dims; indices outside [0, dim) fail with an error Status.
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Gather : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1) {
      return ctx.error("expects 2 inputs (params, indices) and 1 output");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(ctx.expect_input_type(1, {DType::kInt32, DType::kInt64}));
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    const Shape& ps = ctx.input(0).shape;
    const Shape& is = ctx.input(1).shape;
    const int prank = static_cast<int>(ps.size()), irank = static_cast<int>(is.size());
    if (prank == 0) return ctx.error("params must have at least one dimension");
    int32_t axis = 0;
    FD_RETURN_IF_ERROR(normalize_axis(ctx, ctx.options().axis, prank, &axis));
    int32_t batch_dims = ctx.options().batch_dims;
    if (batch_dims < 0) batch_dims += irank;
    if (batch_dims < 0 || batch_dims > irank || batch_dims > axis) {
      return ctx.error("batch_dims " + std::to_string(ctx.options().batch_dims) +
                       " must be in [0, min(indices rank " + std::to_string(irank) + ", axis " +
                       std::to_string(axis) + ")]");
    }
    for (int d = 0; d < batch_dims; ++d) {
      if (ps[d] != is[d]) {
        return ctx.error("params " + shape_str(ps) + " and indices " + shape_str(is) +
                         " differ in batch dimension " + std::to_string(d));
      }
    }
    Shape out_shape(ps.begin(), ps.begin() + axis);
    out_shape.insert(out_shape.end(), is.begin() + batch_dims, is.end());
    out_shape.insert(out_shape.end(), ps.begin() + axis + 1, ps.end());
    ctx.set_output_shape(0, out_shape);
    p_.batch = dims_product(ps, 0, batch_dims);
    p_.outer = dims_product(ps, batch_dims, axis);
    p_.axis_size = ps[axis];
    p_.inner = dims_product(ps, axis + 1, prank);
    p_.num_indices = dims_product(is, batch_dims, irank);

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

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    const RTensor& idx = ctx.input(1);
    const int32_t* indices;
    if (idx.is_constant) {
      indices = const_indices_.data();
    } else {
      int32_t* converted = idx.dtype == DType::kInt64 ? reinterpret_cast<int32_t*>(ctx.scratch()) : nullptr;
      FD_RETURN_IF_ERROR(check_indices(ctx, converted));
      indices = converted ? converted : idx.as<int32_t>();
    }
    gather_ref(dtype_size(in.dtype), in.data, indices, ctx.output(0).data, p_);
    return Status();
  }

 private:
  // Fails on an index outside [0, axis_size); copies the indices as INT32 to `dst` when non-null.
  Status check_indices(NodeContext& ctx, int32_t* dst) {
    const RTensor& idx = ctx.input(1);
    const int64_t count = num_elements(idx.shape);
    for (int64_t k = 0; k < count; ++k) {
      const int64_t v = idx.dtype == DType::kInt64 ? idx.as<int64_t>()[k] : idx.as<int32_t>()[k];
      if (v < 0 || v >= p_.axis_size) {
        return ctx.error("index " + std::to_string(v) + " at position " + std::to_string(k) +
                         " of the indices is out of range [0, " + std::to_string(p_.axis_size) + ")");
      }
      if (dst) dst[k] = static_cast<int32_t>(v);
    }
    return Status();
  }

  GatherParams p_;
  std::vector<int32_t> const_indices_;  // validated copy of constant indices
};

}  // namespace

std::unique_ptr<Op> create_gather() { return std::make_unique<Gather>(); }

}  // namespace fd
