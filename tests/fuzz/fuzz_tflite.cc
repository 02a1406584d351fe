// Fuzz target: a .tflite file through the reader, op preparation and one invoke.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "model/graph.h"
#include "model/tflite_reader.h"
#include "fuzz_budget.h"
#include "runtime/interpreter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fd::Graph graph;
  if (!fd::read_tflite(data, size, &graph).ok()) return 0;
  std::unique_ptr<fd::Interpreter> it;
  if (!fd::Interpreter::create(std::move(graph), &it).ok()) return 0;
  if (!fd::cheap_to_invoke(*it)) return 0;
  for (int i = 0; i < it->num_inputs(); ++i) {
    fd::RTensor& t = it->input(i);
    if (t.data) std::memset(t.data, 0x5a, t.bytes());
  }
  (void)it->invoke();
  return 0;
}
