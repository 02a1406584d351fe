#include "quantize/post_training.h"

#include <memory>
#include <string>

#include "quantize/calibration.h"

namespace fd {

Status quantize_with_images(const Graph& float_graph, const std::vector<std::vector<uint8_t>>& images,
                            const QuantizeOptions& options, Graph* out) {
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
  return quantize_graph(float_graph, cal->stats(), cal->shapes(), options, out);
}

}  // namespace fd
