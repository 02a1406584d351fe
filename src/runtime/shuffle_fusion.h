// Fusion of ShuffleNet's channel shuffle after a concatenation: CONCATENATION of two 8-bit
// tensors a, b [..., n] along the last axis (a pure copy: same quantization), RESHAPE to
// [..., 2, n], TRANSPOSE of the last two axes. The transpose alone runs, interleaving a and b
// straight into its output (x8_zip2 per position) where the three ops would copy the bytes
// twice first; the concatenation and reshape run nothing and their outputs get no memory.
// When the transpose's output, reshaped back to [..., 2n], only feeds a SPLIT into two halves
// along that axis (the next ShuffleNet unit's channel split), the interleave writes the two
// halves straight into the split's outputs and that reshape and split run nothing too.
// Bit-identical with running the ops.
#pragma once

#include <memory>
#include <vector>

#include "model/graph.h"
#include "ops/op.h"

namespace fd {

struct ShuffleFusion {
  int concat = -1, reshape = -1, transpose = -1;  // the transpose runs the chain
  int reshape_back = -1, split = -1;              // with a split after it: the split's halves are the outputs
  size_t outer = 0, n = 0;                        // positions and channels of a (and of b)
};

// The chains of `graph` that fuse; nodes already in `fused_with` (>= 0) are left alone.
std::vector<ShuffleFusion> find_shuffle_fusions(const Graph& graph, const std::vector<RTensor>& tensors,
                                                const std::vector<int>& fused_with);

// The op the transpose of a fused chain runs: inputs (a, b), outputs the transpose's (or the
// split's two).
std::unique_ptr<Op> make_shuffle_op(const ShuffleFusion& fusion);

}  // namespace fd
