// Constant folding of ONNX nodes on the host: evaluates a node whose inputs are all constants
// (the Shape/Gather/Unsqueeze/Concat/Cast/... chains of dynamic-shape exports, constant weight
// arithmetic) so the importer never emits runtime ops for them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/onnx_reader.h"

namespace fd {

// True when fold_onnx_node can evaluate nodes of type `op_type`.
bool onnx_foldable(const std::string& op_type);

// Evaluates `node` (opset `opset`) on constant `inputs` (null for omitted optional inputs),
// writing one tensor per node output. Fails with a message when the inputs do not fit the op.
Status fold_onnx_node(const OnnxNode& node, int64_t opset, const std::vector<const OnnxTensor*>& inputs,
                      std::vector<OnnxTensor>* outputs);

// Reads constant integer `t` (INT64/INT32/...) into `out`; fails for float tensors.
Status onnx_const_ints(const OnnxTensor& t, std::vector<int64_t>* out);

// Resolves a Reshape target against an input of dims `in` (0 copies the input's dim, one -1
// takes what is left). Fails, without overflowing, unless the result has the input's elements.
Status resolve_reshape(const std::vector<int64_t>& in, std::vector<int64_t> target, std::vector<int64_t>* out);
// Reads constant `t` as floats (integer tensors are converted).
std::vector<float> onnx_const_floats(const OnnxTensor& t);

}  // namespace fd
