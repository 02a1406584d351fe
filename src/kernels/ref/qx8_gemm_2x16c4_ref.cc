// Scalar references of the quantized 2x16c4 GEMM in its two activation domains (the contract
// lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {
namespace {

// `reads_unsigned`: every activation byte is read as uint8, else as int8.
void gemm_2x16c4(bool reads_unsigned, size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                 const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                 const QConvParams& params) {
  const size_t kp = round_up_multiple(k, kQGemm16KR);
  const RequantParams& rq = params.rq;
  const uint8_t flip = static_cast<uint8_t>((params.is_unsigned == reads_unsigned ? 0 : 0x80) ^ params.a_xor);
  for (size_t row = 0; row < m; ++row) {
    const uint8_t* arow = a + row * a_stride;
    uint8_t* crow = c + row * c_stride;
    for (size_t ch = 0; ch < n; ++ch) {
      const int8_t* wt = packed_w + (ch / kQGemm16NR) * kp * kQGemm16NR;  // [kp/4, 16, 4]
      const size_t j = ch % kQGemm16NR;
      int32_t acc = bias[ch];
      for (size_t kidx = 0; kidx < k; ++kidx) {
        const uint8_t byte = static_cast<uint8_t>(arow[kidx] ^ flip);
        const int32_t x = reads_unsigned ? static_cast<int32_t>(byte) : static_cast<int32_t>(static_cast<int8_t>(byte));
        const int8_t wv = wt[(kidx / kQGemm16KR) * kQGemm16NR * kQGemm16KR + j * kQGemm16KR + kidx % kQGemm16KR];
        acc += x * static_cast<int32_t>(wv);
      }
      const float scale = rq.per_tensor ? rq.scale[0] : rq.scale[ch];
      crow[ch] = static_cast<uint8_t>(requantize(acc, scale, rq.output_zero_point, rq.qmin, rq.qmax));
    }
  }
}

}  // namespace

void qx8_gemm_2x16c4_usdot_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                               const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                               const QConvParams& params) {
  gemm_2x16c4(true, m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

void qx8_gemm_2x16c4_sdot_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                              const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                              const QConvParams& params) {
  gemm_2x16c4(false, m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

}  // namespace fd
