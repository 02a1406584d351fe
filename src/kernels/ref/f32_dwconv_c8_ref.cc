// Scalar reference of the float depthwise convolution (the contract lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {

void f32_dwconv_c8_ref(const float* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                       const float* w, const float* bias, float* out, float out_min, float out_max) {
  const size_t c_out = c_in * depth_multiplier;
  const size_t cp = round_up_multiple(c_out, kDwChannelBlock);
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      float* o = out + (oy * g.out_w + ox) * c_out;
      for (size_t oc = 0; oc < c_out; ++oc) {
        const size_t ic = oc / depth_multiplier;
        float acc = bias[oc];
        for (size_t ky = 0; ky < g.kernel_h; ++ky) {
          const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) -
                               static_cast<ptrdiff_t>(g.pad_top);
          if (iy < 0 || iy >= static_cast<ptrdiff_t>(g.in_h)) continue;
          for (size_t kx = 0; kx < g.kernel_w; ++kx) {
            const ptrdiff_t ix = static_cast<ptrdiff_t>(ox * g.stride_w + kx * g.dilation_w) -
                                 static_cast<ptrdiff_t>(g.pad_left);
            if (ix < 0 || ix >= static_cast<ptrdiff_t>(g.in_w)) continue;
            const float x = in[(static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * c_in + ic];
            const float prod = x * w[(ky * g.kernel_w + kx) * cp + oc];
            acc = acc + prod;
          }
        }
        acc = acc < out_min ? out_min : acc;
        acc = acc > out_max ? out_max : acc;
        o[oc] = acc;
      }
    }
  }
}

}  // namespace fd
