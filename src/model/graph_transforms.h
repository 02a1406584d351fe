// Rewrites of a Graph used by the ONNX converter.
#pragma once

#include "core/status.h"
#include "model/graph.h"

namespace fd {

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
// up to float rounding.
Status fold_input_normalization(Graph* graph, const float mean[3], const float std[3], bool bgr);

}  // namespace fd
