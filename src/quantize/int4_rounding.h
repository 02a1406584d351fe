// Data-aware INT4 rounding of convolution weights. Rounding each weight to its nearest INT4 step
// (round_weights_to_int4) ignores what the layer's inputs look like; INT4 has only 15 levels, so
// the rounding errors add up in the outputs. This module rounds with the inputs' statistics, after
// GPTQ (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained
// Transformers", 2022): with H = E[x xᵀ] the second moment of the layer's input patches, the
// output error of a rounded weight row q is (w - q) H (w - q)ᵀ; the columns are rounded one at a
// time and each rounding error is spread over the columns not yet rounded through the inverse of
// H, so later columns compensate it. Per-channel scales are chosen first, by clipping search
// under the same H-weighted error.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// The INT4 weights of one layer: per-channel scales on the weight tensor's quantization axis and
// integer values in [-7, 7] laid out as the weight tensor.
struct Int4Rounding {
  int32_t weight_tensor = -1;
  int axis = 0;
  std::vector<float> scales;
  std::vector<int8_t> values;
  // Per output channel, (w - q) · E[x]: added to the layer's bias, it keeps the mean of each
  // output where the float weights put it (bias correction; empty when not measured).
  std::vector<float> bias_correction;
  // scale * value per weight: what the INT4 layer computes with, in float.
  std::vector<float> dequantized(const Shape& shape) const;
  // `bias` plus bias_correction (unchanged when the sizes differ: no correction measured).
  std::vector<float> corrected_bias(std::vector<float> bias) const;
};

// Rounds the `rows` x `k` matrix `w` (row-major, one row per output channel) to INT4 in place
// (w[r][j] = scales[r] * values[r][j], values in [-7, 7]) minimising sum_r (w_r - q_r) H (w_r - q_r)ᵀ
// with `h` the k x k second moment of the inputs (row-major, symmetric; changed: dampened).
// Falls back to nearest rounding with the same scales when H cannot be factored.
void gptq_round_int4(int rows, int k, std::vector<double> h, std::vector<float>* w, std::vector<float>* scales,
                     std::vector<int8_t>* values);

// The data-aware INT4 rounding of the CONV_2D and DEPTHWISE_CONV_2D nodes `nodes` of
// `float_graph` (constant FLOAT32 weights; others are skipped), their input statistics taken by
// running the graph on `images` (raw pixels, the model input's size). Keyed by node.
// Each layer is measured on the float graph, as if it alone were INT4 (rounding layers in
// sequence, each on the graph whose earlier layers already run INT4, measured no better here:
// YuNet-n all-INT4 output error 0.193 in sequence vs 0.190 alone; correcting the biases for the
// earlier layers' drift too made it 0.219-0.328).
Status round_int4_with_data(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                            const std::vector<int>& nodes, std::map<int, Int4Rounding>* out);

}  // namespace fd
