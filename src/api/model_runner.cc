#include "api/model_runner.h"

#include <utility>

#include "api/profile.h"
#include "model/tflite_reader.h"

namespace fd {

Status ModelRunner::load(const uint8_t* data, size_t size, const InterpreterOptions& options) {
  interp_.reset();
  if (data == nullptr || size == 0) return Status::error("not a TFLite model: the model is empty (0 bytes)");
  Graph graph;
  FD_RETURN_IF_ERROR(read_tflite(data, size, &graph));
  std::unique_ptr<Interpreter> interp;
  FD_RETURN_IF_ERROR(Interpreter::create(std::move(graph), &interp, options));
  interp_ = std::move(interp);
  return Status();
}

bool ModelRunner::profile(ModelProfile* out) const {
  if (!interp_) return false;
  *out = fd::profile(*interp_);
  return true;
}

Status ModelRunner::invoke() {
  if (!interp_) return Status::error("no model is loaded");
  return interp_->invoke();
}

bool ModelRunner::valid_index(bool is_input, int i) const {
  return interp_ && i >= 0 && i < (is_input ? interp_->num_inputs() : interp_->num_outputs());
}

TensorInfo ModelRunner::tensor_info(bool is_input, int i) const {
  Interpreter& in = *interp_;
  const RTensor& t = is_input ? in.input(i) : in.output(i);
  TensorInfo info;
  info.name = is_input ? in.input_name(i) : in.output_name(i);
  info.dtype = t.dtype;
  info.shape = t.shape;
  info.quant = t.quant;
  return info;
}

uint8_t* ModelRunner::tensor_data(bool is_input, int i) {
  return is_input ? interp_->input(i).data : interp_->output(i).data;
}

size_t ModelRunner::tensor_bytes(bool is_input, int i) const {
  return is_input ? interp_->input(i).bytes() : interp_->output(i).bytes();
}

}  // namespace fd
