// Scalar reference of the tap-pair depthwise convolution (the contract lives in kernels/conv.h).
#include "kernels/conv.h"
#include "kernels/dw_taps.h"

namespace fd {

void qx8_dwconv_c8p2_ref(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w,
                         const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const size_t taps = g.kernel_h * g.kernel_w;
  const size_t pairs = (taps + 1) / 2;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      uint8_t* o = out + (oy * g.out_w + ox) * c;
      for (size_t ch = 0; ch < c; ++ch) {
        const int16_t* wb = packed_w + (ch / kDwChannelBlock) * pairs * 2 * kDwChannelBlock;
        const size_t lane = ch % kDwChannelBlock;
        int32_t acc = bias[ch];
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
          for (size_t kx = 0; kx < g.kernel_w; ++kx) {
            const uint8_t raw = dw_tap_byte(in, c, g, zero_row, oy, ox, ky, kx, ch);
            const int32_t x = params.is_unsigned ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
            const size_t t = ky * g.kernel_w + kx;
            acc += x * wb[(t / 2) * 2 * kDwChannelBlock + lane * 2 + t % 2];
          }
        }
        const float scale = rq.per_tensor ? rq.scale[0] : rq.scale[ch];
        o[ch] = static_cast<uint8_t>(requantize(acc, scale, rq.output_zero_point, rq.qmin, rq.qmax));
      }
    }
  }
}

}  // namespace fd
