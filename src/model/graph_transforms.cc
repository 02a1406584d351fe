// Graph rewrites: folding space-to-depth front ends, input normalization and channel order into
// the first convolution; pruning dead depthwise channels.
#include "model/graph_transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/graph_edit.h"
#include "model/tensor_uses.h"

namespace fd {
namespace {

std::vector<int32_t> int32_data(const TensorDesc& t) {
  std::vector<int32_t> v(t.data_bytes / sizeof(int32_t));
  if (!v.empty()) std::memcpy(v.data(), t.data, v.size() * sizeof(int32_t));
  return v;
}

bool is_code(const Node& n, OpCode c) { return n.code == static_cast<int32_t>(c); }

// Appends a constant INT32 tensor owned by the graph; returns its index.
int32_t add_int32_const(Graph* g, const std::string& name, const Shape& shape, const std::vector<int32_t>& values) {
  auto buf = std::make_shared<std::vector<uint8_t>>(values.size() * sizeof(int32_t));
  std::memcpy(buf->data(), values.data(), buf->size());
  g->storage.push_back(buf);
  TensorDesc t;
  t.name = name;
  t.dtype = DType::kInt32;
  t.shape = shape;
  t.data = buf->data();
  t.data_bytes = buf->size();
  g->tensors.push_back(t);
  return static_cast<int32_t>(g->tensors.size() - 1);
}

// One phase of a space-to-depth front end: rows off[0], off[0] + step[0], ... and columns
// off[1], off[1] + step[1], ... of `source` (NHWC), every batch and channel, made by `nodes`.
struct Phase {
  int32_t source = -1;
  int64_t off[2] = {0, 0}, step[2] = {1, 1};
  Shape shape;
  std::vector<int> nodes;
};

// Follows tensor `t` back through STRIDED_SLICE nodes whose outputs have one reader each, to the
// sliced tensor; false unless every slice is a plain positive-step slice of H and W only.
bool trace_phase(const Graph& g, const TensorUses& uses, int32_t t, Phase* ph) {
  std::vector<int> chain;
  int32_t cur = t;
  for (int p = uses.producer[cur]; p >= 0 && is_code(g.nodes[p], OpCode::kStridedSlice); p = uses.producer[cur]) {
    if (uses.readers[cur] != 1 || g.nodes[p].inputs.size() != 4 || g.nodes[p].inputs[0] < 0) return false;
    chain.push_back(p);
    cur = g.nodes[p].inputs[0];
  }
  if (chain.empty() || g.tensors[cur].shape.size() != 4) return false;
  Phase out;
  out.source = cur;
  out.shape = g.tensors[cur].shape;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Node& n = g.nodes[*it];
    const OpOptions& o = n.options;
    if (o.begin_mask || o.end_mask || o.ellipsis_mask || o.new_axis_mask || o.shrink_axis_mask || o.offset) return false;
    std::vector<int32_t> v[3];
    for (int i = 0; i < 3; ++i) {
      const TensorDesc& c = g.tensors[n.inputs[1 + i]];
      if (!c.is_constant() || c.dtype != DType::kInt32) return false;
      v[i] = int32_data(c);
      if (v[i].size() != 4) return false;
    }
    for (int d = 0; d < 4; ++d) {
      const int64_t dim = out.shape[d], s = v[2][d];
      int64_t b = v[0][d] < 0 ? v[0][d] + dim : v[0][d], e = v[1][d] < 0 ? v[1][d] + dim : v[1][d];
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      if (s <= 0 || e <= b) return false;
      if (d == 0 || d == 3) {
        if (b != 0 || e != dim || s != 1) return false;
        continue;
      }
      out.off[d - 1] += out.step[d - 1] * b;
      out.step[d - 1] *= s;
      out.shape[d] = static_cast<int32_t>((e - b + s - 1) / s);
    }
  }
  out.nodes = chain;
  *ph = out;
  return true;
}

// Rewrites the space-to-depth front end ending in CONCATENATION node `k`, if it is one.
bool fold_space_to_depth_at(Graph* g, const TensorUses& uses, size_t k) {
  const Node& cat = g->nodes[k];
  if (!is_code(cat, OpCode::kConcatenation) || cat.outputs.size() != 1 || cat.options.activation != Activation::kNone) {
    return false;
  }
  const int64_t phases = static_cast<int64_t>(cat.inputs.size());
  const int64_t f = std::llround(std::sqrt(static_cast<double>(phases)));
  if (f < 2 || f * f != phases) return false;
  const int32_t y = cat.outputs[0];
  if (g->tensors[y].shape.size() != 4 || (cat.options.axis != 3 && cat.options.axis != -1)) return false;
  std::vector<Phase> ph(static_cast<size_t>(phases));
  std::vector<int> slot(static_cast<size_t>(phases), -1);  // phase py * f + px -> concat position
  for (int64_t i = 0; i < phases; ++i) {
    Phase& p = ph[static_cast<size_t>(i)];
    if (cat.inputs[i] < 0 || !trace_phase(*g, uses, cat.inputs[i], &p) || p.source != ph[0].source) return false;
    if (p.step[0] != f || p.step[1] != f || p.off[0] >= f || p.off[1] >= f) return false;
    int& s = slot[static_cast<size_t>(p.off[0] * f + p.off[1])];
    if (s >= 0) return false;
    s = static_cast<int>(i);
  }
  const int32_t x = ph[0].source;
  const Shape xs = g->tensors[x].shape;
  if (xs[1] % f || xs[2] % f) return false;
  const int32_t C = xs[3];
  for (const Phase& p : ph) {
    if (p.shape != Shape{xs[0], static_cast<int32_t>(xs[1] / f), static_cast<int32_t>(xs[2] / f), C}) return false;
  }
  // The concatenation's one reader: the convolution, or a zero PAD of H and W before it.
  int pad = -1, conv = uses.sole_reader(y);
  std::vector<int32_t> grid_pads(4, 0);  // top, bottom, left, right on the grid
  if (conv >= 0 && is_code(g->nodes[conv], OpCode::kPad) && g->nodes[conv].inputs.size() == 2) {
    pad = conv;
    const TensorDesc& pt = g->tensors[g->nodes[pad].inputs[1]];
    if (!pt.is_constant() || pt.dtype != DType::kInt32 || pt.shape != Shape{4, 2}) return false;
    const std::vector<int32_t> p = int32_data(pt);
    if (p[0] || p[1] || p[6] || p[7]) return false;
    grid_pads = {p[2], p[3], p[4], p[5]};
    conv = uses.sole_reader(g->nodes[pad].outputs[0]);
  }
  if (conv < 0 || !is_code(g->nodes[conv], OpCode::kConv2D)) return false;
  Node& cn = g->nodes[conv];
  const int32_t wt = cn.inputs[1];
  if (cn.inputs[0] != (pad >= 0 ? g->nodes[pad].outputs[0] : y) || wt < 0 || uses.readers[wt] != 1 ||
      !g->tensors[wt].is_constant() || g->tensors[wt].dtype != DType::kFloat32 || cn.options.dilation_h != 1 ||
      cn.options.dilation_w != 1 || (pad >= 0 && cn.options.padding != Padding::kValid)) {
    return false;
  }
  const Shape ws = g->tensors[wt].shape;  // [O, KH, KW, f * f * C]
  if (ws.size() != 4 || ws[3] != phases * C) return false;
  const int32_t K[2] = {ws[1], ws[2]}, S[2] = {cn.options.stride_h, cn.options.stride_w};
  // New padding on X: f times the grid's; SAME on X when that is what SAME gives there.
  bool same = false;
  if (pad < 0 && cn.options.padding == Padding::kSame) {
    same = true;
    for (int a = 0; a < 2; ++a) {
      const int64_t grid = xs[1 + a] / f, out = (grid + S[a] - 1) / S[a];
      const int64_t total = std::max<int64_t>((out - 1) * S[a] + K[a] - grid, 0);
      grid_pads[2 * a] = static_cast<int32_t>(total / 2);
      grid_pads[2 * a + 1] = static_cast<int32_t>(total - total / 2);
      same = same && (f * total) / 2 == f * (total / 2);
    }
  }
  // Weights [O, f*KH, f*KW, C]: tap (f*ky + py, f*kx + px) takes phase (py, px)'s channels.
  const std::vector<float> w = float_data(g->tensors[wt]);
  const int64_t O = ws[0], FH = f * K[0], FW = f * K[1];
  std::vector<float> nw(static_cast<size_t>(O * FH * FW * C));
  for (int64_t o = 0; o < O; ++o)
    for (int64_t ky = 0; ky < K[0]; ++ky)
      for (int64_t kx = 0; kx < K[1]; ++kx)
        for (int64_t p = 0; p < phases; ++p) {
          const int64_t py = p / f, px = p % f, src = slot[static_cast<size_t>(p)];
          const float* from = &w[static_cast<size_t>(((o * K[0] + ky) * K[1] + kx) * ws[3] + src * C)];
          float* to = &nw[static_cast<size_t>(((o * FH + f * ky + py) * FW + f * kx + px) * C)];
          std::copy(from, from + C, to);
        }
  set_float_data(g, wt, nw);
  g->tensors[wt].shape = {static_cast<int32_t>(O), static_cast<int32_t>(FH), static_cast<int32_t>(FW), C};
  cn.options.stride_h = static_cast<int32_t>(f * S[0]);
  cn.options.stride_w = static_cast<int32_t>(f * S[1]);
  std::vector<char> removed(g->nodes.size(), 0);
  for (const Phase& p : ph) {
    for (int n : p.nodes) removed[static_cast<size_t>(n)] = 1;
  }
  const bool explicit_pad = !same && std::any_of(grid_pads.begin(), grid_pads.end(), [](int32_t v) { return v != 0; });
  std::vector<int32_t> xp = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) xp[2 + i] = static_cast<int32_t>(f * grid_pads[static_cast<size_t>(i)]);
  const Shape padded = {xs[0], xs[1] + xp[2] + xp[3], xs[2] + xp[4] + xp[5], C};
  const std::string wname = g->tensors[wt].name;  // a copy: adding tensors moves them
  if (pad >= 0) {
    // Reuse the PAD node (it already runs after X exists) with f times its paddings.
    Node& pn = g->nodes[pad];
    pn.inputs = {x, add_int32_const(g, wname + "/space_to_depth_paddings", {4, 2}, xp)};
    g->tensors[pn.outputs[0]].shape = padded;
    removed[k] = 1;
  } else if (explicit_pad) {
    // The concatenation's place in the node order goes to a PAD of X feeding the convolution.
    const int32_t pt = add_int32_const(g, wname + "/space_to_depth_paddings", {4, 2}, xp);
    TensorDesc out = g->tensors[x];
    out.name = wname + "/space_to_depth_padded";
    out.shape = padded;
    out.data = nullptr;
    out.data_bytes = 0;
    g->tensors.push_back(out);
    const int32_t pad_out = static_cast<int32_t>(g->tensors.size() - 1);
    Node pn;
    pn.code = static_cast<int32_t>(OpCode::kPad);
    pn.inputs = {x, pt};
    pn.outputs = {pad_out};
    g->nodes[k] = pn;
    g->nodes[conv].inputs[0] = pad_out;
    g->nodes[conv].options.padding = Padding::kValid;
  } else {
    g->nodes[conv].inputs[0] = x;
    removed[k] = 1;
  }
  remove_nodes(g, removed);
  return true;
}

}  // namespace

int fold_space_to_depth_convs(Graph* g) {
  int folded = 0;
  for (bool again = true; again;) {
    again = false;
    const TensorUses uses(*g, g->tensors.size());
    for (size_t k = 0; k < g->nodes.size() && !again; ++k) again = fold_space_to_depth_at(g, uses, k);
    folded += again ? 1 : 0;
  }
  return folded;
}

Status fold_input_normalization(Graph* g, const float mean[3], const float std[3], bool bgr, bool keep_mean) {
  if (g->inputs.size() != 1) return Status::error("fold_input_normalization: the graph must have one input");
  const int input = g->inputs[0];
  const TensorDesc& in = g->tensors[input];
  if (in.dtype != DType::kFloat32 || in.shape.size() != 4 || in.shape[3] != 3) {
    return Status::error("fold_input_normalization: the input must be FLOAT32 [N, H, W, 3], got " + shape_str(in.shape));
  }
  for (int c = 0; c < 3; ++c) {
    if (!(std[c] != 0.0f)) return Status::error("fold_input_normalization: std must be non-zero");
  }
  int consumer = -1;
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    for (int32_t i : g->nodes[k].inputs) {
      if (i != input) continue;
      if (consumer >= 0 && consumer != static_cast<int>(k)) {
        return Status::error("fold_input_normalization: the input feeds more than one node");
      }
      consumer = static_cast<int>(k);
    }
  }
  if (consumer < 0) return Status::error("fold_input_normalization: nothing reads the input");
  const int consumer_of_input = consumer;
  int conv_input = input;
  if (g->nodes[consumer].code == static_cast<int32_t>(OpCode::kPad)) {
    // An explicit zero PAD in front of the convolution (the importer's non-SAME padding).
    conv_input = g->nodes[consumer].outputs[0];
    consumer = -1;
    for (size_t k = 0; k < g->nodes.size(); ++k) {
      for (int32_t i : g->nodes[k].inputs) {
        if (i != conv_input) continue;
        if (consumer >= 0) return Status::error("fold_input_normalization: the padded input feeds more than one node");
        consumer = static_cast<int>(k);
      }
    }
    if (consumer < 0) return Status::error("fold_input_normalization: nothing reads the padded input");
  }
  Node& n = g->nodes[consumer];
  const bool conv = n.code == static_cast<int32_t>(OpCode::kConv2D);
  const bool dw = n.code == static_cast<int32_t>(OpCode::kDepthwiseConv2D);
  if ((!conv && !dw) || n.inputs[0] != conv_input || n.inputs.size() < 3 || n.inputs[2] < 0) {
    return Status::error("fold_input_normalization: the input must feed a convolution with weights and bias");
  }
  const int wt = n.inputs[1], bt = n.inputs[2];
  if (!g->tensors[wt].is_constant() || !g->tensors[bt].is_constant() || g->tensors[wt].dtype != DType::kFloat32 ||
      g->tensors[bt].dtype != DType::kFloat32) {
    return Status::error("fold_input_normalization: the first convolution needs constant FLOAT32 weights and bias");
  }
  if (dw && n.options.depth_multiplier != 1 && bgr) {
    return Status::error("fold_input_normalization: cannot reorder channels of a depthwise convolution with a multiplier");
  }
  // src[c] = model channel fed by RGB channel c.
  const int model_of_rgb[3] = {bgr ? 2 : 0, 1, bgr ? 0 : 2};
  std::vector<float> w = float_data(g->tensors[wt]), b = float_data(g->tensors[bt]);
  const Shape ws = g->tensors[wt].shape;  // conv [O, KH, KW, 3]; depthwise [1, KH, KW, 3 * M]
  const int64_t taps = static_cast<int64_t>(ws[1]) * ws[2];
  std::vector<float> nw(w.size());
  if (conv) {
    const int64_t O = ws[0];
    for (int64_t o = 0; o < O; ++o) {
      for (int64_t t = 0; t < taps; ++t) {
        for (int c = 0; c < 3; ++c) {
          const int m = model_of_rgb[c];
          const float v = w[(o * taps + t) * 3 + m];
          nw[(o * taps + t) * 3 + c] = v / std[m];
          if (!keep_mean) b[o] -= v * mean[m] / std[m];
        }
      }
    }
  } else {
    const int64_t M = n.options.depth_multiplier, O = ws[3];
    std::vector<float> nb(b.size());
    for (int c = 0; c < 3; ++c) {
      const int m = model_of_rgb[c];
      for (int64_t j = 0; j < M; ++j) {
        float acc = b[m * M + j];
        for (int64_t t = 0; t < taps; ++t) {
          const float v = w[t * O + m * M + j];
          nw[t * O + c * M + j] = v / std[m];
          if (!keep_mean) acc -= v * mean[m] / std[m];
        }
        nb[c * M + j] = acc;
      }
    }
    b = nb;
  }
  set_float_data(g, wt, nw);
  set_float_data(g, bt, b);
  if (keep_mean && (mean[0] != 0.0f || mean[1] != 0.0f || mean[2] != 0.0f)) {
    // input - mean (RGB order) by an ADD in front of the first node: padding then means the mean pixel.
    const int reader = consumer_of_input;
    std::vector<float> neg_mean(3);
    for (int c = 0; c < 3; ++c) neg_mean[c] = -mean[model_of_rgb[c]];
    const int32_t mean_t = add_float_const(g, g->tensors[input].name + "/mean", {3}, neg_mean);
    TensorDesc centered = g->tensors[input];
    centered.name = g->tensors[input].name + "/centered";
    const int32_t centered_t = add_tensor(g, centered);
    for (int32_t& i : g->nodes[reader].inputs) {
      if (i == input) i = centered_t;
    }
    Node add;
    add.code = static_cast<int32_t>(OpCode::kAdd);
    add.inputs = {input, mean_t};
    add.outputs = {centered_t};
    g->nodes.insert(g->nodes.begin(), add);
  }
  return Status();
}

int prune_dead_depthwise_channels(Graph* g) {
  const int nt = static_cast<int>(g->tensors.size());
  std::vector<int> readers(nt, 0), producer(nt, -1);
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    for (int32_t i : g->nodes[k].inputs) if (i >= 0) ++readers[i];
    for (int32_t o : g->nodes[k].outputs) producer[o] = static_cast<int>(k);
  }
  for (int32_t o : g->outputs) readers[o] += 2;
  auto float_const = [&](int32_t t) {
    return t >= 0 && g->tensors[t].is_constant() && g->tensors[t].dtype == DType::kFloat32;
  };
  auto code_is = [&](int k, OpCode c) { return k >= 0 && g->nodes[k].code == static_cast<int32_t>(c); };
  int removed = 0;
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    Node& dw = g->nodes[k];
    const bool dw_bias = dw.inputs.size() >= 3 && dw.inputs[2] >= 0;
    if (!code_is(static_cast<int>(k), OpCode::kDepthwiseConv2D) || dw.options.activation != Activation::kNone ||
        dw.options.depth_multiplier != 1 || !float_const(dw.inputs[1]) || (dw_bias && !float_const(dw.inputs[2]))) {
      continue;
    }
    // Consumer: one 1x1 CONV_2D.
    const int32_t y = dw.outputs[0];
    int last = -1;
    for (size_t j = 0; j < g->nodes.size(); ++j) {
      for (int32_t i : g->nodes[j].inputs) if (i == y) last = static_cast<int>(j);
    }
    if (readers[y] != 1 || !code_is(last, OpCode::kConv2D) || g->nodes[last].inputs[0] != y ||
        !float_const(g->nodes[last].inputs[1]) ||
        (dw_bias && (g->nodes[last].inputs.size() < 3 || !float_const(g->nodes[last].inputs[2])))) {
      continue;
    }
    // Producer chain back to a 1x1 CONV_2D, through single-reader LEAKY_RELU / PAD nodes.
    std::vector<int32_t> chain = {dw.inputs[0]};  // tensors whose channel dim shrinks
    int first = producer[dw.inputs[0]];
    while (first >= 0 && readers[g->nodes[first].outputs[0]] == 1 &&
           (code_is(first, OpCode::kLeakyRelu) || code_is(first, OpCode::kPad))) {
      chain.push_back(g->nodes[first].inputs[0]);
      first = producer[g->nodes[first].inputs[0]];
    }
    if (!code_is(first, OpCode::kConv2D) || readers[g->nodes[first].outputs[0]] != 1 ||
        g->nodes[first].inputs.size() < 3 || !float_const(g->nodes[first].inputs[1]) ||
        !float_const(g->nodes[first].inputs[2])) {
      continue;
    }
    const Shape w1s = g->tensors[g->nodes[first].inputs[1]].shape;  // [C, 1, 1, Cin]
    const Shape dws = g->tensors[dw.inputs[1]].shape;               // [1, KH, KW, C]
    const Shape w2s = g->tensors[g->nodes[last].inputs[1]].shape;   // [Cout, 1, 1, C]
    if (w1s.size() != 4 || w1s[1] != 1 || w1s[2] != 1 || dws.size() != 4 || w2s.size() != 4 || w2s[1] != 1 ||
        w2s[2] != 1 || w1s[0] != dws[3] || w2s[3] != dws[3]) {
      continue;
    }
    const int32_t C = dws[3], taps = dws[1] * dws[2];
    const std::vector<float> wd = float_data(g->tensors[dw.inputs[1]]);
    std::vector<float> mx(C, 0.0f);
    for (int32_t t = 0; t < taps; ++t) {
      for (int32_t c = 0; c < C; ++c) mx[c] = std::max(mx[c], std::fabs(wd[static_cast<size_t>(t) * C + c]));
    }
    const float limit = *std::max_element(mx.begin(), mx.end()) * 1e-6f;
    std::vector<int32_t> keep;
    for (int32_t c = 0; c < C; ++c) if (mx[c] > limit) keep.push_back(c);
    const int32_t K = static_cast<int32_t>(keep.size());
    if (K == C || K == 0) continue;
    // First conv: filters and bias of kept channels.
    const int32_t cin = w1s[3];
    const std::vector<float> w1 = float_data(g->tensors[g->nodes[first].inputs[1]]);
    const std::vector<float> b1 = float_data(g->tensors[g->nodes[first].inputs[2]]);
    std::vector<float> nw1, nb1, nwd, nw2;
    for (int32_t c : keep) {
      nw1.insert(nw1.end(), w1.begin() + static_cast<size_t>(c) * cin, w1.begin() + static_cast<size_t>(c + 1) * cin);
      nb1.push_back(b1[c]);
    }
    for (int32_t t = 0; t < taps; ++t) {
      for (int32_t c : keep) nwd.push_back(wd[static_cast<size_t>(t) * C + c]);
    }
    const std::vector<float> w2 = float_data(g->tensors[g->nodes[last].inputs[1]]);
    for (int32_t o = 0; o < w2s[0]; ++o) {
      for (int32_t c : keep) nw2.push_back(w2[static_cast<size_t>(o) * C + c]);
    }
    if (dw_bias) {
      // A dead channel outputs its bias everywhere: that constant moves into the last conv's bias.
      const std::vector<float> bd = float_data(g->tensors[dw.inputs[2]]);
      std::vector<float> b2 = float_data(g->tensors[g->nodes[last].inputs[2]]);
      std::vector<bool> kept(C, false);
      for (int32_t c : keep) kept[c] = true;
      for (int32_t o = 0; o < w2s[0]; ++o) {
        double acc = b2[o];
        for (int32_t c = 0; c < C; ++c) {
          if (!kept[c]) acc += static_cast<double>(w2[static_cast<size_t>(o) * C + c]) * bd[c];
        }
        b2[o] = static_cast<float>(acc);
      }
      std::vector<float> nbd;
      for (int32_t c : keep) nbd.push_back(bd[c]);
      set_float_data(g, g->nodes[last].inputs[2], b2);
      set_float_data(g, dw.inputs[2], nbd);
      g->tensors[dw.inputs[2]].shape = {K};
    }
    set_float_data(g, g->nodes[first].inputs[1], nw1);
    g->tensors[g->nodes[first].inputs[1]].shape = {K, 1, 1, cin};
    set_float_data(g, g->nodes[first].inputs[2], nb1);
    g->tensors[g->nodes[first].inputs[2]].shape = {K};
    set_float_data(g, dw.inputs[1], nwd);
    g->tensors[dw.inputs[1]].shape = {1, dws[1], dws[2], K};
    set_float_data(g, g->nodes[last].inputs[1], nw2);
    g->tensors[g->nodes[last].inputs[1]].shape = {w2s[0], 1, 1, K};
    chain.push_back(y);
    for (int32_t t : chain) {
      if (g->tensors[t].shape.size() == 4) g->tensors[t].shape[3] = K;
    }
    removed += C - K;
  }
  return removed;
}

}  // namespace fd
