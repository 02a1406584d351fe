// Clamp ranges of fused activations (NONE, RELU, RELU_N1_TO_1, RELU6), the one place every op
// with a fused activation gets them from: float bounds, quantized bounds for an output's scale
// and zero point, int32 bounds.
#pragma once

#include <cstdint>

#include "core/dtype.h"
#include "core/status.h"
#include "model/graph.h"
#include "ops/op.h"

namespace fd {

// Name of a fused activation ("RELU6").
const char* activation_name(Activation act);

// Float clamp bounds (+-inf where unbounded). Fails for TANH / SIGN_BIT, naming the activation.
Status float_activation_range(const NodeContext& ctx, Activation act, float* lo, float* hi);

// Int32 clamp bounds. Fails as float_activation_range does.
Status int_activation_range(const NodeContext& ctx, Activation act, int32_t* lo, int32_t* hi);

// Quantized clamp bounds [qmin, qmax] on an output of type `t` with `scale` and `zero_point`, as
// TFLite computes them (bounds rounded half away from zero, intersected with the type's range,
// clamped before the integer conversion so a tiny scale cannot overflow). Fails as
// float_activation_range does, and when the activation leaves no representable value.
Status quant_activation_range(const NodeContext& ctx, Activation act, DType t, float scale, int32_t zero_point,
                              int32_t* qmin, int32_t* qmax);

}  // namespace fd
