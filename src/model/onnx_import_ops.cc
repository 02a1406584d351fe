// Per-op translators of the ONNX importer: each turns the current ONNX node into featherdet
// FLOAT32 nodes, choosing the storage layout (NHWC for 4-D image tensors, ONNX order otherwise).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <map>

#include "model/onnx_fold.h"
#include "model/onnx_import_ops.h"

namespace fd {
namespace onnx_import {
namespace {

int64_t product(const std::vector<int64_t>& d, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t k = from; k < to && k < d.size(); ++k) n *= d[k];
  return n;
}

// ONNX's rule for one axis of a nearest resize: source index of output i.
int32_t onnx_nearest(int32_t i, int32_t in, int32_t out, const std::string& ctm, const std::string& mode) {
  const float scale = static_cast<float>(out) / static_cast<float>(in);
  float x;
  if (ctm == "asymmetric") x = static_cast<float>(i) / scale;
  else if (ctm == "align_corners") x = out > 1 ? static_cast<float>(i) * (in - 1) / static_cast<float>(out - 1) : 0.0f;
  else if (ctm == "pytorch_half_pixel") x = out > 1 ? (i + 0.5f) / scale - 0.5f : 0.0f;
  else if (ctm == "tf_half_pixel_for_nn") x = (i + 0.5f) / scale;
  else x = (i + 0.5f) / scale - 0.5f;
  float r;
  if (mode == "floor") r = std::floor(x);
  else if (mode == "ceil") r = std::ceil(x);
  else if (mode == "round_prefer_ceil") r = std::floor(x + 0.5f);
  else r = std::ceil(x - 0.5f);
  return std::clamp(static_cast<int32_t>(r), 0, in - 1);
}

// TFLite's RESIZE_NEAREST_NEIGHBOR source index of output i for the given flags.
int32_t tflite_nearest(int32_t i, int32_t in, int32_t out, bool align, bool half) {
  const float scale = align && out > 1 ? static_cast<float>(in - 1) / (out - 1) : static_cast<float>(in) / out;
  const float v = (static_cast<float>(i) + (half ? 0.5f : 0.0f)) * scale;
  int32_t s = align ? static_cast<int32_t>(std::round(v)) : static_cast<int32_t>(std::floor(v));
  s = std::min(s, in - 1);
  if (half) s = std::max(s, 0);
  return s;
}

}  // namespace

void fold_batch_norms(OnnxGraph* g) {
  std::map<std::string, int> uses;
  for (const OnnxNode& n : g->nodes) for (const std::string& i : n.inputs) uses[i]++;
  for (const OnnxValueInfo& o : g->outputs) uses[o.name] += 2;
  std::map<std::string, std::shared_ptr<OnnxTensor>> inits;
  for (auto& t : g->initializers) inits[t->name] = t;
  std::map<std::string, size_t> producer;
  for (size_t k = 0; k < g->nodes.size(); ++k) for (const std::string& o : g->nodes[k].outputs) producer[o] = k;
  std::vector<bool> drop(g->nodes.size(), false);
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    OnnxNode& bn = g->nodes[k];
    if (bn.op_type != "BatchNormalization" || bn.inputs.size() < 5 || bn.outputs.size() != 1) continue;
    auto p = producer.find(bn.inputs[0]);
    if (p == producer.end() || uses[bn.inputs[0]] != 1) continue;
    OnnxNode& conv = g->nodes[p->second];
    if (conv.op_type != "Conv" || conv.inputs.size() < 2 || !inits.count(conv.inputs[1])) continue;
    bool ok = true;
    for (int i = 1; i < 5; ++i) ok = ok && inits.count(bn.inputs[i]) && inits[bn.inputs[i]]->is_float();
    const OnnxTensor& w = *inits[conv.inputs[1]];
    if (!ok || !w.is_float() || w.dims.empty()) continue;
    const int64_t cout = w.dims[0];
    const OnnxTensor *scale = inits[bn.inputs[1]].get(), *bias = inits[bn.inputs[2]].get();
    const OnnxTensor *mean = inits[bn.inputs[3]].get(), *var = inits[bn.inputs[4]].get();
    if (scale->size() != cout || bias->size() != cout || mean->size() != cout || var->size() != cout) continue;
    const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
    if (has_bias && (!inits.count(conv.inputs[2]) || inits[conv.inputs[2]]->size() != cout)) continue;
    const float eps = bn.attr_float("epsilon", 1e-5f);
    auto nw = std::make_shared<OnnxTensor>(w);
    nw->name = conv.inputs[1] + "/bn_folded";
    auto nb = std::make_shared<OnnxTensor>();
    nb->name = bn.outputs[0] + "/bn_bias";
    nb->data_type = 1;
    nb->dims = {cout};
    nb->f.assign(cout, 0.0f);
    const int64_t per = w.size() / cout;
    for (int64_t o = 0; o < cout; ++o) {
      const float s = scale->f[o] / std::sqrt(var->f[o] + eps);
      for (int64_t j = 0; j < per; ++j) nw->f[o * per + j] *= s;
      const float b0 = has_bias ? inits[conv.inputs[2]]->f[o] : 0.0f;
      nb->f[o] = (b0 - mean->f[o]) * s + bias->f[o];
    }
    g->initializers.push_back(nw);
    g->initializers.push_back(nb);
    inits[nw->name] = nw;
    inits[nb->name] = nb;
    conv.inputs.resize(3);
    conv.inputs[1] = nw->name;
    conv.inputs[2] = nb->name;
    conv.outputs[0] = bn.outputs[0];
    drop[k] = true;
  }
  std::vector<OnnxNode> kept;
  for (size_t k = 0; k < g->nodes.size(); ++k) if (!drop[k]) kept.push_back(std::move(g->nodes[k]));
  g->nodes = std::move(kept);
}

Status Importer::import_runtime_op() {
  const std::string& op = node_->op_type;
  if (op != "Reshape" && op != "Transpose") {
    // Other ops read grouped and flat values in ONNX order.
    for (const std::string& name : node_->inputs) {
      auto it = values_.find(name);
      if (name.empty() || it == values_.end() || !(it->second.grouped || it->second.flat)) continue;
      int t = -1;
      FD_RETURN_IF_ERROR(onnx_tensor(it->second, name, &t));
      it->second.tensor = t;
      it->second.alt_tensor = -1;
      it->second.grouped = it->second.flat = false;
    }
  }
  // Translators read their data input as a computed tensor; only binary ops and Concat also
  // take constants there (an all-constant node of a foldable op was folded before).
  const bool const_data_ok = op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Concat";
  if (!const_data_ok && !node_->inputs.empty()) {
    auto it = values_.find(node_->inputs[0]);
    if (it != values_.end() && it->second.is_const) {
      return unsupported("input 0 ('" + node_->inputs[0] + "') is a constant; this op is imported on computed tensors only");
    }
  }
  if (op == "Conv") return conv();
  if (op == "BatchNormalization") return batch_norm();
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "LeakyRelu" || op == "HardSwish" || op == "Sqrt") return unary();
  if (op == "Clip") return clip();
  if (op == "HardSigmoid") return hard_sigmoid();
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return binary();
  if (op == "Concat") return concat();
  if (op == "Split") return split();
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") return reshape_like();
  if (op == "Transpose") return transpose_op();
  if (op == "Softmax") return softmax();
  if (op == "MaxPool" || op == "AveragePool") return pool();
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return global_pool();
  if (op == "Resize" || op == "Upsample") return resize();
  if (op == "Pad") return pad();
  if (op == "Gather") return gather();
  if (op == "Slice") return slice();
  if (op == "Identity" || op == "Dropout" || op == "Cast") return alias();
  return unsupported("");
}

Status Importer::alias() {
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(node_->inputs[0], &x));
  if (node_->op_type == "Cast" && node_->attr_int("to", 1) != static_cast<int64_t>(OnnxType::kFloat)) {
    return unsupported("casts of computed tensors to non-float types");
  }
  values_[node_->outputs[0]] = *x;
  values_[node_->outputs[0]].alt_tensor = x->alt_tensor;
  return Status();
}

// Shared by Conv and the pools: output size and padding of one NHWC input. Emits a PAD/PADV2
// node when ONNX's explicit pads are not TFLite's SAME or VALID.
struct Window {
  int64_t k[2], s[2], d[2], pads[4];  // pads: top, left, bottom, right
};

static Status plan_padding(const OnnxNode& n, int64_t in_h, int64_t in_w, Window* w, bool ceil_mode, Padding* mode,
                           int64_t out[2], bool* explicit_pad) {
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  const int64_t in[2] = {in_h, in_w};
  *explicit_pad = false;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (int a = 0; a < 2; ++a) {
      out[a] = (in[a] + w->s[a] - 1) / w->s[a];
      const int64_t eff = (w->k[a] - 1) * w->d[a] + 1;
      const int64_t total = std::max<int64_t>((out[a] - 1) * w->s[a] + eff - in[a], 0);
      const int64_t small = total / 2;
      w->pads[a] = auto_pad == "SAME_UPPER" ? small : total - small;
      w->pads[a + 2] = total - w->pads[a];
    }
  } else if (auto_pad == "VALID") {
    for (int a = 0; a < 4; ++a) w->pads[a] = 0;
  } else if (auto_pad != "NOTSET") {
    return Status::error("auto_pad " + auto_pad);
  }
  bool same = true, zero = true;
  for (int a = 0; a < 2; ++a) {
    const int64_t eff = (w->k[a] - 1) * w->d[a] + 1;
    const int64_t span = in[a] + w->pads[a] + w->pads[a + 2] - eff;
    if (span < 0) return Status::error("window larger than the padded input");
    out[a] = (ceil_mode ? (span + w->s[a] - 1) / w->s[a] : span / w->s[a]) + 1;
    if (ceil_mode) {
      const int64_t extra = (out[a] - 1) * w->s[a] + eff - (in[a] + w->pads[a] + w->pads[a + 2]);
      if (extra > 0) w->pads[a + 2] += extra;
    }
    const int64_t same_out = (in[a] + w->s[a] - 1) / w->s[a];
    const int64_t total = std::max<int64_t>((same_out - 1) * w->s[a] + eff - in[a], 0);
    same = same && out[a] == same_out && w->pads[a] == total / 2 && w->pads[a + 2] == total - total / 2;
    zero = zero && w->pads[a] == 0 && w->pads[a + 2] == 0;
    if (w->pads[a] < 0 || w->pads[a + 2] < 0) return Status::error("negative pads");
  }
  if (zero) {
    *mode = Padding::kValid;
  } else if (same) {
    *mode = Padding::kSame;
  } else {
    *mode = Padding::kValid;
    *explicit_pad = true;
  }
  return Status();
}

static Status read_window(const OnnxNode& n, const std::vector<int64_t>& kernel, Window* w) {
  const std::vector<int64_t> s = n.attr_ints("strides"), d = n.attr_ints("dilations"), p = n.attr_ints("pads");
  if (kernel.size() != 2) return Status::error("only 2-D windows are supported");
  for (int a = 0; a < 2; ++a) {
    w->k[a] = kernel[a];
    w->s[a] = s.size() == 2 ? s[a] : 1;
    w->d[a] = d.size() == 2 ? d[a] : 1;
    if (w->s[a] <= 0 || w->d[a] <= 0 || w->k[a] <= 0) return Status::error("invalid kernel, stride or dilation");
  }
  for (int a = 0; a < 4; ++a) w->pads[a] = p.size() == 4 ? p[a] : 0;
  return Status();
}

Status Importer::conv() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const OnnxTensor *w = nullptr, *b = nullptr;
  FD_RETURN_IF_ERROR(const_input(1, &w));
  FD_RETURN_IF_ERROR(const_input(2, &b));
  if (!w || w->dims.size() != 4 || x->shape.size() != 4) return unsupported("only 2-D convolutions with constant weights");
  const int64_t O = w->dims[0], Ig = w->dims[1], KH = w->dims[2], KW = w->dims[3];
  const int64_t C = x->shape[1], group = n.attr_int("group", 1);
  if (group <= 0 || C % group || O % group || Ig * group != C) return unsupported("weights do not match the input channels and group");
  Window win;
  Status s = read_window(n, {KH, KW}, &win);
  if (!s.ok()) return unsupported(s.message());
  Padding mode;
  int64_t out_hw[2];
  bool explicit_pad = false;
  s = plan_padding(n, x->shape[2], x->shape[3], &win, false, &mode, out_hw, &explicit_pad);
  if (!s.ok()) return unsupported(s.message());
  int in_t = -1;
  FD_RETURN_IF_ERROR(nhwc_tensor(*x, n.inputs[0], &in_t));
  Shape in_shape = g_->tensors[in_t].shape;
  if (explicit_pad) {
    const std::vector<int32_t> pads = {0, 0, static_cast<int32_t>(win.pads[0]), static_cast<int32_t>(win.pads[2]),
                                       static_cast<int32_t>(win.pads[1]), static_cast<int32_t>(win.pads[3]), 0, 0};
    const std::string pname = fresh(n.outputs[0] + "/pad");
    const int pt = add_const_bytes(pname + "/paddings", DType::kInt32, {4, 2}, pads.data(), pads.size() * 4);
    in_shape = {in_shape[0], in_shape[1] + pads[2] + pads[3], in_shape[2] + pads[4] + pads[5], in_shape[3]};
    const int padded = add_tensor(pname, in_shape);
    add_node(OpCode::kPad, {in_t, pt}, {padded}, OpOptions());
    in_t = padded;
  }
  OpOptions o;
  o.padding = mode;
  o.stride_h = static_cast<int32_t>(win.s[0]);
  o.stride_w = static_cast<int32_t>(win.s[1]);
  o.dilation_h = static_cast<int32_t>(win.d[0]);
  o.dilation_w = static_cast<int32_t>(win.d[1]);
  const std::vector<float> wf = onnx_const_floats(*w);
  std::vector<float> bias(O, 0.0f);
  if (b) {
    if (b->size() != O) return unsupported("bias size does not match the output channels");
    bias = onnx_const_floats(*b);
  }
  const std::vector<int64_t> out_shape = {x->shape[0], O, out_hw[0], out_hw[1]};
  const int32_t kh = static_cast<int32_t>(KH), kw = static_cast<int32_t>(KW);
  const int out_t = new_output(n.outputs[0], out_shape, true);
  const std::string& name = n.outputs[0];
  if (group == 1 || (Ig == 1 && group == C)) {
    const bool dw = group != 1;
    std::vector<float> packed(wf.size());
    for (int64_t oc = 0; oc < O; ++oc)
      for (int64_t y = 0; y < KH; ++y)
        for (int64_t xx = 0; xx < KW; ++xx)
          for (int64_t i = 0; i < Ig; ++i) {
            const float v = wf[((oc * Ig + i) * KH + y) * KW + xx];
            if (dw) packed[(y * KW + xx) * O + oc] = v; else packed[((oc * KH + y) * KW + xx) * Ig + i] = v;
          }
    const int wt = dw ? add_const_f32(fresh(name + "/weights"), {1, kh, kw, static_cast<int32_t>(O)}, packed)
                      : add_const_f32(fresh(name + "/weights"), {static_cast<int32_t>(O), kh, kw, static_cast<int32_t>(Ig)}, packed);
    const int bt = add_const_f32(fresh(name + "/bias"), {static_cast<int32_t>(O)}, bias);
    if (dw) o.depth_multiplier = static_cast<int32_t>(O / C);
    add_node(dw ? OpCode::kDepthwiseConv2D : OpCode::kConv2D, {in_t, wt, bt}, {out_t}, o);
    return Status();
  }
  // General groups: SPLIT the channels, one CONV_2D per group, CONCATENATION of the results.
  const int64_t Og = O / group;
  std::vector<int32_t> pieces, convs;
  Shape piece_shape = in_shape;
  piece_shape[3] = static_cast<int32_t>(Ig);
  for (int64_t gi = 0; gi < group; ++gi) pieces.push_back(add_tensor(fresh(name + "/group_in"), piece_shape));
  OpOptions so;
  so.num = static_cast<int32_t>(group);
  add_node(OpCode::kSplit, {add_const_i32(fresh(name + "/split_axis"), {3}), in_t}, pieces, so);
  for (int64_t gi = 0; gi < group; ++gi) {
    std::vector<float> packed(Og * KH * KW * Ig), gb(bias.begin() + gi * Og, bias.begin() + (gi + 1) * Og);
    for (int64_t oc = 0; oc < Og; ++oc)
      for (int64_t y = 0; y < KH; ++y)
        for (int64_t xx = 0; xx < KW; ++xx)
          for (int64_t i = 0; i < Ig; ++i) packed[((oc * KH + y) * KW + xx) * Ig + i] = wf[(((gi * Og + oc) * Ig + i) * KH + y) * KW + xx];
    const int wt = add_const_f32(fresh(name + "/weights"), {static_cast<int32_t>(Og), kh, kw, static_cast<int32_t>(Ig)}, packed);
    const int bt = add_const_f32(fresh(name + "/bias"), {static_cast<int32_t>(Og)}, gb);
    const int ct = add_tensor(fresh(name + "/group_out"), {static_cast<int32_t>(x->shape[0]), static_cast<int32_t>(out_hw[0]),
                                                           static_cast<int32_t>(out_hw[1]), static_cast<int32_t>(Og)});
    add_node(OpCode::kConv2D, {pieces[gi], wt, bt}, {ct}, o);
    convs.push_back(ct);
  }
  OpOptions co;
  co.axis = 3;
  add_node(OpCode::kConcatenation, convs, {out_t}, co);
  return Status();
}

Status Importer::batch_norm() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const OnnxTensor* p[4] = {};
  for (int i = 0; i < 4; ++i) {
    FD_RETURN_IF_ERROR(const_input(i + 1, &p[i]));
    if (!p[i]) return unsupported("missing parameter");
  }
  if (x->shape.size() < 2) return unsupported("input needs a channel axis");
  const int64_t C = x->shape[1];
  const float eps = n.attr_float("epsilon", 1e-5f);
  std::vector<float> scale(C), shift(C);
  const auto g = onnx_const_floats(*p[0]), b = onnx_const_floats(*p[1]), m = onnx_const_floats(*p[2]), v = onnx_const_floats(*p[3]);
  if (static_cast<int64_t>(g.size()) != C || static_cast<int64_t>(b.size()) != C || static_cast<int64_t>(m.size()) != C ||
      static_cast<int64_t>(v.size()) != C) {
    return unsupported("parameters do not match the channels");
  }
  for (int64_t c = 0; c < C; ++c) {
    scale[c] = g[c] / std::sqrt(v[c] + eps);
    shift[c] = b[c] - m[c] * scale[c];
  }
  int in_t = x->tensor;
  Shape cshape = {static_cast<int32_t>(C)};
  if (!x->nhwc) {
    FD_RETURN_IF_ERROR(onnx_tensor(*x, n.inputs[0], &in_t));
    for (size_t k = 2; k < x->shape.size(); ++k) cshape.push_back(1);
  }
  const Shape shape = g_->tensors[in_t].shape;
  const int mid = add_tensor(fresh(n.outputs[0] + "/scaled"), shape);
  add_node(OpCode::kMul, {in_t, add_const_f32(fresh(n.outputs[0] + "/scale"), cshape, scale)}, {mid}, OpOptions());
  const int out_t = new_output(n.outputs[0], x->shape, x->nhwc);
  add_node(OpCode::kAdd, {mid, add_const_f32(fresh(n.outputs[0] + "/shift"), cshape, shift)}, {out_t}, OpOptions());
  return Status();
}

Status Importer::unary() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const std::string& op = n.op_type;
  OpOptions o;
  OpCode code = OpCode::kRelu;
  if (op == "Sigmoid") code = OpCode::kLogistic;
  else if (op == "Tanh") code = OpCode::kTanh;
  else if (op == "HardSwish") code = OpCode::kHardSwish;
  else if (op == "Sqrt") code = OpCode::kSqrt;
  else if (op == "LeakyRelu") {
    code = OpCode::kLeakyRelu;
    o.alpha = n.attr_float("alpha", 0.01f);
  }
  const int in_t = x->tensor;
  const int out_t = new_output(n.outputs[0], x->shape, x->nhwc);
  add_node(code, {in_t}, {out_t}, o);
  return Status();
}

Status Importer::clip() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (opset_ < 11) {
    lo = n.attr_float("min", lo);
    hi = n.attr_float("max", hi);
  } else {
    const OnnxTensor *tmin = nullptr, *tmax = nullptr;
    FD_RETURN_IF_ERROR(const_input(1, &tmin));
    FD_RETURN_IF_ERROR(const_input(2, &tmax));
    if (tmin && tmin->size() == 1) lo = onnx_const_floats(*tmin)[0];
    if (tmax && tmax->size() == 1) hi = onnx_const_floats(*tmax)[0];
  }
  const int in_t = x->tensor;
  const std::string& name = n.outputs[0];
  const Shape shape = g_->tensors[in_t].shape;
  const bool inf_hi = std::isinf(hi), inf_lo = std::isinf(lo);
  OpCode direct = OpCode::kCustom;
  if (lo == 0.0f && hi == 6.0f) direct = OpCode::kRelu6;
  else if (lo == -1.0f && hi == 1.0f) direct = OpCode::kReluN1To1;
  else if (lo == 0.0f && inf_hi) direct = OpCode::kRelu;
  if (direct != OpCode::kCustom) {
    add_node(direct, {in_t}, {new_output(name, x->shape, x->nhwc)}, OpOptions());
    return Status();
  }
  if (inf_lo && inf_hi) return alias();
  if (inf_lo) return unsupported("Clip with only an upper bound");
  // max(x, lo) = relu(x - lo) + lo; min(m, hi) = hi - relu(hi - m).
  OpOptions relu;
  relu.activation = Activation::kRelu;
  const int t1 = add_tensor(fresh(name + "/shift"), shape);
  add_node(OpCode::kAdd, {in_t, add_const_f32(fresh(name + "/neg_lo"), {1}, {-lo})}, {t1}, relu);
  if (inf_hi) {
    add_node(OpCode::kAdd, {t1, add_const_f32(fresh(name + "/lo"), {1}, {lo})}, {new_output(name, x->shape, x->nhwc)}, OpOptions());
    return Status();
  }
  const int t2 = add_tensor(fresh(name + "/room"), shape);
  add_node(OpCode::kSub, {add_const_f32(fresh(name + "/range"), {1}, {hi - lo}), t1}, {t2}, relu);
  add_node(OpCode::kSub, {add_const_f32(fresh(name + "/hi"), {1}, {hi}), t2}, {new_output(name, x->shape, x->nhwc)}, OpOptions());
  return Status();
}

Status Importer::hard_sigmoid() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const float alpha = n.attr_float("alpha", 0.2f), beta = n.attr_float("beta", 0.5f);
  const std::string& name = n.outputs[0];
  const Shape shape = g_->tensors[x->tensor].shape;
  // clip(alpha x + beta, 0, 1) = relu6(6 alpha x + 6 beta) / 6.
  const int t1 = add_tensor(fresh(name + "/scaled"), shape), t2 = add_tensor(fresh(name + "/relu6"), shape);
  add_node(OpCode::kMul, {x->tensor, add_const_f32(fresh(name + "/alpha6"), {1}, {6 * alpha})}, {t1}, OpOptions());
  OpOptions r6;
  r6.activation = Activation::kRelu6;
  add_node(OpCode::kAdd, {t1, add_const_f32(fresh(name + "/beta6"), {1}, {6 * beta})}, {t2}, r6);
  add_node(OpCode::kMul, {t2, add_const_f32(fresh(name + "/sixth"), {1}, {1.0f / 6.0f})}, {new_output(name, x->shape, x->nhwc)},
           OpOptions());
  return Status();
}

Status Importer::binary() {
  const OnnxNode& n = *node_;
  Value *a = nullptr, *b = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &a));
  FD_RETURN_IF_ERROR(value(n.inputs[1], &b));
  const std::vector<int64_t>& da = a->is_const ? a->c.dims : a->shape;
  const std::vector<int64_t>& db = b->is_const ? b->c.dims : b->shape;
  const size_t rank = std::max(da.size(), db.size());
  std::vector<int64_t> out(rank, 1);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t x = k + da.size() >= rank ? da[k + da.size() - rank] : 1;
    const int64_t y = k + db.size() >= rank ? db[k + db.size() - rank] : 1;
    if (x != y && x != 1 && y != 1) return unsupported("operands do not broadcast");
    out[k] = x == 1 ? y : x;
  }
  const bool nhwc = rank == 4 && ((!a->is_const && a->nhwc) || (!b->is_const && b->nhwc));
  int ta = -1, tb = -1;
  Value* vs[2] = {a, b};
  int* ts[2] = {&ta, &tb};
  for (int k = 0; k < 2; ++k) {
    Value& v = *vs[k];
    const std::string& vname = n.inputs[k];
    if (!nhwc) {
      FD_RETURN_IF_ERROR(onnx_tensor(v, vname, ts[k]));
    } else if (v.is_const) {
      Value e = v;
      e.c.dims.insert(e.c.dims.begin(), 4 - std::min<size_t>(4, e.c.dims.size()), 1);
      FD_RETURN_IF_ERROR(nhwc_tensor(e, vname, ts[k]));
    } else {
      if (v.shape.size() != 4) return unsupported("mixing a 4-D image tensor with a computed lower-rank tensor");
      FD_RETURN_IF_ERROR(nhwc_tensor(v, vname, ts[k]));
    }
  }
  OpCode code = OpCode::kAdd;
  if (n.op_type == "Sub") code = OpCode::kSub;
  else if (n.op_type == "Mul") code = OpCode::kMul;
  else if (n.op_type == "Div") code = OpCode::kDiv;
  add_node(code, {ta, tb}, {new_output(n.outputs[0], out, nhwc)}, OpOptions());
  return Status();
}

Status Importer::concat() {
  const OnnxNode& n = *node_;
  std::vector<Value*> ins;
  bool any_nhwc = false;
  for (const std::string& name : n.inputs) {
    Value* v = nullptr;
    FD_RETURN_IF_ERROR(value(name, &v));
    ins.push_back(v);
    any_nhwc = any_nhwc || (!v->is_const && v->nhwc);
  }
  const std::vector<int64_t>& d0 = ins[0]->is_const ? ins[0]->c.dims : ins[0]->shape;
  const int64_t rank = static_cast<int64_t>(d0.size());
  int64_t axis = n.attr_int("axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return unsupported("axis out of range");
  std::vector<int64_t> out = d0;
  out[axis] = 0;
  std::vector<int32_t> ts;
  const bool nhwc = rank == 4 && any_nhwc;
  for (size_t k = 0; k < ins.size(); ++k) {
    const std::vector<int64_t>& d = ins[k]->is_const ? ins[k]->c.dims : ins[k]->shape;
    if (static_cast<int64_t>(d.size()) != rank) return unsupported("inputs differ in rank");
    out[axis] += d[axis];
    int t = -1;
    if (nhwc) FD_RETURN_IF_ERROR(nhwc_tensor(*ins[k], n.inputs[k], &t)); else FD_RETURN_IF_ERROR(onnx_tensor(*ins[k], n.inputs[k], &t));
    ts.push_back(t);
  }
  OpOptions o;
  o.axis = static_cast<int32_t>(nhwc ? kFromNhwc[axis] : axis);
  add_node(OpCode::kConcatenation, ts, {new_output(n.outputs[0], out, nhwc)}, o);
  return Status();
}

Status Importer::split() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  int64_t axis = n.attr_int("axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return unsupported("axis out of range");
  std::vector<int64_t> sizes = n.attr_ints("split");
  const OnnxTensor* st = nullptr;
  if (opset_ >= 13) {
    FD_RETURN_IF_ERROR(const_input(1, &st));
    if (st) FD_RETURN_IF_ERROR(onnx_const_ints(*st, &sizes));
  }
  const int64_t parts = static_cast<int64_t>(n.outputs.size());
  if (sizes.empty()) {
    if (x->shape[axis] % parts) return unsupported("dimension does not split evenly");
    sizes.assign(parts, x->shape[axis] / parts);
  }
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (static_cast<int64_t>(sizes.size()) != parts || total != x->shape[axis]) return unsupported("split sizes do not match");
  const int32_t saxis = static_cast<int32_t>(x->nhwc ? kFromNhwc[axis] : axis);
  const Shape in_shape = g_->tensors[x->tensor].shape;
  const bool equal = std::all_of(sizes.begin(), sizes.end(), [&](int64_t s) { return s == sizes[0]; });
  std::vector<int32_t> outs;
  const int in_t = x->tensor;
  const std::vector<int64_t> xshape = x->shape;
  const bool xnhwc = x->nhwc;
  int64_t begin = 0;
  for (int64_t k = 0; k < parts; ++k) {
    std::vector<int64_t> os = xshape;
    os[axis] = sizes[k];
    const int t = new_output(n.outputs[k], os, xnhwc);
    outs.push_back(t);
    if (!equal) {
      std::vector<int32_t> b(in_shape.size(), 0), e(in_shape.begin(), in_shape.end()), s(in_shape.size(), 1);
      b[saxis] = static_cast<int32_t>(begin);
      e[saxis] = static_cast<int32_t>(begin + sizes[k]);
      const std::string base = fresh(n.outputs[k] + "/slice");
      add_node(OpCode::kStridedSlice, {in_t, add_const_i32(base + "/begin", b), add_const_i32(base + "/end", e), add_const_i32(base + "/strides", s)},
               {t}, OpOptions());
    }
    begin += sizes[k];
  }
  if (equal) {
    OpOptions o;
    o.num = static_cast<int32_t>(parts);
    add_node(OpCode::kSplit, {add_const_i32(fresh(n.name + "/axis"), {saxis}), in_t}, outs, o);
  }
  return Status();
}

Status Importer::reshape_like() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const std::vector<int64_t> in = x->shape;
  const int64_t total = product(in, 0, in.size());
  std::vector<int64_t> out;
  const std::string& op = n.op_type;
  if (op == "Reshape") {
    const OnnxTensor* s = nullptr;
    FD_RETURN_IF_ERROR(const_input(1, &s));
    if (!s) return unsupported("missing shape");
    std::vector<int64_t> target;
    FD_RETURN_IF_ERROR(onnx_const_ints(*s, &target));
    Status st = resolve_reshape(in, target, &out);
    if (!st.ok()) return unsupported(st.message());
  } else if (op == "Flatten") {
    int64_t axis = n.attr_int("axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(in.size());
    out = {product(in, 0, axis), product(in, axis, in.size())};
  } else {
    std::vector<int64_t> axes = n.attr_ints("axes");
    const OnnxTensor* at = nullptr;
    if (opset_ >= 13) {
      FD_RETURN_IF_ERROR(const_input(1, &at));
      if (at) FD_RETURN_IF_ERROR(onnx_const_ints(*at, &axes));
    }
    if (op == "Squeeze") {
      for (size_t k = 0; k < in.size(); ++k) {
        bool listed = axes.empty() && in[k] == 1;
        for (int64_t a : axes) listed = listed || (a < 0 ? a + static_cast<int64_t>(in.size()) : a) == static_cast<int64_t>(k);
        if (!listed) out.push_back(in[k]);
      }
    } else {
      const int64_t r = static_cast<int64_t>(in.size() + axes.size());
      std::vector<bool> is_new(r, false);
      for (int64_t a : axes) {
        const int64_t ax = a < 0 ? a + r : a;
        if (ax < 0 || ax >= r) return unsupported("axis out of range");
        is_new[ax] = true;
      }
      size_t src = 0;
      for (int64_t k = 0; k < r; ++k) out.push_back(is_new[k] ? 1 : in[src++]);
    }
  }
  if (product(out, 0, out.size()) != total) return unsupported("cannot reshape");
  if (op == "Reshape" && grouped_reshape(x, out)) return Status();
  int in_t = -1;
  FD_RETURN_IF_ERROR(onnx_tensor(*x, n.inputs[0], &in_t));
  OpOptions o;
  o.new_shape = to_shape(out);
  std::vector<int32_t> shape_values(o.new_shape.begin(), o.new_shape.end());
  add_node(OpCode::kReshape, {in_t, add_const_i32(fresh(n.outputs[0] + "/shape"), shape_values)}, {new_output(n.outputs[0], out, false)}, o);
  return Status();
}

bool Importer::grouped_reshape(Value* x, const std::vector<int64_t>& out) {
  if (!channels_last_) return false;
  const std::vector<int64_t>& in = x->shape;
  Value v;
  if (x->nhwc && in.size() == 4 && out.size() == 5 && out[0] == in[0] && out[3] == in[2] && out[4] == in[3]) {
    v.grouped = true;  // [N, C, H, W] -> [N, A, B, H, W]: stored [N, H, W, C] -> [N, H, W, A, B]
  } else if (x->grouped && out.size() == 4 && out[0] == in[0] && out[2] == in[3] && out[3] == in[4]) {
    v.nhwc = true;  // [N, A, B, H, W] -> [N, A * B, H, W]: stored [N, H, W, A, B] -> [N, H, W, A * B]
  } else if (x->nhwc && in.size() == 4 && out.size() == 3 && out[0] == in[0] && out[1] == in[1]) {
    v.flat = true;  // [N, C, H, W] -> [N, C, H * W]: stored [N, H, W, C] -> [N, H * W, C]
  } else {
    return false;
  }
  const std::string& name = node_->outputs[0];
  v.shape = out;
  const Shape stored = stored_shape(v);
  v.tensor = add_tensor(name, stored);
  OpOptions o;
  o.new_shape = stored;
  add_node(OpCode::kReshape, {x->tensor, add_const_i32(fresh(name + "/shape"), std::vector<int32_t>(stored.begin(), stored.end()))},
           {v.tensor}, o);
  values_[name] = v;
  return true;
}

bool Importer::grouped_transpose(Value* x, const std::vector<int64_t>& perm) {
  if (x->flat && perm.size() == 3 && perm[0] == 0 && perm[1] == 2 && perm[2] == 1) {
    // Already stored [N, S, C]: the transpose is free; the tensor takes the output's name.
    Value v;
    v.tensor = x->tensor;
    v.shape = {x->shape[0], x->shape[2], x->shape[1]};
    g_->tensors[v.tensor].name = node_->outputs[0];
    values_[node_->outputs[0]] = v;
    return true;
  }
  if (!x->grouped || perm.size() != 5 || perm[0] != 0 || perm[3] != 3 || perm[4] != 4) return false;
  Value v;
  v.grouped = true;
  v.shape.resize(5);
  std::vector<int> q(5);
  for (int k = 0; k < 5; ++k) v.shape[k] = x->shape[perm[k]];
  for (int d = 0; d < 5; ++d) q[d] = kGrouped[perm[kGrouped[d]]];
  v.tensor = transpose(x->tensor, stored_shape(*x), q, node_->outputs[0]);
  values_[node_->outputs[0]] = v;
  return true;
}

Status Importer::transpose_op() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const size_t rank = x->shape.size();
  std::vector<int64_t> perm = n.attr_ints("perm");
  if (perm.empty()) for (size_t k = 0; k < rank; ++k) perm.push_back(static_cast<int64_t>(rank - 1 - k));
  if (perm.size() != rank) return unsupported("perm does not match the rank");
  if (grouped_transpose(x, perm)) return Status();
  std::vector<int64_t> out(rank);
  std::vector<int> q(rank);
  bool identity = true;
  for (size_t k = 0; k < rank; ++k) {
    if (perm[k] < 0 || perm[k] >= static_cast<int64_t>(rank)) return unsupported("bad perm");
    out[k] = x->shape[perm[k]];
    q[k] = x->nhwc ? kFromNhwc[perm[k]] : static_cast<int>(perm[k]);
    identity = identity && q[k] == static_cast<int>(k);
  }
  if (identity) {
    Value v;
    v.tensor = x->tensor;
    v.shape = out;
    values_[n.outputs[0]] = v;
    return Status();
  }
  const int t = transpose(x->tensor, stored_shape(*x), q, n.outputs[0]);
  set_runtime(n.outputs[0], t, out, false);
  return Status();
}

Status Importer::softmax() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  int64_t axis = n.attr_int("axis", opset_ >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return unsupported("axis out of range");
  if (opset_ < 13 && product(x->shape, axis + 1, rank) != 1) {
    return unsupported("opset < 13 Softmax over several flattened axes");
  }
  OpOptions o;
  o.beta = 1.0f;
  const int64_t saxis = x->nhwc ? kFromNhwc[axis] : axis;
  if (saxis == rank - 1) {
    add_node(OpCode::kSoftmax, {x->tensor}, {new_output(n.outputs[0], x->shape, x->nhwc)}, o);
    return Status();
  }
  // Move the axis last, softmax, move it back.
  std::vector<int> to_last, back(rank);
  for (int64_t k = 0; k < rank; ++k) if (k != saxis) to_last.push_back(static_cast<int>(k));
  to_last.push_back(static_cast<int>(saxis));
  for (int64_t k = 0; k < rank; ++k) back[to_last[k]] = static_cast<int>(k);
  const Shape st = stored_shape(*x);
  const int t1 = transpose(x->tensor, st, to_last, fresh(n.outputs[0] + "/axis_last"));
  const Shape s1 = g_->tensors[t1].shape;
  const int t2 = add_tensor(fresh(n.outputs[0] + "/softmax"), s1);
  add_node(OpCode::kSoftmax, {t1}, {t2}, o);
  const int t3 = transpose(t2, s1, back, n.outputs[0]);
  set_runtime(n.outputs[0], t3, x->shape, x->nhwc);
  return Status();
}

Status Importer::pool() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  if (x->shape.size() != 4) return unsupported("only 2-D pooling");
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) return unsupported("MaxPool indices output");
  const bool is_max = n.op_type == "MaxPool";
  Window win;
  Status s = read_window(n, n.attr_ints("kernel_shape"), &win);
  if (!s.ok()) return unsupported(s.message());
  if (win.d[0] != 1 || win.d[1] != 1) return unsupported("dilated pooling");
  Padding mode;
  int64_t out_hw[2];
  bool explicit_pad = false;
  const bool ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  s = plan_padding(n, x->shape[2], x->shape[3], &win, ceil_mode, &mode, out_hw, &explicit_pad);
  if (!s.ok()) return unsupported(s.message());
  const bool include_pad = n.attr_int("count_include_pad", 0) != 0;
  if (!is_max && mode == Padding::kSame && include_pad) explicit_pad = true;
  if (!is_max && explicit_pad && (!include_pad || ceil_mode)) {
    return unsupported("average pooling whose padding is neither SAME nor counted (count_include_pad=1)");
  }
  int in_t = -1;
  FD_RETURN_IF_ERROR(nhwc_tensor(*x, n.inputs[0], &in_t));
  Shape in_shape = g_->tensors[in_t].shape;
  if (explicit_pad) {
    mode = Padding::kValid;
    const std::vector<int32_t> pads = {0, 0, static_cast<int32_t>(win.pads[0]), static_cast<int32_t>(win.pads[2]),
                                       static_cast<int32_t>(win.pads[1]), static_cast<int32_t>(win.pads[3]), 0, 0};
    const std::string pname = fresh(n.outputs[0] + "/pad");
    std::vector<int32_t> pin = {in_t, add_const_bytes(pname + "/paddings", DType::kInt32, {4, 2}, pads.data(), pads.size() * 4)};
    if (is_max) pin.push_back(add_const_f32(pname + "/value", {1}, {-FLT_MAX}));
    in_shape = {in_shape[0], in_shape[1] + pads[2] + pads[3], in_shape[2] + pads[4] + pads[5], in_shape[3]};
    const int padded = add_tensor(pname, in_shape);
    add_node(is_max ? OpCode::kPadV2 : OpCode::kPad, pin, {padded}, OpOptions());
    in_t = padded;
  }
  OpOptions o;
  o.padding = mode;
  o.filter_h = static_cast<int32_t>(win.k[0]);
  o.filter_w = static_cast<int32_t>(win.k[1]);
  o.stride_h = static_cast<int32_t>(win.s[0]);
  o.stride_w = static_cast<int32_t>(win.s[1]);
  const std::vector<int64_t> out = {x->shape[0], x->shape[1], out_hw[0], out_hw[1]};
  add_node(is_max ? OpCode::kMaxPool2D : OpCode::kAveragePool2D, {in_t}, {new_output(n.outputs[0], out, true)}, o);
  return Status();
}

Status Importer::global_pool() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  if (x->shape.size() != 4) return unsupported("only 4-D inputs");
  int in_t = -1;
  FD_RETURN_IF_ERROR(nhwc_tensor(*x, n.inputs[0], &in_t));
  const std::vector<int64_t> out = {x->shape[0], x->shape[1], 1, 1};
  OpOptions o;
  if (n.op_type == "GlobalAveragePool") {
    o.keep_dims = true;
    add_node(OpCode::kMean, {in_t, add_const_i32(fresh(n.outputs[0] + "/axes"), {1, 2})}, {new_output(n.outputs[0], out, true)}, o);
  } else {
    o.padding = Padding::kValid;
    o.filter_h = static_cast<int32_t>(x->shape[2]);
    o.filter_w = static_cast<int32_t>(x->shape[3]);
    add_node(OpCode::kMaxPool2D, {in_t}, {new_output(n.outputs[0], out, true)}, o);
  }
  return Status();
}

Status Importer::resize() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  if (x->shape.size() != 4) return unsupported("only 4-D inputs");
  const bool upsample = n.op_type == "Upsample";
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  const OnnxTensor* t = nullptr;
  if (upsample || opset_ < 11) {
    FD_RETURN_IF_ERROR(const_input(1, &t));
    if (t) scales = onnx_const_floats(*t);
    else if (n.attr("scales")) scales = n.attr("scales")->floats;
  } else {
    FD_RETURN_IF_ERROR(const_input(3, &t));
    if (t && t->size() > 0) FD_RETURN_IF_ERROR(onnx_const_ints(*t, &sizes));
    FD_RETURN_IF_ERROR(const_input(2, &t));
    if (sizes.empty() && t) scales = onnx_const_floats(*t);
  }
  std::vector<int64_t> out = x->shape;
  if (sizes.size() == 4) {
    out = sizes;
  } else if (scales.size() == 4) {
    for (int k = 0; k < 4; ++k) {
      // In double and range-checked before the conversion: a fuzzed scale may be huge or NaN.
      const double v = std::floor(static_cast<double>(x->shape[k]) * scales[k]);
      if (!(v >= 0.0 && v <= static_cast<double>(kMaxTensorBytes))) return unsupported("scale out of range");
      out[k] = static_cast<int64_t>(v);
    }
  } else {
    return unsupported("needs 4 constant scales or sizes");
  }
  if (out[0] != x->shape[0] || out[1] != x->shape[1]) return unsupported("resizing the batch or channel axis");
  if (out[2] <= 0 || out[3] <= 0) return unsupported("empty output size");
  const int64_t planes = std::max<int64_t>(1, out[0] * out[1]);
  if (out[2] > kMaxTensorBytes / out[3] || out[2] * out[3] > kMaxTensorBytes / (4 * planes)) {
    return unsupported("output size " + std::to_string(out[2]) + "x" + std::to_string(out[3]) + " is too large");
  }
  std::string mode = n.attr_string("mode", "nearest");
  const std::string ctm = n.attr_string("coordinate_transformation_mode", upsample || opset_ < 11 ? "asymmetric" : "half_pixel");
  const std::string nearest_mode = n.attr_string("nearest_mode", upsample || opset_ < 11 ? "floor" : "round_prefer_floor");
  OpOptions o;
  OpCode code;
  if (mode == "nearest") {
    code = OpCode::kResizeNearestNeighbor;
    bool found = false;
    const bool flags[3][2] = {{false, false}, {false, true}, {true, false}};
    for (const auto& f : flags) {
      bool match = true;
      for (int a = 0; a < 2 && match; ++a) {
        const int32_t in_d = static_cast<int32_t>(x->shape[2 + a]), out_d = static_cast<int32_t>(out[2 + a]);
        for (int32_t i = 0; i < out_d && match; ++i) match = onnx_nearest(i, in_d, out_d, ctm, nearest_mode) == tflite_nearest(i, in_d, out_d, f[0], f[1]);
      }
      if (match) {
        o.align_corners = f[0];
        o.half_pixel_centers = f[1];
        found = true;
        break;
      }
    }
    if (!found) return unsupported("nearest resize with " + ctm + "/" + nearest_mode + " at this size");
  } else if (mode == "linear" || mode == "bilinear") {
    code = OpCode::kResizeBilinear;
    if (ctm == "half_pixel" || ctm == "pytorch_half_pixel") o.half_pixel_centers = true;
    else if (ctm == "align_corners") o.align_corners = true;
    else if (ctm != "asymmetric") return unsupported("coordinate_transformation_mode " + ctm);
  } else {
    return unsupported("mode " + mode);
  }
  int in_t = -1;
  FD_RETURN_IF_ERROR(nhwc_tensor(*x, n.inputs[0], &in_t));
  const int st = add_const_i32(fresh(n.outputs[0] + "/size"), {static_cast<int32_t>(out[2]), static_cast<int32_t>(out[3])});
  add_node(code, {in_t, st}, {new_output(n.outputs[0], out, true)}, o);
  return Status();
}

Status Importer::pad() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  if (n.attr_string("mode", "constant") != "constant") return unsupported("mode " + n.attr_string("mode", ""));
  std::vector<int64_t> pads = n.attr_ints("pads");
  float fill = n.attr_float("value", 0.0f);
  if (opset_ >= 11) {
    const OnnxTensor *p = nullptr, *v = nullptr;
    FD_RETURN_IF_ERROR(const_input(1, &p));
    FD_RETURN_IF_ERROR(const_input(2, &v));
    if (p) FD_RETURN_IF_ERROR(onnx_const_ints(*p, &pads));
    if (v && v->size() == 1) fill = onnx_const_floats(*v)[0];
  }
  const size_t rank = x->shape.size();
  if (pads.size() != 2 * rank) return unsupported("pads do not match the rank");
  std::vector<int32_t> paddings(2 * rank);
  std::vector<int64_t> out = x->shape;
  for (size_t a = 0; a < rank; ++a) {
    if (pads[a] < 0 || pads[a + rank] < 0) return unsupported("negative pads (cropping)");
    const size_t d = x->nhwc ? kFromNhwc[a] : a;
    paddings[2 * d] = static_cast<int32_t>(pads[a]);
    paddings[2 * d + 1] = static_cast<int32_t>(pads[a + rank]);
    out[a] += pads[a] + pads[a + rank];
  }
  const std::string base = fresh(n.outputs[0] + "/pad");
  std::vector<int32_t> ins = {x->tensor, add_const_bytes(base + "/paddings", DType::kInt32, {static_cast<int32_t>(rank), 2},
                                                         paddings.data(), paddings.size() * 4)};
  if (fill != 0.0f) ins.push_back(add_const_f32(base + "/value", {1}, {fill}));
  add_node(fill != 0.0f ? OpCode::kPadV2 : OpCode::kPad, ins, {new_output(n.outputs[0], out, x->nhwc)}, OpOptions());
  return Status();
}

Status Importer::gather() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  const OnnxTensor* idx = nullptr;
  FD_RETURN_IF_ERROR(const_input(1, &idx));
  if (!idx) return unsupported("missing indices");
  std::vector<int64_t> iv;
  FD_RETURN_IF_ERROR(onnx_const_ints(*idx, &iv));
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  int64_t axis = n.attr_int("axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return unsupported("axis out of range");
  std::vector<int32_t> i32;
  for (int64_t v : iv) {
    const int64_t w = v < 0 ? v + x->shape[axis] : v;
    if (w < 0 || w >= x->shape[axis]) return unsupported("index out of range");
    i32.push_back(static_cast<int32_t>(w));
  }
  std::vector<int64_t> out(x->shape.begin(), x->shape.begin() + axis);
  out.insert(out.end(), idx->dims.begin(), idx->dims.end());
  out.insert(out.end(), x->shape.begin() + axis + 1, x->shape.end());
  int in_t = -1;
  FD_RETURN_IF_ERROR(onnx_tensor(*x, n.inputs[0], &in_t));
  const int it = add_const_bytes(fresh(n.outputs[0] + "/indices"), DType::kInt32, to_shape(idx->dims), i32.data(), i32.size() * 4);
  OpOptions o;
  o.axis = static_cast<int32_t>(axis);
  add_node(OpCode::kGather, {in_t, it}, {new_output(n.outputs[0], out, false)}, o);
  return Status();
}

Status Importer::slice() {
  const OnnxNode& n = *node_;
  Value* x = nullptr;
  FD_RETURN_IF_ERROR(value(n.inputs[0], &x));
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset_ < 10) {
    starts = n.attr_ints("starts");
    ends = n.attr_ints("ends");
    axes = n.attr_ints("axes");
  } else {
    const OnnxTensor* t[4] = {};
    for (int i = 0; i < 4; ++i) FD_RETURN_IF_ERROR(const_input(i + 1, &t[i]));
    if (!t[0] || !t[1]) return unsupported("missing starts or ends");
    FD_RETURN_IF_ERROR(onnx_const_ints(*t[0], &starts));
    FD_RETURN_IF_ERROR(onnx_const_ints(*t[1], &ends));
    if (t[2]) FD_RETURN_IF_ERROR(onnx_const_ints(*t[2], &axes));
    if (t[3]) FD_RETURN_IF_ERROR(onnx_const_ints(*t[3], &steps));
  }
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  if (axes.empty()) for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || ends.size() != starts.size() || steps.size() != starts.size()) {
    return unsupported("starts, ends, axes and steps differ in length");
  }
  const Shape in_shape = stored_shape(*x);
  std::vector<int32_t> b(rank, 0), e(in_shape.begin(), in_shape.end()), s(rank, 1);
  std::vector<int64_t> out = x->shape;
  OpOptions o;
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t ax = axes[k] < 0 ? axes[k] + rank : axes[k];
    if (ax < 0 || ax >= rank || steps[k] == 0) return unsupported("bad axis or step");
    const int64_t dim = x->shape[ax], step = steps[k];
    int64_t st = starts[k] < 0 ? starts[k] + dim : starts[k];
    int64_t en = ends[k] < 0 ? ends[k] + dim : ends[k];
    const int d = static_cast<int>(x->nhwc ? kFromNhwc[ax] : ax);
    if (step > 0) {
      st = std::clamp<int64_t>(st, 0, dim);
      en = std::clamp<int64_t>(en, 0, dim);
      out[ax] = en > st ? (en - st + step - 1) / step : 0;
    } else {
      st = std::clamp<int64_t>(st, 0, dim - 1);
      en = std::clamp<int64_t>(en, -1, dim - 1);
      out[ax] = st > en ? (st - en - step - 1) / (-step) : 0;
      if (en < 0) o.end_mask |= 1 << d;
    }
    if (out[ax] == 0) return unsupported("empty slice");
    b[d] = static_cast<int32_t>(st);
    e[d] = static_cast<int32_t>(std::max<int64_t>(en, 0));
    s[d] = static_cast<int32_t>(step);
  }
  const std::string base = fresh(n.outputs[0] + "/slice");
  add_node(OpCode::kStridedSlice, {x->tensor, add_const_i32(base + "/begin", b), add_const_i32(base + "/end", e), add_const_i32(base + "/strides", s)},
           {new_output(n.outputs[0], out, x->nhwc)}, o);
  return Status();
}

}  // namespace onnx_import
}  // namespace fd
