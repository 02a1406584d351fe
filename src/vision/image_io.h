// Image decoding: JPEG, PNG and BMP bytes to interleaved RGB8 pixels (stb_image behind a validating pre-pass).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/status.h"

namespace fd {

// Bytes of an image, held in malloc'd memory so decode_image can adopt stb_image's output buffer
// instead of copying it. Behaves like the subset of std::vector<uint8_t> that users of Image need.
class PixelBuffer {
 public:
  PixelBuffer() = default;
  // `size` zero bytes.
  explicit PixelBuffer(size_t size);
  PixelBuffer(const PixelBuffer& other);
  PixelBuffer& operator=(const PixelBuffer& other);
  PixelBuffer(PixelBuffer&& other) noexcept;
  PixelBuffer& operator=(PixelBuffer&& other) noexcept;

  // Takes ownership of `size` bytes at `bytes`, which must come from std::malloc/calloc/realloc.
  static PixelBuffer adopt(uint8_t* bytes, size_t size);

  uint8_t* data() { return bytes_.get(); }
  const uint8_t* data() const { return bytes_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t& operator[](size_t i) { return bytes_.get()[i]; }
  const uint8_t& operator[](size_t i) const { return bytes_.get()[i]; }
  uint8_t* begin() { return data(); }
  uint8_t* end() { return data() + size_; }
  const uint8_t* begin() const { return data(); }
  const uint8_t* end() const { return data() + size_; }

  // Keeps the first min(size, size()) bytes and zero-fills the rest; aborts when memory runs out,
  // as std::vector does in the exception-free wasm build.
  void resize(size_t size);

  bool operator==(const PixelBuffer& other) const;
  bool operator!=(const PixelBuffer& other) const { return !(*this == other); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> bytes_;
  size_t size_ = 0;
};

// An interleaved 8-bit image. pixels: [height, width, channels].
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  PixelBuffer pixels;
};

// Largest width or height decode_image accepts, a guard against hostile headers.
constexpr int kMaxImageSide = 16384;

// Largest width * height decode_image accepts, checked from the header before any decoding: a
// 40 M pixel RGB image is 120 MB of output (more while stb_image decodes it).
constexpr int64_t kMaxImagePixels = 40'000'000;

// Decodes `size` bytes of a JPEG, PNG or BMP file into RGB8 (channels = 3). Fails with a message
// naming the problem (empty input, unsupported format, corrupt data, image too large); `out` is
// left untouched then.
Status decode_image(const uint8_t* data, size_t size, Image* out);

}  // namespace fd
