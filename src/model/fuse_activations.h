// Folds standalone activation nodes into the node that produces their input, as TFLite's own
// converter does (e.g. ONNX Conv -> Relu becomes one CONV_2D with a fused RELU).
#pragma once

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// For every RELU / RELU6 / RELU_N1_TO_1 node whose FLOAT32 input is produced by a CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED or ADD node without a fused activation, read by no other
// node and not a graph output: sets that activation on the producer, makes the producer write
// the activation's output tensor, and removes the activation node and the tensor in between
// (tensor indices are renumbered). Fusing matters for INT8: the producer's output is then
// quantized on the activation's range only (no range spent on negatives that the activation
// drops), and no separate requantizing activation runs. Sets *fused to the number of nodes fused.
Status fuse_activations(Graph* graph, int* fused = nullptr);

}  // namespace fd
