// ModelRunner: the C++ facade that loads a raw TFLite model and runs it; the bindings wrap it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/profile.h"
#include "core/status.h"
#include "runtime/interpreter.h"

namespace fd {

// Metadata of one model input or output, as the JavaScript API reports it.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  QuantParams quant;  // empty for float tensors
};

// Owns one prepared model. A failed load leaves the runner empty (not loaded) but usable.
class ModelRunner {
 public:
  // Parses `size` bytes of a .tflite file and prepares it; replaces any model loaded before.
  // `options.profile` times every node (profile()).
  Status load(const uint8_t* data, size_t size, const InterpreterOptions& options = InterpreterOptions());
  // Runs the model once on the current input tensors; fails when no model is loaded.
  Status invoke();
  // Frees the model (tensors, arena).
  void unload() { interp_.reset(); }

  bool loaded() const { return interp_ != nullptr; }
  int num_inputs() const { return interp_ ? interp_->num_inputs() : 0; }
  int num_outputs() const { return interp_ ? interp_->num_outputs() : 0; }
  // True when `i` names an existing input (is_input) or output.
  bool valid_index(bool is_input, int i) const;
  // Name, dtype, shape and quantization of input/output `i` (valid_index must hold).
  TensorInfo tensor_info(bool is_input, int i) const;
  // The data of input/output `i`: writable for inputs, read after invoke for outputs.
  uint8_t* tensor_data(bool is_input, int i);
  // Bytes of input/output `i`.
  size_t tensor_bytes(bool is_input, int i) const;
  // Bytes of the activation arena (0 when not loaded).
  size_t arena_bytes() const { return interp_ ? interp_->arena_bytes() : 0; }
  // The per-node profile of the invokes since load or reset_profile() (api/profile.h); false
  // when no model is loaded.
  bool profile(ModelProfile* out) const;
  void reset_profile() {
    if (interp_) interp_->reset_profile();
  }

 private:
  std::unique_ptr<Interpreter> interp_;
};

}  // namespace fd
