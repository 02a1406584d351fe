#include "api/profile.h"

#include <chrono>

#include "core/json.h"

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

namespace {

void append_shape(std::string* j, const Shape& s) {
  *j += "[";
  for (size_t i = 0; i < s.size(); ++i) *j += (i ? "," : "") + std::to_string(s[i]);
  *j += "]";
}

}  // namespace

std::string profile_json(const Interpreter& interp) {
  const std::vector<double>& t = interp.node_times();
  const int runs = interp.profiled_invokes();
  std::string j = "{\"isa\":";
  append_json_string(&j, isa_name(interp.kernels().isa));
  j += ",\"gemm\":";
  append_json_string(&j, interp.kernels().qgemm.name);
  j += ",\"invokes\":" + std::to_string(runs) + ",\"nodes\":[";
  const int nn = static_cast<int>(interp.node_count());
  for (int n = 0; n < nn; ++n) {
    const Node& node = interp.graph().nodes[n];
    j += n ? ",{" : "{";
    j += "\"index\":" + std::to_string(n) + ",\"op\":";
    const int partner = interp.fused_with(n);
    std::string op = op_name(node.code);
    if (partner > n) op += " (fused)";
    if (partner >= 0 && partner < n) op = std::string(op_name(interp.graph().nodes[partner].code)) + "+" + op;
    append_json_string(&j, op);
    j += ",\"inputs\":[";
    bool first = true;
    for (int32_t in : node.inputs) {
      if (in < 0 || interp.tensor(in).is_constant) continue;
      if (!first) j += ",";
      first = false;
      append_shape(&j, interp.tensor(in).shape);
    }
    j += "],\"output\":";
    append_shape(&j, node.outputs.empty() ? Shape() : interp.tensor(node.outputs[0]).shape);
    j += ",\"macs\":";
    append_json_number(&j, node_macs(interp, n));
    j += ",\"ms\":";
    append_json_number(&j, runs > 0 && n < static_cast<int>(t.size()) ? t[n] * 1000.0 / runs : 0.0);
    j += "}";
  }
  j += "]}";
  return j;
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
