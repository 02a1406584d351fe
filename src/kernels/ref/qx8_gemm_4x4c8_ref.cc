// Scalar reference of the quantized 4x4c8 GEMM (the contract lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {

void qx8_gemm_4x4c8_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                        const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                        const QConvParams& params) {
  const size_t kp = round_up_multiple(k, kQGemmKR);
  const RequantParams& rq = params.rq;
  for (size_t row = 0; row < m; ++row) {
    const uint8_t* arow = a + row * a_stride;
    uint8_t* crow = c + row * c_stride;
    for (size_t ch = 0; ch < n; ++ch) {
      const size_t tile = ch / kQGemmNR, j = ch % kQGemmNR;
      const int16_t* wt = packed_w + tile * kp * kQGemmNR;  // [kp/8, 4, 8]
      int32_t acc = bias[ch];
      for (size_t kidx = 0; kidx < k; ++kidx) {
        const int32_t x = params.is_unsigned ? static_cast<int32_t>(arow[kidx])
                                             : static_cast<int32_t>(static_cast<int8_t>(arow[kidx]));
        const int16_t wv = wt[(kidx / kQGemmKR) * kQGemmNR * kQGemmKR + j * kQGemmKR + kidx % kQGemmKR];
        acc += x * static_cast<int32_t>(wv);
      }
      const float scale = rq.per_tensor ? rq.scale[0] : rq.scale[ch];
      crow[ch] = static_cast<uint8_t>(requantize(acc, scale, rq.output_zero_point, rq.qmin, rq.qmax));
    }
  }
}

}  // namespace fd
