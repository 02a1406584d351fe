// The op interface's shared helpers: errors that name the op and node, output shapes, input types.
#include "ops/op.h"

#include <cmath>
#include <string>

#include "core/decimal.h"

namespace fd {

Status NodeContext::error(const std::string& what) const {
  return Status::error(std::string(op_name(node_.code)) + " (node " + std::to_string(index_) +
                       "): " + what);
}

Status NodeContext::unsupported(const std::string& what) const {
  return error(what).with_code(StatusCode::kUnsupported);
}

Status NodeContext::set_output_shape(int i, Shape shape) {
  RTensor& t = output(i);
  const Status s = check_tensor_shape(shape, dtype_size(t.dtype), "output " + std::to_string(i));
  if (!s.ok()) return error(s.message());
  t.shape = std::move(shape);
  t.shape_known = true;
  return Status();
}

Status NodeContext::expect_input_type(int i, std::initializer_list<DType> allowed) {
  DType t = input(i).dtype;
  for (DType a : allowed) {
    if (a == t) return Status();
  }
  std::string names;
  for (DType a : allowed) names += std::string(names.empty() ? "" : ", ") + dtype_name(a);
  return unsupported(std::string("input ") + std::to_string(i) + " has type " + dtype_name(t) +
               ", which featherdet does not support for this op (supported: " + names + ")");
}

Status NodeContext::expect_finite_scale(double scale, const std::string& what) const {
  if (std::isfinite(scale) && std::isfinite(static_cast<float>(scale))) return Status();
  return error(what + " " + format_decimal(scale) + " is out of range: the model's quantization scales overflow it");
}

}  // namespace fd
