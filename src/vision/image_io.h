// Image decoding: JPEG, PNG and BMP bytes to interleaved RGB8 pixels (stb_image).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace fd {

// An interleaved 8-bit image. pixels: [height, width, channels].
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

// Largest width or height decode_image accepts, a guard against hostile headers.
constexpr int kMaxImageSide = 16384;

// Decodes `size` bytes of a JPEG, PNG or BMP file into RGB8 (channels = 3). Fails with a message
// naming the problem (empty input, unsupported format, corrupt data, image too large).
Status decode_image(const uint8_t* data, size_t size, Image* out);

}  // namespace fd
