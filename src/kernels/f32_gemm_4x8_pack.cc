// Prepare-time packing of float GEMM weights into the 4x8 tile layout.
#include "kernels/conv.h"

namespace fd {

void f32_gemm_4x8_pack(size_t n, size_t k, const float* w, float* packed) {
  const size_t tiles = round_up_multiple(n, kFGemmNR) / kFGemmNR;
  for (size_t t = 0; t < tiles; ++t) {
    for (size_t kidx = 0; kidx < k; ++kidx) {
      for (size_t j = 0; j < kFGemmNR; ++j) {
        const size_t ch = t * kFGemmNR + j;
        *packed++ = ch < n ? w[ch * k + kidx] : 0.0f;
      }
    }
  }
}

}  // namespace fd
