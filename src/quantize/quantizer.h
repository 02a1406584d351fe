// Post-training full-integer quantization of a float32 Graph: int8 weights symmetric per output
// channel, int32 bias, int8 activations asymmetric per tensor from calibration ranges, the fixed
// output parameters TFLite's int8 kernels demand, and an INT8 raw-pixel model input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "quantize/calibration.h"
#include "quantize/int4_rounding.h"

namespace fd {

// Scale and zero point of an int8 activation.
struct ActivationQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Int8 parameters covering [lo, hi] (widened to contain 0, so 0.0 is exact); a degenerate range
// gets scale 1.
ActivationQuant activation_quant(float lo, float hi);

// Symmetric quantization of `w` (shape `shape`) to integers in [-qmax, qmax] (127: int8; 7:
// int4 weights) with one scale per slice along `axis`, or one for the whole tensor when axis < 0
// (scale = max|w| / qmax of the slice; an all-zero slice gets scale 1). `min_scales`, when not
// empty, gives per-slice lower bounds (used so that a bias still fits int32).
void quantize_weights_symmetric(const float* w, const Shape& shape, int axis, const std::vector<float>& min_scales,
                                std::vector<int8_t>* q, std::vector<float>* scales, int qmax = 127);

// Over the channels of `w` along `axis`: max|w| of the widest channel / that of the narrowest
// non-zero one (all-zero channels are exact at any scale; 1 when every channel is zero). The
// --per-tensor-ratio criterion.
float channel_range_ratio(const float* w, const Shape& shape, int axis);

// Int32 bias: q[c] = round(b[c] / (input_scale * weight_scales[c])), saturated to int32;
// weight_scales has one entry per channel or a single entry.
void quantize_bias(const float* b, int channels, float input_scale, const std::vector<float>& weight_scales,
                   std::vector<int32_t>* q);

// What quantize_graph does besides the defaults.
struct QuantizeOptions {
  // Default MSE: mean relative L2 of the INT8 outputs vs fp32 on 10 held-out COCO val images
  // (20 calibration images; minmax / percentile 99.99 / mse): YuNet-n 0.094 / 0.081 / 0.077,
  // NanoDet-m 0.163 / 0.160 / 0.159, FastestDet 0.347 / 0.323 / 0.355. MSE wins on two of the
  // three; percentile is the better choice for FastestDet.
  RangeMethod method = RangeMethod::kMse;
  double percentile = 99.99;
  // Nodes kept in float32 (QUANTIZE/DEQUANTIZE around them): the name of any tensor the node
  // produces, or "#N" for node index N.
  std::vector<std::string> keep_float;
  // CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED nodes (selected as for keep_float) whose
  // weights are stored as INT4: symmetric on the same axis as INT8 weights (and per_tensor_ratio
  // applies alike), scale = max|w| / 7, values in [-7, 7], the tensor flagged TensorDesc::int4;
  // the bias uses those scales. Half the weight bytes in the file, the same INT8 kernels at run
  // time (the reader unpacks).
  std::vector<std::string> int4_weights;
  // Data-aware roundings (quantize/int4_rounding.h) of INT4 layers' weights: an INT4 layer whose
  // weight tensor has one stores its values and per-channel scales as given instead of rounding
  // to the nearest step of max|w| / 7.
  std::vector<Int4Rounding> int4_rounded;
  bool float_outputs = false;      // DEQUANTIZE every INT8 model output to FLOAT32
  // Conv/depthwise weights get one per-tensor scale instead of per-channel scales when the
  // widest channel's max|w| is at most this many times the narrowest non-zero one's (then no
  // channel loses more than log2(ratio) bits of weight precision); 0 = always per-channel.
  float per_tensor_ratio = 0.0f;
  // A CONCATENATION input shares the output's int8 parameters only when its own calibrated range
  // spans at least this fraction of the output's; narrower inputs keep their finer scale and get
  // a QUANTIZE (requantization) in front of the concat. Sharing always (0) makes ShuffleNet's
  // pass-through halves inherit ever wider ranges: FastestDet's output SQNR on the calibration
  // set 11.2 dB at 0, 13.8 dB never sharing, 14.2 dB at 0.9 (INT8-vs-fp32 detection agreement
  // on the 224 coco128 images: mAP 56 / 63 / 67). NanoDet-m and YuNet-n: no change.
  float concat_share_ratio = 0.9f;
  float input_scale = 1.0f;        // INT8 model input: raw pixels, q = pixel - 128
  int32_t input_zero_point = -128;
};

// Builds the quantized graph `out` from `float_graph`, the calibration statistics `stats` and
// the prepared tensor shapes `shapes` (both indexed like float_graph.tensors). Ops without an
// int8 form in TFLite stay float automatically. Tensor names are kept (model outputs keep theirs).
Status quantize_graph(const Graph& float_graph, const std::vector<TensorStats>& stats,
                      const std::vector<Shape>& shapes, const QuantizeOptions& options, Graph* out);

// The nodes `selectors` name: "#N" (node N) or the name of a tensor the node produces. The first
// selector (in sorted order) that matches nothing goes to `*unmatched` (else it is left empty).
std::vector<bool> select_nodes(const Graph& g, const std::vector<std::string>& selectors, std::string* unmatched);

// True when TFLite (and featherdet) run `code` on int8 tensors.
bool has_int8_kernel(int32_t code);

}  // namespace fd
