// Nearest-neighbor resize of any element type: copies whole pixels (see kernels/resize.h).
#include "kernels/resize.h"
#include "kernels/small_copy.h"

namespace fd {

void xx_resize_nearest_ref(const uint8_t* input, uint8_t* output, size_t batches, size_t in_h, size_t in_w,
                           size_t out_h, size_t out_w, size_t pixel_bytes, const int32_t* src_y,
                           const int32_t* src_x) {
  for (size_t b = 0; b < batches; ++b) {
    for (size_t y = 0; y < out_h; ++y) {
      const uint8_t* row = input + (b * in_h + static_cast<size_t>(src_y[y])) * in_w * pixel_bytes;
      uint8_t* out = output + (b * out_h + y) * out_w * pixel_bytes;
      for (size_t x = 0; x < out_w; ++x) {
        copy_small(out + x * pixel_bytes, row + static_cast<size_t>(src_x[x]) * pixel_bytes, pixel_bytes);
      }
    }
  }
}

}  // namespace fd
