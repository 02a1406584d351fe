// Graph clean-up before calibration: float models store weights as fp16 behind DEQUANTIZE.
#pragma once

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// Replaces every DEQUANTIZE of a constant FLOAT16 tensor by a FLOAT32 constant holding the
// converted values (the node disappears, its output becomes a constant). Other nodes are kept.
Status fold_constant_dequantize(Graph* graph);

}  // namespace fd
