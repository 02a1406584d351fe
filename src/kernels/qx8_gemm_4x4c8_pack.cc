// Prepare-time packing of 8-bit GEMM weights into int16 tiles (4x4c8, 4x8c2).
#include "kernels/conv.h"

namespace fd {

void qx8_gemm_i16_pack(size_t nr, size_t kr, size_t n, size_t k, const uint8_t* w, bool w_unsigned,
                       const int32_t* w_zp, bool w_zp_per_channel, int16_t* packed, int32_t* row_sums) {
  const size_t kp = round_up_multiple(k, kr);
  const size_t tiles = round_up_multiple(n, nr) / nr;
  auto value = [&](size_t ch, size_t kidx) {
    const uint8_t raw = w[ch * k + kidx];
    const int32_t q = w_unsigned ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
    return q - w_zp[w_zp_per_channel ? ch : 0];
  };
  for (size_t t = 0; t < tiles; ++t) {
    for (size_t kb = 0; kb < kp; kb += kr) {
      for (size_t j = 0; j < nr; ++j) {
        const size_t ch = t * nr + j;
        for (size_t kk = 0; kk < kr; ++kk) {
          const size_t kidx = kb + kk;
          *packed++ = static_cast<int16_t>(ch < n && kidx < k ? value(ch, kidx) : 0);
        }
      }
    }
  }
  for (size_t ch = 0; ch < n; ++ch) {
    int32_t sum = 0;
    for (size_t kidx = 0; kidx < k; ++kidx) sum += value(ch, kidx);
    row_sums[ch] = sum;
  }
}

void qx8_gemm_4x4c8_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
                         bool w_zp_per_channel, int16_t* packed, int32_t* row_sums) {
  qx8_gemm_i16_pack(kQGemmNR, kQGemmKR, n, k, w, w_unsigned, w_zp, w_zp_per_channel, packed, row_sums);
}

}  // namespace fd
