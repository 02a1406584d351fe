// Reads a TFLite flatbuffer into the Graph IR, after the flatbuffers verifier has checked it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// Verifies and parses `size` bytes of a .tflite file (copied into the Graph's storage).
// Errors name what is wrong: not a TFLite file, truncated/corrupt, unsupported tensor type.
Status read_tflite(const uint8_t* data, size_t size, Graph* graph);

}  // namespace fd
