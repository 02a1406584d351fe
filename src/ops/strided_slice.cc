// STRIDED_SLICE: numpy-style slicing (up to 6-D) with constant begin/end/strides and TFLite's
// begin, end, ellipsis, new_axis and shrink_axis masks and the offset option.
#include <algorithm>
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class StridedSlice : public StridedCopyOp {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() < 3 || ctx.num_outputs() != 1) {
      return ctx.error("expects inputs (tensor, begin, end[, strides]) and 1 output");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    const Shape& shape = ctx.input(0).shape;
    const int rank = static_cast<int>(shape.size());
    if (rank > kMaxMovementDims) {
      return ctx.error("input " + shape_str(shape) + " has more than " +
                       std::to_string(kMaxMovementDims) + " dimensions");
    }
    std::vector<int32_t> begin, end, strides;
    FD_RETURN_IF_ERROR(read_const_ints(ctx, 1, "begin", &begin));
    FD_RETURN_IF_ERROR(read_const_ints(ctx, 2, "end", &end));
    if (ctx.has_input(3)) {
      FD_RETURN_IF_ERROR(read_const_ints(ctx, 3, "strides", &strides));
    } else {
      strides.assign(begin.size(), 1);
    }
    const int n = static_cast<int>(begin.size());
    if (static_cast<int>(end.size()) != n || static_cast<int>(strides.size()) != n || n > 30) {
      return ctx.error("begin, end and strides must have the same length (got " +
                       std::to_string(begin.size()) + ", " + std::to_string(end.size()) + ", " +
                       std::to_string(strides.size()) + ")");
    }
    const OpOptions& o = ctx.options();
    const int32_t valid = static_cast<int32_t>((1u << n) - 1);
    const int32_t ellipsis = o.ellipsis_mask & valid;
    if (ellipsis & (ellipsis - 1)) return ctx.error("more than one ellipsis in ellipsis_mask");

    // Spec entries that consume an input dimension (neither ellipsis nor new axis).
    int consuming = 0;
    for (int i = 0; i < n; ++i) {
      const int32_t bit = 1 << i;
      if (!(ellipsis & bit) && !(o.new_axis_mask & bit)) ++consuming;
    }
    if (consuming > rank) {
      return ctx.error("the slice spec indexes " + std::to_string(consuming) +
                       " dimensions of a rank-" + std::to_string(rank) + " input");
    }
    // Without an explicit ellipsis, the unspecified trailing dimensions are taken whole.
    const int ellipsis_pos = ellipsis ? __builtin_ctz(static_cast<unsigned>(ellipsis)) : n;
    const int ellipsis_dims = rank - consuming;

    int64_t in_strides[kMaxMovementDims];
    int64_t stride_acc = 1;
    for (int d = rank - 1; d >= 0; --d) {
      in_strides[d] = stride_acc;
      stride_acc *= shape[d];
    }
    params_ = StridedCopyParams();
    params_.rank = rank;
    Shape out_shape;
    int d = 0;  // next input dimension
    for (int i = 0; i <= n; ++i) {
      const int32_t bit = 1 << i;
      if (i == ellipsis_pos) {
        for (int k = 0; k < ellipsis_dims; ++k, ++d) {
          params_.out_dims[d] = shape[d];
          params_.in_strides[d] = in_strides[d];
          out_shape.push_back(shape[d]);
        }
        continue;
      }
      if (i == n) break;
      if (o.new_axis_mask & bit) {
        out_shape.push_back(1);
        continue;
      }
      const int64_t size = shape[d];
      const int64_t stride = strides[i];
      if (stride == 0) return ctx.error("stride on dimension " + std::to_string(d) + " is 0");
      int64_t start = begin[i];
      if (o.begin_mask & bit) start = stride > 0 ? 0 : size - 1;
      if (start < 0) start += size;
      int64_t count;
      if (o.shrink_axis_mask & bit) {
        if (start < 0 || start >= size) {
          return ctx.error("index " + std::to_string(begin[i]) + " is out of range for dimension " +
                           std::to_string(d) + " of size " + std::to_string(size));
        }
        count = 1;
      } else {
        start = stride > 0 ? std::clamp<int64_t>(start, 0, size) : std::clamp<int64_t>(start, -1, size - 1);
        int64_t stop;
        if (o.end_mask & bit) {
          stop = stride > 0 ? size : -1;
        } else {
          stop = o.offset ? start + end[i] : end[i];
          if (!o.offset && stop < 0) stop += size;
          stop = stride > 0 ? std::clamp<int64_t>(stop, 0, size) : std::clamp<int64_t>(stop, -1, size - 1);
        }
        const int64_t span = stride > 0 ? stop - start : start - stop;
        const int64_t step = stride > 0 ? stride : -stride;
        count = span > 0 ? (span + step - 1) / step : 0;
        out_shape.push_back(static_cast<int32_t>(count));
      }
      if (count > 0) params_.in_offset += start * in_strides[d];
      params_.out_dims[d] = static_cast<int32_t>(count);
      params_.in_strides[d] = stride * in_strides[d];
      ++d;
    }
    return finish_prepare(ctx, out_shape);
  }
};

}  // namespace

std::unique_ptr<Op> create_strided_slice() { return std::make_unique<StridedSlice>(); }

}  // namespace fd
