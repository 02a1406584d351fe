// PAD and PADV2: constant padding (up to 6-D) by a constant [rank, 2] paddings tensor. PAD fills
// with zero (the zero point for UINT8/INT8); PADV2 with its constant_values input.
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/movement.h"
#include "ops/movement_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Pad : public Op {
 public:
  explicit Pad(bool v2) : v2_(v2) {}

  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() < 2 || ctx.num_outputs() != 1) {
      return ctx.error("expects inputs (tensor, paddings[, constant_values]) and 1 output");
    }
    FD_RETURN_IF_ERROR(expect_movement_type(ctx, 0));
    FD_RETURN_IF_ERROR(expect_same_output_type(ctx, 0, 0));
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    const int rank = static_cast<int>(in.shape.size());
    if (rank > kMaxMovementDims) {
      return ctx.error("input " + shape_str(in.shape) + " has more than " +
                       std::to_string(kMaxMovementDims) + " dimensions");
    }
    std::vector<int32_t> pads;
    FD_RETURN_IF_ERROR(read_const_ints(ctx, 1, "paddings", &pads));
    if (static_cast<int>(pads.size()) != 2 * rank) {
      return ctx.error("paddings " + shape_str(ctx.input(1).shape) + " does not match a rank-" +
                       std::to_string(rank) + " input (expected [" + std::to_string(rank) + ", 2])");
    }
    if (is_quant8(in.dtype) && !same_quant(in, out)) {
      return ctx.error("input and output quantization differ; padding needs them equal");
    }
    params_ = PadParams();
    params_.rank = rank;
    Shape out_shape(rank);
    for (int d = 0; d < rank; ++d) {
      const int32_t before = pads[2 * d], after = pads[2 * d + 1];
      if (before < 0 || after < 0) {
        return ctx.error("negative padding " + std::to_string(before) + ", " + std::to_string(after) +
                         " on dimension " + std::to_string(d));
      }
      const int64_t padded = int64_t{before} + in.shape[d] + after;
      if (padded > INT32_MAX) return ctx.error("padded dimension " + std::to_string(d) + " is too large");
      params_.in_dims[d] = in.shape[d];
      params_.before[d] = before;
      params_.after[d] = after;
      out_shape[d] = static_cast<int32_t>(padded);
    }
    // The output size is checked before pad_simplify multiplies dims (bounded by it) together.
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    pad_simplify(&params_);

    std::memset(value_, 0, sizeof(value_));
    runtime_value_ = false;
    if (is_quant8(out.dtype)) {
      const int32_t zp = quant_zero_point(out);
      value_[0] = static_cast<uint8_t>(zp);
    }
    if (v2_ && ctx.has_input(2)) FD_RETURN_IF_ERROR(prepare_value(ctx));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    const void* value = runtime_value_ ? ctx.input(2).data : value_;
    xx_pad_ref(dtype_size(in.dtype), in.data, ctx.output(0).data, value, params_);
    return Status();
  }

 private:
  // PADV2's constant_values: a one-element tensor of the input's type. A constant 8-bit value
  // with other quantization than the output is requantized here; a runtime one is used as is.
  Status prepare_value(NodeContext& ctx) {
    const RTensor& v = ctx.input(2);
    const RTensor& out = ctx.output(0);
    if (v.dtype != out.dtype) {
      return ctx.error(std::string("constant_values has type ") + dtype_name(v.dtype) +
                       " but the input has type " + dtype_name(out.dtype));
    }
    if (num_elements(v.shape) != 1) {
      return ctx.error("constant_values must hold one value, not " + shape_str(v.shape));
    }
    const bool requant = is_quant8(v.dtype) && !v.quant.empty() && !same_quant(v, out);
    if (!v.is_constant) {
      if (requant) {
        return ctx.error("constant_values is computed at run time and quantized differently "
                         "from the output; featherdet needs it constant to requantize it");
      }
      runtime_value_ = true;
      return Status();
    }
    if (requant) {
      const int32_t q = v.dtype == DType::kInt8 ? static_cast<int32_t>(v.as<int8_t>()[0])
                                                : static_cast<int32_t>(v.as<uint8_t>()[0]);
      FD_RETURN_IF_ERROR(ctx.expect_finite_scale(quant_scale(v) / quant_scale(out), "pad value requantization scale"));
      const int32_t r = requantize(q - quant_zero_point(v), quant_scale(v) / quant_scale(out),
                                   quant_zero_point(out), dtype_qmin(out.dtype), dtype_qmax(out.dtype));
      value_[0] = static_cast<uint8_t>(r);
    } else {
      std::memcpy(value_, v.data, dtype_size(v.dtype));
    }
    return Status();
  }

  bool v2_;
  PadParams params_;
  uint8_t value_[8];            // the fill element (when not read at eval)
  bool runtime_value_ = false;  // PADV2 with a computed constant_values tensor
};

}  // namespace

std::unique_ptr<Op> create_pad() { return std::make_unique<Pad>(false); }
std::unique_ptr<Op> create_padv2() { return std::make_unique<Pad>(true); }

}  // namespace fd
