// Scalar float softmax over the last axis, like TFLite's reference (see kernels/pooling.h).
#include <cmath>

#include "kernels/pooling.h"

namespace fd {

void f32_softmax_ref(const float* input, size_t rows, size_t cols, float beta, float* output) {
  for (size_t r = 0; r < rows; ++r) {
    const float* x = input + r * cols;
    float* y = output + r * cols;
    float mx = x[0];
    for (size_t c = 1; c < cols; ++c) mx = x[c] > mx ? x[c] : mx;
    float sum = 0.0f;
    for (size_t c = 0; c < cols; ++c) {
      y[c] = std::exp((x[c] - mx) * beta);
      sum += y[c];
    }
    for (size_t c = 0; c < cols; ++c) y[c] = y[c] / sum;
  }
}

}  // namespace fd
