// im2col over bytes: one row of kernel taps per output pixel (the contract lives in kernels/conv.h).
#include <cstring>

#include "kernels/conv.h"

namespace fd {

void x8_im2col_ref(const uint8_t* in, size_t pixel_bytes, const ConvGeometry& g, size_t first,
                   size_t count, uint8_t pad_byte, size_t row_stride, uint8_t* out) {
  const size_t row_bytes = g.kernel_h * g.kernel_w * pixel_bytes;
  for (size_t p = first; p < first + count; ++p) {
    uint8_t* row_end = out + row_stride;
    const size_t oy = p / g.out_w, ox = p % g.out_w;
    for (size_t ky = 0; ky < g.kernel_h; ++ky) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) -
                           static_cast<ptrdiff_t>(g.pad_top);
      const bool row_in = iy >= 0 && iy < static_cast<ptrdiff_t>(g.in_h);
      for (size_t kx = 0; kx < g.kernel_w; ++kx) {
        const ptrdiff_t ix = static_cast<ptrdiff_t>(ox * g.stride_w + kx * g.dilation_w) -
                             static_cast<ptrdiff_t>(g.pad_left);
        if (row_in && ix >= 0 && ix < static_cast<ptrdiff_t>(g.in_w)) {
          std::memcpy(out, in + (static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * pixel_bytes,
                      pixel_bytes);
        } else {
          std::memset(out, pad_byte, pixel_bytes);
        }
        out += pixel_bytes;
      }
    }
    std::memset(out, pad_byte, row_stride - row_bytes);
    out = row_end;
  }
}

}  // namespace fd
