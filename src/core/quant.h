// Quantization parameters and the one requantization used by every kernel (ref and SIMD).
//
// Requantization follows XNNPACK's wasm convention: the int32 accumulator is converted to
// float, multiplied by a float scale, clamped in float to [qmin - zp, qmax - zp], rounded to
// nearest-even and offset by the output zero point. ref and wasmsimd kernels use exactly this
// sequence, so they agree bit-exactly.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/dtype.h"

namespace fd {

// Affine quantization of a tensor: real = scale * (q - zero_point). One entry per tensor, or
// one per slice along `axis` (per-channel weights).
struct QuantParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int32_t axis = 0;
  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

// Output stage of a quantized kernel: float scale per channel (or one), zero point and clamp.
struct RequantParams {
  const float* scale = nullptr;  // [channels] or [1] when per_tensor
  bool per_tensor = true;
  int32_t output_zero_point = 0;
  int32_t qmin = -128;  // clamp in the quantized domain (includes the fused activation)
  int32_t qmax = 127;
  // Every |float(acc) * scale| of this stage is below 2^21 (proven from the weights and bias at
  // prepare): SIMD kernels may round before clamping. Results are the same either way.
  bool bounded = false;
};

// The scalar form of the requantization above. Ops reject scales that are not finite at
// prepare (expect_finite_scale), so x is never NaN here; the clamp is written so that a NaN would
// still land on qmin rather than reach the integer conversion.
inline int32_t requantize(int32_t acc, float scale, int32_t zp, int32_t qmin, int32_t qmax) {
  float x = static_cast<float>(acc) * scale;
  float lo = static_cast<float>(qmin - zp);
  float hi = static_cast<float>(qmax - zp);
  x = x >= lo ? x : lo;
  x = x <= hi ? x : hi;
  return static_cast<int32_t>(std::nearbyint(x)) + zp;
}

// Quantized range of `t` ([-128, 127] for INT8, [0, 255] for UINT8).
inline int32_t dtype_qmin(DType t) { return t == DType::kUInt8 ? 0 : -128; }
inline int32_t dtype_qmax(DType t) { return t == DType::kUInt8 ? 255 : 127; }

}  // namespace fd
