// ONNX importer translators, layout and shape ops: Concat, Split, Reshape/Flatten/Squeeze,
// Transpose, Softmax, Resize, Pad, Gather and Slice (NHWC for 4-D image tensors, ONNX order otherwise).
#include <algorithm>
#include <cmath>

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
