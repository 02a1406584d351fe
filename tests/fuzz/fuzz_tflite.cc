// Fuzz target: a .tflite file through the reader, op preparation and one invoke.
#include <cstddef>
#include <cstdint>
#include <utility>

#include "fuzz_budget.h"
#include "model/graph.h"
#include "model/tflite_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fd::Graph graph;
  if (fd::read_tflite(data, size, &graph).ok()) fd::prepare_and_invoke(std::move(graph), 0x5a);
  return 0;
}
