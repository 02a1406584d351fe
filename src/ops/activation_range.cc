#include "ops/activation_range.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/quant.h"

namespace fd {

const char* activation_name(Activation act) {
  switch (act) {
    case Activation::kNone: return "NONE";
    case Activation::kRelu: return "RELU";
    case Activation::kReluN1To1: return "RELU_N1_TO_1";
    case Activation::kRelu6: return "RELU6";
    case Activation::kTanh: return "TANH";
    case Activation::kSignBit: return "SIGN_BIT";
  }
  return "UNKNOWN";
}

Status float_activation_range(const NodeContext& ctx, Activation act, float* lo, float* hi) {
  const float inf = std::numeric_limits<float>::infinity();
  switch (act) {
    case Activation::kNone: *lo = -inf; *hi = inf; return Status();
    case Activation::kRelu: *lo = 0.0f; *hi = inf; return Status();
    case Activation::kReluN1To1: *lo = -1.0f; *hi = 1.0f; return Status();
    case Activation::kRelu6: *lo = 0.0f; *hi = 6.0f; return Status();
    default: break;
  }
  return ctx.unsupported(std::string("fused activation ") + activation_name(act) +
                   " is not supported (supported: NONE, RELU, RELU_N1_TO_1, RELU6)");
}

Status int_activation_range(const NodeContext& ctx, Activation act, int32_t* lo, int32_t* hi) {
  float flo = 0, fhi = 0;
  FD_RETURN_IF_ERROR(float_activation_range(ctx, act, &flo, &fhi));
  *lo = std::isfinite(flo) ? static_cast<int32_t>(flo) : INT32_MIN;
  *hi = std::isfinite(fhi) ? static_cast<int32_t>(fhi) : INT32_MAX;
  return Status();
}

Status quant_activation_range(const NodeContext& ctx, Activation act, DType t, float scale, int32_t zero_point,
                              int32_t* qmin, int32_t* qmax) {
  float lo = 0, hi = 0;
  FD_RETURN_IF_ERROR(float_activation_range(ctx, act, &lo, &hi));
  const double tmin = dtype_qmin(t), tmax = dtype_qmax(t);
  // The quantized bound (float division, as TFLite), clamped to the type's range before it
  // becomes an integer: with a tiny scale the quotient may be huge or infinite.
  auto bound = [&](float v) {
    return std::min(std::max(zero_point + static_cast<double>(std::round(v / scale)), tmin), tmax);
  };
  *qmin = static_cast<int32_t>(std::isfinite(lo) ? bound(lo) : tmin);
  *qmax = static_cast<int32_t>(std::isfinite(hi) ? bound(hi) : tmax);
  if (*qmin > *qmax) return ctx.error("fused activation leaves an empty output range");
  return Status();
}

}  // namespace fd
