// Internals of the ONNX importer (model/onnx_import.cc, model/onnx_import_ops.cc): the value
// table with layout tracking and the graph-building helpers shared by the per-op translators.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "model/onnx_reader.h"

namespace fd {
namespace onnx_import {

extern const int kToNhwc[4];    // stored NHWC dim d holds ONNX dim kToNhwc[d]
extern const int kFromNhwc[4];  // ONNX dim a lives at stored NHWC dim kFromNhwc[a]

// One ONNX value: a host constant, or a runtime FLOAT32 tensor of ONNX shape `shape` stored
// NHWC (`nhwc`, 4-D only) or in ONNX order; alt_tensor caches its copy in the other layout.
struct Value {
  bool is_const = false;
  OnnxTensor c;
  int tensor = -1;
  int alt_tensor = -1;
  std::vector<int64_t> shape;
  bool nhwc = false;
};

// Folds BatchNormalization nodes that directly follow a Conv (whose output has no other
// consumer) into the Conv's weights and bias; the other BatchNormalizations stay.
void fold_batch_norms(OnnxGraph* g);

// Translates one ONNX graph into `g`, node by node.
class Importer {
 public:
  explicit Importer(Graph* g) : g_(g) {}
  // Imports the whole model (inputs, nodes, outputs).
  Status run(const OnnxModel& m, const OnnxImportOptions& opts);

 private:
  Status import_node(const OnnxGraph& og, size_t index);
  Status import_runtime_op();
  // Per-op translators (onnx_import_ops.cc).
  Status conv();
  Status batch_norm();
  Status unary();
  Status clip();
  Status hard_sigmoid();
  Status binary();
  Status concat();
  Status split();
  Status reshape_like();
  Status transpose_op();
  Status softmax();
  Status pool();
  Status global_pool();
  Status resize();
  Status pad();
  Status gather();
  Status slice();
  Status alias();

  Status unsupported(const std::string& why) const;
  static Shape to_shape(const std::vector<int64_t>& d);
  Shape stored_shape(const Value& v);
  int add_tensor(const std::string& name, const Shape& shape);
  int add_const_bytes(const std::string& name, DType dtype, const Shape& shape, const void* data, size_t bytes);
  int add_const_f32(const std::string& name, const Shape& shape, const std::vector<float>& v);
  int add_const_i32(const std::string& name, const std::vector<int32_t>& v);
  void add_node(OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, const OpOptions& o);
  std::string fresh(const std::string& base);
  // A TRANSPOSE of `tensor` (stored shape in_shape) by `perm` into a new tensor `name`.
  int transpose(int tensor, const Shape& in_shape, const std::vector<int>& perm, const std::string& name);
  // The value as an NHWC tensor (constants are permuted and materialized).
  Status nhwc_tensor(Value& v, const std::string& name, int* out);
  // The value as a tensor in ONNX order (constants are materialized).
  Status onnx_tensor(Value& v, const std::string& name, int* out);
  Status value(const std::string& name, Value** out);
  // Constant input i of the current node (null when omitted); fails when it is computed.
  Status const_input(int i, const OnnxTensor** out);
  void set_runtime(const std::string& name, int tensor, const std::vector<int64_t>& shape, bool nhwc);
  // A new runtime tensor for ONNX value `name` with ONNX shape `shape`, registered in the table.
  int new_output(const std::string& name, const std::vector<int64_t>& shape, bool nhwc);

  Graph* g_;
  std::map<std::string, Value> values_;
  const OnnxNode* node_ = nullptr;
  int node_index_ = 0;
  int64_t opset_ = 11;
  int counter_ = 0;
};

}  // namespace onnx_import
}  // namespace fd
