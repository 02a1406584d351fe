// Scalar reference of the quantized depthwise convolution (the contract lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {

void qx8_dwconv_c8_ref(const uint8_t* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                       const int16_t* w, const int32_t* bias, int32_t input_zp, uint8_t* out,
                       const QConvParams& params) {
  const size_t c_out = c_in * depth_multiplier;
  const size_t cp = round_up_multiple(c_out, kDwChannelBlock);
  const RequantParams& rq = params.rq;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      uint8_t* o = out + (oy * g.out_w + ox) * c_out;
      for (size_t oc = 0; oc < c_out; ++oc) {
        const size_t ic = oc / depth_multiplier;
        int32_t acc = bias[oc];
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
          const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) -
                               static_cast<ptrdiff_t>(g.pad_top);
          if (iy < 0 || iy >= static_cast<ptrdiff_t>(g.in_h)) continue;
          for (size_t kx = 0; kx < g.kernel_w; ++kx) {
            const ptrdiff_t ix = static_cast<ptrdiff_t>(ox * g.stride_w + kx * g.dilation_w) -
                                 static_cast<ptrdiff_t>(g.pad_left);
            if (ix < 0 || ix >= static_cast<ptrdiff_t>(g.in_w)) continue;
            const uint8_t raw = in[(static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * c_in + ic];
            const int32_t x = params.is_unsigned ? static_cast<int32_t>(raw)
                                                 : static_cast<int32_t>(static_cast<int8_t>(raw));
            acc += (x - input_zp) * static_cast<int32_t>(w[(ky * g.kernel_w + kx) * cp + oc]);
          }
        }
        const float scale = rq.per_tensor ? rq.scale[0] : rq.scale[oc];
        o[oc] = static_cast<uint8_t>(requantize(acc, scale, rq.output_zero_point, rq.qmin, rq.qmax));
      }
    }
  }
}

}  // namespace fd
