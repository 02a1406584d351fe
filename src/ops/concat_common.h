// The part CONCATENATION and PACK share once output shape and input blocks are known: 8-bit
// requantization tables for inputs whose scale or zero point differ from the output's, and an
// eval through xx_concat_ref.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/op.h"

namespace fd {

class ConcatOpBase : public Op {
 public:
  Status eval(NodeContext& ctx) override {
    RTensor& out = ctx.output(0);
    const size_t es = dtype_size(out.dtype);
    // An input the interpreter placed inside the output (its producer wrote its slice) is skipped.
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const uint8_t* data = ctx.input(i).data;
      inputs_[i] = blocks_[i] > 0 && data == out.data + static_cast<size_t>(offsets_[i]) * es ? nullptr : data;
    }
    xx_concat_ref(dtype_size(out.dtype), ctx.num_inputs(), inputs_.data(), blocks_.data(),
                  table_ptrs_.data(), outer_, out.data);
    return Status();
  }

 protected:
  // Ends prepare once outer_ and blocks_ are set and output 0 is typed: builds the tables.
  Status prepare_tables(NodeContext& ctx) {
    const int n = ctx.num_inputs();
    table_ptrs_.assign(n, nullptr);
    inputs_.assign(n, nullptr);
    offsets_.assign(n, 0);
    for (int i = 1; i < n; ++i) offsets_[i] = offsets_[i - 1] + blocks_[i - 1];
    const RTensor& out = ctx.output(0);
    if (is_quant8(out.dtype)) {
      tables_.assign(static_cast<size_t>(n) * 256, 0);
      for (int i = 0; i < n; ++i) {
        if (same_quant(ctx.input(i), out)) continue;
        FD_RETURN_IF_ERROR(build_requant_table(ctx, ctx.input(i), out, &tables_[static_cast<size_t>(i) * 256]));
        table_ptrs_[i] = &tables_[static_cast<size_t>(i) * 256];
      }
    }
    return Status();
  }

  std::vector<int64_t> blocks_;  // elements each input contributes per outer index
  int64_t outer_ = 1;

 private:
  std::vector<uint8_t> tables_;             // [inputs, 256] requantization tables
  std::vector<const uint8_t*> table_ptrs_;  // per input: its table, or null to copy
  std::vector<const void*> inputs_;         // filled at eval (no allocation)
  std::vector<int64_t> offsets_;            // per input: where its first block starts in the output
};

}  // namespace fd
