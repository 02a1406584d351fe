// The per-node profile of an interpreter run with InterpreterOptions::profile: what each node
// computed (op, shapes, multiply-accumulates) and how long it took, plus the kernel table's peak.
#pragma once

#include <string>
#include <vector>

#include "kernels/kernel_table.h"
#include "runtime/interpreter.h"

namespace fd {

// Multiply-accumulates of node `n` per invoke: output elements times the taps and input
// channels each sums (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED); 0 for other ops.
double node_macs(const Interpreter& interp, int n);

// One node of a profile: its op ("CONV_2D", "CONV_2D+LEAKY_RELU" when fused, "... (fused)" for
// the node folded into an earlier one), the shapes of its non-constant inputs and of its output,
// multiply-accumulates and mean milliseconds per invoke.
struct NodeProfile {
  int index = 0;
  std::string op;
  std::vector<Shape> inputs;
  Shape output;
  double macs = 0, ms = 0;
};

// The profile of the invokes since load or reset: the kernel table's ISA and GEMM, and the nodes.
struct ModelProfile {
  std::string isa, gemm;
  int invokes = 0;
  std::vector<NodeProfile> nodes;
};

ModelProfile profile(const Interpreter& interp);

// Multiply-accumulates per second of `table`'s dot_peak loop over about `seconds` of wall time.
double measure_dot_peak(const KernelTable& table, double seconds);

}  // namespace fd
