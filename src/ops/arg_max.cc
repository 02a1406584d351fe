// ARG_MAX along a constant axis (float32, int8, uint8, int32 input; INT32 or INT64 output):
// the index of the first maximum, as TFLite. Quantized inputs compare raw values (the scale is
// positive, so the order is the same).
#include <cstring>

#include "kernels/pooling.h"
#include "ops/ops.h"
#include "ops/pool_common.h"

namespace fd {
namespace {

class ArgMax : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8, DType::kInt32}));
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    if (out.dtype != DType::kInt32 && out.dtype != DType::kInt64) {
      return ctx.unsupported(std::string("output type ") + dtype_name(out.dtype) + " is not supported (INT32 or INT64)");
    }
    std::vector<int32_t> axis;
    FD_RETURN_IF_ERROR(pool_common::read_int_constant(ctx, 1, "axis", &axis));
    const int32_t rank = static_cast<int32_t>(in.shape.size());
    if (axis.size() != 1) return ctx.error("axis must hold exactly one value");
    const int32_t a = axis[0] < 0 ? axis[0] + rank : axis[0];
    if (a < 0 || a >= rank) return ctx.error("axis " + std::to_string(axis[0]) + " is out of range for " + shape_str(in.shape));
    if (in.shape[a] <= 0) return ctx.error("arg max over an empty axis");
    outer_ = inner_ = 1;
    Shape out_shape;
    for (int32_t d = 0; d < rank; ++d) {
      if (d < a) outer_ *= in.shape[d];
      if (d > a) inner_ *= in.shape[d];
      if (d != a) out_shape.push_back(in.shape[d]);
    }
    axis_ = in.shape[a];
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    int32_t* idx = out.as<int32_t>();  // INT64 output: int32 results first, widened below
    switch (in.dtype) {
      case DType::kFloat32: f32_argmax_ref(in.as<float>(), outer_, axis_, inner_, idx); break;
      case DType::kInt8: ctx.kernels().s8_argmax(in.as<int8_t>(), outer_, axis_, inner_, idx); break;
      case DType::kUInt8: ctx.kernels().u8_argmax(in.as<uint8_t>(), outer_, axis_, inner_, idx); break;
      default: s32_argmax_ref(in.as<int32_t>(), outer_, axis_, inner_, idx); break;
    }
    if (out.dtype == DType::kInt64) {
      // Widen in place from the back: element i's int64 slot only covers int32 slots >= i.
      for (size_t i = outer_ * inner_; i-- > 0;) {
        int32_t v;
        std::memcpy(&v, out.data + i * sizeof(int32_t), sizeof(v));
        const int64_t w = v;
        std::memcpy(out.data + i * sizeof(int64_t), &w, sizeof(w));
      }
    }
    return Status();
  }

 private:
  size_t outer_ = 1, axis_ = 1, inner_ = 1;
};

}  // namespace

std::unique_ptr<Op> create_arg_max() { return std::make_unique<ArgMax>(); }

}  // namespace fd
