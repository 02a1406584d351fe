// Scalar references of the tap-quad depthwise convolution in its two activation domains (the
// contract lives in kernels/conv.h).
#include "kernels/conv.h"
#include "kernels/dw_taps.h"

namespace fd {
namespace {

void dwconv(bool reads_unsigned, const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
            const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const size_t taps = g.kernel_h * g.kernel_w;
  const size_t quads = (taps + 3) / 4;
  const uint8_t flip = params.is_unsigned == reads_unsigned ? 0 : 0x80;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      uint8_t* o = out + (oy * g.out_w + ox) * c;
      for (size_t ch = 0; ch < c; ++ch) {
        const int8_t* wb = packed_w + (ch / kDwQuadBlock) * quads * 4 * kDwQuadBlock;
        const size_t lane = ch % kDwQuadBlock;
        int32_t acc = bias[ch];
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
          for (size_t kx = 0; kx < g.kernel_w; ++kx) {
            const uint8_t raw = dw_tap_byte(in, c, g, zero_row, oy, ox, ky, kx, ch);
            const uint8_t byte = static_cast<uint8_t>(raw ^ flip);
            const int32_t x = reads_unsigned ? static_cast<int32_t>(byte) : static_cast<int32_t>(static_cast<int8_t>(byte));
            const size_t t = ky * g.kernel_w + kx;
            acc += x * wb[(t / 4) * 4 * kDwQuadBlock + lane * 4 + t % 4];
          }
        }
        const float scale = rq.per_tensor ? rq.scale[0] : rq.scale[ch];
        o[ch] = static_cast<uint8_t>(requantize(acc, scale, rq.output_zero_point, rq.qmin, rq.qmax));
      }
    }
  }
}

}  // namespace

void qx8_dwconv_c16q4_usdot_ref(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  dwconv(true, in, c, g, packed_w, bias, zero_row, out, params);
}

void qx8_dwconv_c16q4_sdot_ref(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                               const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  dwconv(false, in, c, g, packed_w, bias, zero_row, out, params);
}

}  // namespace fd
