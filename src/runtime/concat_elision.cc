#include "runtime/concat_elision.h"

namespace fd {

std::vector<ConcatElision> find_concat_elisions(const Graph& graph, const std::vector<Node>& nodes,
                                                const std::vector<uint8_t>& away, const std::vector<RTensor>& tensors) {
  const size_t nt = tensors.size();
  std::vector<int> readers(nt, 0), producer(nt, -1);
  for (size_t n = 0; n < nodes.size(); ++n) {
    if (away[n]) continue;
    for (int32_t t : nodes[n].inputs) {
      if (t >= 0) ++readers[t];
    }
    for (int32_t t : nodes[n].outputs) {
      if (t >= 0) producer[t] = static_cast<int>(n);
    }
  }
  // A graph output is read after the run (and a graph input has no producer): neither qualifies.
  for (int32_t t : graph.outputs) readers[t] += 2;
  std::vector<ConcatElision> out;
  for (size_t c = 0; c < nodes.size(); ++c) {
    const Node& cat = nodes[c];
    if (away[c] || cat.code != static_cast<int32_t>(OpCode::kConcatenation) || cat.outputs.size() != 1) continue;
    const RTensor& y = tensors[cat.outputs[0]];
    const int rank = static_cast<int>(y.shape.size());
    if (rank == 0 || (cat.options.axis != rank - 1 && cat.options.axis != -1)) continue;
    const size_t row = static_cast<size_t>(y.shape.back());
    size_t offset = 0;
    for (int32_t t : cat.inputs) {
      const size_t width = t >= 0 && !tensors[t].shape.empty() ? static_cast<size_t>(tensors[t].shape.back()) : 0;
      const int p = t >= 0 ? producer[t] : -1;
      const RTensor* x = t >= 0 ? &tensors[t] : nullptr;
      const bool ok = x && p >= 0 && !x->is_constant && readers[t] == 1 && width > 0 && num_elements(x->shape) > 0 &&
                      nodes[p].outputs.size() == 1 &&
                      x->dtype == y.dtype && x->quant.scale == y.quant.scale && x->quant.zero_point == y.quant.zero_point;
      if (ok) out.push_back({t, cat.outputs[0], offset, row, p});
      offset += width;
    }
  }
  return out;
}

}  // namespace fd
