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

// Largest width or height, and width x height, decode_image accepts: guards against hostile
// headers (decompression bombs), checked before anything is allocated.
constexpr int kMaxImageSide = 16384;
constexpr int64_t kMaxImagePixels = 40000000;

// Decodes `size` bytes of a JPEG, PNG or BMP file into RGB8 (channels = 3), writing the pixels once,
// straight into out->pixels. The file's structure is validated first (JPEG markers and tables, PNG
// chunks, BMP header against the file size). Fails with a message naming the problem (empty input,
// unsupported format, corrupt data, image too large); out is then left empty.
Status decode_image(const uint8_t* data, size_t size, Image* out);

}  // namespace fd
