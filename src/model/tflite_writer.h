// Serializes a Graph into a standard TFLite flatbuffer (the inverse of tflite_reader).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// Writes `graph` as a .tflite file into `out`: one subgraph, operator codes carrying both
// deprecated_builtin_code and builtin_code, buffer 0 empty, constant data in 16-byte aligned
// buffers, identical quantization parameters shared, builtin options for every op the reader
// understands, and each Graph::metadata entry
// as a Model.metadata record pointing at a buffer holding its bytes.
Status write_tflite(const Graph& graph, std::vector<uint8_t>* out);

}  // namespace fd
