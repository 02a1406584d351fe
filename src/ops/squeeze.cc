// SQUEEZE: removes size-1 dimensions (the listed ones, or all); the bytes are unchanged.
#include <cstring>
#include <vector>

#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Squeeze : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1) return ctx.error("expects 1 input and 1 output");
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    const Shape& shape = ctx.input(0).shape;
    const int rank = static_cast<int>(shape.size());
    std::vector<bool> drop(rank, false);
    const std::vector<int32_t>& dims = ctx.options().squeeze_dims;
    if (dims.empty()) {
      for (int d = 0; d < rank; ++d) drop[d] = shape[d] == 1;
    }
    for (int32_t requested : dims) {
      int32_t d = 0;
      FD_RETURN_IF_ERROR(normalize_axis(ctx, requested, rank, &d));
      if (shape[d] != 1) {
        return ctx.error("cannot squeeze dimension " + std::to_string(requested) + " of " +
                         shape_str(shape) + ": its size is not 1");
      }
      drop[d] = true;
    }
    Shape out;
    for (int d = 0; d < rank; ++d) {
      if (!drop[d]) out.push_back(shape[d]);
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    if (out.data != in.data) std::memmove(out.data, in.data, in.bytes());
    return Status();
  }
};

}  // namespace

std::unique_ptr<Op> create_squeeze() { return std::make_unique<Squeeze>(); }

}  // namespace fd
