// RESHAPE (and the shape logic SQUEEZE shares): same bytes, new shape.
#include <cstring>

#include "ops/ops.h"

namespace fd {
namespace {

class Reshape : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    if (in.dtype != out.dtype) return ctx.error("input and output types differ");
    Shape target;
    if (ctx.has_input(1) && ctx.input(1).is_constant && ctx.input(1).dtype == DType::kInt32) {
      const RTensor& s = ctx.input(1);
      target.assign(s.as<int32_t>(), s.as<int32_t>() + num_elements(s.shape));
    } else if (!ctx.options().new_shape.empty()) {
      target = ctx.options().new_shape;
    } else {
      target = out.shape;
    }
    if (target.size() > static_cast<size_t>(kMaxRank)) {
      return ctx.error("new shape " + shape_str(target) + " has too many dimensions");
    }
    // The product stays below 2^40 before each multiplication (nothing overflows); the
    // element-count comparison below rejects anything that large.
    constexpr int64_t kLimit = int64_t{1} << 40;
    int64_t known = 1;
    int wildcard = -1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == -1) {
        if (wildcard >= 0) return ctx.error("new shape has more than one -1");
        wildcard = static_cast<int>(i);
      } else if (target[i] < 0 || (target[i] > 0 && known > kLimit / target[i])) {
        return ctx.error("new shape " + shape_str(target) + " is negative or too large");
      } else {
        known *= target[i];
      }
    }
    const int64_t total = num_elements(in.shape);
    if (wildcard >= 0) {
      if (known == 0 || total % known) return ctx.error("cannot infer -1 in new shape " + shape_str(target));
      target[wildcard] = static_cast<int32_t>(total / known);
    }
    if (num_elements(target) != total) {
      return ctx.error("cannot reshape " + shape_str(in.shape) + " to " + shape_str(target));
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, target));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    if (out.data != in.data) std::memmove(out.data, in.data, in.bytes());
    return Status();
  }
};

}  // namespace

std::unique_ptr<Op> create_reshape() { return std::make_unique<Reshape>(); }

}  // namespace fd
