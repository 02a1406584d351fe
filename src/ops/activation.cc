// Unary activations RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH and SQRT:
// float32 kernels, and for int8/uint8 a 256-entry lookup table built at prepare (dequantize,
// f(x) in double, quantize rounding to nearest-even), the way XNNPACK does it.
#include <cmath>

#include "kernels/elementwise.h"
#include "ops/elementwise_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

enum class Fn : uint8_t { kRelu, kRelu6, kReluN1To1, kLeakyRelu, kHardSwish, kLogistic, kTanh, kSqrt };

// The real-valued function of each activation (TFLite's definitions).
double apply(Fn fn, double x, double alpha) {
  switch (fn) {
    case Fn::kRelu: return x > 0.0 ? x : 0.0;
    case Fn::kRelu6: return x < 0.0 ? 0.0 : (x > 6.0 ? 6.0 : x);
    case Fn::kReluN1To1: return x < -1.0 ? -1.0 : (x > 1.0 ? 1.0 : x);
    case Fn::kLeakyRelu: return x > 0.0 ? x : x * alpha;
    case Fn::kHardSwish: return x * std::fmin(6.0, std::fmax(0.0, x + 3.0)) / 6.0;
    case Fn::kLogistic: return 1.0 / (1.0 + std::exp(-x));
    case Fn::kTanh: return std::tanh(x);
    case Fn::kSqrt: return std::sqrt(x);
  }
  return 0.0;
}

class ActivationOp : public Op {
 public:
  explicit ActivationOp(Fn fn) : fn_(fn) {}

  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    if (ctx.num_inputs() < 1 || ctx.num_outputs() != 1) return ctx.error("expects 1 input and 1 output");
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    if (fn_ == Fn::kSqrt) {
      FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32}));
    } else {
      FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    }
    if (out.dtype != in.dtype) {
      return ctx.error(std::string("output type ") + dtype_name(out.dtype) + " differs from input type " +
                       dtype_name(in.dtype));
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, in.shape));
    alpha_ = ctx.options().alpha;
    if (in.dtype == DType::kFloat32) {
      clamp_ = fn_ == Fn::kRelu || fn_ == Fn::kRelu6 || fn_ == Fn::kReluN1To1;
      if (clamp_) {
        minmax_.min = fn_ == Fn::kReluN1To1 ? -1.0f : 0.0f;
        minmax_.max = fn_ == Fn::kRelu ? INFINITY : (fn_ == Fn::kRelu6 ? 6.0f : 1.0f);
      }
      return Status();
    }
    FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, in, "input"));
    FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, out, "output"));
    build_table(in, out);
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    const size_t n = static_cast<size_t>(num_elements(in.shape));
    if (lrelu_simd_) {
      if (in.dtype == DType::kInt8) {
        kt_->qs8_vlrelu_rndnu(n, in.as<int8_t>(), out.as<int8_t>(), lrelu_);
      } else {
        kt_->qu8_vlrelu_rndnu(n, in.as<uint8_t>(), out.as<uint8_t>(), lrelu_);
      }
    } else if (in.dtype != DType::kFloat32) {
      kt_->x8_lut(n, in.as<uint8_t>(), out.as<uint8_t>(), table_);
    } else if (clamp_) {
      kt_->f32_vclamp(n, in.as<float>(), out.as<float>(), minmax_);
    } else {
      f32_vunary_ref(unary_op(), n, in.as<float>(), out.as<float>(), alpha_);
    }
    return Status();
  }

 private:
  const KernelTable* kt_ = nullptr;
  UnaryOp unary_op() const {
    switch (fn_) {
      case Fn::kLeakyRelu: return UnaryOp::kLeakyRelu;
      case Fn::kHardSwish: return UnaryOp::kHardSwish;
      case Fn::kLogistic: return UnaryOp::kLogistic;
      case Fn::kTanh: return UnaryOp::kTanh;
      default: return UnaryOp::kSqrt;
    }
  }

  // table_[byte] = quantized f(dequantized input byte), indexed by the raw 8-bit pattern.
  void build_table(const RTensor& in, const RTensor& out) {
    const float si = in.quant.scale[0], so = out.quant.scale[0];
    const int32_t zi = in.quant.zero_point.empty() ? 0 : in.quant.zero_point[0];
    const int32_t zo = out.quant.zero_point.empty() ? 0 : out.quant.zero_point[0];
    const int32_t qmin = dtype_qmin(out.dtype), qmax = dtype_qmax(out.dtype);
    const bool is_signed = in.dtype == DType::kInt8;
    // LEAKY_RELU follows XNNPACK's integer form (what LiteRT.js runs): multipliers with 8
    // fractional bits, 256 zo + 128 rounding bias, arithmetic shift by 8.
    const float pos_scale = si / so;
    const bool lrelu_fixed = fn_ == Fn::kLeakyRelu && pos_scale >= 0x1.0p-8f && pos_scale <= 0x1.0p+7f &&
                             std::fabs(pos_scale * alpha_) <= 0x1.0p+7f;
    const int32_t pos_mult = static_cast<int32_t>(std::lrintf(256.0f * pos_scale));
    const int32_t neg_mult = static_cast<int32_t>(std::lrintf(256.0f * pos_scale * alpha_));
    // The same integer form computed per element (the table stays for the other functions):
    // kernels take multipliers that fit int16.
    lrelu_simd_ = lrelu_fixed && pos_mult >= -32767 && pos_mult <= 32767 && neg_mult >= -32767 && neg_mult <= 32767;
    lrelu_.input_zero_point = zi;
    lrelu_.output_zero_point = zo;
    lrelu_.pos_multiplier = pos_mult;
    lrelu_.neg_multiplier = neg_mult;
    for (int byte = 0; byte < 256; ++byte) {
      const int32_t q = is_signed ? static_cast<int8_t>(byte) : byte;
      if (lrelu_fixed) {
        const int32_t d = q - zi;
        int32_t r = (zo * 256 + 0x80 + d * (d >= 0 ? pos_mult : neg_mult)) >> 8;
        r = r < qmin ? qmin : (r > qmax ? qmax : r);
        table_[byte] = static_cast<uint8_t>(r);
        continue;
      }
      const float x = si * static_cast<float>(q - zi);
      double r = std::nearbyint(apply(fn_, x, alpha_) / so);
      if (std::isnan(r)) r = qmin - zo;
      r = r < qmin - zo ? qmin - zo : (r > qmax - zo ? qmax - zo : r);
      table_[byte] = static_cast<uint8_t>(static_cast<int32_t>(r) + zo);
    }
  }

  Fn fn_;
  float alpha_ = 0.2f;
  bool clamp_ = false;
  bool lrelu_simd_ = false;  // quantized LEAKY_RELU through the table's vlrelu kernels
  QLeakyReluParams lrelu_;
  F32MinMaxParams minmax_;
  uint8_t table_[256] = {};
};

}  // namespace

std::unique_ptr<Op> create_relu() { return std::make_unique<ActivationOp>(Fn::kRelu); }
std::unique_ptr<Op> create_relu6() { return std::make_unique<ActivationOp>(Fn::kRelu6); }
std::unique_ptr<Op> create_relu_n1_to_1() { return std::make_unique<ActivationOp>(Fn::kReluN1To1); }
std::unique_ptr<Op> create_leaky_relu() { return std::make_unique<ActivationOp>(Fn::kLeakyRelu); }
std::unique_ptr<Op> create_hard_swish() { return std::make_unique<ActivationOp>(Fn::kHardSwish); }
std::unique_ptr<Op> create_logistic() { return std::make_unique<ActivationOp>(Fn::kLogistic); }
std::unique_ptr<Op> create_tanh() { return std::make_unique<ActivationOp>(Fn::kTanh); }
std::unique_ptr<Op> create_sqrt() { return std::make_unique<ActivationOp>(Fn::kSqrt); }

}  // namespace fd
