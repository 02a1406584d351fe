// Post-training quantization driver: calibrate a float32 graph on raw-pixel images, quantize it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "quantize/quantizer.h"

namespace fd {

// Runs `float_graph` (input FLOAT32 [1, H, W, C] taking raw pixel values) on every image of
// `images` ([H, W, C] uint8 each) twice (ranges, then histograms) and writes the full-integer
// graph to `out` (see quantize_graph).
Status quantize_with_images(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                            const QuantizeOptions& options, Graph* out);

}  // namespace fd
