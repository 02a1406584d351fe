#include <cmath>

#include "kernels/elementwise.h"

namespace fd {

void f32_vunary_ref(UnaryOp op, size_t n, const float* x, float* y, float alpha) {
  switch (op) {
    case UnaryOp::kSqrt:
      for (size_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
      return;
    case UnaryOp::kLogistic:
      for (size_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
      return;
    case UnaryOp::kTanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      return;
    case UnaryOp::kHardSwish:
      // TFLite: x * min(6, max(0, x + 3)) / 6.
      for (size_t i = 0; i < n; ++i) {
        const float r = std::fmin(6.0f, std::fmax(0.0f, x[i] + 3.0f));
        y[i] = x[i] * r / 6.0f;
      }
      return;
    case UnaryOp::kLeakyRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
      return;
  }
}

}  // namespace fd
