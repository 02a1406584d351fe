// DEPTHWISE_CONV_2D: per-channel NHWC convolution; weights [1, KH, KW, Cin * depth_multiplier]
// are pre-widened (int16, minus zero point) or padded (float) at prepare; with depth multiplier 1
// they are packed for the kernel table's depthwise kernel, the input zero point folded into the bias.
#include <algorithm>
#include <string>

#include "kernels/dw_taps.h"
#include "ops/conv_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class DepthwiseConv2D : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(expect_conv_io(ctx));
    RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    const RTensor& w = ctx.input(1);
    if (in.shape.size() != 4 || w.shape.size() != 4 || w.shape[0] != 1) {
      return ctx.error("expects input [N, H, W, C] and weights [1, KH, KW, C * M], got " +
                       shape_str(in.shape) + " and " + shape_str(w.shape));
    }
    const OpOptions& o = ctx.options();
    cin_ = static_cast<size_t>(in.shape[3]);
    cout_ = static_cast<size_t>(w.shape[3]);
    if (cin_ == 0 || cout_ % cin_ != 0 ||
        (o.depth_multiplier > 0 && cout_ != cin_ * static_cast<size_t>(o.depth_multiplier))) {
      return ctx.error("weights " + shape_str(w.shape) + " do not match input channels " +
                       std::to_string(cin_) + " with depth multiplier " + std::to_string(o.depth_multiplier));
    }
    multiplier_ = cout_ / cin_;
    batch_ = static_cast<size_t>(in.shape[0]);
    FD_RETURN_IF_ERROR(conv_geometry(ctx, in.shape, w.shape, &g_));
    FD_RETURN_IF_ERROR(ctx.set_output_shape(
        0, {in.shape[0], static_cast<int32_t>(g_.out_h), static_cast<int32_t>(g_.out_w), w.shape[3]}));
    is_float_ = in.dtype == DType::kFloat32;
    k_ = &ctx.kernels();
    fkernel_ = multiplier_ == 1 && k_->f32_dwconv_m1 ? k_->f32_dwconv_m1 : k_->f32_dwconv;
    return is_float_ ? prepare_float(ctx) : prepare_quant(ctx, in, out);
  }

  Status eval(NodeContext& ctx) override {
    const size_t in_image = g_.in_h * g_.in_w * cin_;
    const size_t out_image = g_.out_h * g_.out_w * cout_;
    for (size_t b = 0; b < batch_; ++b) {
      if (is_float_) {
        const float* in = ctx.input(0).as<float>() + b * in_image;
        float* out = ctx.output(0).as<float>() + b * out_image;
        fkernel_(in, cin_, multiplier_, g_, fw_.data(), fbias_.data(), out, out_min_, out_max_);
      } else {
        const uint8_t* in = ctx.input(0).data + b * in_image;
        uint8_t* out = ctx.output(0).data + b * out_image;
        if (m1_run_) {
          m1_run_(in, cin_, g_, qpacked_.data(), qbias_packed_.data(), zero_row_.data(), out, params_);
        } else {
          k_->qx8_dwconv(in, cin_, multiplier_, g_, qw_.data(), qbias_.data(), input_zp_, out, params_);
        }
      }
    }
    return Status();
  }

 private:
  Status prepare_float(NodeContext& ctx) {
    std::vector<float> dequantized;
    const float* w = nullptr;
    FD_RETURN_IF_ERROR(float_weights(ctx, 1, "weights", &dequantized, &w));
    const size_t cp = round_up_multiple(cout_, kDwChannelBlock);
    const size_t taps = g_.kernel_h * g_.kernel_w;
    fw_.assign(taps * cp, 0.0f);
    for (size_t t = 0; t < taps; ++t) {
      for (size_t c = 0; c < cout_; ++c) fw_[t * cp + c] = w[t * cout_ + c];
    }
    fbias_.assign(cp, 0.0f);
    const void* bias = nullptr;
    FD_RETURN_IF_ERROR(optional_bias(ctx, DType::kFloat32, cout_, &bias));
    if (bias) std::copy_n(static_cast<const float*>(bias), cout_, fbias_.begin());
    return float_activation_range(ctx, ctx.options().activation, &out_min_, &out_max_);
  }

  Status prepare_quant(NodeContext& ctx, const RTensor& in, const RTensor& out) {
    const size_t taps = g_.kernel_h * g_.kernel_w;
    QConv q;
    // Scales padded for every depthwise kernel's channel block.
    FD_RETURN_IF_ERROR(init_qconv(ctx, in, out, cout_, taps, 1, cout_, ctx.options().activation,
                                  round_up_multiple(cout_, kDwQuadBlock), &q, &scale_, &params_.rq));
    const size_t cp = round_up_multiple(cout_, kDwChannelBlock);
    qw_.assign(taps * cp, 0);
    for (size_t t = 0; t < taps; ++t) {
      for (size_t c = 0; c < cout_; ++c) {
        const uint8_t raw = q.weights.data[t * cout_ + c];
        const int32_t v = q.weights.is_unsigned ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
        qw_[t * cp + c] = static_cast<int16_t>(v - q.w_zero_points[c]);
      }
    }
    qbias_.assign(cp, 0);
    if (q.bias) std::copy_n(q.bias, cout_, qbias_.begin());
    input_zp_ = in.quant.zero_point[0];
    params_.is_unsigned = in.dtype == DType::kUInt8;
    // Depth multiplier 1: the table's kernel (or its general one when the weights do not fit),
    // with the input zero point, as that kernel reads it, folded into the bias.
    m1_run_ = nullptr;
    if (multiplier_ == 1 && taps <= kDwMaxTaps) {
      // 3x3 stride-1 windows take the kernel's sliding form where it has one, its weights
      // packed from the taps in the order it reads them.
      std::vector<int16_t> ordered_taps;
      // Up to 8 channels the general kernel (8-channel blocks) goes first where the preferred
      // one's block is wider (the relaxed 16-channel one): Chromium A/B YOLOX-Nano INT8 0.99, its
      // 5-channel stride-2 depthwise 0.22 ms before, under 0.16 after.
      const bool narrow = cout_ <= 8 && k_->qx8_dwconv_m1.channel_block > 8;
      const QDwconvUkernel* first = narrow ? &k_->qx8_dwconv_m1_general : &k_->qx8_dwconv_m1;
      const QDwconvUkernel* second = narrow ? &k_->qx8_dwconv_m1 : &k_->qx8_dwconv_m1_general;
      for (const QDwconvUkernel* k : {first, second}) {
        const bool sliding = k->run_3x3s1 && dw_3x3s1_eligible(g_, cout_);
        const int16_t* w = qw_.data();
        size_t w_taps = taps;
        if (sliding) {
          ordered_taps.resize(k->taps_3x3s1 * cp);
          dw_3x3_ordered_taps(cp, qw_.data(), k->order_3x3s1, k->taps_3x3s1, ordered_taps.data());
          w = ordered_taps.data();
          w_taps = k->taps_3x3s1;
        }
        qpacked_.assign(k->packed_bytes(cout_, w_taps), 0);
        qbias_packed_.assign(round_up_multiple(cout_, k->channel_block), 0);
        const int32_t zp = input_zp_ + activation_shift(k->domain, params_.is_unsigned);
        if (k->pack(cout_, w_taps, w, qbias_.data(), zp, qpacked_.data(), qbias_packed_.data())) {
          m1_run_ = sliding ? k->run_3x3s1 : k->run;
          break;
        }
      }
      zero_row_.assign(cin_ + kDwZeroRowSlack, static_cast<uint8_t>(input_zp_));
    }
    return Status();
  }

  ConvGeometry g_;
  size_t batch_ = 0, cin_ = 0, cout_ = 0, multiplier_ = 1;
  bool is_float_ = false;
  const KernelTable* k_ = nullptr;
  decltype(KernelTable::f32_dwconv) fkernel_ = nullptr;
  decltype(QDwconvUkernel::run) m1_run_ = nullptr;  // depth multiplier 1 kernel, else null (general kernel)
  std::vector<uint8_t> qpacked_;       // weights in m1_run_'s layout
  std::vector<int32_t> qbias_packed_;  // bias - input_zp * sum of taps, for m1_run_
  std::vector<uint8_t> zero_row_;      // [Cin + kDwZeroRowSlack] input zero point, read for taps outside the image
  std::vector<int16_t> qw_;     // [KH, KW, round_up(Cout, 8)]
  std::vector<int32_t> qbias_;  // [round_up(Cout, 8)]
  std::vector<float> scale_;    // [round_up(Cout, 8)]
  int32_t input_zp_ = 0;
  QConvParams params_;
  std::vector<float> fw_;       // [KH, KW, round_up(Cout, 8)]
  std::vector<float> fbias_;    // [round_up(Cout, 8)]
  float out_min_ = 0, out_max_ = 0;
};

}  // namespace

std::unique_ptr<Op> create_depthwise_conv_2d() { return std::make_unique<DepthwiseConv2D>(); }

}  // namespace fd
