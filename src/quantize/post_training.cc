#include "quantize/post_training.h"

#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "model/channel_split.h"
#include "quantize/calibration.h"
#include "quantize/calibration_images.h"
#include "runtime/interpreter.h"

namespace fd {

Status calibrate_with_images(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                             Calibration* out) {
  if (images.empty()) return Status::error("quantization needs at least one calibration image");
  std::unique_ptr<Calibrator> cal;
  FD_RETURN_IF_ERROR(Calibrator::create(float_graph, &cal));
  const size_t n = cal->input_elements();
  std::vector<float> input(n);
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::vector<uint8_t>& img : images) {
      if (img.size() != n) {
        return Status::error("calibration image has " + std::to_string(img.size()) + " values, the model input " +
                             std::to_string(n));
      }
      for (size_t i = 0; i < n; ++i) input[i] = img[i];
      FD_RETURN_IF_ERROR(pass == 0 ? cal->add_range_sample(input.data()) : cal->add_histogram_sample(input.data()));
    }
  }
  out->stats = cal->stats();
  out->shapes = cal->shapes();
  return Status();
}

Status quantize_with_images(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                            const QuantizeOptions& options, Graph* out) {
  Calibration cal;
  FD_RETURN_IF_ERROR(calibrate_with_images(float_graph, images, &cal));
  return quantize_graph(float_graph, cal.stats, cal.shapes, options, out);
}

Status channel_max_abs(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                       const std::vector<int32_t>& tensors, std::vector<std::vector<float>>* out) {
  InterpreterOptions every_tensor;  // the observer reads intermediates
  every_tensor.fuse = false;
  std::unique_ptr<Interpreter> it;
  FD_RETURN_IF_ERROR(Interpreter::create(float_graph, &it, every_tensor));
  std::map<int32_t, size_t> slot;
  for (size_t i = 0; i < tensors.size(); ++i) slot[tensors[i]] = i;
  out->assign(tensors.size(), {});
  it->set_observer([&](int node) {
    for (int32_t t : it->graph().nodes[node].outputs) {
      auto s = slot.find(t);
      if (s == slot.end()) continue;
      const RTensor& r = it->tensor(t);
      if (r.dtype != DType::kFloat32 || r.shape.empty()) continue;
      const size_t c = static_cast<size_t>(r.shape.back()), n = static_cast<size_t>(num_elements(r.shape));
      std::vector<float>& m = (*out)[s->second];
      m.resize(c, 0.0f);
      const float* v = r.as<float>();
      for (size_t i = 0; i < n; ++i) m[i % c] = std::max(m[i % c], std::fabs(v[i]));
    }
  });
  for (const std::vector<uint8_t>& img : images) {
    FD_RETURN_IF_ERROR(set_float_image(it.get(), img));
    FD_RETURN_IF_ERROR(it->invoke());
  }
  return Status();
}

Status split_wide_depthwise_chains(Graph* g, const std::vector<std::vector<uint8_t>>& images, float ratio, int* split) {
  *split = 0;
  const std::vector<DepthwiseChain> chains = find_depthwise_chains(*g);
  if (chains.empty()) return Status();
  std::vector<int32_t> acts;
  for (const DepthwiseChain& c : chains) acts.push_back(c.activation);
  std::vector<std::vector<float>> ranges;
  FD_RETURN_IF_ERROR(channel_max_abs(*g, images, acts, &ranges));
  std::map<std::string, std::vector<std::vector<int>>> pending;  // activation tensor name -> groups
  for (size_t i = 0; i < chains.size(); ++i) {
    std::vector<std::vector<int>> groups = channel_groups(ranges[i], ratio);
    if (!groups.empty()) pending[g->tensors[acts[i]].name] = groups;
  }
  // Each split renumbers nodes and tensors: find the chains again before the next one.
  while (!pending.empty()) {
    bool done = false;
    for (const DepthwiseChain& c : find_depthwise_chains(*g)) {
      auto p = pending.find(g->tensors[c.activation].name);
      if (p == pending.end()) continue;
      const std::vector<std::vector<int>> groups = p->second;
      pending.erase(p);
      FD_RETURN_IF_ERROR(split_depthwise_chain(g, c, groups));
      ++*split;
      done = true;
      break;
    }
    if (!done) break;
  }
  return Status();
}

}  // namespace fd
