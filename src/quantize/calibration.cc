#include "quantize/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quantize/quantizer.h"

namespace fd {

Status parse_range_method(const std::string& name, RangeMethod* out) {
  if (name == "minmax") *out = RangeMethod::kMinMax;
  else if (name == "percentile") *out = RangeMethod::kPercentile;
  else if (name == "mse") *out = RangeMethod::kMse;
  else return Status::error("unknown calibration method '" + name + "' (use minmax, percentile or mse)");
  return Status();
}

const char* range_method_name(RangeMethod m) {
  switch (m) {
    case RangeMethod::kMinMax: return "minmax";
    case RangeMethod::kPercentile: return "percentile";
    case RangeMethod::kMse: return "mse";
  }
  return "?";
}

Status Calibrator::create(const Graph& float_graph, std::unique_ptr<Calibrator>* out) {
  if (float_graph.inputs.size() != 1) {
    return Status::error("calibration needs a model with exactly one input, this one has " +
                         std::to_string(float_graph.inputs.size()));
  }
  if (float_graph.tensors[float_graph.inputs[0]].dtype != DType::kFloat32) {
    return Status::error("calibration needs a FLOAT32 model input");
  }
  std::unique_ptr<Calibrator> c(new Calibrator());
  InterpreterOptions every_tensor;  // the observer reads every intermediate
  every_tensor.fuse = false;
  FD_RETURN_IF_ERROR(Interpreter::create(float_graph, &c->interp_, every_tensor));
  const Graph& g = c->interp_->graph();
  c->stats_.assign(g.tensors.size(), TensorStats());
  c->node_float_outputs_.resize(g.nodes.size());
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int32_t t : g.nodes[n].outputs) {
      const RTensor& rt = c->interp_->tensor(t);
      if (rt.dtype == DType::kFloat32 && !rt.is_constant) c->node_float_outputs_[n].push_back(t);
    }
  }
  c->input_tensors_ = g.inputs;
  Calibrator* self = c.get();
  c->interp_->set_observer([self](int node) {
    for (int32_t t : self->node_float_outputs_[node]) {
      if (self->histogram_pass_) self->observe_histogram(t); else self->observe_range(t);
    }
  });
  *out = std::move(c);
  return Status();
}

size_t Calibrator::input_elements() const {
  return static_cast<size_t>(num_elements(interp_->tensor(interp_->graph().inputs[0]).shape));
}

std::vector<Shape> Calibrator::shapes() const {
  std::vector<Shape> s;
  for (size_t i = 0; i < stats_.size(); ++i) s.push_back(interp_->tensor(static_cast<int>(i)).shape);
  return s;
}

Status Calibrator::run(const float* input) {
  RTensor& in = interp_->input(0);
  std::memcpy(in.data, input, in.bytes());
  for (int32_t t : input_tensors_) {
    if (histogram_pass_) observe_histogram(t); else observe_range(t);
  }
  return interp_->invoke();
}

Status Calibrator::add_range_sample(const float* input) {
  histogram_pass_ = false;
  return run(input);
}

Status Calibrator::add_histogram_sample(const float* input) {
  if (!histogram_pass_) {
    histogram_pass_ = true;
    for (TensorStats& s : stats_) {
      if (!s.seen) continue;
      s.hist_lo = std::min(s.min, 0.0f);
      s.hist_hi = std::max(s.max, 0.0f);
      s.histogram.assign(kBins, 0);
      s.count = 0;
    }
  }
  return run(input);
}

void Calibrator::observe_range(int tensor) {
  const RTensor& t = interp_->tensor(tensor);
  const float* x = t.as<float>();
  const size_t n = static_cast<size_t>(num_elements(t.shape));
  if (n == 0) return;
  TensorStats& s = stats_[tensor];
  float lo = x[0], hi = x[0];
  for (size_t i = 1; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  if (!s.seen) {
    s.seen = true;
    s.min = lo;
    s.max = hi;
  } else {
    s.min = std::min(s.min, lo);
    s.max = std::max(s.max, hi);
  }
}

void Calibrator::observe_histogram(int tensor) {
  TensorStats& s = stats_[tensor];
  if (!s.seen || s.histogram.empty()) return;
  const RTensor& t = interp_->tensor(tensor);
  const float* x = t.as<float>();
  const size_t n = static_cast<size_t>(num_elements(t.shape));
  const float width = s.hist_hi - s.hist_lo;
  const float inv = width > 0 ? kBins / width : 0.0f;
  for (size_t i = 0; i < n; ++i) {
    int b = static_cast<int>((x[i] - s.hist_lo) * inv);
    b = std::min(std::max(b, 0), kBins - 1);
    ++s.histogram[b];
  }
  s.count += n;
}

namespace {

// The function `use` applies to a value.
double apply_use(RangeUse use, double x) {
  switch (use) {
    case RangeUse::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case RangeUse::kSilu: return x / (1.0 + std::exp(-x));
    default: return x;
  }
}

}  // namespace

double quantization_mse(const TensorStats& s, float lo, float hi, RangeUse use) {
  ActivationQuant q = activation_quant(lo, hi);
  const int bins = static_cast<int>(s.histogram.size());
  const double bw = (static_cast<double>(s.hist_hi) - s.hist_lo) / bins;
  double err = 0.0;
  for (int b = 0; b < bins; ++b) {
    if (s.histogram[b] == 0) continue;
    const double x = s.hist_lo + (b + 0.5) * bw;
    double v = std::nearbyint(x / q.scale) + q.zero_point;
    v = std::min(127.0, std::max(-128.0, v));
    const double d = apply_use(use, (v - q.zero_point) * q.scale) - apply_use(use, x);
    err += d * d * static_cast<double>(s.histogram[b]);
  }
  return s.count ? err / static_cast<double>(s.count) : 0.0;
}

void choose_range(const TensorStats& s, RangeMethod method, double percentile, float* lo, float* hi, RangeUse use) {
  *lo = std::min(s.min, 0.0f);
  *hi = std::max(s.max, 0.0f);
  if (method == RangeMethod::kMinMax || s.histogram.empty() || s.count == 0) return;
  const int bins = static_cast<int>(s.histogram.size());
  const double bw = (static_cast<double>(s.hist_hi) - s.hist_lo) / bins;
  if (method == RangeMethod::kPercentile) {
    const double tail = s.count * (100.0 - percentile) / 200.0;
    double acc = 0;
    int first = 0, last = bins - 1;
    for (; first < bins - 1; ++first) {
      acc += s.histogram[first];
      if (acc > tail) break;
    }
    acc = 0;
    for (; last > 0; --last) {
      acc += s.histogram[last];
      if (acc > tail) break;
    }
    *lo = std::min(0.0f, static_cast<float>(s.hist_lo + first * bw));
    *hi = std::max(0.0f, static_cast<float>(s.hist_lo + (last + 1) * bw));
    return;
  }
  // MSE: shrink each side independently over a grid of fractions of the observed range; the
  // int8 error is nearly separable between the two tails, so two 1-D searches suffice.
  double best = quantization_mse(s, *lo, *hi, use);
  const float lo0 = *lo, hi0 = *hi;
  for (int side = 0; side < 2; ++side) {
    for (int step = 1; step <= 100; ++step) {
      const float f = 1.0f - step * 0.0095f;
      const float l = side == 0 ? *lo : lo0 * f;
      const float h = side == 0 ? hi0 * f : *hi;
      if (h - l <= 0) continue;
      const double e = quantization_mse(s, l, h, use);
      if (e < best) {
        best = e;
        *lo = l;
        *hi = h;
      }
    }
  }
}

}  // namespace fd
