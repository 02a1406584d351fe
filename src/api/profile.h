// The per-node profile of an interpreter run with InterpreterOptions::profile: what each node
// computed (op, shapes, multiply-accumulates) and how long it took, plus the kernel table's peak.
#pragma once

#include <string>

#include "kernels/kernel_table.h"
#include "runtime/interpreter.h"

namespace fd {

// Multiply-accumulates of node `n` per invoke: output elements times the taps and input
// channels each sums (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED); 0 for other ops.
double node_macs(const Interpreter& interp, int n);

// The profile as JSON: {"isa", "gemm", "invokes", "nodes": [{"index", "op", "inputs": [shapes],
// "output": shape, "macs", "ms"}]} with ms the mean per invoke.
std::string profile_json(const Interpreter& interp);

// Multiply-accumulates per second of `table`'s dot_peak loop over about `seconds` of wall time.
double measure_dot_peak(const KernelTable& table, double seconds);

}  // namespace fd
