// ONNX importer translators, windowed ops: Conv (with folded BatchNormalization), MaxPool,
// AveragePool and the global pools, and the SAME/explicit padding plan they share.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>

#include "model/onnx_fold.h"
#include "model/onnx_import_ops.h"

namespace fd {
namespace onnx_import {

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

}  // namespace onnx_import
}  // namespace fd
