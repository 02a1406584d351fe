// Scalar references of the quantized GEMMs on int16 tiles, 4x4c8 and 4x8c2 (the contract lives
// in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {
namespace {

// Weights packed by qx8_gemm_i16_pack(kNR, kKR, ...): [ceil(n/kNR), ceil(k/kKR), kNR, kKR].
template <size_t kNR, size_t kKR>
void gemm(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const int16_t* packed_w,
          const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  const size_t kp = round_up_multiple(k, kKR);
  const RequantParams& rq = params.rq;
  for (size_t row = 0; row < m; ++row) {
    const uint8_t* arow = a + row * a_stride;
    uint8_t* crow = c + row * c_stride;
    for (size_t ch = 0; ch < n; ++ch) {
      const size_t tile = ch / kNR, j = ch % kNR;
      const int16_t* wt = packed_w + tile * kp * kNR;
      int32_t acc = bias[ch];
      for (size_t kidx = 0; kidx < k; ++kidx) {
        const int32_t x = params.is_unsigned ? static_cast<int32_t>(arow[kidx])
                                             : static_cast<int32_t>(static_cast<int8_t>(arow[kidx]));
        acc += x * static_cast<int32_t>(wt[(kidx / kKR) * kNR * kKR + j * kKR + kidx % kKR]);
      }
      const float scale = rq.per_tensor ? rq.scale[0] : rq.scale[ch];
      crow[ch] = static_cast<uint8_t>(requantize(acc, scale, rq.output_zero_point, rq.qmin, rq.qmax));
    }
  }
}

}  // namespace

void qx8_gemm_4x4c8_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                        const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                        const QConvParams& params) {
  gemm<kQGemmNR, kQGemmKR>(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

void qx8_gemm_4x8c2_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                        const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                        const QConvParams& params) {
  gemm<kQGemmC2NR, kQGemmC2KR>(m, n, k, a, a_stride, packed_w, bias, c, c_stride, params);
}

}  // namespace fd
