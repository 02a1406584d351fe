// SOFTMAX over the last axis (float32, int8, uint8). Quantized: a 256-entry table of
// exp(-beta * input_scale * d) over differences d = max - x is built at prepare; the kernel sums
// it per row and quantizes each probability to the output scale (TFLite uses 1/256 with zero
// point -128 for int8 and 0 for uint8).
#include <cmath>

#include "kernels/kernel_table.h"
#include "ops/ops.h"
#include "ops/pool_common.h"

namespace fd {
namespace {

class Softmax : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    if (out.dtype != in.dtype) return ctx.error("output type differs from input type");
    if (in.shape.empty() || in.shape.back() <= 0) return ctx.error("input " + shape_str(in.shape) + " has no classes axis");
    cols_ = static_cast<size_t>(in.shape.back());
    rows_ = static_cast<size_t>(num_elements(in.shape)) / cols_;
    beta_ = ctx.options().beta;
    kt_ = &ctx.kernels();
    if (is_quant8(in.dtype)) {
      FD_RETURN_IF_ERROR(pool_common::expect_per_tensor_quant(ctx, in, "input"));
      FD_RETURN_IF_ERROR(pool_common::expect_per_tensor_quant(ctx, out, "output"));
      const double k = -static_cast<double>(beta_) * in.quant.scale[0];
      for (int d = 0; d < 256; ++d) table_[d] = static_cast<float>(std::exp(k * d));
      params_.exp_table = table_;
      params_.output_scale = out.quant.scale[0];
      params_.output_zero_point = out.quant.zero_point[0];
      params_.qmin = dtype_qmin(out.dtype);
      params_.qmax = dtype_qmax(out.dtype);
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, in.shape));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    switch (in.dtype) {
      case DType::kFloat32: f32_softmax_ref(in.as<float>(), rows_, cols_, beta_, out.as<float>()); break;
      case DType::kInt8: kt_->qs8_softmax(in.as<int8_t>(), rows_, cols_, params_, out.as<int8_t>()); break;
      default: kt_->qu8_softmax(in.as<uint8_t>(), rows_, cols_, params_, out.as<uint8_t>()); break;
    }
    return Status();
  }

 private:
  const KernelTable* kt_ = nullptr;
  size_t rows_ = 1, cols_ = 1;
  float beta_ = 1.0f;
  float table_[256] = {};
  QuantSoftmaxParams params_;
};

}  // namespace

std::unique_ptr<Op> create_softmax() { return std::make_unique<Softmax>(); }

}  // namespace fd
