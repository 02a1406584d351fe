// Bilinear resizing of interleaved 8-bit images with half-pixel centers.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace fd {

// Resizes src [sh, sw, channels] into dst [dh, dw, channels] bilinearly with half-pixel centers
// (source coordinate = (d + 0.5) * s / d - 0.5, clamped at the borders, as OpenCV INTER_LINEAR
// and TF's half_pixel_centers), rounding to nearest. Fails on non-positive sizes or channels
// outside 1..4. src and dst must not overlap.
Status resize_bilinear_u8(const uint8_t* src, int sw, int sh, int channels, uint8_t* dst, int dw, int dh);

}  // namespace fd
