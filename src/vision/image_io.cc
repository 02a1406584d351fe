#include "vision/image_io.h"

#include <cstring>
#include <string>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#include "stb/stb_image.h"

namespace fd {
namespace {

// Names the container from its magic bytes, or returns null when it is none of JPEG/PNG/BMP.
const char* sniff_format(const uint8_t* d, size_t n) {
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "JPEG";
  if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return "PNG";
  if (n >= 2 && d[0] == 'B' && d[1] == 'M') return "BMP";
  return nullptr;
}

}  // namespace

Status decode_image(const uint8_t* data, size_t size, Image* out) {
  if (data == nullptr || size == 0) return Status::error("cannot decode image: the data is empty (0 bytes)");
  const char* format = sniff_format(data, size);
  if (format == nullptr) {
    return Status::error("cannot decode image: not a JPEG, PNG or BMP file (unrecognized header)");
  }
  if (size > static_cast<size_t>(INT32_MAX)) return Status::error("cannot decode image: file larger than 2 GB");
  const int len = static_cast<int>(size);
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
    return Status::error(std::string("cannot decode ") + format + " image: " + stbi_failure_reason());
  }
  if (w <= 0 || h <= 0 || w > kMaxImageSide || h > kMaxImageSide) {
    return Status::error(std::string("cannot decode ") + format + " image: size " + std::to_string(w) + "x" +
                         std::to_string(h) + " is outside 1.." + std::to_string(kMaxImageSide));
  }
  stbi_uc* pixels = stbi_load_from_memory(data, len, &w, &h, &comp, 3);
  if (pixels == nullptr) {
    return Status::error(std::string("cannot decode ") + format + " image: " + stbi_failure_reason());
  }
  out->width = w;
  out->height = h;
  out->channels = 3;
  out->pixels.assign(pixels, pixels + static_cast<size_t>(w) * h * 3);
  stbi_image_free(pixels);
  return Status();
}

}  // namespace fd
