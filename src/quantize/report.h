// Per-layer quantization error: runs the float32 and the quantized graph on the same images and
// compares every activation the two graphs share by name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "runtime/interpreter.h"

namespace fd {

// Error of one activation tensor over all samples added so far.
struct LayerError {
  std::string tensor;   // tensor name (shared by both graphs)
  int node = -1;        // producing node in the quantized graph
  std::string op;       // its op name
  double sqnr_db = 0;   // 10 log10(sum fp32^2 / sum (fp32 - dequantized int8)^2)
  double rel_l2 = 0;    // ||fp32 - int8|| / ||fp32||
  double max_abs = 0;   // largest absolute difference
};

// Accumulates LayerError for every activation of a quantized graph that has an fp32 twin.
class ErrorReport {
 public:
  // Prepares interpreters for both graphs; their inputs must have the same shape.
  static Status create(const Graph& float_graph, const Graph& quant_graph, std::unique_ptr<ErrorReport>* out);
  // Runs both graphs on one float input (the float model's input values; the quantized model
  // gets them quantized with its input's parameters).
  Status add_sample(const float* input);
  // The per-tensor errors, worst (lowest SQNR) first.
  std::vector<LayerError> layers() const;
  // Formats `layers` as a text table (at most `limit` rows; 0 = all).
  static std::string format(const std::vector<LayerError>& layers, size_t limit);

 private:
  ErrorReport() = default;
  struct Acc {
    int32_t float_tensor = -1;
    double ref2 = 0, err2 = 0, max_abs = 0;
    int node = -1;
  };
  std::unique_ptr<Interpreter> fp_, q_;
  std::vector<std::vector<float>> fp_values_;  // per float tensor, last run's values
  std::vector<Acc> acc_;                       // per quantized tensor
};

}  // namespace fd
