// Internals of the ONNX importer (model/onnx_import.cc, and its per-op translators by family in
// model/onnx_import_window.cc, onnx_import_elementwise.cc and onnx_import_shape.cc): the value
// table with layout tracking and the graph-building helpers shared by the translators.
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
// NHWC (`nhwc`, 4-D only), channel-grouped (`grouped`, 5-D only: ONNX [N, A, B, H, W] stored
// [N, H, W, A, B], the inside of a channel shuffle), spatially flattened (`flat`, 3-D only: ONNX
// [N, C, S] stored [N, S, C], a flattened NHWC map) or in ONNX order; alt_tensor caches its copy
// in ONNX order (or NHWC for an ONNX-order value).
struct Value {
  bool is_const = false;
  OnnxTensor c;
  int tensor = -1;
  int alt_tensor = -1;
  std::vector<int64_t> shape;
  bool nhwc = false;
  bool grouped = false;
  bool flat = false;
};

extern const int kGrouped[5];  // stored grouped dim d holds ONNX dim kGrouped[d] (its own inverse)

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
  // Input and output counts of the current node against its op (required inputs named).
  Status check_arity() const;
  Status import_runtime_op();
  // Per-op translators (onnx_import_window.cc, onnx_import_elementwise.cc, onnx_import_shape.cc).
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
  // Reshapes/transposes kept channels-last: NHWC -> grouped Reshape, grouped Transpose that only
  // swaps the two channel dims, grouped -> NHWC Reshape (channel shuffles); NHWC -> flat Reshape
  // and flat Transpose [0, 2, 1] (detection heads). False when `x` is not such a case.
  bool grouped_reshape(Value* x, const std::vector<int64_t>& out);
  bool grouped_transpose(Value* x, const std::vector<int64_t>& perm);

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
  bool channels_last_ = false;  // OnnxImportOptions::channels_last_reshapes
};

}  // namespace onnx_import
}  // namespace fd
