// Fuzz target: an .onnx file through the converter's path: parse and import at a small input
// size, fuse activations, fold an input normalization, prepare, and invoke the float graph.
#include <cstddef>
#include <cstdint>
#include <utility>

#include "fuzz_budget.h"
#include "model/fuse_activations.h"
#include "model/graph.h"
#include "model/graph_transforms.h"
#include "model/onnx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fd::OnnxImportOptions opts;
  opts.input_width = 32;
  opts.input_height = 32;
  fd::Graph g;
  if (!fd::import_onnx(data, size, opts, &g).ok()) return 0;
  if (!fd::fuse_activations(&g).ok()) return 0;
  if (g.inputs.size() == 1) {
    const float mean[3] = {0.f, 0.f, 0.f}, std[3] = {255.f, 255.f, 255.f};
    if (!fd::fold_input_normalization(&g, mean, std, true).ok()) return 0;
  }
  fd::prepare_and_invoke(std::move(g), 0);
  return 0;
}
