// Prepare-time packing of 8-bit GEMM weights into the int16 4x4c8 tile layout.
#include "kernels/conv.h"

namespace fd {

void qx8_gemm_4x4c8_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
                         bool w_zp_per_channel, int16_t* packed, int32_t* row_sums) {
  const size_t kp = round_up_multiple(k, kQGemmKR);
  const size_t tiles = round_up_multiple(n, kQGemmNR) / kQGemmNR;
  for (size_t t = 0; t < tiles; ++t) {
    for (size_t kb = 0; kb < kp; kb += kQGemmKR) {
      for (size_t j = 0; j < kQGemmNR; ++j) {
        const size_t ch = t * kQGemmNR + j;
        for (size_t kk = 0; kk < kQGemmKR; ++kk) {
          const size_t kidx = kb + kk;
          int32_t v = 0;
          if (ch < n && kidx < k) {
            const uint8_t raw = w[ch * k + kidx];
            const int32_t q = w_unsigned ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
            v = q - w_zp[w_zp_per_channel ? ch : 0];
          }
          *packed++ = static_cast<int16_t>(v);
        }
      }
    }
  }
  for (size_t ch = 0; ch < n; ++ch) {
    int32_t sum = 0;
    for (size_t kidx = 0; kidx < k; ++kidx) {
      const uint8_t raw = w[ch * k + kidx];
      const int32_t q = w_unsigned ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
      sum += q - w_zp[w_zp_per_channel ? ch : 0];
    }
    row_sums[ch] = sum;
  }
}

}  // namespace fd
