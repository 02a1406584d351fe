// INT4 layer choice (see int4_choice.h).
#include "quantize/int4_choice.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "model/graph_edit.h"
#include "quantize/calibration_images.h"
#include "quantize/quantizer.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

bool is_code(const Node& n, OpCode c) { return n.code == static_cast<int32_t>(c); }

// The weight tensor's per-channel axis, or -1 when `n` is not a candidate.
int candidate_axis(const Graph& g, const Node& n) {
  const bool conv = is_code(n, OpCode::kConv2D), dw = is_code(n, OpCode::kDepthwiseConv2D);
  const bool fc = is_code(n, OpCode::kFullyConnected);
  if ((!conv && !dw && !fc) || n.inputs.size() < 2 || n.inputs[1] < 0) return -1;
  const TensorDesc& w = g.tensors[n.inputs[1]];
  if (!w.is_constant() || w.dtype != DType::kFloat32 || w.shape.empty()) return -1;
  return dw ? static_cast<int>(w.shape.size()) - 1 : 0;
}

}  // namespace

void round_weights_to_int4(std::vector<float>* w, const Shape& shape, int axis) {
  std::vector<int8_t> q;
  std::vector<float> scales;
  quantize_weights_symmetric(w->data(), shape, axis, {}, &q, &scales, 7);
  Int4Rounding r;
  r.axis = axis;
  r.scales = scales;
  r.values = q;
  *w = r.dequantized(shape);
}

std::vector<int> int4_candidate_nodes(const Graph& g) {
  std::vector<int> out;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (candidate_axis(g, g.nodes[n]) >= 0) out.push_back(static_cast<int>(n));
  }
  return out;
}

Status rank_int4_candidates(const Graph& g, const std::vector<std::vector<uint8_t>>& images,
                            std::vector<Int4Candidate>* ranked, size_t cover_weights,
                            const std::map<int, Int4Rounding>* rounded) {
  ranked->clear();
  if (images.empty()) return Status::error("the INT4 choice needs at least one sample image");
  std::unique_ptr<Interpreter> base;
  FD_RETURN_IF_ERROR(Interpreter::create(g, &base));
  std::vector<std::vector<std::vector<float>>> ref(images.size());
  for (size_t i = 0; i < images.size(); ++i) FD_RETURN_IF_ERROR(run_float_outputs(base.get(), images[i], &ref[i]));
  // Which candidates a graph output reaches through non-candidates only ("last" layers).
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int32_t t : g.nodes[n].outputs) producer[t] = static_cast<int>(n);
  }
  std::vector<char> last(g.nodes.size(), 0), seen(g.nodes.size(), 0);
  std::vector<int> stack;
  for (int32_t t : g.outputs) {
    if (producer[t] >= 0) stack.push_back(producer[t]);
  }
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    if (seen[n]) continue;
    seen[n] = 1;
    if (candidate_axis(g, g.nodes[n]) >= 0) {
      last[n] = 1;
      continue;
    }
    for (int32_t t : g.nodes[n].inputs) {
      if (t >= 0 && producer[t] >= 0) stack.push_back(producer[t]);
    }
  }
  // Candidates to measure: all, or the largest ones up to `cover_weights`.
  std::vector<int> measure = int4_candidate_nodes(g);
  auto weights_of = [&](int n) { return static_cast<size_t>(num_elements(g.tensors[g.nodes[n].inputs[1]].shape)); };
  if (cover_weights > 0) {
    // Largest first, ties by node (a total order for std::sort: libstdc++'s stable_sort buffer
    // trips AddressSanitizer's alloc/dealloc check under clang).
    std::sort(measure.begin(), measure.end(),
              [&](int a, int b) { return weights_of(a) != weights_of(b) ? weights_of(a) > weights_of(b) : a < b; });
    size_t covered = 0, keep = 0;
    while (keep < measure.size() && covered < cover_weights) covered += weights_of(measure[keep++]);
    measure.resize(keep);
    std::sort(measure.begin(), measure.end());
  }
  for (int n : measure) {
    const Node& node = g.nodes[n];
    const int axis = candidate_axis(g, node);
    Int4Candidate c;
    c.node = n;
    c.selector = "#" + std::to_string(n);
    const TensorDesc& wt = g.tensors[node.inputs[1]];
    c.weights = weights_of(n);
    c.first = std::find(g.inputs.begin(), g.inputs.end(), node.inputs[0]) != g.inputs.end();
    c.last = last[n] != 0;
    // The graph with only this layer's weights rounded to INT4 (its own copy of the weights).
    Graph trial = g;
    std::vector<float> w;
    const auto r = rounded ? rounded->find(n) : std::map<int, Int4Rounding>::const_iterator();
    if (rounded && r != rounded->end()) {
      w = r->second.dequantized(wt.shape);
      const int32_t bias = node.inputs.size() > 2 ? node.inputs[2] : -1;
      if (bias >= 0 && g.tensors[bias].is_constant() && g.tensors[bias].dtype == DType::kFloat32) {
        // This node's own copy: the importer shares constants such as zero biases.
        const std::vector<float> b = r->second.corrected_bias(float_data(g.tensors[bias]));
        trial.nodes[n].inputs[2] = add_float_const(&trial, g.tensors[bias].name, g.tensors[bias].shape, b);
      }
    } else {
      w = float_data(wt);
      round_weights_to_int4(&w, wt.shape, axis);
    }
    trial.nodes[n].inputs[1] = add_float_const(&trial, wt.name, wt.shape, w);
    std::unique_ptr<Interpreter> it;
    FD_RETURN_IF_ERROR(Interpreter::create(trial, &it));
    std::vector<std::vector<float>> got;
    for (size_t i = 0; i < images.size(); ++i) {
      FD_RETURN_IF_ERROR(run_float_outputs(it.get(), images[i], &got));
      for (size_t o = 0; o < got.size(); ++o) {
        double err = 0, norm = 0;
        for (size_t k = 0; k < got[o].size(); ++k) {
          const double d = static_cast<double>(got[o][k]) - ref[i][o][k];
          err += d * d;
          norm += static_cast<double>(ref[i][o][k]) * ref[i][o][k];
        }
        c.error += std::sqrt(err / std::max(norm, 1e-30)) / static_cast<double>(images.size() * got.size());
      }
    }
    ranked->push_back(c);
  }
  std::sort(ranked->begin(), ranked->end(), [](const Int4Candidate& a, const Int4Candidate& b) {
    const double ea = a.error / static_cast<double>(std::max<size_t>(a.weights, 1));
    const double eb = b.error / static_cast<double>(std::max<size_t>(b.weights, 1));
    return ea != eb ? ea < eb : a.node < b.node;
  });
  return Status();
}

std::vector<std::string> int4_aggressive(const std::vector<Int4Candidate>& ranked) {
  std::vector<std::string> out;
  for (const Int4Candidate& c : ranked) {
    if (!c.first && !c.last) out.push_back(c.selector);
  }
  return out;
}

std::vector<std::string> int4_within_error(const std::vector<Int4Candidate>& ranked, double bound) {
  std::vector<std::string> out;
  double total = 0;
  for (const Int4Candidate& c : ranked) {
    if (total + c.error > bound) break;
    total += c.error;
    out.push_back(c.selector);
  }
  return out;
}

}  // namespace fd
