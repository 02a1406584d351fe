// Scalar references of the quantized leaky ReLU, integer (rndnu) output stage (the contract lives
// in kernels/elementwise.h).
#include "kernels/elementwise.h"

namespace fd {
namespace {

template <typename T>
void vlrelu(size_t n, const T* x, T* y, const QLeakyReluParams& p, int32_t qmin, int32_t qmax) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t d = static_cast<int32_t>(x[i]) - p.input_zero_point;
    int32_t r = p.output_zero_point + ((d * (d >= 0 ? p.pos_multiplier : p.neg_multiplier) + 128) >> 8);
    r = r < qmin ? qmin : (r > qmax ? qmax : r);
    y[i] = static_cast<T>(r);
  }
}

}  // namespace

void qs8_vlrelu_rndnu_ref(size_t n, const int8_t* x, int8_t* y, const QLeakyReluParams& p) {
  vlrelu(n, x, y, p, -128, 127);
}

void qu8_vlrelu_rndnu_ref(size_t n, const uint8_t* x, uint8_t* y, const QLeakyReluParams& p) {
  vlrelu(n, x, y, p, 0, 255);
}

}  // namespace fd
