// Prepare-time packing of 8-bit GEMM weights into the int8 2x16c4 tile layout.
#include "kernels/conv.h"

namespace fd {

size_t qx8_gemm_2x16c4_packed_bytes(size_t n, size_t k) {
  return round_up_multiple(n, kQGemm16NR) * round_up_multiple(k, kQGemm16KR);
}

bool qx8_gemm_2x16c4_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
                          int8_t* packed, int32_t* row_sums) {
  const size_t kp = round_up_multiple(k, kQGemm16KR);
  const size_t tiles = round_up_multiple(n, kQGemm16NR) / kQGemm16NR;
  for (size_t ch = 0; ch < n; ++ch) row_sums[ch] = 0;
  for (size_t t = 0; t < tiles; ++t) {
    for (size_t kb = 0; kb < kp; kb += kQGemm16KR) {
      for (size_t j = 0; j < kQGemm16NR; ++j) {
        const size_t ch = t * kQGemm16NR + j;
        for (size_t kk = 0; kk < kQGemm16KR; ++kk) {
          const size_t kidx = kb + kk;
          int32_t v = 0;
          if (ch < n && kidx < k) {
            const uint8_t raw = w[ch * k + kidx];
            const int32_t q = w_unsigned ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
            v = q - w_zp[ch];
            if (v < -128 || v > 127) return false;
            row_sums[ch] += v;
          }
          *packed++ = static_cast<int8_t>(v);
        }
      }
    }
  }
  return true;
}

}  // namespace fd
