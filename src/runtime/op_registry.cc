// The explicit op registry: builtin code -> factory. An op missing here fails at load with its
// name and node index.
#include <algorithm>
#include <iterator>

#include "ops/ops.h"
#include "runtime/op.h"

namespace fd {
namespace {

const OpRegistration kRegistry[] = {
    // Convolution family.
    {static_cast<int32_t>(OpCode::kConv2D), create_conv_2d},
    {static_cast<int32_t>(OpCode::kDepthwiseConv2D), create_depthwise_conv_2d},
    {static_cast<int32_t>(OpCode::kFullyConnected), create_fully_connected},

    // Elementwise and activations.
    {static_cast<int32_t>(OpCode::kAdd), create_add},
    {static_cast<int32_t>(OpCode::kSub), create_sub},
    {static_cast<int32_t>(OpCode::kMul), create_mul},
    {static_cast<int32_t>(OpCode::kDiv), create_div},
    {static_cast<int32_t>(OpCode::kFloorDiv), create_floor_div},
    {static_cast<int32_t>(OpCode::kRelu), create_relu},
    {static_cast<int32_t>(OpCode::kRelu6), create_relu6},
    {static_cast<int32_t>(OpCode::kReluN1To1), create_relu_n1_to_1},
    {static_cast<int32_t>(OpCode::kLeakyRelu), create_leaky_relu},
    {static_cast<int32_t>(OpCode::kHardSwish), create_hard_swish},
    {static_cast<int32_t>(OpCode::kLogistic), create_logistic},
    {static_cast<int32_t>(OpCode::kTanh), create_tanh},
    {static_cast<int32_t>(OpCode::kSqrt), create_sqrt},
    {static_cast<int32_t>(OpCode::kQuantize), create_quantize},
    {static_cast<int32_t>(OpCode::kDequantize), create_dequantize},
    {static_cast<int32_t>(OpCode::kCast), create_cast},

    // Pooling, reductions, softmax, resize, arg max.
    {static_cast<int32_t>(OpCode::kMaxPool2D), create_max_pool_2d},
    {static_cast<int32_t>(OpCode::kAveragePool2D), create_average_pool_2d},
    {static_cast<int32_t>(OpCode::kMean), create_mean},
    {static_cast<int32_t>(OpCode::kSoftmax), create_softmax},
    {static_cast<int32_t>(OpCode::kResizeBilinear), create_resize_bilinear},
    {static_cast<int32_t>(OpCode::kResizeNearestNeighbor), create_resize_nearest_neighbor},
    {static_cast<int32_t>(OpCode::kArgMax), create_arg_max},

    // Data movement.
    {static_cast<int32_t>(OpCode::kReshape), create_reshape},
    {static_cast<int32_t>(OpCode::kConcatenation), create_concatenation},
    {static_cast<int32_t>(OpCode::kTranspose), create_transpose},
    {static_cast<int32_t>(OpCode::kPad), create_pad},
    {static_cast<int32_t>(OpCode::kPadV2), create_padv2},
    {static_cast<int32_t>(OpCode::kSplit), create_split},
    {static_cast<int32_t>(OpCode::kStridedSlice), create_strided_slice},
    {static_cast<int32_t>(OpCode::kGather), create_gather},
    {static_cast<int32_t>(OpCode::kGatherNd), create_gather_nd},
    {static_cast<int32_t>(OpCode::kPack), create_pack},
    {static_cast<int32_t>(OpCode::kUnpack), create_unpack},
    {static_cast<int32_t>(OpCode::kSqueeze), create_squeeze},

};

}  // namespace

const OpRegistration* find_op(int32_t code) {
  for (const OpRegistration& r : kRegistry) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

std::vector<int32_t> registered_ops() {
  std::vector<int32_t> codes;
  for (const OpRegistration& r : kRegistry) codes.push_back(r.code);
  std::sort(codes.begin(), codes.end());
  return codes;
}

}  // namespace fd
