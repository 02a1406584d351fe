// Post-training quantization driver: calibrate a float32 graph on raw-pixel images, quantize it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "quantize/quantizer.h"

namespace fd {

// Activation statistics of a float graph (per tensor) and the shapes its tensors took.
struct Calibration {
  std::vector<TensorStats> stats;
  std::vector<Shape> shapes;
};

// Runs `float_graph` (input FLOAT32 [1, H, W, C] taking raw pixel values) on every image of
// `images` ([H, W, C] uint8 each) twice (ranges, then histograms).
Status calibrate_with_images(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                             Calibration* out);

// calibrate_with_images, then the full-integer graph in `out` (see quantize_graph).
Status quantize_with_images(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                            const QuantizeOptions& options, Graph* out);

// Runs `float_graph` on `images` and returns, for each tensor of `tensors`, the largest |value| of
// each of its channels (last axis).
Status channel_max_abs(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                       const std::vector<int32_t>& tensors, std::vector<std::vector<float>>* out);

// Splits every depthwise chain (model/channel_split.h) whose activation's channel ranges on
// `images` span more than `ratio` into two channel groups with their own INT8 scales. The float
// graph computes the same values. Sets *split to the number of chains split.
Status split_wide_depthwise_chains(Graph* float_graph, const std::vector<std::vector<uint8_t>>& images, float ratio,
                                   int* split);

}  // namespace fd
