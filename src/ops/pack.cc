// PACK: stacks N same-shaped tensors along a new axis; 8-bit inputs whose scale or zero point
// differ from the output's are requantized through a lookup table built at prepare.
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Pack : public Op {
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
    ctx.set_output_shape(0, out_shape);
    outer_ = dims_product(shape, 0, axis);
    blocks_.assign(n, dims_product(shape, axis, rank));

    table_ptrs_.assign(n, nullptr);
    inputs_.assign(n, nullptr);
    const RTensor& out = ctx.output(0);
    if (is_quant8(out.dtype)) {
      tables_.assign(static_cast<size_t>(n) * 256, 0);
      for (int i = 0; i < n; ++i) {
        if (same_quant(ctx.input(i), out)) continue;
        build_requant_table(ctx.input(i), out, &tables_[static_cast<size_t>(i) * 256]);
        table_ptrs_[i] = &tables_[static_cast<size_t>(i) * 256];
      }
    }
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    for (int i = 0; i < ctx.num_inputs(); ++i) inputs_[i] = ctx.input(i).data;
    RTensor& out = ctx.output(0);
    concat_ref(dtype_size(out.dtype), ctx.num_inputs(), inputs_.data(), blocks_.data(),
               table_ptrs_.data(), outer_, out.data);
    return Status();
  }

 private:
  std::vector<int64_t> blocks_;             // elements of one input per outer index
  std::vector<uint8_t> tables_;             // [inputs, 256] requantization tables
  std::vector<const uint8_t*> table_ptrs_;  // per input: its table, or null to copy
  std::vector<const void*> inputs_;         // filled at eval (no allocation)
  int64_t outer_ = 1;
};

}  // namespace

std::unique_ptr<Op> create_pack() { return std::make_unique<Pack>(); }

}  // namespace fd
