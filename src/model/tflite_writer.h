// Serializes a Graph into a standard TFLite flatbuffer (the inverse of tflite_reader).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// How much write_tflite may change the graph's bookkeeping (never its function) to save bytes.
struct TfliteWriteOptions {
  // Compact (bundled models): tensor names only for graph inputs/outputs, identical constants
  // written once, unreferenced tensors left out, RESHAPE shape inputs that repeat the new_shape
  // option dropped, constants of 64 bytes or less 4-byte (not 16-byte) aligned.
  bool compact = false;
};

// Writes `graph` as a .tflite file into `out`: one subgraph, operator codes carrying both
// deprecated_builtin_code and builtin_code, buffer 0 empty, constant data in 16-byte aligned
// buffers (TensorDesc::int4 constants packed as TensorType INT4; a value outside [-8, 7] is an
// error), identical quantization parameters, shapes and option tables shared, builtin options
// for every op the reader understands, and each Graph::metadata entry as a Model.metadata record
// pointing at a buffer holding its bytes. Without `compact` the file reads back as the same graph.
Status write_tflite(const Graph& graph, std::vector<uint8_t>* out, const TfliteWriteOptions& options = {});

}  // namespace fd
