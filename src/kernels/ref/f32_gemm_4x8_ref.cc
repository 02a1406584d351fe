// Scalar reference of the float 4x8 GEMM (the contract lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {

void f32_gemm_4x8_ref(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                      const float* packed_w, const float* bias, float* c, size_t c_stride,
                      float out_min, float out_max) {
  for (size_t row = 0; row < m; ++row) {
    const float* arow = a + row * a_stride;
    float* crow = c + row * c_stride;
    for (size_t ch = 0; ch < n; ++ch) {
      const float* wt = packed_w + (ch / kFGemmNR) * k * kFGemmNR + ch % kFGemmNR;  // stride 8 in k
      float acc = bias[ch];
      for (size_t kidx = 0; kidx < k; ++kidx) {
        const float prod = arow[kidx] * wt[kidx * kFGemmNR];
        acc = acc + prod;
      }
      acc = acc < out_min ? out_min : acc;
      acc = acc > out_max ? out_max : acc;
      crow[ch] = acc;
    }
  }
}

}  // namespace fd
