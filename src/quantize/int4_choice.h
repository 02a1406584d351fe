// Which layers store INT4 weights, chosen by measurement: each candidate layer's weights are
// rounded to INT4 alone in the float graph and the model outputs compared with the float ones on
// sample images; layers are then taken in order of least added error per byte saved. Each model
// output's relative L2 counts alike (mean over outputs), so a detector whose outputs are split by
// role (boxes, objectness, class scores) is measured on its scores too, not mainly on its larger
// box values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "quantize/int4_rounding.h"

namespace fd {

// A layer that can store INT4 weights (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED with constant
// FLOAT32 weights).
struct Int4Candidate {
  int node = -1;
  std::string selector;    // "#N": the quantizer's node selector
  size_t weights = 0;      // weight count (INT4 saves half a byte each)
  double error = 0.0;      // with only this layer in INT4: each output's relative L2, mean over outputs and images
  bool first = false;      // reads the graph input
  bool last = false;       // a graph output depends on it through no other candidate
};

// Rounds `w` (shape `shape`) to symmetric INT4 per slice along `axis` in place: scale = max|w| /
// 7, w = scale * clamp(round(w / scale), -7, 7). The float image of what the quantizer stores.
void round_weights_to_int4(std::vector<float>* w, const Shape& shape, int axis);

// The candidates of `float_graph`, with their errors measured on `images` (raw pixels, the model
// input's size), ranked by error per byte saved, least harmful first. `cover_weights` > 0 measures
// only the largest candidates, as many as it takes to hold that many weights (a size budget is
// met by the big layers; each measurement runs the whole model on every image).
// A layer with an entry in `rounded` (keyed by node) is measured with those INT4 weights, others
// with round_weights_to_int4.
Status rank_int4_candidates(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                            std::vector<Int4Candidate>* ranked, size_t cover_weights = 0,
                            const std::map<int, Int4Rounding>* rounded = nullptr);

// The nodes of `float_graph` that can store INT4 weights, in graph order.
std::vector<int> int4_candidate_nodes(const Graph& float_graph);

// Aggressive mode: every candidate except the first and last layers.
std::vector<std::string> int4_aggressive(const std::vector<Int4Candidate>& ranked);

// Accuracy mode: candidates in rank order while their summed errors stay at or under `bound`.
std::vector<std::string> int4_within_error(const std::vector<Int4Candidate>& ranked, double bound);

}  // namespace fd
