// Fuzz target: encoded image bytes (JPEG, PNG, BMP) through decode_image.
#include <cstddef>
#include <cstdint>

#include "vision/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fd::Image image;
  if (fd::decode_image(data, size, &image).ok()) {
    // A decoded image keeps the documented limits and holds exactly its RGB pixels.
    const int64_t pixels = static_cast<int64_t>(image.width) * image.height;
    if (image.channels != 3 || image.width < 1 || image.height < 1 || image.width > fd::kMaxImageSide ||
        image.height > fd::kMaxImageSide || pixels > fd::kMaxImagePixels ||
        image.pixels.size() != static_cast<size_t>(pixels) * 3) {
      __builtin_trap();
    }
  }
  return 0;
}
