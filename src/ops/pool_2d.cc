// MAX_POOL_2D and AVERAGE_POOL_2D over NHWC tensors (float32, int8, uint8), TFLite semantics:
// SAME/VALID padding, only in-bounds taps count, fused activation clamps the output. Quantized
// pooling works on raw values: input and output share scale and zero point, as TFLite assumes.
#include "kernels/pooling.h"
#include "ops/activation_range.h"
#include "ops/ops.h"
#include "ops/padding.h"
#include "ops/pool_common.h"

namespace fd {
namespace {

class Pool2D : public Op {
 public:
  explicit Pool2D(bool is_max) : is_max_(is_max) {}

  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    if (out.dtype != in.dtype) return ctx.error("output type differs from input type");
    if (in.shape.size() != 4) return ctx.error("input must be 4-D [N, H, W, C], got " + shape_str(in.shape));
    const OpOptions& o = ctx.options();
    if (o.filter_h <= 0 || o.filter_w <= 0 || o.stride_h <= 0 || o.stride_w <= 0) {
      return ctx.error("filter and stride must be positive");
    }
    int64_t out_h, out_w, pad_top, pad_left;
    if (!same_valid_window(o.padding, in.shape[1], o.filter_h, o.stride_h, 1, &out_h, &pad_top) ||
        !same_valid_window(o.padding, in.shape[2], o.filter_w, o.stride_w, 1, &out_w, &pad_left)) {
      return ctx.error("filter " + std::to_string(o.filter_h) + "x" + std::to_string(o.filter_w) +
                       " does not fit input " + shape_str(in.shape) + " with VALID padding");
    }
    p_.batches = in.shape[0];
    p_.in_h = in.shape[1];
    p_.in_w = in.shape[2];
    p_.channels = in.shape[3];
    p_.out_h = out_h;
    p_.out_w = out_w;
    p_.filter_h = o.filter_h;
    p_.filter_w = o.filter_w;
    p_.stride_h = o.stride_h;
    p_.stride_w = o.stride_w;
    p_.pad_top = pad_top;
    p_.pad_left = pad_left;
    if (in.dtype == DType::kFloat32) {
      FD_RETURN_IF_ERROR(float_activation_range(ctx, o.activation, &fmin_, &fmax_));
    } else {
      FD_RETURN_IF_ERROR(pool_common::expect_per_tensor_quant(ctx, in, "input"));
      FD_RETURN_IF_ERROR(pool_common::expect_per_tensor_quant(ctx, out, "output"));
      FD_RETURN_IF_ERROR(quant_activation_range(ctx, o.activation, out.dtype, out.quant.scale[0], out.quant.zero_point[0],
                                                &qmin_, &qmax_));
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(
        0, {in.shape[0], static_cast<int32_t>(out_h), static_cast<int32_t>(out_w), in.shape[3]}));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    switch (in.dtype) {
      case DType::kFloat32:
        if (is_max_) {
          kt_->f32_maxpool(in.as<float>(), out.as<float>(), p_, fmin_, fmax_);
        } else {
          kt_->f32_avgpool(in.as<float>(), out.as<float>(), p_, fmin_, fmax_);
        }
        break;
      case DType::kInt8:
        if (is_max_) {
          kt_->s8_maxpool(in.as<int8_t>(), out.as<int8_t>(), p_, static_cast<int8_t>(qmin_),
                                     static_cast<int8_t>(qmax_));
        } else {
          kt_->qs8_avgpool(in.as<int8_t>(), out.as<int8_t>(), p_, qmin_, qmax_);
        }
        break;
      default:
        if (is_max_) {
          kt_->u8_maxpool(in.as<uint8_t>(), out.as<uint8_t>(), p_, static_cast<uint8_t>(qmin_),
                                     static_cast<uint8_t>(qmax_));
        } else {
          kt_->qu8_avgpool(in.as<uint8_t>(), out.as<uint8_t>(), p_, qmin_, qmax_);
        }
        break;
    }
    return Status();
  }

 private:
  const KernelTable* kt_ = nullptr;
  bool is_max_;
  Pool2DParams p_;
  float fmin_ = 0.0f, fmax_ = 0.0f;
  int32_t qmin_ = 0, qmax_ = 0;
};

}  // namespace

std::unique_ptr<Op> create_max_pool_2d() { return std::make_unique<Pool2D>(true); }
std::unique_ptr<Op> create_average_pool_2d() { return std::make_unique<Pool2D>(false); }

}  // namespace fd
