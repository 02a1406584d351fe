// QUANTIZE (float32 -> int8/uint8, and 8-bit requantization between int8/uint8 through a
// lookup table: XNNPACK's fixed-point convert where it applies) and DEQUANTIZE (int8/uint8/float16 -> float32). DEQUANTIZE of a constant input
// (fp16 or int8 weights) is done once at prepare: the output becomes a constant the op owns, so
// it takes no arena space and eval does nothing.
#include <algorithm>
#include <cmath>
#include <memory>

#include "core/quant.h"
#include "kernels/elementwise.h"
#include "ops/elementwise_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

int32_t zero_point_of(const RTensor& t) { return t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0]; }

class Quantize : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1) return ctx.error("expects 1 input and 1 output");
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    if (!is_quant8(out.dtype)) {
      return ctx.unsupported(std::string("output type ") + dtype_name(out.dtype) +
                       " is not supported (supported: INT8, UINT8)");
    }
    FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, out, "output"));
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, in.shape));
    rows_.init(in.shape);
    out_int8_ = out.dtype == DType::kInt8;
    const float so = out.quant.scale[0];
    const int32_t zo = zero_point_of(out);
    const int32_t qmin = dtype_qmin(out.dtype), qmax = dtype_qmax(out.dtype);
    if (in.dtype == DType::kFloat32) {
      fparams_.inv_scale = 1.0f / so;
      fparams_.zero_point = zo;
      fparams_.qmin = qmin;
      fparams_.qmax = qmax;
      return Status();
    }
    // 8-bit -> 8-bit, tabulated. Same type with si / so in [2^-8, 2^7]: XNNPACK's convert
    // (what LiteRT.js runs), the ratio as an 8.8 fixed-point multiplier m = round(256 si / so)
    // and q' = floor(((q - zi) m + 128) / 256) + zo; otherwise the shared fp32 requantization.
    FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, in, "input"));
    const int32_t zi = zero_point_of(in);
    const float scale = in.quant.scale[0] / so;
    FD_RETURN_IF_ERROR(ctx.expect_finite_scale(scale, "requantization scale (input / output)"));
    const bool fixed_point = in.dtype == out.dtype && scale >= 0x1.0p-8f && scale <= 0x1.0p+7f;
    const int32_t m = static_cast<int32_t>(std::lrintf(256.0f * scale));
    // That fixed-point form is the integer leaky ReLU's with one multiplier for both signs: the
    // vlrelu kernels run it in SIMD where m fits their int16 multiplier.
    vcvt_ = fixed_point && m <= 32767;
    vcvt_params_.input_zero_point = zi;
    vcvt_params_.output_zero_point = zo;
    vcvt_params_.pos_multiplier = vcvt_params_.neg_multiplier = m;
    if (vcvt_) return Status();
    for (int byte = 0; byte < 256; ++byte) {
      const int32_t q = in.dtype == DType::kInt8 ? static_cast<int8_t>(byte) : byte;
      const int32_t v = fixed_point ? std::min(qmax, std::max(qmin, (((q - zi) * m + 128) >> 8) + zo))
                                    : requantize(q - zi, scale, zo, qmin, qmax);
      table_[byte] = static_cast<uint8_t>(v);
    }
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    const size_t n = static_cast<size_t>(num_elements(in.shape));
    if (rows_.contiguous()) {
      convert(n, in, in.data, out.data);
      return Status();
    }
    const size_t in_row = rows_.row * dtype_size(in.dtype);
    for (size_t r = 0; r < n / rows_.row; ++r) convert(rows_.row, in, in.data + r * in_row, out.data + r * rows_.stride);
    return Status();
  }

  bool set_output_row_stride(size_t row_stride) override { return rows_.set_stride(row_stride); }

 private:
  // n values from `src` (`in`'s type) to `dst` (8-bit).
  void convert(size_t n, const RTensor& in, const uint8_t* src, uint8_t* dst) const {
    if (vcvt_) {
      if (in.dtype == DType::kInt8) {
        kt_->qs8_vlrelu_rndnu(n, reinterpret_cast<const int8_t*>(src), reinterpret_cast<int8_t*>(dst), vcvt_params_);
      } else {
        kt_->qu8_vlrelu_rndnu(n, src, dst, vcvt_params_);
      }
    } else if (in.dtype != DType::kFloat32) {
      kt_->x8_lut(n, src, dst, table_);
    } else if (out_int8_) {
      kt_->f32_qs8_vcvt(n, reinterpret_cast<const float*>(src), reinterpret_cast<int8_t*>(dst), fparams_);
    } else {
      kt_->f32_qu8_vcvt(n, reinterpret_cast<const float*>(src), dst, fparams_);
    }
  }

  OutputRows rows_;
  bool out_int8_ = false;
  const KernelTable* kt_ = nullptr;
  F32QuantizeParams fparams_;
  bool vcvt_ = false;  // 8-bit requantization in XNNPACK's fixed-point form, through the vlrelu kernels
  QLeakyReluParams vcvt_params_;
  uint8_t table_[256] = {};
};

class Dequantize : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1) return ctx.error("expects 1 input and 1 output");
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kInt8, DType::kUInt8, DType::kFloat16}));
    if (out.dtype != DType::kFloat32) {
      return ctx.unsupported(std::string("output type ") + dtype_name(out.dtype) + " is not supported (supported: FLOAT32)");
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, in.shape));
    if (in.dtype != DType::kFloat16) {
      if (in.quant.empty()) return ctx.error(std::string("input is ") + dtype_name(in.dtype) + " but has no quantization parameters");
      if (!in.quant.per_channel()) {
        FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, in, "input"));
        params_.scale = in.quant.scale[0];
        params_.zero_point = zero_point_of(in);
      } else if (!in.is_constant) {
        return ctx.error("per-channel quantized input must be constant");
      }
    }
    if (!in.is_constant) return Status();

    // Constant input: dequantize now into a buffer this op owns.
    const int64_t n = num_elements(in.shape);
    folded_.reset(new float[n > 0 ? n : 1]);
    if (in.dtype == DType::kFloat16) {
      f16_f32_vcvt_ref(static_cast<size_t>(n), in.as<uint16_t>(), folded_.get());
    } else if (in.quant.per_channel()) {
      FD_RETURN_IF_ERROR(fold_per_channel(ctx, in));
    } else {
      convert(in, folded_.get());
    }
    out.data = reinterpret_cast<uint8_t*>(folded_.get());
    out.is_constant = true;
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    if (folded_) return Status();
    const RTensor& in = ctx.input(0);
    convert(in, ctx.output(0).as<float>());
    return Status();
  }

 private:
  const KernelTable* kt_ = nullptr;
  void convert(const RTensor& in, float* y) const {
    const size_t n = static_cast<size_t>(num_elements(in.shape));
    switch (in.dtype) {
      case DType::kInt8: kt_->qs8_f32_vcvt(n, in.as<int8_t>(), y, params_); break;
      case DType::kUInt8: kt_->qu8_f32_vcvt(n, in.as<uint8_t>(), y, params_); break;
      default: f16_f32_vcvt_ref(n, in.as<uint16_t>(), y); break;
    }
  }

  // Per-channel weights: one scale / zero point per slice along quant.axis.
  Status fold_per_channel(NodeContext& ctx, const RTensor& in) {
    const int axis = in.quant.axis;
    if (axis < 0 || axis >= static_cast<int>(in.shape.size())) return ctx.error("quantization axis out of range");
    const int64_t channels = in.shape[axis];
    if (static_cast<int64_t>(in.quant.scale.size()) != channels) {
      return ctx.error("per-channel quantization has " + std::to_string(in.quant.scale.size()) +
                       " scales for " + std::to_string(channels) + " channels");
    }
    int64_t inner = 1;
    for (size_t d = axis + 1; d < in.shape.size(); ++d) inner *= in.shape[d];
    const int64_t n = num_elements(in.shape);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t c = (i / inner) % channels;
      const int32_t zp = c < static_cast<int64_t>(in.quant.zero_point.size()) ? in.quant.zero_point[c] : 0;
      const int32_t q = in.dtype == DType::kInt8 ? in.as<int8_t>()[i] : in.as<uint8_t>()[i];
      folded_[i] = static_cast<float>(q - zp) * in.quant.scale[c];
    }
    return Status();
  }

  DequantizeParams params_;
  std::unique_ptr<float[]> folded_;
};

}  // namespace

std::unique_ptr<Op> create_quantize() { return std::make_unique<Quantize>(); }
std::unique_ptr<Op> create_dequantize() { return std::make_unique<Dequantize>(); }

}  // namespace fd
