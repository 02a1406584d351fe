// Channel-group splitting of depthwise chains (see channel_split.h).
#include "model/channel_split.h"

#include <algorithm>
#include <string>

#include "model/graph_edit.h"

namespace fd {
namespace {

bool is_code(const Graph& g, int n, OpCode c) { return n >= 0 && g.nodes[n].code == static_cast<int32_t>(c); }

bool float_const(const Graph& g, int32_t t) {
  return t >= 0 && g.tensors[t].is_constant() && g.tensors[t].dtype == DType::kFloat32;
}

// Every node reading each tensor (a node reading it twice is listed twice); graph outputs as -1.
std::vector<std::vector<int>> all_readers(const Graph& g) {
  std::vector<std::vector<int>> r(g.tensors.size());
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int32_t t : g.nodes[n].inputs) {
      if (t >= 0) r[t].push_back(static_cast<int>(n));
    }
  }
  for (int32_t t : g.outputs) r[t].push_back(-1);
  return r;
}

// The SiLU reading `t` and nothing else: LOGISTIC(t) -> s, MUL(t, s) (either order), s read only by
// that MUL. Sets *sig and *mul.
bool silu_of(const Graph& g, const std::vector<std::vector<int>>& readers, int32_t t, int* sig, int* mul) {
  const std::vector<int>& r = readers[t];
  if (r.size() != 2 || r[0] == r[1]) return false;
  const int a = is_code(g, r[0], OpCode::kLogistic) ? r[0] : r[1], b = a == r[0] ? r[1] : r[0];
  if (!is_code(g, a, OpCode::kLogistic) || !is_code(g, b, OpCode::kMul)) return false;
  const int32_t s = g.nodes[a].outputs[0];
  const std::vector<int32_t>& in = g.nodes[b].inputs;
  if (readers[s].size() != 1 || in.size() != 2 || g.nodes[b].options.activation != Activation::kNone ||
      !((in[0] == t && in[1] == s) || (in[0] == s && in[1] == t))) {
    return false;
  }
  *sig = a;
  *mul = b;
  return true;
}

// Copies `src` as a new node of the graph with other inputs and outputs.
Node rewired(const Node& src, std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
  Node n = src;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

}  // namespace

std::vector<DepthwiseChain> find_depthwise_chains(const Graph& g) {
  const std::vector<std::vector<int>> readers = all_readers(g);
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int32_t t : g.nodes[n].outputs) producer[t] = static_cast<int>(n);
  }
  std::vector<DepthwiseChain> chains;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& dw = g.nodes[k];
    if (!is_code(g, static_cast<int>(k), OpCode::kDepthwiseConv2D) || dw.options.depth_multiplier != 1 ||
        dw.inputs.size() < 3 || !float_const(g, dw.inputs[1]) || !float_const(g, dw.inputs[2]) ||
        readers[dw.inputs[1]].size() != 1 || readers[dw.inputs[2]].size() != 1) {
      continue;
    }
    DepthwiseChain c;
    c.dw = static_cast<int>(k);
    int32_t a = dw.inputs[0];
    if (readers[a].size() != 1) continue;
    const int p = producer[a];
    if (is_code(g, p, OpCode::kPad) && g.nodes[p].inputs.size() == 2 && !float_const(g, g.nodes[p].inputs[0])) {
      c.pad = p;
      a = g.nodes[p].inputs[0];
    }
    c.activation = a;
    int32_t pre = a;
    const int ap = producer[a];
    if (is_code(g, ap, OpCode::kMul)) {
      // SiLU: a = MUL(pre, LOGISTIC(pre)).
      const std::vector<int32_t>& in = g.nodes[ap].inputs;
      if (in.size() != 2) continue;
      pre = is_code(g, producer[in[0]], OpCode::kLogistic) ? in[1] : in[0];
      if (pre < 0 || !silu_of(g, readers, pre, &c.conv_sigmoid, &c.conv_mul) || c.conv_mul != ap) continue;
    }
    if (readers[a].size() != 1) continue;
    c.conv = producer[pre];
    const Node* conv = c.conv >= 0 ? &g.nodes[c.conv] : nullptr;
    if (!is_code(g, c.conv, OpCode::kConv2D) || conv->inputs.size() < 3 || !float_const(g, conv->inputs[1]) ||
        !float_const(g, conv->inputs[2]) || readers[conv->inputs[1]].size() != 1 ||
        readers[conv->inputs[2]].size() != 1 || (c.conv_mul < 0 && readers[pre].size() != 1)) {
      continue;
    }
    c.output = dw.outputs[0];
    if (silu_of(g, readers, c.output, &c.dw_sigmoid, &c.dw_mul)) c.output = g.nodes[c.dw_mul].outputs[0];
    bool ok = !readers[c.output].empty();
    for (int r : readers[c.output]) {
      ok = ok && is_code(g, r, OpCode::kConv2D) && g.nodes[r].inputs[0] == c.output &&
           float_const(g, g.nodes[r].inputs[1]) && readers[g.nodes[r].inputs[1]].size() == 1;
      if (ok) c.readers.push_back(r);
    }
    const Shape& ws = g.tensors[conv->inputs[1]].shape;
    const Shape& ds = g.tensors[dw.inputs[1]].shape;
    if (!ok || ws.size() != 4 || ds.size() != 4 || ds[3] != ws[0]) continue;
    chains.push_back(c);
  }
  return chains;
}

std::vector<std::vector<int>> channel_groups(const std::vector<float>& range, float ratio) {
  const int n = static_cast<int>(range.size());
  if (n < 2) return {};
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  // Widest first, ties by channel (std::sort with a total order: libstdc++'s stable_sort buffer
  // trips AddressSanitizer's alloc/dealloc check under clang).
  std::sort(order.begin(), order.end(), [&](int a, int b) { return range[a] != range[b] ? range[a] > range[b] : a < b; });
  const double top = range[order[0]];
  if (!(top > 0)) return {};
  // A channel that never moves (range ~0) would dominate the cost: floor ranges at 1e-4 of the top.
  auto r = [&](int i) { return std::max<double>(range[order[i]], top * 1e-4); };
  if (top / r(n - 1) <= ratio) return {};
  // cost(k): channels [0, k) scaled by range[order[0]], [k, n) by range[order[k]].
  std::vector<double> inv2(n);
  for (int i = 0; i < n; ++i) inv2[i] = 1.0 / (r(i) * r(i));
  std::vector<double> prefix(n + 1, 0.0);
  for (int i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + inv2[i];
  int best = 0;
  double best_cost = top * top * prefix[n];
  for (int k = 1; k < n; ++k) {
    const double cost = top * top * prefix[k] + r(k) * r(k) * (prefix[n] - prefix[k]);
    if (cost < best_cost) {
      best_cost = cost;
      best = k;
    }
  }
  if (best == 0) return {};
  std::vector<std::vector<int>> groups(2);
  groups[0].assign(order.begin(), order.begin() + best);
  groups[1].assign(order.begin() + best, order.end());
  for (auto& grp : groups) std::sort(grp.begin(), grp.end());
  return groups;
}

Status split_depthwise_chain(Graph* g, const DepthwiseChain& c, const std::vector<std::vector<int>>& groups) {
  const Node conv = g->nodes[c.conv], dw = g->nodes[c.dw];
  const Shape ws = g->tensors[conv.inputs[1]].shape;  // [C, KH, KW, I]
  const Shape ds = g->tensors[dw.inputs[1]].shape;    // [1, KH, KW, C]
  const int32_t C = ws[0];
  std::vector<int> perm;
  for (const auto& grp : groups) perm.insert(perm.end(), grp.begin(), grp.end());
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < static_cast<int>(sorted.size()); ++i) {
    if (sorted[i] != i) return Status::error("split_depthwise_chain: the groups do not partition the channels");
  }
  if (static_cast<int32_t>(perm.size()) != C) return Status::error("split_depthwise_chain: the groups do not partition the channels");
  const std::vector<float> w = float_data(g->tensors[conv.inputs[1]]), b = float_data(g->tensors[conv.inputs[2]]);
  const std::vector<float> dwv = float_data(g->tensors[dw.inputs[1]]), db = float_data(g->tensors[dw.inputs[2]]);
  const size_t filter = static_cast<size_t>(ws[1]) * ws[2] * ws[3];
  const int32_t taps = ds[1] * ds[2];
  // A tensor like `like` with `channels` channels (last axis), named after it with a suffix.
  auto like = [&](int32_t t, int32_t channels, const std::string& suffix) {
    TensorDesc d = g->tensors[t];
    d.name += suffix;
    if (!d.shape.empty()) d.shape.back() = channels;
    d.data = nullptr;
    d.data_bytes = 0;
    return add_tensor(g, d);
  };
  std::vector<Node> added;
  std::vector<int32_t> parts;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const std::vector<int>& grp = groups[gi];
    const int32_t n = static_cast<int32_t>(grp.size());
    const std::string sfx = "/group" + std::to_string(gi);
    std::vector<float> gw, gb, gdw(static_cast<size_t>(taps) * n), gdb;
    for (int ch : grp) {
      gw.insert(gw.end(), w.begin() + ch * filter, w.begin() + (ch + 1) * filter);
      gb.push_back(b[ch]);
      gdb.push_back(db[ch]);
    }
    for (int32_t t = 0; t < taps; ++t) {
      for (int32_t j = 0; j < n; ++j) gdw[static_cast<size_t>(t) * n + j] = dwv[static_cast<size_t>(t) * C + grp[j]];
    }
    const std::string cname = g->tensors[conv.outputs[0]].name;  // a copy: adding tensors moves them
    const int32_t cw = add_float_const(g, cname + sfx + "/weights", {n, ws[1], ws[2], ws[3]}, gw);
    const int32_t cb = add_float_const(g, cname + sfx + "/bias", {n}, gb);
    int32_t x = like(conv.outputs[0], n, sfx);
    added.push_back(rewired(conv, {conv.inputs[0], cw, cb}, {x}));
    if (c.conv_mul >= 0) {
      const int32_t s = like(g->nodes[c.conv_sigmoid].outputs[0], n, sfx), m = like(g->nodes[c.conv_mul].outputs[0], n, sfx);
      added.push_back(rewired(g->nodes[c.conv_sigmoid], {x}, {s}));
      added.push_back(rewired(g->nodes[c.conv_mul], {x, s}, {m}));
      x = m;
    }
    if (c.pad >= 0) {
      const Node& pad = g->nodes[c.pad];
      const int32_t p = like(pad.outputs[0], n, sfx);
      added.push_back(rewired(pad, {x, pad.inputs[1]}, {p}));
      x = p;
    }
    const std::string dname = g->tensors[dw.outputs[0]].name;
    const int32_t dwt = add_float_const(g, dname + sfx + "/weights", {1, ds[1], ds[2], n}, gdw);
    const int32_t dbt = add_float_const(g, dname + sfx + "/bias", {n}, gdb);
    const int32_t d = like(dw.outputs[0], n, sfx);
    added.push_back(rewired(dw, {x, dwt, dbt}, {d}));
    x = d;
    if (c.dw_mul >= 0) {
      const int32_t s = like(g->nodes[c.dw_sigmoid].outputs[0], n, sfx), m = like(g->nodes[c.dw_mul].outputs[0], n, sfx);
      added.push_back(rewired(g->nodes[c.dw_sigmoid], {x}, {s}));
      added.push_back(rewired(g->nodes[c.dw_mul], {x, s}, {m}));
      x = m;
    }
    parts.push_back(x);
  }
  Node cat;
  cat.code = static_cast<int32_t>(OpCode::kConcatenation);
  cat.inputs = parts;
  cat.outputs = {c.output};
  cat.options.axis = 3;
  added.push_back(cat);
  // The output's channel j is now channel perm[j]: the readers' filters follow.
  for (int r : c.readers) {
    const int32_t wt = g->nodes[r].inputs[1];
    const Shape rs = g->tensors[wt].shape;  // [O, KH, KW, C]
    const std::vector<float> rw = float_data(g->tensors[wt]);
    std::vector<float> nw(rw.size());
    const size_t rows = rw.size() / static_cast<size_t>(C);
    for (size_t row = 0; row < rows; ++row) {
      for (int32_t j = 0; j < C; ++j) nw[row * C + j] = rw[row * C + perm[j]];
    }
    set_float_data(g, wt, nw);
  }
  // The chain's nodes go; the copies take the place of its last node (all their inputs exist by then).
  std::vector<int> chain = {c.conv, c.conv_sigmoid, c.conv_mul, c.pad, c.dw, c.dw_sigmoid, c.dw_mul};
  chain.erase(std::remove(chain.begin(), chain.end(), -1), chain.end());
  const int last = *std::max_element(chain.begin(), chain.end());
  std::vector<Node> nodes;
  for (int i = 0; i < static_cast<int>(g->nodes.size()); ++i) {
    if (std::find(chain.begin(), chain.end(), i) == chain.end()) nodes.push_back(std::move(g->nodes[i]));
    if (i == last) nodes.insert(nodes.end(), added.begin(), added.end());
  }
  g->nodes = std::move(nodes);
  drop_unused_tensors(g);
  return Status();
}

}  // namespace fd
