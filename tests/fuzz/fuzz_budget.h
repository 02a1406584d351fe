// What the fuzz targets run after reading a graph: graphs beyond these budgets are prepared but
// not invoked, since a valid but huge model is slow, not a finding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "api/profile.h"
#include "runtime/interpreter.h"

namespace fd {

constexpr size_t kFuzzMaxArena = 16u << 20;
constexpr double kFuzzMaxMacs = 50e6;

// Multiply-accumulates of convolutions plus the window taps of pools (the other ops are linear
// in their tensors, which the arena bounds).
inline double fuzz_work(const Interpreter& it, int n) {
  const Node& node = it.graph().nodes[n];
  const OpCode code = static_cast<OpCode>(node.code);
  if ((code == OpCode::kMaxPool2D || code == OpCode::kAveragePool2D) && !node.inputs.empty() && !node.outputs.empty()) {
    const Shape& in = it.tensor(node.inputs[0]).shape;
    if (in.size() != 4) return 0.0;
    const double taps = static_cast<double>(std::min(node.options.filter_h, in[1])) * std::min(node.options.filter_w, in[2]);
    return taps * static_cast<double>(num_elements(it.tensor(node.outputs[0]).shape));
  }
  return node_macs(it, n);
}

inline bool cheap_to_invoke(const Interpreter& it) {
  if (it.arena_bytes() > kFuzzMaxArena) return false;
  double work = 0;
  for (size_t n = 0; n < it.node_count(); ++n) work += fuzz_work(it, static_cast<int>(n));
  return work <= kFuzzMaxMacs;
}

// Prepares `graph` and, within the budget, invokes it once with every input byte `fill`. The
// outcome is not the point: only sanitizer reports are findings.
inline void prepare_and_invoke(Graph graph, uint8_t fill) {
  std::unique_ptr<Interpreter> it;
  if (!Interpreter::create(std::move(graph), &it).ok() || !cheap_to_invoke(*it)) return;
  for (int i = 0; i < it->num_inputs(); ++i) {
    RTensor& t = it->input(i);
    if (t.data) std::memset(t.data, fill, t.bytes());
  }
  (void)it->invoke();
}

}  // namespace fd
