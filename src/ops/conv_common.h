// Prepare-time helpers shared by CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: window geometry,
// fused-activation ranges, weight packing with folded zero points, and kernel selection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/conv.h"
#include "kernels/kernel_table.h"
#include "ops/activation_range.h"
#include "ops/op.h"

namespace fd {

// Output size and leading padding of one spatial axis under TFLite's SAME/VALID rules
// (same_valid_window), as an error naming the window when it does not fit.
Status conv_output_size(const NodeContext& ctx, Padding padding, int32_t in, int32_t kernel,
                        int32_t stride, int32_t dilation, size_t* out, size_t* pad_before);

// Fails unless the node has an input and weights, input 0 is FLOAT32, INT8 or UINT8 and output 0
// has the input's type.
Status expect_conv_io(NodeContext& ctx);

// Fills `g` for an NHWC input `in` [N, H, W, C] and weights `w` [*, KH, KW, *] from the node's
// strides, dilations and padding.
Status conv_geometry(const NodeContext& ctx, const Shape& in, const Shape& w, ConvGeometry* g);

// The node's optional bias (input 2): null when absent, else checked to be a constant of type
// `dtype` with one value per output channel (`channels`).
Status optional_bias(NodeContext& ctx, DType dtype, size_t channels, const void** bias);

// Checks that input `i` is a constant of type `dtype` (weights and biases must be).
Status expect_constant(NodeContext& ctx, int i, DType dtype, const char* what);
// Constant input `i` as float: FLOAT32 as it is; INT8/UINT8 with per-tensor or per-channel
// scales (TFLite's dynamic-range quantization: 8-bit weights, float activations) dequantized once
// into *storage. *data points at the floats.
Status float_weights(NodeContext& ctx, int i, const char* what, std::vector<float>* storage, const float** data);

// Per-output-channel quantization of a weight tensor with `channels` output channels: zero
// points and scales ([channels] each), after checking the tensor's quant params fit.
Status weight_quant(const NodeContext& ctx, const RTensor& w, size_t channels,
                    std::vector<int32_t>* zero_points, std::vector<float>* scales);

// Prepared quantized GEMM: the kernel chosen from the table, weights packed for it, bias with
// the input zero point (and the kernel's activation offset) folded in, scales.
struct QGemm {
  size_t n = 0, k = 0;
  const QGemmUkernel* kernel = nullptr;
  std::vector<uint8_t> packed;  // the kernel's layout
  std::vector<int32_t> bias;    // [round_up(n, kernel->nr)]
  std::vector<float> scale;     // [round_up(n, kernel->nr)]
  QConvParams params;
};

// 8-bit weights of `channels` output channels and `taps` values each, weight (c, t) at
// w[c * ch_stride + t * tap_stride], as a quantized conv reads them.
struct QWeights {
  const uint8_t* data;
  bool is_unsigned;
  size_t channels, taps, ch_stride, tap_stride;
  const int32_t* zero_points;  // per channel
};

// The quantization of a conv-like node (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED), filled
// by init_qconv: per-channel weight zero points, the int32 bias (null when absent) and the
// weights as the accumulator checks read them.
struct QConv {
  std::vector<int32_t> w_zero_points;
  const int32_t* bias = nullptr;
  QWeights weights{};
};

// The one quantized-parameter fill of conv-like nodes: input 1 (constant weights of the input's
// type, `channels` x `taps` at the given strides) and input 2 (optional int32 bias) are checked
// (quantization present, zero points in range, accumulators within int32), `scale` gets the
// per-channel requantization scales in*w[c]/out padded with zeros to `scale_channels`, and `rq`
// its whole output stage (scales, zero point, bounded, clamp range of `act`).
Status init_qconv(NodeContext& ctx, const RTensor& in, const RTensor& out, size_t channels, size_t taps,
                  size_t ch_stride, size_t tap_stride, Activation act, size_t scale_channels, QConv* q,
                  std::vector<float>* scale, RequantParams* rq);

// Fails unless every int32 accumulator of a quantized conv stays in range: per channel,
// |bias| + (|input zero point| + 383) * sum |w - w_zp| must fit int32 (the kernels fold
// -zero point * sum(w) into the bias and add products of raw or shifted 8-bit activations).
Status check_accumulator_range(const NodeContext& ctx, const QWeights& w, const int32_t* bias, int32_t input_zp);

// Whether a quantized conv's requantization is RequantParams::bounded: per channel,
// (|bias| + 255 * sum |w - w_zp|) * scale < 2^21 (|x - input_zp| <= 255 for 8-bit activations).
bool requant_bounded(const QWeights& w, const int32_t* bias, const float* scale);

// Builds a QGemm for C = A [m, k] x W^T where input 1 is the weights ([n, k] row-major, possibly
// with more dims folding into k) and input 2 (optional) the int32 bias; `in`/`out` give the
// activation quantization, `act` the fused activation. params.a_xor is the flip the caller
// applies to A's bytes (QConvParams::a_xor).
Status prepare_qgemm(NodeContext& ctx, const RTensor& in, const RTensor& out, size_t n, size_t k,
                     Activation act, QGemm* g);

// Prepared float GEMM: packed weights, padded bias, output clamp.
struct FGemm {
  size_t n = 0, k = 0;
  std::vector<float> packed;  // [ceil(n/8), k, 8]
  std::vector<float> bias;    // [round_up(n, 8)]
  float out_min = 0, out_max = 0;
  decltype(KernelTable::f32_gemm) kernel = nullptr;
};

// Builds an FGemm from input 1 (float weights [n, k]) and optional input 2 (float bias).
Status prepare_fgemm(NodeContext& ctx, size_t n, size_t k, Activation act, FGemm* g);

// Target size of one block of GEMM rows built in scratch (im2col rows, flipped rows).
constexpr size_t kGemmRowBlockBytes = 32 * 1024;

// A quantized GEMM over rows read straight from a tensor (FULLY_CONNECTED, 1x1 convolutions):
// when its kernel reads the other signedness (params.a_xor), the rows are copied flipped and
// padded to the K block, block_rows at a time, through scratch.
struct QGemmRows {
  size_t block_rows = 0, row_stride = 0;
};
// Requests the scratch that run_qgemm_rows needs for `m` rows of `g`.
void prepare_qgemm_rows(NodeContext& ctx, const QGemm& g, size_t m, QGemmRows* r);
// C [m, n] (row stride c_stride) = A [m, k] (row stride a_stride) x the weights of `g`.
void run_qgemm_rows(const QGemm& g, const QGemmRows& r, size_t m, const uint8_t* a, size_t a_stride, uint8_t* c,
                    size_t c_stride, uint8_t* scratch);

// Runs the prepared quantized GEMM. With `k_padded`, rows of A hold round_up(k, kernel->kr)
// readable values (the extra ones meet zero weights); g.params.a_xor says whether the caller
// flipped them (QConvParams::a_xor).
void run_qgemm(const QGemm& g, size_t m, const uint8_t* a, size_t a_stride, uint8_t* c, size_t c_stride,
               bool k_padded = false);

// Runs the float GEMM kernel of the kernel table.
void run_fgemm(const FGemm& g, size_t m, const float* a, size_t a_stride, float* c, size_t c_stride);

}  // namespace fd
