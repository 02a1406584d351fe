// Graph IR: tensors (dtype, shape, quantization, optional constant data) and nodes in execution
// order. Readers (TFLite, ONNX) fill it; the runtime prepares and runs it; writers serialize it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/quant.h"
#include "core/shape.h"

namespace fd {

// Operator kinds. Values are TFLite's BuiltinOperator codes so the reader and writer map 1:1.
enum class OpCode : int32_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConcatenation = 2,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2D = 17,
  kMul = 18,
  kRelu = 19,
  kReluN1To1 = 20,
  kRelu6 = 21,
  kReshape = 22,
  kResizeBilinear = 23,
  kSoftmax = 25,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kGather = 36,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kStridedSlice = 45,
  kSplit = 49,
  kCast = 53,
  kArgMax = 56,
  kPadV2 = 60,
  kSqrt = 75,
  kPack = 83,
  kUnpack = 88,
  kFloorDiv = 90,
  kResizeNearestNeighbor = 97,
  kLeakyRelu = 98,
  kGatherNd = 107,
  kQuantize = 114,
  kHardSwish = 117,
};

// TFLite's name for a builtin operator code ("CONV_2D"), or "BUILTIN_<n>" when unknown.
const char* op_name(int32_t code);

enum class Padding : uint8_t { kSame, kValid };

// Fused activation, as TFLite encodes it.
enum class Activation : uint8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4, kSignBit = 5 };

// Union of the builtin options featherdet understands; each op reads the fields it uses.
struct OpOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t filter_w = 1, filter_h = 1;          // pooling window
  int32_t depth_multiplier = 1;
  Activation activation = Activation::kNone;
  int32_t axis = 0;                            // concat, gather, pack, unpack, softmax-free ops
  int32_t num = 0;                             // split count, pack values_count, unpack num
  int32_t batch_dims = 0;
  float beta = 1.0f;                           // softmax
  float alpha = 0.2f;                          // leaky relu
  bool align_corners = false, half_pixel_centers = false;
  bool keep_dims = false;                      // reducers; fully connected keep_num_dims
  std::vector<int32_t> new_shape;              // reshape (when no shape tensor)
  std::vector<int32_t> squeeze_dims;
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;                         // strided slice
  DType output_type = DType::kInt64;           // arg max
};

// One tensor of the graph. Constant tensors carry their bytes.
struct TensorDesc {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  QuantParams quant;
  const uint8_t* data = nullptr;  // constant payload (points into Graph storage), or null
  size_t data_bytes = 0;
  // A constant INT8 tensor whose values lie in [-8, 7], stored in .tflite files as TFLite
  // TensorType INT4 (17): two values per byte, the first in the low nibble; an odd count leaves
  // the last high nibble 0. In memory it is ordinary INT8 (the reader unpacks it).
  bool int4 = false;
  bool is_constant() const { return data != nullptr; }
};

// Fails, naming `what`, when the tensor's shape is over the size limit or its constant data is
// shorter than the shape needs: checked before anything reads the tensor.
inline Status check_tensor_desc(const TensorDesc& d, const std::string& what) {
  FD_RETURN_IF_ERROR(check_tensor_shape(d.shape, dtype_size(d.dtype), what));
  const size_t need = static_cast<size_t>(num_elements(d.shape)) * dtype_size(d.dtype);
  if (d.data && d.data_bytes < need) {
    return Status::error(what + " holds " + std::to_string(d.data_bytes) + " bytes but its shape " + shape_str(d.shape) +
                         " needs " + std::to_string(need));
  }
  return Status();
}

// One operator application. Input index -1 marks an omitted optional input.
struct Node {
  int32_t code = 0;               // OpCode value (TFLite builtin code)
  std::string custom_name;        // for CUSTOM ops
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  OpOptions options;
};

// A whole model: tensors, nodes in execution order, graph inputs and outputs, metadata.
struct Graph {
  std::vector<TensorDesc> tensors;
  std::vector<Node> nodes;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<std::pair<std::string, std::string>> metadata;  // name -> bytes
  // Backing storage for constant data (the model bytes, plus any constants made by tools).
  std::vector<std::shared_ptr<std::vector<uint8_t>>> storage;
};

}  // namespace fd
