// Activation fusion (see fuse_activations.h).
#include "model/fuse_activations.h"

#include <vector>

#include "model/graph_edit.h"

namespace fd {
namespace {

bool fusable_activation(int32_t code, Activation* act) {
  switch (static_cast<OpCode>(code)) {
    case OpCode::kRelu: *act = Activation::kRelu; return true;
    case OpCode::kRelu6: *act = Activation::kRelu6; return true;
    case OpCode::kReluN1To1: *act = Activation::kReluN1To1; return true;
    default: return false;
  }
}

bool accepts_fused_activation(int32_t code) {
  switch (static_cast<OpCode>(code)) {
    case OpCode::kConv2D:
    case OpCode::kDepthwiseConv2D:
    case OpCode::kFullyConnected:
    case OpCode::kAdd:
      return true;
    default:
      return false;
  }
}

}  // namespace

Status fuse_activations(Graph* graph, int* fused) {
  Graph& g = *graph;
  const size_t num_tensors = g.tensors.size();
  std::vector<int32_t> producer(num_tensors, -1), readers(num_tensors, 0);
  std::vector<char> is_output(num_tensors, 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int32_t t : g.nodes[i].outputs) {
      if (t < 0 || static_cast<size_t>(t) >= num_tensors) return Status::error("fuse_activations: tensor index out of range");
      producer[static_cast<size_t>(t)] = static_cast<int32_t>(i);
    }
    for (int32_t t : g.nodes[i].inputs) {
      if (t >= 0 && static_cast<size_t>(t) < num_tensors) ++readers[static_cast<size_t>(t)];
    }
  }
  for (int32_t t : g.outputs) {
    if (t >= 0 && static_cast<size_t>(t) < num_tensors) is_output[static_cast<size_t>(t)] = 1;
  }

  std::vector<char> removed(g.nodes.size(), 0);
  int count = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& act_node = g.nodes[i];
    Activation act;
    if (!fusable_activation(act_node.code, &act) || act_node.inputs.size() != 1 || act_node.outputs.size() != 1) continue;
    const int32_t mid = act_node.inputs[0];
    if (mid < 0) continue;
    const size_t m = static_cast<size_t>(mid);
    const int32_t p = producer[m];
    if (p < 0 || removed[static_cast<size_t>(p)] || readers[m] != 1 || is_output[m]) continue;
    if (g.tensors[m].dtype != DType::kFloat32) continue;
    Node& prod = g.nodes[static_cast<size_t>(p)];
    if (!accepts_fused_activation(prod.code) || prod.options.activation != Activation::kNone) continue;
    if (prod.outputs.size() != 1 || prod.outputs[0] != mid) continue;
    prod.options.activation = act;
    prod.outputs[0] = act_node.outputs[0];
    producer[static_cast<size_t>(act_node.outputs[0])] = p;
    removed[i] = 1;
    ++count;
  }
  if (count > 0) remove_nodes(&g, removed);
  if (fused) *fused = count;
  return Status();
}

}  // namespace fd
