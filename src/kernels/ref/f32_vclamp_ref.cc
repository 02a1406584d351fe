#include "kernels/elementwise.h"

namespace fd {

void f32_vclamp_ref(size_t n, const float* x, float* y, const F32MinMaxParams& p) {
  for (size_t i = 0; i < n; ++i) {
    float v = x[i] < p.min ? p.min : x[i];
    y[i] = v > p.max ? p.max : v;
  }
}

}  // namespace fd
