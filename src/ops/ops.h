// Factories of every op featherdet implements; the registry (runtime/op_registry.cc) lists them.
#pragma once

#include <memory>
#include <vector>

#include "ops/op.h"

namespace fd {

// Convolution family (ops/conv_2d.cc, ops/depthwise_conv_2d.cc, ops/fully_connected.cc).
std::unique_ptr<Op> create_conv_2d();
std::unique_ptr<Op> create_depthwise_conv_2d();
std::unique_ptr<Op> create_fully_connected();
// CONV_2D nodes whose im2col rows are the same (runtime/im2col_sharing.h) as one op: `members`
// are their ops, made by create_conv_2d() and prepared on their own nodes; the group's node lists
// the members' outputs in order (its input 0 is their shared input).
std::unique_ptr<Op> make_conv_2d_group(std::vector<std::unique_ptr<Op>> members);
// The groups of CONV_2D nodes (graph order, two or more each) that read input 0 through the same
// im2col rows; `ops` are the graph's prepared ops, nodes with fused_with >= 0 are left alone.
std::vector<std::vector<int>> find_conv_2d_groups(const Graph& graph, const std::vector<std::unique_ptr<Op>>& ops,
                                                  const std::vector<int>& fused_with);

// Elementwise and activations.
std::unique_ptr<Op> create_add();
std::unique_ptr<Op> create_sub();
std::unique_ptr<Op> create_mul();
std::unique_ptr<Op> create_div();
std::unique_ptr<Op> create_floor_div();
std::unique_ptr<Op> create_relu();
std::unique_ptr<Op> create_relu6();
std::unique_ptr<Op> create_relu_n1_to_1();
std::unique_ptr<Op> create_leaky_relu();
std::unique_ptr<Op> create_hard_swish();
std::unique_ptr<Op> create_logistic();
std::unique_ptr<Op> create_tanh();
std::unique_ptr<Op> create_sqrt();
std::unique_ptr<Op> create_quantize();
std::unique_ptr<Op> create_dequantize();
std::unique_ptr<Op> create_cast();

// Pooling, reductions, softmax, resize, arg max.
std::unique_ptr<Op> create_max_pool_2d();
std::unique_ptr<Op> create_average_pool_2d();
std::unique_ptr<Op> create_mean();
std::unique_ptr<Op> create_softmax();
std::unique_ptr<Op> create_resize_bilinear();
std::unique_ptr<Op> create_resize_nearest_neighbor();
std::unique_ptr<Op> create_arg_max();

// Data movement (reshape, concat, transpose, pad, slice, split, gather, pack).
std::unique_ptr<Op> create_reshape();
std::unique_ptr<Op> create_concatenation();
std::unique_ptr<Op> create_transpose();
std::unique_ptr<Op> create_pad();
std::unique_ptr<Op> create_padv2();
std::unique_ptr<Op> create_split();
std::unique_ptr<Op> create_strided_slice();
std::unique_ptr<Op> create_gather();
std::unique_ptr<Op> create_gather_nd();
std::unique_ptr<Op> create_pack();
std::unique_ptr<Op> create_unpack();
std::unique_ptr<Op> create_squeeze();

}  // namespace fd
