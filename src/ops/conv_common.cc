#include "ops/conv_common.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "ops/padding.h"

namespace fd {

Status conv_output_size(const NodeContext& ctx, Padding padding, int32_t in, int32_t kernel,
                        int32_t stride, int32_t dilation, size_t* out, size_t* pad_before) {
  if (stride < 1 || dilation < 1 || kernel < 1) {
    return ctx.error("invalid stride " + std::to_string(stride) + ", dilation " +
                     std::to_string(dilation) + " or kernel size " + std::to_string(kernel));
  }
  int64_t o = 0, pad = 0;
  if (!same_valid_window(padding, in, kernel, stride, dilation, &o, &pad)) {
    return ctx.error("window of " + std::to_string(static_cast<int64_t>(kernel - 1) * dilation + 1) +
                     " does not fit input size " + std::to_string(in));
  }
  *out = static_cast<size_t>(o);
  *pad_before = static_cast<size_t>(pad);
  return Status();
}

Status expect_conv_io(NodeContext& ctx) {
  if (ctx.num_inputs() < 2) return ctx.error("needs input and weights");
  FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
  const DType in = ctx.input(0).dtype, out = ctx.output(0).dtype;
  if (out != in) {
    return ctx.error(std::string("output type ") + dtype_name(out) + " differs from input type " +
                     dtype_name(in));
  }
  return Status();
}

Status conv_geometry(const NodeContext& ctx, const Shape& in, const Shape& w, ConvGeometry* g) {
  const OpOptions& o = ctx.options();
  g->in_h = static_cast<size_t>(in[1]);
  g->in_w = static_cast<size_t>(in[2]);
  g->kernel_h = static_cast<size_t>(w[1]);
  g->kernel_w = static_cast<size_t>(w[2]);
  g->stride_h = static_cast<size_t>(o.stride_h);
  g->stride_w = static_cast<size_t>(o.stride_w);
  g->dilation_h = static_cast<size_t>(o.dilation_h);
  g->dilation_w = static_cast<size_t>(o.dilation_w);
  FD_RETURN_IF_ERROR(conv_output_size(ctx, o.padding, in[1], w[1], o.stride_h, o.dilation_h,
                                      &g->out_h, &g->pad_top));
  return conv_output_size(ctx, o.padding, in[2], w[2], o.stride_w, o.dilation_w, &g->out_w,
                          &g->pad_left);
}

Status expect_constant(NodeContext& ctx, int i, DType dtype, const char* what) {
  const RTensor& t = ctx.input(i);
  if (t.dtype != dtype) {
    return ctx.error(std::string(what) + " has type " + dtype_name(t.dtype) + ", expected " +
                     dtype_name(dtype));
  }
  if (!t.is_constant) {
    return ctx.error(std::string(what) + " is not a constant tensor; featherdet needs constant " +
                     what + " at load time");
  }
  return Status();
}

Status float_weights(NodeContext& ctx, int i, const char* what, std::vector<float>* storage, const float** data) {
  const RTensor& t = ctx.input(i);
  if (t.dtype == DType::kFloat32) {
    FD_RETURN_IF_ERROR(expect_constant(ctx, i, DType::kFloat32, what));
    *data = t.as<float>();
    return Status();
  }
  if (t.dtype != DType::kInt8 && t.dtype != DType::kUInt8) {
    return ctx.error(std::string(what) + " has type " + dtype_name(t.dtype) + ", expected FLOAT32, or INT8/UINT8 " +
                     "with quantization parameters (dynamic-range quantization)");
  }
  FD_RETURN_IF_ERROR(expect_constant(ctx, i, t.dtype, what));
  const QuantParams& q = t.quant;
  const int64_t count = num_elements(t.shape);
  const size_t scales = q.scale.size();
  const size_t axis = static_cast<size_t>(q.axis);
  if (scales == 0 || (scales > 1 && (axis >= t.shape.size() || static_cast<size_t>(t.shape[axis]) != scales)) ||
      (!q.zero_point.empty() && q.zero_point.size() != scales)) {
    return ctx.error(std::string(what) + " are " + dtype_name(t.dtype) + " with float input but carry no usable "
                     "quantization scales (" + std::to_string(scales) + " scales for shape " + shape_str(t.shape) + ")");
  }
  size_t inner = 1;  // elements between consecutive indices of the quantized axis
  for (size_t d = axis + 1; scales > 1 && d < t.shape.size(); ++d) inner *= static_cast<size_t>(t.shape[d]);
  storage->resize(static_cast<size_t>(count));
  const bool is_signed = t.dtype == DType::kInt8;
  for (size_t e = 0; e < storage->size(); ++e) {
    const size_t c = scales > 1 ? (e / inner) % scales : 0;
    const int32_t v = is_signed ? static_cast<int32_t>(t.as<int8_t>()[e]) : static_cast<int32_t>(t.as<uint8_t>()[e]);
    const int32_t zp = q.zero_point.empty() ? 0 : q.zero_point[c];
    (*storage)[e] = static_cast<float>(v - zp) * q.scale[c];
  }
  *data = storage->data();
  return Status();
}

Status weight_quant(const NodeContext& ctx, const RTensor& w, size_t channels,
                    std::vector<int32_t>* zero_points, std::vector<float>* scales) {
  const size_t count = w.quant.scale.size();
  if (count != 1 && count != channels) {
    return ctx.error("weights have " + std::to_string(count) + " quantization scales for " +
                     std::to_string(channels) + " output channels");
  }
  zero_points->assign(channels, 0);
  scales->assign(channels, 0.0f);
  for (size_t c = 0; c < channels; ++c) {
    const size_t i = count == 1 ? 0 : c;
    (*scales)[c] = w.quant.scale[i];
    (*zero_points)[c] = i < w.quant.zero_point.size() ? w.quant.zero_point[i] : 0;
  }
  return Status();
}

namespace {

// sum over the taps of |w - w_zp| for output channel `c`.
int64_t weight_magnitude(const QWeights& w, size_t c) {
  int64_t magnitude = 0;
  for (size_t t = 0; t < w.taps; ++t) {
    const uint8_t raw = w.data[c * w.ch_stride + t * w.tap_stride];
    const int64_t q = w.is_unsigned ? raw : static_cast<int8_t>(raw);
    magnitude += std::abs(q - w.zero_points[c]);
  }
  return magnitude;
}

}  // namespace

bool requant_bounded(const QWeights& w, const int32_t* bias, const float* scale) {
  for (size_t c = 0; c < w.channels; ++c) {
    const double b = bias ? std::abs(static_cast<double>(bias[c])) : 0.0;
    if ((b + 255.0 * static_cast<double>(weight_magnitude(w, c))) * scale[c] >= 2097152.0) return false;
  }
  return true;
}

Status check_accumulator_range(const NodeContext& ctx, const QWeights& w, const int32_t* bias, int32_t input_zp) {
  const int64_t factor = std::abs(static_cast<int64_t>(input_zp)) + 383;
  for (size_t c = 0; c < w.channels; ++c) {
    const int64_t magnitude = weight_magnitude(w, c);
    const int64_t b = bias ? std::abs(static_cast<int64_t>(bias[c])) : 0;
    if (magnitude > INT32_MAX || b + factor * magnitude > INT32_MAX) {
      return ctx.error("output channel " + std::to_string(c) + " could overflow its int32 accumulator (bias " +
                       std::to_string(bias ? bias[c] : 0) + ", weight magnitude sum " + std::to_string(magnitude) + ")");
    }
  }
  return Status();
}

Status optional_bias(NodeContext& ctx, DType dtype, size_t channels, const void** bias) {
  *bias = nullptr;
  if (!ctx.has_input(2)) return Status();
  FD_RETURN_IF_ERROR(expect_constant(ctx, 2, dtype, "bias"));
  if (static_cast<size_t>(num_elements(ctx.input(2).shape)) != channels) {
    return ctx.error("bias has " + std::to_string(num_elements(ctx.input(2).shape)) + " values for " +
                     std::to_string(channels) + " output channels");
  }
  *bias = ctx.input(2).data;
  return Status();
}

Status init_qconv(NodeContext& ctx, const RTensor& in, const RTensor& out, size_t channels, size_t taps,
                  size_t ch_stride, size_t tap_stride, Activation act, size_t scale_channels, QConv* q,
                  std::vector<float>* scale, RequantParams* rq) {
  FD_RETURN_IF_ERROR(expect_constant(ctx, 1, in.dtype, "weights"));
  const RTensor& w = ctx.input(1);
  if (in.quant.scale.size() != 1 || out.quant.scale.size() != 1 || w.quant.empty()) {
    return ctx.error("quantized input, weights and output need quantization parameters "
                     "(per-tensor for input and output)");
  }
  std::vector<float> w_scale;
  FD_RETURN_IF_ERROR(weight_quant(ctx, w, channels, &q->w_zero_points, &w_scale));
  const void* bias = nullptr;
  FD_RETURN_IF_ERROR(optional_bias(ctx, DType::kInt32, channels, &bias));
  q->bias = static_cast<const int32_t*>(bias);
  q->weights = QWeights{w.data, w.dtype == DType::kUInt8, channels, taps, ch_stride, tap_stride, q->w_zero_points.data()};
  FD_RETURN_IF_ERROR(check_accumulator_range(ctx, q->weights, q->bias, in.quant.zero_point[0]));
  scale->assign(std::max(scale_channels, channels), 0.0f);
  for (size_t c = 0; c < channels; ++c) {
    (*scale)[c] = in.quant.scale[0] * w_scale[c] / out.quant.scale[0];
    FD_RETURN_IF_ERROR(ctx.expect_finite_scale((*scale)[c], "requantization scale (input * weight / output)"));
  }
  rq->scale = scale->data();
  rq->per_tensor = false;
  rq->output_zero_point = out.quant.zero_point[0];
  rq->bounded = requant_bounded(q->weights, q->bias, scale->data());
  return quant_activation_range(ctx, act, out.dtype, out.quant.scale[0], out.quant.zero_point[0], &rq->qmin, &rq->qmax);
}

Status prepare_qgemm(NodeContext& ctx, const RTensor& in, const RTensor& out, size_t n, size_t k,
                     Activation act, QGemm* g) {
  QConv q;
  // The table's preferred kernel for this K (its channel tile pads the scales), or its general one
  // below.
  const KernelTable& t = ctx.kernels();
  const bool small_k = k <= t.qgemm_small_k_max;
  g->kernel = small_k ? &t.qgemm_small_k : &t.qgemm;
  FD_RETURN_IF_ERROR(init_qconv(ctx, in, out, n, k, k, 1, act, round_up_multiple(n, g->kernel->nr), &q, &g->scale,
                                &g->params.rq));
  g->n = n;
  g->k = k;
  const uint8_t* wdata = q.weights.data;
  const bool w_unsigned = q.weights.is_unsigned;
  std::vector<int32_t> row_sums(n);
  g->packed.assign(g->kernel->packed_bytes(n, k), 0);
  if (!g->kernel->pack(n, k, wdata, w_unsigned, q.w_zero_points.data(), g->packed.data(), row_sums.data())) {
    g->kernel = &ctx.kernels().qgemm_general;
    g->packed.assign(g->kernel->packed_bytes(n, k), 0);
    g->kernel->pack(n, k, wdata, w_unsigned, q.w_zero_points.data(), g->packed.data(), row_sums.data());
  }
  const size_t np = round_up_multiple(n, g->kernel->nr);
  if (g->scale.size() < np) {
    g->scale.resize(np, 0.0f);
    g->params.rq.scale = g->scale.data();
  }
  const bool in_unsigned = in.dtype == DType::kUInt8;
  const int32_t in_zp = in.quant.zero_point[0] + activation_shift(g->kernel->domain, in_unsigned);
  g->bias.assign(np, 0);
  if (q.bias) {
    for (size_t c = 0; c < n; ++c) g->bias[c] = q.bias[c];
  }
  for (size_t c = 0; c < n; ++c) g->bias[c] -= in_zp * row_sums[c];
  g->params.is_unsigned = in_unsigned;
  g->params.a_xor = activation_shift(g->kernel->domain, in_unsigned) != 0 ? 0x80 : 0;
  return Status();
}

Status prepare_fgemm(NodeContext& ctx, size_t n, size_t k, Activation act, FGemm* g) {
  std::vector<float> dequantized;
  const float* w = nullptr;
  FD_RETURN_IF_ERROR(float_weights(ctx, 1, "weights", &dequantized, &w));
  g->n = n;
  g->k = k;
  g->kernel = ctx.kernels().f32_gemm;
  const size_t np = round_up_multiple(n, kFGemmNR);
  g->packed.assign(np * k, 0.0f);
  f32_gemm_4x8_pack(n, k, w, g->packed.data());
  g->bias.assign(np, 0.0f);
  const void* bias = nullptr;
  FD_RETURN_IF_ERROR(optional_bias(ctx, DType::kFloat32, n, &bias));
  if (bias) std::copy_n(static_cast<const float*>(bias), n, g->bias.begin());
  return float_activation_range(ctx, act, &g->out_min, &g->out_max);
}

void run_qgemm(const QGemm& g, size_t m, const uint8_t* a, size_t a_stride, uint8_t* c, size_t c_stride,
               bool k_padded) {
  // The packed layout of k and of round_up(k, kr) is the same, with zero weights past k.
  const size_t k = k_padded ? round_up_multiple(g.k, g.kernel->kr) : g.k;
  g.kernel->run(m, g.n, k, a, a_stride, g.packed.data(), g.bias.data(), c, c_stride, g.params);
}

void prepare_qgemm_rows(NodeContext& ctx, const QGemm& g, size_t m, QGemmRows* r) {
  if (g.params.a_xor == 0) return;
  r->row_stride = round_up_multiple(g.k, g.kernel->kr);
  r->block_rows = std::max<size_t>(kQGemmMR, kGemmRowBlockBytes / r->row_stride / kQGemmMR * kQGemmMR);
  r->block_rows = std::min(r->block_rows, m);
  ctx.request_scratch(r->block_rows * r->row_stride);
}

void run_qgemm_rows(const QGemm& g, const QGemmRows& r, size_t m, const uint8_t* a, size_t a_stride, uint8_t* c,
                    size_t c_stride, uint8_t* scratch) {
  if (g.params.a_xor == 0) {
    run_qgemm(g, m, a, a_stride, c, c_stride);
    return;
  }
  for (size_t p = 0; p < m; p += r.block_rows) {
    const size_t count = std::min(r.block_rows, m - p);
    x8_xor_rows_ref(count, g.k, a + p * a_stride, a_stride, g.params.a_xor, scratch, r.row_stride);
    run_qgemm(g, count, scratch, r.row_stride, c + p * c_stride, c_stride, true);
  }
}

void run_fgemm(const FGemm& g, size_t m, const float* a, size_t a_stride, float* c, size_t c_stride) {
  g.kernel(m, g.n, g.k, a, a_stride, g.packed.data(), g.bias.data(), c, c_stride, g.out_min,
             g.out_max);
}

}  // namespace fd
