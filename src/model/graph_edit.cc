// Structural graph edits (see graph_edit.h).
#include "model/graph_edit.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace fd {

std::vector<float> float_data(const TensorDesc& t) {
  std::vector<float> v(t.data_bytes / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), t.data, v.size() * sizeof(float));
  return v;
}

void set_float_data(Graph* g, int t, const std::vector<float>& values) {
  auto buf = std::make_shared<std::vector<uint8_t>>(values.size() * sizeof(float));
  std::memcpy(buf->data(), values.data(), buf->size());
  g->storage.push_back(buf);
  g->tensors[t].data = buf->data();
  g->tensors[t].data_bytes = buf->size();
}

int32_t add_tensor(Graph* g, const TensorDesc& t) {
  g->tensors.push_back(t);
  return static_cast<int32_t>(g->tensors.size() - 1);
}

int32_t add_float_const(Graph* g, const std::string& name, const Shape& shape, const std::vector<float>& values) {
  TensorDesc t;
  t.name = name;
  t.shape = shape;
  const int32_t i = add_tensor(g, t);
  set_float_data(g, i, values);
  return i;
}

void drop_unused_tensors(Graph* g) {
  std::vector<char> used(g->tensors.size(), 0);
  auto mark = [&](int32_t t) {
    if (t >= 0) used[static_cast<size_t>(t)] = 1;
  };
  for (const Node& n : g->nodes) {
    for (int32_t t : n.inputs) mark(t);
    for (int32_t t : n.outputs) mark(t);
  }
  for (int32_t t : g->inputs) mark(t);
  for (int32_t t : g->outputs) mark(t);
  std::vector<int32_t> remap(g->tensors.size(), -1);
  std::vector<TensorDesc> kept;
  for (size_t t = 0; t < g->tensors.size(); ++t) {
    if (!used[t]) continue;
    remap[t] = static_cast<int32_t>(kept.size());
    kept.push_back(std::move(g->tensors[t]));
  }
  g->tensors = std::move(kept);
  auto apply = [&](std::vector<int32_t>* v) {
    for (int32_t& t : *v) {
      if (t >= 0) t = remap[static_cast<size_t>(t)];
    }
  };
  for (Node& n : g->nodes) {
    apply(&n.inputs);
    apply(&n.outputs);
  }
  apply(&g->inputs);
  apply(&g->outputs);
}

void remove_nodes(Graph* g, const std::vector<char>& removed) {
  std::vector<Node> nodes;
  nodes.reserve(g->nodes.size());
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    if (!removed[i]) nodes.push_back(std::move(g->nodes[i]));
  }
  g->nodes = std::move(nodes);
  drop_unused_tensors(g);
}

Status cut_at_outputs(Graph* g, const std::vector<std::string>& names) {
  if (names.empty()) return Status::error("no output tensors named");
  std::vector<int32_t> outputs;
  for (const std::string& name : names) {
    int32_t found = -1;
    for (size_t t = 0; t < g->tensors.size() && found < 0; ++t) {
      if (g->tensors[t].name == name) found = static_cast<int32_t>(t);
    }
    if (found < 0) return Status::error("no tensor is called '" + name + "'");
    if (g->tensors[static_cast<size_t>(found)].is_constant()) return Status::error("'" + name + "' is a constant, not a computed tensor");
    if (std::find(outputs.begin(), outputs.end(), found) != outputs.end()) return Status::error("'" + name + "' is listed twice");
    outputs.push_back(found);
  }
  // Nodes are in execution order: walking backwards, a node is needed when it writes a needed tensor.
  std::vector<char> needed(g->tensors.size(), 0), removed(g->nodes.size(), 1);
  for (int32_t t : outputs) needed[static_cast<size_t>(t)] = 1;
  for (size_t i = g->nodes.size(); i-- > 0;) {
    const Node& n = g->nodes[i];
    const bool keep = std::any_of(n.outputs.begin(), n.outputs.end(), [&](int32_t t) { return t >= 0 && needed[static_cast<size_t>(t)]; });
    if (!keep) continue;
    removed[i] = 0;
    for (int32_t t : n.inputs) {
      if (t >= 0) needed[static_cast<size_t>(t)] = 1;
    }
  }
  g->outputs = outputs;
  remove_nodes(g, removed);
  return Status();
}

}  // namespace fd
