#include "quantize/quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <set>

namespace fd {
namespace {

using Code = OpCode;
constexpr int32_t c(Code op) { return static_cast<int32_t>(op); }

// Ops whose int8 output must carry the input's parameters (TFLite's kernels move or compare
// values without rescaling).
bool shares_input_params(int32_t code) {
  switch (static_cast<Code>(code)) {
    case Code::kReshape: case Code::kTranspose: case Code::kMaxPool2D: case Code::kAveragePool2D:
    case Code::kPad: case Code::kPadV2: case Code::kSqueeze: case Code::kStridedSlice:
    case Code::kSplit: case Code::kGather: case Code::kResizeNearestNeighbor:
    case Code::kResizeBilinear: case Code::kPack: case Code::kUnpack: case Code::kGatherNd:
      return true;
    default:
      return false;
  }
}

// Fixed int8 output parameters of LOGISTIC, SOFTMAX and TANH; false for other ops.
bool fixed_output_params(int32_t code, ActivationQuant* q) {
  if (code == c(Code::kLogistic) || code == c(Code::kSoftmax)) {
    *q = {1.0f / 256.0f, -128};
    return true;
  }
  if (code == c(Code::kTanh)) {
    *q = {1.0f / 128.0f, 0};
    return true;
  }
  return false;
}

// Union-find over tensor indices for "same quantization parameters" groups.
struct Groups {
  std::vector<int32_t> parent;
  explicit Groups(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int32_t find(int32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(int32_t a, int32_t b) { parent[find(a)] = find(b); }
};

// Builds the output graph tensor by tensor.
class Builder {
 public:
  Builder(const Graph& in, const std::vector<Shape>& shapes, Graph* out) : in_(in), shapes_(shapes), out_(out) {}

  // A new tensor in the output graph; returns its index.
  int32_t add_tensor(const std::string& name, DType dtype, const Shape& shape, QuantParams quant = {}) {
    TensorDesc d;
    d.name = name;
    d.dtype = dtype;
    d.shape = shape;
    d.quant = std::move(quant);
    out_->tensors.push_back(std::move(d));
    return static_cast<int32_t>(out_->tensors.size() - 1);
  }

  // A new constant tensor owning a copy of `bytes`.
  int32_t add_constant(const std::string& name, DType dtype, const Shape& shape, const void* bytes, size_t size,
                       QuantParams quant = {}) {
    auto buf = std::make_shared<std::vector<uint8_t>>(size);
    if (size) std::memcpy(buf->data(), bytes, size);
    out_->storage.push_back(buf);
    int32_t t = add_tensor(name, dtype, shape, std::move(quant));
    out_->tensors[t].data = buf->data();
    out_->tensors[t].data_bytes = size;
    return t;
  }

  // Copies input tensor `i` unchanged (constants share the source graph's storage).
  int32_t copy_tensor(int32_t i) {
    const TensorDesc& d = in_.tensors[i];
    int32_t t = add_tensor(d.name, d.dtype, d.data ? d.shape : shapes_[i], d.quant);
    out_->tensors[t].data = d.data;
    out_->tensors[t].data_bytes = d.data_bytes;
    return t;
  }

  void add_node(int32_t code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, OpOptions opts = {}) {
    Node n;
    n.code = code;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.options = std::move(opts);
    out_->nodes.push_back(std::move(n));
  }

  const Graph& in_;
  const std::vector<Shape>& shapes_;
  Graph* out_;
};

QuantParams per_tensor(const ActivationQuant& q) {
  QuantParams p;
  p.scale = {q.scale};
  p.zero_point = {q.zero_point};
  return p;
}

}  // namespace

std::vector<bool> select_nodes(const Graph& g, const std::vector<std::string>& selectors, std::string* unmatched) {
  const std::set<std::string> wanted(selectors.begin(), selectors.end());
  std::set<std::string> missing = wanted;
  std::vector<bool> selected(g.nodes.size(), false);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const std::string index = "#" + std::to_string(n);
    selected[n] = wanted.count(index) > 0;
    missing.erase(index);
    for (int32_t t : g.nodes[n].outputs) {
      selected[n] = selected[n] || wanted.count(g.tensors[t].name) > 0;
      missing.erase(g.tensors[t].name);
    }
  }
  unmatched->clear();
  if (!missing.empty()) *unmatched = *missing.begin();
  return selected;
}

bool has_int8_kernel(int32_t code) {
  switch (static_cast<Code>(code)) {
    case Code::kAdd: case Code::kSub: case Code::kMul: case Code::kConv2D: case Code::kDepthwiseConv2D:
    case Code::kFullyConnected: case Code::kAveragePool2D: case Code::kMaxPool2D: case Code::kConcatenation:
    case Code::kReshape: case Code::kTranspose: case Code::kPad: case Code::kPadV2: case Code::kSqueeze:
    case Code::kStridedSlice: case Code::kSplit: case Code::kGather: case Code::kMean: case Code::kSoftmax:
    case Code::kLogistic: case Code::kTanh: case Code::kRelu: case Code::kRelu6: case Code::kReluN1To1:
    case Code::kLeakyRelu: case Code::kHardSwish: case Code::kResizeBilinear:
    case Code::kResizeNearestNeighbor: case Code::kPack: case Code::kUnpack: case Code::kArgMax:
    case Code::kGatherNd:
      return true;
    default:
      return false;
  }
}

ActivationQuant activation_quant(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  ActivationQuant q;
  if (!(hi - lo > 0.0f) || !std::isfinite(hi - lo)) return q;
  q.scale = (hi - lo) / 255.0f;
  const double zp = std::nearbyint(-128.0 - static_cast<double>(lo) / q.scale);
  q.zero_point = static_cast<int32_t>(std::min(127.0, std::max(-128.0, zp)));
  return q;
}

void quantize_weights_symmetric(const float* w, const Shape& shape, int axis, const std::vector<float>& min_scales,
                                std::vector<int8_t>* q, std::vector<float>* scales, int qmax) {
  const float limit = static_cast<float>(qmax);
  const int64_t total = num_elements(shape);
  const int64_t channels = axis < 0 ? 1 : shape[axis];
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(std::max(axis, 0)) + 1; d < shape.size(); ++d) inner *= shape[d];
  if (axis < 0) inner = total;
  auto channel_of = [&](int64_t i) { return axis < 0 ? 0 : (i / inner) % channels; };
  std::vector<float> absmax(channels, 0.0f);
  for (int64_t i = 0; i < total; ++i) {
    absmax[channel_of(i)] = std::max(absmax[channel_of(i)], std::fabs(w[i]));
  }
  scales->assign(channels, 1.0f);
  for (int64_t ch = 0; ch < channels; ++ch) {
    float s = absmax[ch] / limit;
    if (!min_scales.empty()) s = std::max(s, min_scales[ch]);
    (*scales)[ch] = s > 0.0f ? s : 1.0f;
  }
  q->resize(total);
  for (int64_t i = 0; i < total; ++i) {
    const float v = std::nearbyint(w[i] / (*scales)[channel_of(i)]);
    (*q)[i] = static_cast<int8_t>(std::min(limit, std::max(-limit, v)));
  }
}

float channel_range_ratio(const float* w, const Shape& shape, int axis) {
  const int64_t channels = shape[axis];
  int64_t inner = 1, total = 1;
  for (size_t d = 0; d < shape.size(); ++d) total *= shape[d];
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  std::vector<float> m(channels, 0.0f);
  for (int64_t i = 0; i < total; ++i) {
    const int64_t ch = (i / inner) % channels;
    m[ch] = std::max(m[ch], std::fabs(w[i]));
  }
  float lo = INFINITY, hi = 0.0f;
  for (float v : m) {
    if (v > 0) lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > 0 ? hi / lo : 1.0f;
}

void quantize_bias(const float* b, int channels, float input_scale, const std::vector<float>& weight_scales,
                   std::vector<int32_t>* q) {
  q->resize(channels);
  for (int ch = 0; ch < channels; ++ch) {
    const double s = static_cast<double>(input_scale) * weight_scales[weight_scales.size() == 1 ? 0 : ch];
    double v = std::nearbyint(b[ch] / s);
    v = std::min(2147483647.0, std::max(-2147483647.0, v));
    (*q)[ch] = static_cast<int32_t>(v);
  }
}

Status quantize_graph(const Graph& g, const std::vector<TensorStats>& stats, const std::vector<Shape>& shapes,
                      const QuantizeOptions& opt, Graph* out_graph) {
  const int nt = static_cast<int>(g.tensors.size());
  const int nn = static_cast<int>(g.nodes.size());
  if (stats.size() != g.tensors.size() || shapes.size() != g.tensors.size()) {
    return Status::error("calibration statistics do not match the graph");
  }
  if (g.inputs.size() != 1) return Status::error("quantization needs a model with exactly one input");
  auto is_float_activation = [&](int32_t t) {
    return t >= 0 && g.tensors[t].dtype == DType::kFloat32 && !g.tensors[t].is_constant();
  };

  // Which nodes run in int8: int8-capable, touching a float activation, not kept in float.
  std::string unmatched;
  const std::vector<bool> kept = select_nodes(g, opt.keep_float, &unmatched);
  if (!unmatched.empty()) return Status::error("--keep-float: no node produces a tensor named '" + unmatched + "'");
  std::vector<bool> quantized(nn, false);
  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
    bool touches_float = false;
    for (int32_t t : node.inputs) touches_float |= is_float_activation(t);
    for (int32_t t : node.outputs) touches_float |= is_float_activation(t);
    quantized[n] = touches_float && !kept[n] && has_int8_kernel(node.code);
  }

  // Nodes whose weights are stored as INT4, selected like keep_float.
  std::vector<bool> int4(nn, false);
  {
    std::string missing;
    const std::vector<bool> chosen = select_nodes(g, opt.int4_weights, &missing);
    if (!missing.empty()) {
      if (missing.size() > 1 && missing[0] == '#') {
        return Status::error("--int4: the model has no node " + missing + " (it has " + std::to_string(nn) + " nodes)");
      }
      return Status::error("--int4: no node produces a tensor named '" + missing + "'");
    }
    for (int n = 0; n < nn; ++n) {
      const Node& node = g.nodes[n];
      if (!chosen[n]) continue;
      const std::string what = "--int4: node " + std::to_string(n) + " (" + op_name(node.code) + ")";
      if (node.code != c(Code::kConv2D) && node.code != c(Code::kDepthwiseConv2D) &&
          node.code != c(Code::kFullyConnected)) {
        return Status::error(what + " has no weights to store as INT4 (only CONV_2D, DEPTHWISE_CONV_2D and "
                             "FULLY_CONNECTED do)");
      }
      if (!quantized[n]) return Status::error(what + " is not quantized (it stays float)");
      const int32_t w = node.inputs.size() > 1 ? node.inputs[1] : -1;
      if (w < 0 || !g.tensors[w].is_constant() || g.tensors[w].dtype != DType::kFloat32) {
        return Status::error(what + " has no constant float32 weights");
      }
      int4[n] = true;
    }
  }

  const int32_t model_input = g.inputs[0];

  // How each activation is read, for the mse range: by one LOGISTIC only, or as SiLU (a LOGISTIC
  // of it and a MUL of it by that LOGISTIC's output). Graph outputs are read as they are.
  std::vector<RangeUse> use(nt, RangeUse::kLinear);
  {
    std::vector<std::vector<int>> readers(nt);
    for (int n = 0; n < nn; ++n) {
      for (int32_t t : g.nodes[n].inputs) {
        if (t >= 0) readers[t].push_back(n);
      }
    }
    for (int32_t t : g.outputs) readers[t].push_back(-1);
    auto logistic = [&](int n) { return n >= 0 && g.nodes[n].code == c(Code::kLogistic); };
    for (int32_t t = 0; t < nt; ++t) {
      const std::vector<int>& r = readers[t];
      if (r.size() == 1 && logistic(r[0])) use[t] = RangeUse::kSigmoid;
      if (r.size() != 2 || (!logistic(r[0]) && !logistic(r[1]))) continue;
      const int sig = logistic(r[0]) ? r[0] : r[1], mul = logistic(r[0]) ? r[1] : r[0];
      if (mul < 0 || g.nodes[mul].code != c(Code::kMul) || g.nodes[mul].inputs.size() != 2 ||
          g.nodes[mul].options.activation != Activation::kNone) {
        continue;
      }
      const int32_t s = g.nodes[sig].outputs[0];
      const std::vector<int32_t>& in = g.nodes[mul].inputs;
      if ((in[0] == t && in[1] == s) || (in[0] == s && in[1] == t)) use[t] = RangeUse::kSilu;
    }
  }

  // Activation parameters: fixed anchors, pass-through groups, concat groups, then ranges.
  std::vector<bool> anchored(nt, false);
  std::vector<ActivationQuant> anchor(nt);
  anchored[model_input] = true;
  anchor[model_input] = {opt.input_scale, opt.input_zero_point};
  Groups groups(nt);
  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
    if (!quantized[n]) continue;
    ActivationQuant fixed;
    if (fixed_output_params(node.code, &fixed)) {
      anchored[node.outputs[0]] = true;
      anchor[node.outputs[0]] = fixed;
    }
    if (shares_input_params(node.code)) {
      const size_t data_inputs = node.code == c(Code::kPack) ? node.inputs.size() : 1;
      const int first = node.code == c(Code::kSplit) ? 1 : 0;  // SPLIT: (axis, data)
      for (size_t i = first; i < first + data_inputs && i < node.inputs.size(); ++i) {
        if (!is_float_activation(node.inputs[i])) continue;
        for (int32_t o : node.outputs) groups.unite(o, node.inputs[i]);
      }
    }
  }
  auto group_anchored = [&](int32_t t) -> int32_t {
    const int32_t root = groups.find(t);
    for (int32_t i = 0; i < nt; ++i) {
      if (anchored[i] && groups.find(i) == root) return i;
    }
    return -1;
  };
  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
    if (!quantized[n] || node.code != c(Code::kConcatenation)) continue;
    // An input shares the output's parameters when its own range is nearly as wide (no
    // requantization); a much narrower one keeps its finer scale and is requantized.
    auto span = [&](int32_t t) {
      float l = 0, h = 0;
      if (stats[t].seen) choose_range(stats[t], opt.method, opt.percentile, &l, &h, use[t]);
      return h - l;
    };
    for (int32_t t : node.inputs) {
      if (is_float_activation(t) && group_anchored(t) < 0 && group_anchored(node.outputs[0]) < 0 &&
          span(t) >= opt.concat_share_ratio * span(node.outputs[0])) {
        groups.unite(t, node.outputs[0]);
      }
    }
  }
  std::vector<float> lo(nt, 0.0f), hi(nt, 0.0f);
  std::vector<bool> has_range(nt, false);
  // PADV2's fill value (often -FLT_MAX ahead of a max pool) must not widen the shared range: it
  // is quantized with the output's parameters and saturates.
  std::vector<bool> padded(nt, false);
  for (int n = 0; n < nn; ++n) {
    if (quantized[n] && g.nodes[n].code == c(Code::kPadV2)) padded[g.nodes[n].outputs[0]] = true;
  }
  for (int32_t t = 0; t < nt; ++t) {
    if (!is_float_activation(t) || !stats[t].seen || padded[t]) continue;
    float l, h;
    choose_range(stats[t], opt.method, opt.percentile, &l, &h, use[t]);
    const int32_t r = groups.find(t);
    lo[r] = has_range[r] ? std::min(lo[r], l) : l;
    hi[r] = has_range[r] ? std::max(hi[r], h) : h;
    has_range[r] = true;
  }
  std::vector<ActivationQuant> aq(nt);
  for (int32_t t = 0; t < nt; ++t) {
    if (!is_float_activation(t)) continue;
    const int32_t a = group_anchored(t);
    if (a >= 0) {
      aq[t] = anchor[a];
    } else {
      const int32_t r = groups.find(t);
      if (!has_range[r]) {
        return Status::error("tensor '" + g.tensors[t].name + "' was never computed during calibration");
      }
      aq[t] = activation_quant(lo[r], hi[r]);
    }
  }

  // Emit the output graph.
  Graph out;
  out.metadata = g.metadata;
  out.storage = g.storage;
  Builder b(g, shapes, &out);
  std::vector<int32_t> as_int8(nt, -1), as_float(nt, -1), as_other(nt, -1);
  std::map<std::pair<int32_t, int>, int32_t> const_cache;  // (tensor, role) -> quantized constant

  // The int8 version of activation t (made by QUANTIZE when t is produced in float).
  auto int8_of = [&](int32_t t) -> int32_t {
    if (as_int8[t] >= 0) return as_int8[t];
    const int32_t f = as_float[t];
    as_int8[t] = b.add_tensor(g.tensors[t].name + "/quantized", DType::kInt8, shapes[t], per_tensor(aq[t]));
    b.add_node(c(Code::kQuantize), {f}, {as_int8[t]});
    return as_int8[t];
  };
  auto float_of = [&](int32_t t) -> int32_t {
    if (as_float[t] >= 0) return as_float[t];
    const int32_t q = as_int8[t];
    as_float[t] = b.add_tensor(g.tensors[t].name + "/dequantized", DType::kFloat32, shapes[t]);
    b.add_node(c(Code::kDequantize), {q}, {as_float[t]});
    return as_float[t];
  };
  auto other_of = [&](int32_t t) -> int32_t {
    if (as_other[t] < 0) as_other[t] = b.copy_tensor(t);
    return as_other[t];
  };
  // TFLite's int8 CONCATENATION needs every input to carry the output's parameters: an input with
  // other (fixed) parameters goes through a requantizing QUANTIZE (int8 -> int8).
  std::map<std::pair<int32_t, int32_t>, int32_t> requant_cache;
  auto requantized = [&](int32_t t, int32_t like) -> int32_t {
    if (aq[t].scale == aq[like].scale && aq[t].zero_point == aq[like].zero_point) return as_int8[t];
    auto key = std::make_pair(t, groups.find(like));
    auto it = requant_cache.find(key);
    if (it != requant_cache.end()) return it->second;
    const int32_t r = b.add_tensor(g.tensors[t].name + "/requantized", DType::kInt8, shapes[t], per_tensor(aq[like]));
    b.add_node(c(Code::kQuantize), {as_int8[t]}, {r});
    return requant_cache[key] = r;
  };
  // The caller's INT4 rounding of weight tensor `t`, if any.
  auto rounding_of = [&](int32_t t) -> const Int4Rounding* {
    for (const Int4Rounding& r : opt.int4_rounded) {
      if (r.weight_tensor == t) return &r;
    }
    return nullptr;
  };
  // A float constant quantized for input slot `slot` of quantized node `node` (weights stored
  // as INT4 when `in_int4`).
  auto quantized_constant = [&](int32_t t, const Node& node, int slot, bool in_int4) -> int32_t {
    const TensorDesc& d = g.tensors[t];
    const float* w = reinterpret_cast<const float*>(d.data);
    const bool conv = node.code == c(Code::kConv2D) || node.code == c(Code::kDepthwiseConv2D) ||
                      node.code == c(Code::kFullyConnected);
    if (conv && slot == 1) {
      int axis = node.code == c(Code::kConv2D) ? 0 : node.code == c(Code::kDepthwiseConv2D) ? 3 : -1;
      auto key = std::make_pair(t, in_int4 ? 2 : 1);  // role 1: int8 weights, 2: int4 weights
      if (const_cache.count(key)) return const_cache[key];
      const Int4Rounding* rounded = in_int4 ? rounding_of(t) : nullptr;
      if (rounded && rounded->values.size() != static_cast<size_t>(num_elements(d.shape))) rounded = nullptr;
      if (rounded) {
        axis = rounded->axis;
      } else if (axis >= 0 && opt.per_tensor_ratio > 0 && channel_range_ratio(w, d.shape, axis) <= opt.per_tensor_ratio) {
        axis = -1;
      }
      // Bias must fit int32: raise tiny weight scales when a bias is present.
      std::vector<float> min_scales;
      const int32_t bias = node.inputs.size() > 2 ? node.inputs[2] : -1;
      const float in_scale = aq[node.inputs[0]].scale;
      if (bias >= 0 && g.tensors[bias].is_constant()) {
        const float* bv = reinterpret_cast<const float*>(g.tensors[bias].data);
        const int64_t ch = num_elements(g.tensors[bias].shape);
        if (axis >= 0) {
          min_scales.resize(ch);
          for (int64_t i = 0; i < ch; ++i) min_scales[i] = std::fabs(bv[i]) / (in_scale * 1073741824.0f);
        } else {
          float m = 0;
          for (int64_t i = 0; i < ch; ++i) m = std::max(m, std::fabs(bv[i]) / (in_scale * 1073741824.0f));
          min_scales = {m};
        }
      }
      std::vector<int8_t> q;
      std::vector<float> scales;
      quantize_weights_symmetric(w, d.shape, axis, min_scales, &q, &scales, in_int4 ? 7 : 127);
      if (rounded) {
        // The caller's values, except in a channel whose bias needs a coarser scale than the
        // rounding chose (see min_scales): that one keeps nearest rounding at its bias-safe scale.
        std::vector<bool> keep(scales.size(), true);
        for (size_t ch = 0; ch < std::min(scales.size(), min_scales.size()); ++ch) keep[ch] = rounded->scales[ch] >= min_scales[ch];
        int64_t inner = 1;
        for (size_t k = static_cast<size_t>(axis) + 1; k < d.shape.size(); ++k) inner *= d.shape[k];
        for (size_t i = 0; i < q.size(); ++i) {
          if (keep[static_cast<size_t>(static_cast<int64_t>(i) / inner) % scales.size()]) q[i] = rounded->values[i];
        }
        for (size_t ch = 0; ch < scales.size(); ++ch) {
          if (keep[ch]) scales[ch] = rounded->scales[ch];
        }
      }
      QuantParams p;
      p.scale = scales;
      p.zero_point.assign(scales.size(), 0);
      p.axis = std::max(axis, 0);
      const int32_t qt = b.add_constant(d.name, DType::kInt8, d.shape, q.data(), q.size(), p);
      out.tensors[qt].int4 = in_int4;
      return const_cache[key] = qt;
    }
    if (conv && slot == 2) {
      const int32_t wt = const_cache.at(std::make_pair(node.inputs[1], in_int4 ? 2 : 1));
      const std::vector<float>& ws = out.tensors[wt].quant.scale;
      const float in_scale = aq[node.inputs[0]].scale;
      std::vector<int32_t> q;
      std::vector<float> bias(w, w + num_elements(d.shape));
      const Int4Rounding* rounded = in_int4 ? rounding_of(node.inputs[1]) : nullptr;
      if (rounded) bias = rounded->corrected_bias(bias);
      quantize_bias(bias.data(), static_cast<int>(bias.size()), in_scale, ws, &q);
      QuantParams p;
      for (float s : ws) p.scale.push_back(in_scale * s);
      p.zero_point.assign(p.scale.size(), 0);
      return b.add_constant(d.name, DType::kInt32, d.shape, q.data(), q.size() * 4, p);
    }
    const int data_slot = node.code == c(Code::kSplit) ? 1 : 0;
    const bool same_as_output = (node.code == c(Code::kPadV2) && slot == 2) ||
                                node.code == c(Code::kConcatenation) || node.code == c(Code::kPack) ||
                                (shares_input_params(node.code) && slot == data_slot);
    if (same_as_output) {
      const ActivationQuant a = aq[node.outputs[0]];
      const int64_t count = num_elements(d.shape);
      std::vector<int8_t> q(count);
      for (int64_t i = 0; i < count; ++i) {
        const float v = std::nearbyint(std::max(-1e9f, std::min(1e9f, w[i] / a.scale))) + a.zero_point;
        q[i] = static_cast<int8_t>(std::min(127.0f, std::max(-128.0f, v)));
      }
      return b.add_constant(d.name, DType::kInt8, d.shape, q.data(), q.size(), per_tensor(a));
    }
    auto key = std::make_pair(t, 0);
    if (const_cache.count(key)) return const_cache[key];
    const int64_t n = num_elements(d.shape);
    float l = 0, h = 0;
    for (int64_t i = 0; i < n; ++i) {
      l = std::min(l, w[i]);
      h = std::max(h, w[i]);
    }
    const ActivationQuant a = activation_quant(l, h);
    std::vector<int8_t> q(n);
    for (int64_t i = 0; i < n; ++i) {
      const float v = std::nearbyint(w[i] / a.scale) + a.zero_point;
      q[i] = static_cast<int8_t>(std::min(127.0f, std::max(-128.0f, v)));
    }
    return const_cache[key] = b.add_constant(d.name, DType::kInt8, d.shape, q.data(), q.size(), per_tensor(a));
  };

  as_int8[model_input] = b.add_tensor(g.tensors[model_input].name, DType::kInt8, shapes[model_input],
                                      per_tensor(aq[model_input]));
  out.inputs = {as_int8[model_input]};
  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
    std::vector<int32_t> ins, outs;
    for (size_t s = 0; s < node.inputs.size(); ++s) {
      const int32_t t = node.inputs[s];
      if (t < 0) {
        ins.push_back(-1);
      } else if (is_float_activation(t)) {
        ins.push_back(quantized[n] ? int8_of(t) : float_of(t));
        if (quantized[n] && node.code == c(Code::kConcatenation)) ins.back() = requantized(t, node.outputs[0]);
      } else if (quantized[n] && g.tensors[t].dtype == DType::kFloat32) {
        ins.push_back(quantized_constant(t, node, static_cast<int>(s), int4[n]));
      } else {
        ins.push_back(other_of(t));
      }
    }
    for (int32_t t : node.outputs) {
      if (!is_float_activation(t)) {
        outs.push_back(other_of(t));
      } else if (quantized[n]) {
        outs.push_back(as_int8[t] = b.add_tensor(g.tensors[t].name, DType::kInt8, shapes[t], per_tensor(aq[t])));
      } else {
        outs.push_back(as_float[t] = b.add_tensor(g.tensors[t].name, DType::kFloat32, shapes[t]));
      }
    }
    b.add_node(node.code, ins, outs, node.options);
    out.nodes.back().custom_name = node.custom_name;
  }
  for (int32_t t : g.outputs) {
    if (!is_float_activation(t)) {
      out.outputs.push_back(other_of(t));
    } else if (as_int8[t] >= 0 && (opt.float_outputs || as_float[t] >= 0)) {
      // The model output keeps its name on the FLOAT32 tensor.
      const int32_t f = float_of(t);
      out.tensors[as_int8[t]].name = g.tensors[t].name + "/int8";
      out.tensors[f].name = g.tensors[t].name;
      out.outputs.push_back(f);
    } else {
      out.outputs.push_back(as_int8[t] >= 0 ? as_int8[t] : as_float[t]);
    }
  }
  *out_graph = std::move(out);
  return Status();
}

}  // namespace fd
