// ONNX importer translators, elementwise ops: the runtime-op pass-through, aliases (Identity and
// friends), unary activations, Clip, HardSigmoid and broadcast binary arithmetic.
#include <algorithm>
#include <limits>

#include "model/onnx_fold.h"
#include "model/onnx_import_ops.h"

namespace fd {
namespace onnx_import {

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

}  // namespace onnx_import
}  // namespace fd
