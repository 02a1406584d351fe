// The explicit op registry: builtin code -> factory and the input/output counts the op accepts
// (checked by the interpreter before prepare). An op missing here fails at load with its name
// and node index.
#include <algorithm>
#include <iterator>

#include "ops/op.h"
#include "ops/ops.h"

namespace fd {
namespace {

constexpr bool kOptionalTail = true;  // inputs past the required ones may be omitted (-1)
constexpr bool kNoOmitted = false;
constexpr int kAnyCount = 1 << 30;

const OpRegistration kRegistry[] = {
    // Convolution family.
    {static_cast<int32_t>(OpCode::kConv2D), create_conv_2d, 2, 3, kOptionalTail},
    {static_cast<int32_t>(OpCode::kDepthwiseConv2D), create_depthwise_conv_2d, 2, 3, kOptionalTail},
    {static_cast<int32_t>(OpCode::kFullyConnected), create_fully_connected, 2, 3, kOptionalTail},

    // Elementwise and activations.
    {static_cast<int32_t>(OpCode::kAdd), create_add, 2, 2},
    {static_cast<int32_t>(OpCode::kSub), create_sub, 2, 2},
    {static_cast<int32_t>(OpCode::kMul), create_mul, 2, 2},
    {static_cast<int32_t>(OpCode::kDiv), create_div, 2, 2},
    {static_cast<int32_t>(OpCode::kFloorDiv), create_floor_div, 2, 2},
    {static_cast<int32_t>(OpCode::kRelu), create_relu, 1, 1},
    {static_cast<int32_t>(OpCode::kRelu6), create_relu6, 1, 1},
    {static_cast<int32_t>(OpCode::kReluN1To1), create_relu_n1_to_1, 1, 1},
    {static_cast<int32_t>(OpCode::kLeakyRelu), create_leaky_relu, 1, 1},
    {static_cast<int32_t>(OpCode::kHardSwish), create_hard_swish, 1, 1},
    {static_cast<int32_t>(OpCode::kLogistic), create_logistic, 1, 1},
    {static_cast<int32_t>(OpCode::kTanh), create_tanh, 1, 1},
    {static_cast<int32_t>(OpCode::kSqrt), create_sqrt, 1, 1},
    {static_cast<int32_t>(OpCode::kQuantize), create_quantize, 1, 1},
    {static_cast<int32_t>(OpCode::kDequantize), create_dequantize, 1, 1},
    {static_cast<int32_t>(OpCode::kCast), create_cast, 1, 1},

    // Pooling, reductions, softmax, resize, arg max.
    {static_cast<int32_t>(OpCode::kMaxPool2D), create_max_pool_2d, 1, 1},
    {static_cast<int32_t>(OpCode::kAveragePool2D), create_average_pool_2d, 1, 1},
    {static_cast<int32_t>(OpCode::kMean), create_mean, 2, 2},
    {static_cast<int32_t>(OpCode::kSoftmax), create_softmax, 1, 1},
    {static_cast<int32_t>(OpCode::kResizeBilinear), create_resize_bilinear, 2, 2},
    {static_cast<int32_t>(OpCode::kResizeNearestNeighbor), create_resize_nearest_neighbor, 2, 2},
    {static_cast<int32_t>(OpCode::kArgMax), create_arg_max, 2, 2},

    // Data movement.
    {static_cast<int32_t>(OpCode::kReshape), create_reshape, 1, 2, kOptionalTail},
    {static_cast<int32_t>(OpCode::kConcatenation), create_concatenation, 1, kAnyCount},
    {static_cast<int32_t>(OpCode::kTranspose), create_transpose, 2, 2},
    {static_cast<int32_t>(OpCode::kPad), create_pad, 2, 2},
    {static_cast<int32_t>(OpCode::kPadV2), create_padv2, 2, 3, kOptionalTail},
    {static_cast<int32_t>(OpCode::kSplit), create_split, 2, 2, kNoOmitted, 1, kAnyCount},
    {static_cast<int32_t>(OpCode::kStridedSlice), create_strided_slice, 3, 4, kOptionalTail},
    {static_cast<int32_t>(OpCode::kGather), create_gather, 2, 2},
    {static_cast<int32_t>(OpCode::kGatherNd), create_gather_nd, 2, 2},
    {static_cast<int32_t>(OpCode::kPack), create_pack, 1, kAnyCount},
    {static_cast<int32_t>(OpCode::kUnpack), create_unpack, 1, 1, kNoOmitted, 1, kAnyCount},
    {static_cast<int32_t>(OpCode::kSqueeze), create_squeeze, 1, 1},

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
