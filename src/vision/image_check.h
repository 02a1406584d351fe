// Validating pre-pass over JPEG, PNG and BMP files, run before stb_image sees a byte: it walks the
// container and rejects what the stb_image release featherdet builds against (Debian's 2.27,
// 2022-09-08) mishandles, and headers that declare more pixels than the file can hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace fd {

// What the pre-pass learned about a file that stb_image may decode.
struct ImageCheck {
  const char* format = nullptr;  // "JPEG", "PNG" or "BMP"
  int width = 0;
  int height = 0;
  // When non-empty, stb_image must decode these bytes instead of the file: a PNG rewritten without
  // zero-length IDAT chunks and with its palette padded to 2^depth entries (same pixels).
  std::vector<uint8_t> repaired;
};

// Checks `size` bytes of what should be a JPEG, PNG or BMP file. Fails with the message
// decode_image reports ("cannot decode PNG image: ..."); fills `out` on success.
Status check_image(const uint8_t* data, size_t size, ImageCheck* out);

}  // namespace fd
