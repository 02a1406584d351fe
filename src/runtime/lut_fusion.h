// Fusion of 8-bit elementwise chains into one table lookup. SiLU as exported by Ultralytics and
// YOLOX (LOGISTIC, then MUL of its input by its output) and similar pairs (an 8-bit activation
// whose output only feeds an ADD, SUB or MUL with the activation's own input, same shape) compute
// each output byte from one input byte. Both nodes' prepared ops are run over all 256 input
// bytes at load; the pair then runs as one lookup, bit-identical with running the two ops.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/graph.h"
#include "ops/op.h"

namespace fd {

struct LutFusion {
  int producer = -1;    // the activation node (runs nothing once fused)
  int consumer = -1;    // the binary node (runs the table)
  int input_slot = -1;  // the consumer's input that is the activation's input
  std::array<uint8_t, 256> table{};
};

// The pairs of `graph` that fuse, with their tables; `tensors` as prepared by the interpreter.
// Pairs whose ops do not prepare on a 256-element copy are left alone.
std::vector<LutFusion> find_lut_fusions(const Graph& graph, const std::vector<RTensor>& tensors,
                                        const KernelTable& kernels);

// The op a fused consumer runs: table lookup from its input `input_slot` to its output 0.
std::unique_ptr<Op> make_lut_op(const LutFusion& fusion);
// The op a fused producer runs: nothing.
std::unique_ptr<Op> make_fused_away_op();

}  // namespace fd
