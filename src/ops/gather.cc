// GATHER: picks slices along `axis` by INT32/INT64 indices (constant or computed at run time),
// with batch_dims; indices outside [0, dim) fail with an error Status.
#include "kernels/movement.h"
#include "ops/gather_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Gather : public GatherOpBase {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(expect_gather_io(ctx));
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
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    p_.batch = dims_product(ps, 0, batch_dims);
    p_.outer = dims_product(ps, batch_dims, axis);
    p_.axis_size = ps[axis];
    p_.inner = dims_product(ps, axis + 1, prank);
    p_.num_indices = dims_product(is, batch_dims, irank);

    return prepare_indices(ctx);
  }

 private:
  void gather(NodeContext& ctx, const int32_t* indices) override {
    xx_gather_ref(dtype_size(ctx.input(0).dtype), ctx.input(0).data, indices, ctx.output(0).data, p_);
  }

  // Fails on an index outside [0, axis_size); copies the indices as INT32 to `dst` when non-null.
  Status check_indices(NodeContext& ctx, int32_t* dst) override {
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
};

}  // namespace

std::unique_ptr<Op> create_gather() { return std::make_unique<Gather>(); }

}  // namespace fd
