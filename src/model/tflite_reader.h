// Reads a TFLite flatbuffer into the Graph IR, after the flatbuffers verifier has checked it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// Verifies and parses `size` bytes of a .tflite file (copied into the Graph's storage). INT4
// constants are unpacked into INT8 tensors flagged TensorDesc::int4 (INT4 activations are
// rejected). Errors name what is wrong: not a TFLite file, truncated/corrupt, unsupported tensor
// type, a constant shorter than its shape.
Status read_tflite(const uint8_t* data, size_t size, Graph* graph);

}  // namespace fd
