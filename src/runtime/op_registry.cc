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

    // Elementwise and activations.

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
