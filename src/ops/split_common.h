// The part SPLIT and UNPACK share: every output is one equal piece of the input along an axis;
// typing and shaping the outputs, and an eval through xx_split_ref.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/op.h"

namespace fd {

class SplitOpBase : public Op {
 public:
  Status eval(NodeContext& ctx) override {
    for (int o = 0; o < ctx.num_outputs(); ++o) outputs_[o] = ctx.output(o).data;
    const RTensor& in = ctx.input(input_);
    xx_split_ref(dtype_size(in.dtype), in.data, ctx.num_outputs(), outputs_.data(), blocks_.data(), outer_);
    return Status();
  }

 protected:
  // Ends prepare: input `input` is cut into one piece of shape `piece` per output; per each of
  // `outer` outer indices, every piece takes `block` consecutive elements.
  Status prepare_pieces(NodeContext& ctx, int input, const Shape& piece, int64_t outer, int64_t block) {
    const int n = ctx.num_outputs();
    for (int o = 0; o < n; ++o) {
      FD_RETURN_IF_ERROR(expect_same_output_type(ctx, input, o));
      FD_RETURN_IF_ERROR(ctx.set_output_shape(o, piece));
    }
    input_ = input;
    outer_ = outer;
    blocks_.assign(n, block);
    outputs_.assign(n, nullptr);
    return Status();
  }

 private:
  int input_ = 0;
  std::vector<int64_t> blocks_;  // elements of one output per outer index
  std::vector<void*> outputs_;   // filled at eval (no allocation)
  int64_t outer_ = 1;
};

}  // namespace fd
