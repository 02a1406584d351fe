// Rewrites of a Graph used by the ONNX converter.
#pragma once

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// Folds space-to-depth front ends ("Focus", YOLOv5 before v6 and YOLOX) into the convolution
// they feed: f*f STRIDED_SLICEs (or chains of them) of one NHWC tensor X, taking the rows and
// columns of every phase (py, px) in [0, f)^2 with step f, CONCATENATED on channels and read by
// one CONV_2D (kernel K, stride s, constant FLOAT32 weights, dilation 1), optionally through a
// zero PAD. The pair equals one CONV_2D on X with kernel f*K and stride f*s whose tap
// (f*ky + py, f*kx + px) holds the phase's weights, padded by f times the grid padding (SAME when
// that is what SAME gives on X, else an explicit PAD and VALID). Exact: the same products and
// sums. The rewrite also lets fold_input_normalization reach the first convolution of such
// models. Returns the number of convolutions rewritten.
int fold_space_to_depth_convs(Graph* graph);

// Makes a FLOAT32 NHWC graph take raw RGB pixels 0-255: the first node must be a CONV_2D or
// DEPTHWISE_CONV_2D reading the 3-channel graph input (directly or
// through one zero PAD) with constant weights; its input
// channels are permuted from BGR to RGB when `bgr` and (x - mean[c]) / std[c] (mean/std in
// the model's own channel order) is folded into its weights and bias:
//   w'[o, c] = w[o, c] / std[c],  b'[o] = b[o] - sum_{c,taps} w[o, c] * mean[c] / std[c].
// Border effect: the folded bias assumes every tap sees a real pixel. Where zero padding (SAME
// or an explicit PAD) feeds the convolution, the original model saw normalized 0, i.e. the
// pixel value `mean`, while the folded one sees raw 0; outputs on the one-pixel border ring of
// a padded first layer therefore differ slightly from the unfolded graph. The interior is exact
// up to float rounding. With `keep_mean` (float files that must compute what the original
// does), only the channel order and 1 / std are folded and a leading ADD subtracts the mean from
// the raw pixels, so padding sees the mean pixel as in the original: exact, borders included.
Status fold_input_normalization(Graph* graph, const float mean[3], const float std[3], bool bgr,
                                bool keep_mean = false);

// Removes dead channels of 1x1 CONV_2D -> (LEAKY_RELU | PAD)* -> linear DEPTHWISE_CONV_2D ->
// 1x1 CONV_2D chains: a depthwise channel whose weights are all below 1e-6 x the layer's largest
// |w| outputs its bias everywhere (trained-away channels: BatchNorm gamma ~ 0), so that constant
// moves into the last conv's bias (b2'[o] = b2[o] + w2[o, c] * b_dw[c]; a 1x1 conv sees no
// padding) and the channel goes from the first conv's filters and bias, the intermediate
// tensors, the depthwise filter and bias and the last conv's input columns. Every kept operator
// keeps its bias input (LiteRT.js runs bias-free depthwise convolutions outside XNNPACK, with
// other rounding). Returns the number of channels removed.
int prune_dead_depthwise_channels(Graph* graph);

}  // namespace fd
