// Concatenations along the last axis (YOLO's CSP blocks, YOLOX's and NanoDet's heads) copy every
// input row into its slice of the output. An input that only the concatenation reads, with the
// output's type and quantization, whose producer can write rows with a stride
// (Op::set_output_row_stride: CONV_2D, fused tables), is written there directly instead: it gets
// no memory of its own, the output lives from that producer on, and the concatenation skips it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/graph.h"
#include "ops/op.h"

namespace fd {

struct ConcatElision {
  int32_t tensor = -1;    // the concatenation's input, becoming a view into `into`
  int32_t into = -1;      // the concatenation's output
  size_t offset = 0;      // elements from the start of `into` to the input's first row
  size_t row_stride = 0;  // elements between its rows: the output's last dimension
  int producer = -1;      // the node writing `tensor`
};

// The candidate inputs of `nodes` (the nodes as they run; `away[n]` set for nodes that run
// nothing); the caller keeps those whose producer accepts the row stride.
std::vector<ConcatElision> find_concat_elisions(const Graph& graph, const std::vector<Node>& nodes,
                                                const std::vector<uint8_t>& away, const std::vector<RTensor>& tensors);

}  // namespace fd
