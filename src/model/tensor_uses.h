// Who produces and who reads each tensor of a graph: what the graph fusions
// (runtime/lut_fusion.h, runtime/shuffle_fusion.h) look at to decide that an intermediate tensor
// has exactly one reader and may vanish.
#pragma once

#include <cstddef>
#include <vector>

#include "model/graph.h"

namespace fd {

struct TensorUses {
  std::vector<int> readers;   // node inputs reading the tensor, plus 2 for a graph output (kept)
  std::vector<int> reader;    // the last node reading it, or -1 (the only one where readers is 1)
  std::vector<int> producer;  // the node writing it, or -1

  TensorUses(const Graph& graph, size_t tensors) : readers(tensors, 0), reader(tensors, -1), producer(tensors, -1) {
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      for (int32_t t : graph.nodes[n].inputs) {
        if (t < 0 || static_cast<size_t>(t) >= tensors) continue;
        ++readers[t];
        reader[t] = static_cast<int>(n);
      }
      for (int32_t t : graph.nodes[n].outputs) {
        if (t >= 0 && static_cast<size_t>(t) < tensors) producer[t] = static_cast<int>(n);
      }
    }
    for (int32_t t : graph.outputs) {
      if (t >= 0 && static_cast<size_t>(t) < tensors) readers[t] += 2;
    }
  }
  // The one node reading `t` (no graph output), or -1.
  int sole_reader(int32_t t) const { return t >= 0 && readers[t] == 1 ? reader[t] : -1; }
};

}  // namespace fd
