// ONNX models: a parsed view of the protobuf (ModelProto, GraphProto, NodeProto, TensorProto,
// AttributeProto, ValueInfoProto) and the importer into featherdet's float32 NHWC Graph IR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// ONNX TensorProto.DataType values featherdet reads.
enum class OnnxType : int32_t {
  kUndefined = 0, kFloat = 1, kUInt8 = 2, kInt8 = 3, kUInt16 = 4, kInt16 = 5, kInt32 = 6,
  kInt64 = 7, kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUInt32 = 12, kUInt64 = 13,
};

// A constant tensor with its values decoded: floating types into `f`, integer and bool types
// into `i` (exactly one of them is filled, by is_float()). dims: ONNX order (e.g. [O, I, KH, KW]).
struct OnnxTensor {
  std::string name;
  int32_t data_type = 0;
  std::vector<int64_t> dims;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool is_float() const {
    return data_type == static_cast<int32_t>(OnnxType::kFloat) || data_type == static_cast<int32_t>(OnnxType::kDouble) ||
           data_type == static_cast<int32_t>(OnnxType::kFloat16);
  }
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
};

// AttributeProto; `type` is the AttributeType (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS,
// 7 INTS, 8 STRINGS).
struct OnnxAttribute {
  std::string name;
  int32_t type = 0;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<OnnxTensor> t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

// NodeProto. Empty input names mark omitted optional inputs.
struct OnnxNode {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttribute> attributes;
  // The attribute called `name`, or null.
  const OnnxAttribute* attr(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name) const;
};

// ValueInfoProto of a tensor: element type and shape; unknown dims are -1 (dim_param names kept).
struct OnnxValueInfo {
  std::string name;
  int32_t elem_type = 0;
  bool has_shape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_params;
};

// GraphProto.
struct OnnxGraph {
  std::string name;
  std::vector<OnnxNode> nodes;
  std::vector<std::shared_ptr<OnnxTensor>> initializers;
  std::vector<OnnxValueInfo> inputs, outputs, value_info;
};

// ModelProto: IR version, default-domain opset, producer and the main graph.
struct OnnxModel {
  int64_t ir_version = 0;
  int64_t opset = 0;
  std::string producer_name;
  bool has_graph = false;
  OnnxGraph graph;
};

// Parses `size` bytes of a .onnx file. Malformed data (truncated, bad varints, lengths past the
// end, wrong wire types, no graph, tensors whose data does not match their dims) fails with a
// message naming the byte offset or the tensor.
Status parse_onnx(const uint8_t* data, size_t size, OnnxModel* model);

// What the importer needs besides the model: a fixed input size for dynamic (or any) H x W.
struct OnnxImportOptions {
  int input_width = 0;   // 0: keep the model's static size
  int input_height = 0;
  // Keep channel shuffles (Reshape -> Transpose -> Reshape) and head flattens (Reshape [N, C, H*W]
  // -> Transpose [0, 2, 1]) channels-last instead of transposing to NCHW and back: fewer ops.
  // Off by default: converted NanoDet-m then differs from LiteRT.js by up to ~15 int8 steps
  // (cause not found yet).
  bool channels_last_reshapes = false;
};

// Imports an ONNX model (opsets 11-17) as a FLOAT32 graph in NHWC: the single image input becomes
// [1, H, W, C], 4-D outputs NHWC, other outputs keep their ONNX shape; outputs keep their ONNX
// names. Shape-computing chains are folded to constants. An op that cannot be imported fails
// with "ONNX node 'NAME' (op TYPE, node #i) is not supported by featherdet".
Status import_onnx(const uint8_t* data, size_t size, const OnnxImportOptions& opts, Graph* out);

}  // namespace fd
