// GATHER_ND: picks slices of params addressed by index tuples (INT32/INT64, constant or
// computed at run time); an index outside its dimension fails with an error Status.
#include <vector>

#include "kernels/movement.h"
#include "ops/gather_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class GatherNd : public GatherOpBase {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(expect_gather_io(ctx));
    const Shape& ps = ctx.input(0).shape;
    const Shape& is = ctx.input(1).shape;
    const int prank = static_cast<int>(ps.size()), irank = static_cast<int>(is.size());
    if (irank < 1) return ctx.error("indices must have at least one dimension");
    const int32_t depth = is[irank - 1];
    if (depth > prank || depth > kMaxMovementDims) {
      return ctx.error("index tuples of length " + std::to_string(depth) + " cannot address params " +
                       shape_str(ps));
    }
    Shape out_shape(is.begin(), is.end() - 1);
    out_shape.insert(out_shape.end(), ps.begin() + depth, ps.end());
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    p_.num_slices = dims_product(is, 0, irank - 1);
    p_.index_depth = depth;
    p_.slice_size = dims_product(ps, depth, prank);
    for (int k = 0; k < depth; ++k) p_.strides[k] = dims_product(ps, k + 1, prank);
    dims_.assign(ps.begin(), ps.begin() + depth);

    return prepare_indices(ctx);
  }

 private:
  void gather(NodeContext& ctx, const int32_t* indices) override {
    xx_gather_nd_ref(dtype_size(ctx.input(0).dtype), ctx.input(0).data, indices, ctx.output(0).data, p_);
  }

  // Fails on a tuple component outside its params dimension; copies the indices as INT32 to
  // `dst` when non-null.
  Status check_indices(NodeContext& ctx, int32_t* dst) override {
    const RTensor& idx = ctx.input(1);
    const int32_t depth = p_.index_depth;
    for (int64_t s = 0; s < p_.num_slices; ++s) {
      for (int32_t k = 0; k < depth; ++k) {
        const int64_t pos = s * depth + k;
        const int64_t v = idx.dtype == DType::kInt64 ? idx.as<int64_t>()[pos] : idx.as<int32_t>()[pos];
        if (v < 0 || v >= dims_[k]) {
          return ctx.error("index " + std::to_string(v) + " (tuple " + std::to_string(s) +
                           ", component " + std::to_string(k) + ") is out of range [0, " +
                           std::to_string(dims_[k]) + ") for params dimension " + std::to_string(k));
        }
        if (dst) dst[pos] = static_cast<int32_t>(v);
      }
    }
    return Status();
  }

  GatherNdParams p_;
  std::vector<int32_t> dims_;  // params dims the tuples address
};

}  // namespace

std::unique_ptr<Op> create_gather_nd() { return std::make_unique<GatherNd>(); }

}  // namespace fd
