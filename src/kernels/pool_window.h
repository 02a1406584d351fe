// The window walk of the pooling kernels, shared by the ref and wasmsimd max / average pooling
// kernels (ref/maxpool_ref.cc, ref/f32_avgpool_ref.cc, ref/qx8_avgpool_ref.cc and their wasmsimd
// twins), so every variant visits the same in-bounds taps in the same order.
#pragma once

#include <cstddef>

#include "kernels/pooling.h"

namespace fd {

// In-bounds tap range [start, end) of a window starting at `origin` over an axis of `size`.
inline void pool_window_range(ptrdiff_t origin, size_t filter, size_t size, size_t* start, size_t* end) {
  ptrdiff_t s = origin < 0 ? -origin : 0;
  ptrdiff_t e = static_cast<ptrdiff_t>(size) - origin;
  if (e > static_cast<ptrdiff_t>(filter)) e = static_cast<ptrdiff_t>(filter);
  *start = static_cast<size_t>(s);
  *end = e > s ? static_cast<size_t>(e) : static_cast<size_t>(s);
}

// Visits every output pixel: body(out_pixel, base, fy0, fy1, fx0, fx1) gets the output pixel
// index, the input pixel index of window tap (0, 0) and the in-bounds tap ranges.
template <typename Body>
void for_each_pool_window(const Pool2DParams& p, Body body) {
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t oy = 0; oy < p.out_h; ++oy) {
      const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * p.stride_h) - static_cast<ptrdiff_t>(p.pad_top);
      size_t fy0, fy1;
      pool_window_range(iy0, p.filter_h, p.in_h, &fy0, &fy1);
      for (size_t ox = 0; ox < p.out_w; ++ox) {
        const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * p.stride_w) - static_cast<ptrdiff_t>(p.pad_left);
        size_t fx0, fx1;
        pool_window_range(ix0, p.filter_w, p.in_w, &fx0, &fx1);
        const size_t out_pixel = (b * p.out_h + oy) * p.out_w + ox;
        // Input pixel index of tap (fy, fx) = base + fy * in_w + fx.
        const ptrdiff_t base = (static_cast<ptrdiff_t>(b * p.in_h) + iy0) * static_cast<ptrdiff_t>(p.in_w) + ix0;
        body(out_pixel, base, fy0, fy1, fx0, fx1);
      }
    }
  }
}

}  // namespace fd
