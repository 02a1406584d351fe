#include "api/profile.h"

#include <chrono>
#include <string>

namespace fd {

double node_macs(const Interpreter& interp, int n) {
  const Node& node = interp.graph().nodes[n];
  if (node.inputs.size() < 2 || node.outputs.empty() || node.inputs[1] < 0) return 0.0;
  const Shape& w = interp.tensor(node.inputs[1]).shape;
  const double out = static_cast<double>(num_elements(interp.tensor(node.outputs[0]).shape));
  switch (static_cast<OpCode>(node.code)) {
    case OpCode::kConv2D: return w.size() == 4 ? out * w[1] * w[2] * w[3] : 0.0;
    case OpCode::kDepthwiseConv2D: return w.size() == 4 ? out * w[1] * w[2] : 0.0;
    case OpCode::kFullyConnected: return w.size() == 2 ? out * w[1] : 0.0;
    default: return 0.0;
  }
}

ModelProfile profile(const Interpreter& interp) {
  const std::vector<double>& t = interp.node_times();
  ModelProfile p;
  p.isa = isa_name(interp.kernels().isa);
  p.gemm = interp.kernels().qgemm.name;
  p.invokes = interp.profiled_invokes();
  const int nn = static_cast<int>(interp.node_count());
  p.nodes.resize(static_cast<size_t>(nn));
  for (int n = 0; n < nn; ++n) {
    const Node& node = interp.graph().nodes[n];
    NodeProfile& np = p.nodes[static_cast<size_t>(n)];
    np.index = n;
    const int partner = interp.fused_with(n);
    np.op = op_name(node.code);
    if (partner >= 0 && interp.fused_away(n)) {
      np.op += " (fused)";
    } else if (partner >= 0) {
      np.op = std::string(op_name(interp.graph().nodes[partner].code)) + "+" + np.op;
    }
    for (int32_t in : node.inputs) {
      if (in >= 0 && !interp.tensor(in).is_constant) np.inputs.push_back(interp.tensor(in).shape);
    }
    if (!node.outputs.empty()) np.output = interp.tensor(node.outputs[0]).shape;
    // A node that runs others fused into it (a group of convolutions) does their work too.
    np.macs = interp.fused_away(n) ? 0.0 : node_macs(interp, n);
    for (int m = 0; m < nn && !interp.fused_away(n); ++m) {
      if (m != n && interp.fused_away(m) && interp.fused_with(m) == n) np.macs += node_macs(interp, m);
    }
    np.ms = p.invokes > 0 && n < static_cast<int>(t.size()) ? t[n] * 1000.0 / p.invokes : 0.0;
  }
  return p;
}

double measure_dot_peak(const KernelTable& table, double seconds) {
  using Clock = std::chrono::steady_clock;
  int32_t sink = 0;
  size_t iters = 1 << 12;
  table.dot_peak(iters, &sink);  // warm-up (and tier-up of the wasm function)
  double best = 0.0;
  const Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    const Clock::time_point start = Clock::now();
    const double macs = static_cast<double>(table.dot_peak(iters, &sink));
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (s < 2e-3) {
      iters *= 2;
      continue;
    }
    if (macs / s > best) best = macs / s;
  }
  return best;
}

}  // namespace fd
