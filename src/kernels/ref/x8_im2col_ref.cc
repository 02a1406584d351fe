// im2col over bytes: one row of kernel taps per output pixel (the contract lives in kernels/conv.h).
// Windows inside the image with dilation 1 along x copy one contiguous run per kernel row, in a
// loop over the interior of each output row; the others go tap by tap. Short copies use
// fixed-size loads and stores instead of memcpy calls.
#include "kernels/conv.h"
#include "kernels/small_copy.h"

namespace fd {
namespace {

// One im2col row for output pixel (oy, ox), any geometry: taps outside the image get the pad byte.
void im2col_pixel(const uint8_t* in, size_t pixel_bytes, const ConvGeometry& g, size_t oy, size_t ox,
                  uint8_t pad_byte, uint64_t mask, uint8_t* o) {
  const size_t run_bytes = g.kernel_w * pixel_bytes;  // one kernel row, contiguous when dilation_w == 1
  const size_t in_row = g.in_w * pixel_bytes;
  const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
  const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * g.stride_w) - static_cast<ptrdiff_t>(g.pad_left);
  const bool x_inside = g.dilation_w == 1 && ix0 >= 0 &&
                        ix0 + static_cast<ptrdiff_t>(g.kernel_w) <= static_cast<ptrdiff_t>(g.in_w);
  for (size_t ky = 0; ky < g.kernel_h; ++ky) {
    const ptrdiff_t iy = iy0 + static_cast<ptrdiff_t>(ky * g.dilation_h);
    if (iy < 0 || iy >= static_cast<ptrdiff_t>(g.in_h)) {
      fill_bytes(o, pad_byte, run_bytes);
      o += run_bytes;
      continue;
    }
    const uint8_t* row = in + static_cast<size_t>(iy) * in_row;
    if (x_inside) {
      copy_bytes(o, row + static_cast<size_t>(ix0) * pixel_bytes, run_bytes, mask);
      o += run_bytes;
      continue;
    }
    for (size_t kx = 0; kx < g.kernel_w; ++kx) {
      const ptrdiff_t ix = ix0 + static_cast<ptrdiff_t>(kx * g.dilation_w);
      if (ix >= 0 && ix < static_cast<ptrdiff_t>(g.in_w)) {
        copy_bytes(o, row + static_cast<size_t>(ix) * pixel_bytes, pixel_bytes, mask);
      } else {
        fill_bytes(o, pad_byte, pixel_bytes);
      }
      o += pixel_bytes;
    }
  }
}

}  // namespace

// Output rows whose windows lie inside the image along y take, over their interior columns, a
// tight loop that copies one contiguous run per kernel row; every other pixel goes through
// im2col_pixel.
void x8_im2col_ref(const uint8_t* in, size_t pixel_bytes, const ConvGeometry& g, size_t first,
                   size_t count, uint8_t pad_byte, size_t row_stride, uint8_t* out, uint8_t xor_mask) {
  const uint64_t mask = 0x0101010101010101ull * xor_mask;
  pad_byte ^= xor_mask;
  const size_t row_bytes = g.kernel_h * g.kernel_w * pixel_bytes;
  const size_t tail_bytes = row_stride - row_bytes;
  const size_t run_bytes = g.kernel_w * pixel_bytes;
  const size_t in_row = g.in_w * pixel_bytes;
  size_t lo = 0, hi = 0;
  if (g.dilation_w == 1) interior_columns(g, &lo, &hi);
  size_t oy = first / g.out_w, ox = first % g.out_w;
  for (size_t p = 0; p < count;) {
    const size_t end = ox + (g.out_w - ox < count - p ? g.out_w - ox : count - p);
    const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
    const bool y_inside = interior_row(g, oy);
    while (ox < end) {
      const size_t stop = y_inside && ox >= lo && ox < hi ? (end < hi ? end : hi) : ox;
      if (stop == ox) {
        im2col_pixel(in, pixel_bytes, g, oy, ox, pad_byte, mask, out);
        fill_bytes(out + row_bytes, pad_byte, tail_bytes);
        out += row_stride;
        ++ox;
        ++p;
        continue;
      }
      const uint8_t* src = in + static_cast<size_t>(iy0) * in_row + (ox * g.stride_w - g.pad_left) * pixel_bytes;
      const size_t src_step = g.stride_w * pixel_bytes;
      const size_t ky_step = g.dilation_h * in_row;
      p += stop - ox;
      for (; ox < stop; ++ox, src += src_step, out += row_stride) {
        const uint8_t* s = src;
        uint8_t* o = out;
        for (size_t ky = 0; ky < g.kernel_h; ++ky, s += ky_step, o += run_bytes) copy_bytes(o, s, run_bytes, mask);
        fill_bytes(o, pad_byte, tail_bytes);
      }
    }
    ox = 0;
    ++oy;
  }
}

}  // namespace fd
