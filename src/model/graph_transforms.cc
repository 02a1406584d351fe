// Graph rewrites: folding input normalization and channel order into the first convolution.
#include "model/graph_transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace fd {
namespace {

// Replaces tensor `t`'s constant payload with `values` (new storage owned by the graph).
void set_float_data(Graph* g, int t, const std::vector<float>& values) {
  auto buf = std::make_shared<std::vector<uint8_t>>(values.size() * sizeof(float));
  std::memcpy(buf->data(), values.data(), buf->size());
  g->storage.push_back(buf);
  g->tensors[t].data = buf->data();
  g->tensors[t].data_bytes = buf->size();
}

std::vector<float> float_data(const TensorDesc& t) {
  std::vector<float> v(t.data_bytes / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), t.data, v.size() * sizeof(float));
  return v;
}

}  // namespace

Status fold_input_normalization(Graph* g, const float mean[3], const float std[3], bool bgr) {
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
          b[o] -= v * mean[m] / std[m];
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
          acc -= v * mean[m] / std[m];
        }
        nb[c * M + j] = acc;
      }
    }
    b = nb;
  }
  set_float_data(g, wt, nw);
  set_float_data(g, bt, b);
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
