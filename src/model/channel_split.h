// Channel-group splitting of depthwise chains, for INT8: a per-tensor activation scale serves a
// tensor whose channels span very different ranges badly (a channel that peaks at 0.05 next to one
// that peaks at 120 keeps a handful of int8 steps), and a depthwise convolution reads each channel
// on its own, so nothing later dilutes the damage. Splitting the chain by channel groups gives each
// group its own tensors and scales; the graph computes the same values.
#pragma once

#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// CONV_2D -> [SiLU] -> [PAD] -> DEPTHWISE_CONV_2D (multiplier 1) -> [SiLU], SiLU written as a
// LOGISTIC and a MUL of its input by the LOGISTIC's output, every intermediate tensor read only
// inside the chain, the output read only by CONV_2Ds (input 0, constant FLOAT32 weights read by no
// other node). Node indices into the graph, -1 where a part is absent.
struct DepthwiseChain {
  int conv = -1, conv_sigmoid = -1, conv_mul = -1, pad = -1, dw = -1, dw_sigmoid = -1, dw_mul = -1;
  int32_t activation = -1;  // the depthwise convolution's input before any PAD (the split's target)
  int32_t output = -1;      // the chain's last tensor
  std::vector<int> readers; // the CONV_2Ds reading `output`
};

// Every depthwise chain of a FLOAT32 graph, in node order.
std::vector<DepthwiseChain> find_depthwise_chains(const Graph& graph);

// Two channel groups for per-channel ranges `range` (largest |value| of each channel), or none when
// the ranges span at most `ratio` (largest / smallest). The split point minimizes the summed
// squared int8 step of each channel relative to its own range (sum over c of (group max / range_c)^2).
std::vector<std::vector<int>> channel_groups(const std::vector<float>& range, float ratio);

// Rewrites `chain` as one copy per channel group (each group's CONV_2D filters, depthwise filters
// and biases), joined by a CONCATENATION into the chain's output tensor. The output's channels are
// then in group order, so the readers' filters are permuted to match. `groups` must partition the
// channels. Invalidates node indices of other chains.
Status split_depthwise_chain(Graph* graph, const DepthwiseChain& chain, const std::vector<std::vector<int>>& groups);

}  // namespace fd
