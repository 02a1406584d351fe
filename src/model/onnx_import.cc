// ONNX -> featherdet Graph IR (FLOAT32, NHWC). Every ONNX value is either a host constant (folded)
// or a runtime tensor; 4-D runtime tensors are normally stored NHWC (`nhwc`), and layout-sensitive
// ops (Reshape, Transpose, Gather, Flatten) work on the ONNX (NCHW) order, with TRANSPOSE nodes
// inserted between the two layouts where a consumer needs the other one.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "model/onnx_fold.h"
#include "model/onnx_import_ops.h"
#include "model/onnx_reader.h"

namespace fd {
namespace onnx_import {

const int kToNhwc[4] = {0, 2, 3, 1};    // stored dim d holds ONNX dim kToNhwc[d]
const int kFromNhwc[4] = {0, 3, 1, 2};  // ONNX dim a lives at stored dim kFromNhwc[a]
const int kGrouped[5] = {0, 3, 4, 1, 2};

Status Importer::unsupported(const std::string& why) const {
  return Status::error("ONNX node '" + node_->name + "' (op " + node_->op_type + ", node #" + std::to_string(node_index_) +
                       ") is not supported by featherdet" + (why.empty() ? "" : ": " + why));
}

Shape Importer::to_shape(const std::vector<int64_t>& d) {
  return Shape(d.begin(), d.end());
}

int Importer::add_tensor(const std::string& name, const Shape& shape) {
  TensorDesc t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = shape;
  g_->tensors.push_back(std::move(t));
  return static_cast<int>(g_->tensors.size()) - 1;
}

int Importer::add_const_bytes(const std::string& name, DType dtype, const Shape& shape, const void* data, size_t bytes) {
  auto buf = std::make_shared<std::vector<uint8_t>>(std::max<size_t>(bytes, 1));
  if (bytes) std::memcpy(buf->data(), data, bytes);
  g_->storage.push_back(buf);
  TensorDesc t;
  t.name = name;
  t.dtype = dtype;
  t.shape = shape;
  t.data = buf->data();
  t.data_bytes = bytes;
  g_->tensors.push_back(std::move(t));
  return static_cast<int>(g_->tensors.size()) - 1;
}

int Importer::add_const_f32(const std::string& name, const Shape& shape, const std::vector<float>& v) {
  return add_const_bytes(name, DType::kFloat32, shape, v.data(), v.size() * sizeof(float));
}

int Importer::add_const_i32(const std::string& name, const std::vector<int32_t>& v) {
  return add_const_bytes(name, DType::kInt32, Shape{static_cast<int32_t>(v.size())}, v.data(), v.size() * sizeof(int32_t));
}

void Importer::add_node(OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, const OpOptions& o) {
  Node n;
  n.code = static_cast<int32_t>(code);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.options = o;
  g_->nodes.push_back(std::move(n));
}

std::string Importer::fresh(const std::string& base) {
  return base + "/" + std::to_string(counter_++);
}

Shape Importer::stored_shape(const Value& v) {
  Shape s = to_shape(v.shape);
  if (v.nhwc) s = {s[0], s[2], s[3], s[1]};
  if (v.grouped) s = {s[0], s[3], s[4], s[1], s[2]};
  if (v.flat) s = {s[0], s[2], s[1]};
  return s;
}

int Importer::transpose(int tensor, const Shape& in_shape, const std::vector<int>& perm, const std::string& name) {
  Shape out(perm.size());
  std::vector<int32_t> p(perm.begin(), perm.end());
  for (size_t k = 0; k < perm.size(); ++k) out[k] = in_shape[perm[k]];
  const int t = add_tensor(name, out);
  add_node(OpCode::kTranspose, {tensor, add_const_i32(name + "/perm", p)}, {t}, OpOptions());
  return t;
}

Status Importer::nhwc_tensor(Value& v, const std::string& name, int* out) {
  if (v.is_const) {
    if (v.c.dims.size() != 4) return unsupported("constant '" + name + "' is not 4-D");
    std::vector<float> src = onnx_const_floats(v.c), dst(src.size());
    const auto& d = v.c.dims;
    const int64_t C = d[1], H = d[2], W = d[3];
    for (int64_t n = 0; n < d[0]; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < H; ++y)
          for (int64_t x = 0; x < W; ++x) dst[((n * H + y) * W + x) * C + c] = src[((n * C + c) * H + y) * W + x];
    *out = add_const_f32(fresh(name), {static_cast<int32_t>(d[0]), static_cast<int32_t>(H), static_cast<int32_t>(W), static_cast<int32_t>(C)}, dst);
    return Status();
  }
  if (v.shape.size() != 4) return unsupported("'" + name + "' is " + std::to_string(v.shape.size()) + "-D where a 4-D image tensor is expected");
  if (v.nhwc) {
    *out = v.tensor;
  } else {
    if (v.alt_tensor < 0) v.alt_tensor = transpose(v.tensor, stored_shape(v), {0, 2, 3, 1}, fresh(name + "/nhwc"));
    *out = v.alt_tensor;
  }
  return Status();
}

Status Importer::onnx_tensor(Value& v, const std::string& name, int* out) {
  if (v.is_const) {
    *out = add_const_f32(fresh(name), to_shape(v.c.dims), onnx_const_floats(v.c));
    return Status();
  }
  if (v.grouped) {
    if (v.alt_tensor < 0) {
      v.alt_tensor = transpose(v.tensor, stored_shape(v), std::vector<int>(kGrouped, kGrouped + 5), fresh(name + "/onnx"));
    }
    *out = v.alt_tensor;
  } else if (v.flat) {
    if (v.alt_tensor < 0) v.alt_tensor = transpose(v.tensor, stored_shape(v), {0, 2, 1}, fresh(name + "/onnx"));
    *out = v.alt_tensor;
  } else if (!v.nhwc) {
    *out = v.tensor;
  } else {
    if (v.alt_tensor < 0) v.alt_tensor = transpose(v.tensor, stored_shape(v), {0, 3, 1, 2}, fresh(name + "/nchw"));
    *out = v.alt_tensor;
  }
  return Status();
}

Status Importer::value(const std::string& name, Value** out) {
  auto it = values_.find(name);
  if (name.empty() || it == values_.end()) return unsupported("input '" + name + "' is not produced by any earlier node");
  *out = &it->second;
  return Status();
}

Status Importer::const_input(int i, const OnnxTensor** out) {
  if (i >= static_cast<int>(node_->inputs.size()) || node_->inputs[i].empty()) {
    *out = nullptr;
    return Status();
  }
  Value* v = nullptr;
  FD_RETURN_IF_ERROR(value(node_->inputs[i], &v));
  if (!v->is_const) return unsupported("input " + std::to_string(i) + " ('" + node_->inputs[i] + "') must be a constant");
  *out = &v->c;
  return Status();
}

void Importer::set_runtime(const std::string& name, int tensor, const std::vector<int64_t>& shape, bool nhwc) {
  Value v;
  v.tensor = tensor;
  v.shape = shape;
  v.nhwc = nhwc && shape.size() == 4;
  values_[name] = v;
}

int Importer::new_output(const std::string& name, const std::vector<int64_t>& shape, bool nhwc) {
  Value tmp;
  tmp.shape = shape;
  tmp.nhwc = nhwc && shape.size() == 4;
  const int t = add_tensor(name, stored_shape(tmp));
  set_runtime(name, t, shape, nhwc);
  return t;
}

Status Importer::run(const OnnxModel& m, const OnnxImportOptions& opts) {
  opset_ = m.opset;
  channels_last_ = opts.channels_last_reshapes;
  const OnnxGraph& og = m.graph;
  std::set<std::string> init_names;
  for (const auto& t : og.initializers) {
    Value v;
    v.is_const = true;
    v.c = *t;
    values_[t->name] = std::move(v);
    init_names.insert(t->name);
  }
  for (const OnnxValueInfo& in : og.inputs) {
    if (init_names.count(in.name)) continue;
    if (in.elem_type != static_cast<int32_t>(OnnxType::kFloat)) {
      return Status::error("ONNX input '" + in.name + "' is not FLOAT; featherdet imports float models");
    }
    std::vector<int64_t> dims = in.dims;
    if (dims.size() == 4) {
      if (dims[0] <= 0) dims[0] = 1;
      if (opts.input_height > 0) dims[2] = opts.input_height;
      if (opts.input_width > 0) dims[3] = opts.input_width;
    }
    int64_t bytes = sizeof(float);
    for (int64_t d : dims) {
      if (d <= 0) {
        return Status::error("ONNX input '" + in.name + "' has a dynamic size; give the input size (--input-size WxH)");
      }
      if (bytes > kMaxTensorBytes / d) {
        return Status::error("ONNX input '" + in.name + "' is over the " + std::to_string(kMaxTensorBytes >> 20) +
                             " MiB tensor limit");
      }
      bytes *= d;
    }
    const int t = new_output(in.name, dims, true);
    g_->inputs.push_back(t);
  }
  if (g_->inputs.empty()) return Status::error("the ONNX graph has no (non-initializer) input");
  for (size_t i = 0; i < og.nodes.size(); ++i) {
    node_ = &og.nodes[i];
    node_index_ = static_cast<int>(i);
    if (!node_->domain.empty() && node_->domain != "ai.onnx") return unsupported("custom domain '" + node_->domain + "'");
    FD_RETURN_IF_ERROR(import_node(og, i));
  }
  for (const OnnxValueInfo& o : og.outputs) {
    auto it = values_.find(o.name);
    if (it == values_.end()) return Status::error("ONNX output '" + o.name + "' is never computed");
    Value& v = it->second;
    if (v.is_const) return Status::error("ONNX output '" + o.name + "' is a constant; featherdet needs computed outputs");
    int t = -1;
    if (v.shape.size() == 4) {
      FD_RETURN_IF_ERROR(nhwc_tensor(v, o.name, &t));
    } else {
      FD_RETURN_IF_ERROR(onnx_tensor(v, o.name, &t));
    }
    bool taken = g_->tensors[t].name != o.name;
    for (int x : g_->inputs) taken = taken || x == t;
    for (int x : g_->outputs) taken = taken || x == t;
    if (taken) {
      const int copy = add_tensor(o.name, g_->tensors[t].shape);
      OpOptions ro;
      ro.new_shape = g_->tensors[t].shape;
      add_node(OpCode::kReshape, {t}, {copy}, ro);
      t = copy;
    }
    g_->outputs.push_back(t);
  }
  return Status();
}

namespace {

// Inputs and outputs an ONNX op may have (opsets 11-17); inputs past min_in may be omitted
// (empty names). Checked before a translator or the folder reads any of them.
struct OnnxArity {
  const char* op;
  int min_in, max_in, max_out;
};
constexpr int kMany = 1 << 20;
const OnnxArity kOnnxArity[] = {
    {"Conv", 2, 3, 1}, {"BatchNormalization", 5, 5, 3}, {"Relu", 1, 1, 1}, {"Sigmoid", 1, 1, 1},
    {"Tanh", 1, 1, 1}, {"LeakyRelu", 1, 1, 1}, {"HardSwish", 1, 1, 1}, {"HardSigmoid", 1, 1, 1},
    {"Sqrt", 1, 1, 1}, {"Clip", 1, 3, 1}, {"Add", 2, 2, 1}, {"Sub", 2, 2, 1}, {"Mul", 2, 2, 1},
    {"Div", 2, 2, 1}, {"Pow", 2, 2, 1}, {"Equal", 2, 2, 1}, {"Concat", 1, kMany, 1}, {"Split", 1, 2, kMany},
    {"Reshape", 2, 2, 1}, {"Flatten", 1, 1, 1}, {"Squeeze", 1, 2, 1}, {"Unsqueeze", 1, 2, 1},
    {"Transpose", 1, 1, 1}, {"Softmax", 1, 1, 1}, {"MaxPool", 1, 1, 2}, {"AveragePool", 1, 1, 1},
    {"GlobalAveragePool", 1, 1, 1}, {"GlobalMaxPool", 1, 1, 1}, {"Resize", 1, 4, 1}, {"Upsample", 1, 2, 1},
    {"Pad", 1, 4, 1}, {"Gather", 2, 2, 1}, {"Slice", 1, 5, 1}, {"Identity", 1, 1, 1}, {"Dropout", 1, 3, 2},
    {"Cast", 1, 1, 1}, {"Constant", 0, 0, 1}, {"Floor", 1, 1, 1}, {"Ceil", 1, 1, 1}, {"Neg", 1, 1, 1},
    {"ConstantOfShape", 1, 1, 1}, {"Range", 3, 3, 1}, {"Shape", 1, 1, 1},
};

}  // namespace

Status Importer::check_arity() const {
  const OnnxNode& n = *node_;
  for (const OnnxArity& a : kOnnxArity) {
    if (n.op_type != a.op) continue;
    const int ni = static_cast<int>(n.inputs.size()), no = static_cast<int>(n.outputs.size());
    if (ni < a.min_in || ni > a.max_in) {
      return unsupported("has " + std::to_string(ni) + " inputs, needs " + std::to_string(a.min_in) +
                         (a.max_in == a.min_in ? "" : a.max_in == kMany ? " or more" : " to " + std::to_string(a.max_in)));
    }
    for (int i = 0; i < a.min_in; ++i) {
      if (n.inputs[i].empty()) return unsupported("required input " + std::to_string(i) + " is omitted");
    }
    if (no < 1 || no > a.max_out) {
      return unsupported("has " + std::to_string(no) + " outputs, needs 1" +
                         (a.max_out == 1 ? "" : a.max_out == kMany ? " or more" : " to " + std::to_string(a.max_out)));
    }
    if (n.outputs[0].empty()) return unsupported("output 0 is unnamed");
    return Status();
  }
  return Status();  // an op outside the table is reported as unsupported by its translator
}

Status Importer::import_node(const OnnxGraph& og, size_t index) {
  const OnnxNode& n = *node_;
  const std::string& op = n.op_type;
  FD_RETURN_IF_ERROR(check_arity());
  // Host folding: Shape of a known-size tensor, and any foldable node with constant inputs.
  if (op == "Shape") {
    Value* v = nullptr;
    FD_RETURN_IF_ERROR(value(n.inputs.empty() ? std::string() : n.inputs[0], &v));
    Value c;
    c.is_const = true;
    c.c.data_type = static_cast<int32_t>(OnnxType::kInt64);
    c.c.i = v->is_const ? v->c.dims : v->shape;
    c.c.dims = {static_cast<int64_t>(c.c.i.size())};
    values_[n.outputs[0]] = c;
    return Status();
  }
  bool all_const = true;
  std::vector<const OnnxTensor*> cin;
  for (const std::string& name : n.inputs) {
    if (name.empty()) {
      cin.push_back(nullptr);
      continue;
    }
    Value* v = nullptr;
    FD_RETURN_IF_ERROR(value(name, &v));
    all_const = all_const && v->is_const;
    cin.push_back(v->is_const ? &v->c : nullptr);
  }
  if (all_const && onnx_foldable(op)) {
    std::vector<OnnxTensor> outs;
    Status s = fold_onnx_node(n, opset_, cin, &outs);
    if (!s.ok()) return unsupported(s.message());
    for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
      Value c;
      c.is_const = true;
      c.c = std::move(outs[k]);
      values_[n.outputs[k]] = std::move(c);
    }
    return Status();
  }
  (void)og;
  (void)index;
  return import_runtime_op();
}

}  // namespace onnx_import

Status import_onnx(const uint8_t* data, size_t size, const OnnxImportOptions& opts, Graph* out) {
  OnnxModel model;
  FD_RETURN_IF_ERROR(parse_onnx(data, size, &model));
  onnx_import::fold_batch_norms(&model.graph);
  *out = Graph();
  onnx_import::Importer imp(out);
  return imp.run(model, opts);
}

}  // namespace fd
