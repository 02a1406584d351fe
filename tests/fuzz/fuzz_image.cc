// Fuzz target: encoded image bytes (JPEG, PNG, BMP) through decode_image.
#include <cstddef>
#include <cstdint>

#include "vision/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fd::Image image;
  (void)fd::decode_image(data, size, &image);
  return 0;
}
