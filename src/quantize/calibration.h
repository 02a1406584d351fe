// Calibration: runs a float32 graph over sample inputs with the native interpreter and records
// the value range and histogram of every float activation tensor, then turns them into int8
// ranges by min/max, percentile or MSE-optimal clipping.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "runtime/interpreter.h"

namespace fd {

// How an activation's int8 range is chosen from its calibration statistics.
enum class RangeMethod { kMinMax, kPercentile, kMse };

// Parses "minmax" | "percentile" | "mse".
Status parse_range_method(const std::string& name, RangeMethod* out);
// The lower-case name of `m`.
const char* range_method_name(RangeMethod m);

// Observed values of one float tensor over all calibration samples.
struct TensorStats {
  bool seen = false;                // false for tensors that are not float activations
  float min = 0.0f, max = 0.0f;     // over every element of every sample
  float hist_lo = 0.0f, hist_hi = 0.0f;  // histogram bounds (the min/max of the range pass)
  std::vector<uint64_t> histogram;  // equal-width bins over [hist_lo, hist_hi]
  uint64_t count = 0;               // elements histogrammed
};

// Collects TensorStats for every float tensor produced by a node or fed as graph input.
// Two passes over the same samples: add_range_sample (min/max), then add_histogram_sample.
class Calibrator {
 public:
  // Prepares an interpreter for `float_graph` (a copy); its single input must be FLOAT32.
  static Status create(const Graph& float_graph, std::unique_ptr<Calibrator>* out);

  // Runs the graph on `input` (the input tensor's element count of floats) and widens the
  // min/max of every float activation.
  Status add_range_sample(const float* input);
  // Runs the graph on `input` and adds it to the histograms (bounds fixed by the range pass;
  // values outside are counted in the end bins).
  Status add_histogram_sample(const float* input);

  const std::vector<TensorStats>& stats() const { return stats_; }
  // Shapes of all tensors after prepare (intermediates included).
  std::vector<Shape> shapes() const;
  Interpreter& interpreter() { return *interp_; }
  // Elements of the graph input ([1, H, W, C]).
  size_t input_elements() const;

  static constexpr int kBins = 2048;

 private:
  Calibrator() = default;
  Status run(const float* input);
  void observe_range(int tensor);
  void observe_histogram(int tensor);

  std::unique_ptr<Interpreter> interp_;
  std::vector<TensorStats> stats_;
  std::vector<std::vector<int32_t>> node_float_outputs_;  // per node: float tensors it writes
  std::vector<int32_t> input_tensors_;                    // float graph inputs
  bool histogram_pass_ = false;
};

// What reads an activation tensor, for the mse range: the error that matters is the reader's.
// kSigmoid: only a LOGISTIC reads it (detection scores); kSilu: a LOGISTIC and a MUL of the tensor
// by that LOGISTIC's output (SiLU written as x * sigmoid(x)). Both saturate, so values far into a
// flat tail can be clipped for free and the int8 steps go where the function still moves.
enum class RangeUse { kLinear, kSigmoid, kSilu };

// The clipping range [*lo, *hi] of `s` by `method` (percentile: keeps `percentile`% of the
// values, trimming both tails equally; mse: minimizes the expected squared int8 error over the
// histogram, measured after `use`'s function). The range always contains 0.
void choose_range(const TensorStats& s, RangeMethod method, double percentile, float* lo, float* hi,
                  RangeUse use = RangeUse::kLinear);

// Expected mean squared error of quantizing the histogram of `s` to int8 over [lo, hi]
// (clipping plus rounding, values taken at bin centers), after `use`'s function.
double quantization_mse(const TensorStats& s, float lo, float hi, RangeUse use = RangeUse::kLinear);

}  // namespace fd
