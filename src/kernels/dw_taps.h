// Tap pointers of the depthwise kernels that read taps outside the image from a zero-point row.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv.h"

namespace fd {

// Offsets (bytes) of each tap (ky, kx) from the window's top-left pixel, for an image with `c`
// channels: off [kernel_h * kernel_w].
inline void dw_tap_offsets(const ConvGeometry& g, size_t c, ptrdiff_t* off) {
  for (size_t ky = 0, t = 0; ky < g.kernel_h; ++ky) {
    for (size_t kx = 0; kx < g.kernel_w; ++kx, ++t) {
      off[t] = static_cast<ptrdiff_t>((ky * g.dilation_h * g.in_w + kx * g.dilation_w) * c);
    }
  }
}

// ptr[t] = the input pixel under tap t of output pixel (oy, ox), or `zero_row` where the tap
// falls outside the image; windows entirely inside take the offsets from dw_tap_offsets.
inline void dw_tap_pointers(const uint8_t* in, size_t c, const ConvGeometry& g, size_t oy, size_t ox,
                            const ptrdiff_t* off, const uint8_t* zero_row, const uint8_t** ptr) {
  const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
  const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * g.stride_w) - static_cast<ptrdiff_t>(g.pad_left);
  const ptrdiff_t last_y = iy0 + static_cast<ptrdiff_t>((g.kernel_h - 1) * g.dilation_h);
  const ptrdiff_t last_x = ix0 + static_cast<ptrdiff_t>((g.kernel_w - 1) * g.dilation_w);
  const size_t taps = g.kernel_h * g.kernel_w;
  if (iy0 >= 0 && ix0 >= 0 && last_y < static_cast<ptrdiff_t>(g.in_h) && last_x < static_cast<ptrdiff_t>(g.in_w)) {
    const uint8_t* origin = in + (static_cast<size_t>(iy0) * g.in_w + static_cast<size_t>(ix0)) * c;
    for (size_t t = 0; t < taps; ++t) ptr[t] = origin + off[t];
    return;
  }
  for (size_t ky = 0, t = 0; ky < g.kernel_h; ++ky) {
    const ptrdiff_t iy = iy0 + static_cast<ptrdiff_t>(ky * g.dilation_h);
    const bool row_in = iy >= 0 && iy < static_cast<ptrdiff_t>(g.in_h);
    for (size_t kx = 0; kx < g.kernel_w; ++kx, ++t) {
      const ptrdiff_t ix = ix0 + static_cast<ptrdiff_t>(kx * g.dilation_w);
      ptr[t] = row_in && ix >= 0 && ix < static_cast<ptrdiff_t>(g.in_w)
                   ? in + (static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * c
                   : zero_row;
    }
  }
}

// True when `bytes` bytes from `offset` past every tap pointer can be read: inside the image
// [in, in_end) or inside the zero-point row, which holds kDwZeroRowSlack bytes past the channels.
// The SIMD kernels then read a whole vector for a last partial channel block (the lanes past the
// channels meet zero weights) instead of copying each tap's bytes.
inline bool dw_taps_readable(const uint8_t* const* ptr, size_t taps, size_t offset, size_t bytes,
                             const uint8_t* in_end, const uint8_t* zero_row) {
  const uintptr_t end = reinterpret_cast<uintptr_t>(in_end);
  bool ok = true;
  for (size_t t = 0; t < taps; ++t) {
    ok &= ptr[t] == zero_row || reinterpret_cast<uintptr_t>(ptr[t]) + offset + bytes <= end;
  }
  return ok;
}

// The byte of channel `ch` under tap (ky, kx) of output pixel (oy, ox), or zero_row[ch] where the
// tap falls outside the image (the scalar form of dw_tap_pointers).
inline uint8_t dw_tap_byte(const uint8_t* in, size_t c, const ConvGeometry& g, const uint8_t* zero_row, size_t oy,
                           size_t ox, size_t ky, size_t kx, size_t ch) {
  const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * g.stride_h + ky * g.dilation_h) - static_cast<ptrdiff_t>(g.pad_top);
  const ptrdiff_t ix = static_cast<ptrdiff_t>(ox * g.stride_w + kx * g.dilation_w) - static_cast<ptrdiff_t>(g.pad_left);
  const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<ptrdiff_t>(g.in_h) && ix < static_cast<ptrdiff_t>(g.in_w);
  return inside ? in[(static_cast<size_t>(iy) * g.in_w + static_cast<size_t>(ix)) * c + ch] : zero_row[ch];
}

// Windows the sliding 3x3 depthwise kernels (QDwconvUkernel::run_3x3s1) take.
inline bool dw_3x3s1_eligible(const ConvGeometry& g, size_t channels) {
  return g.kernel_h == 3 && g.kernel_w == 3 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 &&
         g.dilation_w == 1 && channels >= 16;
}

// A tap of zero weights in the tap orders below.
constexpr uint8_t kDwZeroTap = 9;
// The taps (ky * 3 + kx, or kDwZeroTap) whose weights the sliding 3x3 kernels' packings take, in
// order. Relaxed SIMD, in quads: for kx = 0, 1, 2 the column's taps (0, kx), (1, kx), (2, kx) and
// a zero tap.
constexpr uint8_t kDw3x3s1QuadOrder[12] = {0, 3, 6, kDwZeroTap, 1, 4, 7, kDwZeroTap, 2, 5, 8, kDwZeroTap};
// SIMD128, in pairs: rows 0 and 1 of columns 0, 1 and 2, then row 2 of columns 0 and 1, then
// (2, 2) (the packing pads its partner with zero weights).
constexpr uint8_t kDw3x3s1PairOrder[9] = {0, 3, 1, 4, 2, 5, 6, 7, 8};

// The 3x3 weights w [9, cp] (taps in row-major order, `cp` int16 per tap) as the `n` taps of
// `order`: out [n, cp].
inline void dw_3x3_ordered_taps(size_t cp, const int16_t* w, const uint8_t* order, size_t n, int16_t* out) {
  for (size_t t = 0; t < n; ++t) {
    for (size_t c = 0; c < cp; ++c) out[t * cp + c] = order[t] == kDwZeroTap ? 0 : w[order[t] * cp + c];
  }
}

}  // namespace fd
