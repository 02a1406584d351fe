// Factories of every op featherdet implements; the registry (runtime/op_registry.cc) lists them.
#pragma once

#include <memory>

#include "ops/op.h"

namespace fd {

// Convolution family (ops/conv_2d.cc, ops/depthwise_conv_2d.cc, ops/fully_connected.cc).
std::unique_ptr<Op> create_conv_2d();
std::unique_ptr<Op> create_depthwise_conv_2d();
std::unique_ptr<Op> create_fully_connected();

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
