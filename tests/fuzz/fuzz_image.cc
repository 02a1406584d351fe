// Fuzz target: encoded image bytes (JPEG, PNG, BMP) through decode_image, into one Image reused
// across inputs as the bindings reuse theirs (stb_image decodes straight into Image::pixels).
#include <cstddef>
#include <cstdint>

#include "vision/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fd::Image image;
  const bool ok = fd::decode_image(data, size, &image).ok();
  const size_t want = ok ? static_cast<size_t>(image.width) * image.height * 3 : 0;
  if (image.pixels.size() != want || (ok && (image.width < 1 || image.height < 1 || image.channels != 3))) {
    __builtin_trap();  // a success must hold exactly its pixels, a failure none
  }
  return 0;
}
