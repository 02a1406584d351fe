#include "vision/image_io.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vision/image_check.h"

namespace fd {
namespace {

// stb_image allocates through these hooks. They zero every buffer, because stb 2.27 reads some
// before writing them (its JPEG decoder state, coefficients of components a scan never codes, the
// bytes a corrupt deflate stream copies from itself), and, while decode_image runs, they refuse
// any single buffer larger than the image can need: a decompression bomb (PNG data that inflates
// far past its declared rows) then ends in a clean error instead of gigabytes of allocation.
struct StbBudget {
  size_t limit = SIZE_MAX;
  bool exceeded = false;
};
thread_local StbBudget g_stb_budget;

void* stb_malloc(size_t size) {
  if (size > g_stb_budget.limit) {
    g_stb_budget.exceeded = true;
    return nullptr;
  }
  return std::calloc(1, size > 0 ? size : 1);
}

void* stb_realloc(void* p, size_t old_size, size_t size) {
  if (size > g_stb_budget.limit) {
    g_stb_budget.exceeded = true;
    return nullptr;
  }
  uint8_t* q = static_cast<uint8_t*>(std::realloc(p, size > 0 ? size : 1));
  if (q != nullptr && size > old_size) std::memset(q + old_size, 0, size - old_size);
  return q;
}

void stb_free(void* p) { std::free(p); }

}  // namespace
}  // namespace fd

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_MALLOC(size) fd::stb_malloc(size)
#define STBI_REALLOC_SIZED(p, old_size, size) fd::stb_realloc(p, old_size, size)
#define STBI_FREE(p) fd::stb_free(p)
// stb_image 2.27 does arithmetic on entropy-coded JPEG data that C leaves undefined and that no
// container check can rule out without decoding the scans: its bit reader shifts by 32 or more
// once a marker cuts a scan short, and its DC predictor adds and dequantizes without overflow
// checks (both fixed upstream in 2.28). The results only reach pixel values (every table index
// stb derives from them is masked or range-checked) and the shift and add wrap on wasm and x86,
// so sanitizer builds stop reporting these two kinds inside stb (and only there).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("shift-exponent", "signed-integer-overflow"))), \
                             apply_to = function)
#endif
#include "stb/stb_image.h"
#if defined(__clang__)
#pragma clang attribute pop
#endif

namespace fd {
namespace {

// The largest single buffer stb_image needs to decode a w x h image from `size` bytes: the 16-bit
// RGBA PNG output takes 8 bytes a pixel and the inflate buffer, sized for the filtered rows, may
// double once (interlaced rows take a few bytes more); JPEG planes are padded to whole MCUs (up to
// 31 samples a side); the PNG data gathered from IDAT chunks grows by doubling, to at most twice
// the file.
size_t stb_buffer_limit(int w, int h, size_t size) {
  const uint64_t limit = 16 * (static_cast<uint64_t>(w) + 32) * (static_cast<uint64_t>(h) + 32) + 2 * size + (1 << 20);
  return limit > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(limit);
}

// Sets the allocation limit for one decode_image call on this thread.
class StbBudgetScope {
 public:
  explicit StbBudgetScope(size_t limit) { g_stb_budget = StbBudget{limit, false}; }
  ~StbBudgetScope() { g_stb_budget = StbBudget(); }
  size_t limit() const { return g_stb_budget.limit; }
  bool exceeded() const { return g_stb_budget.exceeded; }
};

// stb_image's reason for the last failure; it can be unset when a loader fails without one.
std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason != nullptr ? reason : "corrupt data";
}

}  // namespace

PixelBuffer::PixelBuffer(size_t size) { resize(size); }

PixelBuffer::PixelBuffer(const PixelBuffer& other) { *this = other; }

PixelBuffer& PixelBuffer::operator=(const PixelBuffer& other) {
  if (this != &other) {
    resize(other.size_);
    if (size_ > 0) std::memcpy(data(), other.data(), size_);
  }
  return *this;
}

PixelBuffer::PixelBuffer(PixelBuffer&& other) noexcept : bytes_(std::move(other.bytes_)), size_(other.size_) {
  other.size_ = 0;
}

PixelBuffer& PixelBuffer::operator=(PixelBuffer&& other) noexcept {
  if (this != &other) {
    bytes_ = std::move(other.bytes_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

PixelBuffer PixelBuffer::adopt(uint8_t* bytes, size_t size) {
  PixelBuffer b;
  b.bytes_.reset(bytes);
  b.size_ = size;
  return b;
}

void PixelBuffer::resize(size_t size) {
  if (size == size_) return;
  if (size == 0) {
    bytes_.reset();
    size_ = 0;
    return;
  }
  void* grown = std::realloc(bytes_.get(), size);
  if (grown == nullptr) std::abort();
  (void)bytes_.release();  // realloc moved or kept the block: `grown` owns it now
  bytes_.reset(static_cast<uint8_t*>(grown));
  if (size > size_) std::memset(bytes_.get() + size_, 0, size - size_);
  size_ = size;
}

bool PixelBuffer::operator==(const PixelBuffer& other) const {
  return size_ == other.size_ && (size_ == 0 || std::memcmp(data(), other.data(), size_) == 0);
}

Status decode_image(const uint8_t* data, size_t size, Image* out) {
  if (data == nullptr || size == 0) return Status::error("cannot decode image: the data is empty (0 bytes)");
  if (size > static_cast<size_t>(INT32_MAX)) return Status::error("cannot decode image: file larger than 2 GB");
  ImageCheck check;
  FD_RETURN_IF_ERROR(check_image(data, size, &check));
  const bool repaired = !check.repaired.empty();
  const uint8_t* bytes = repaired ? check.repaired.data() : data;
  const size_t n = repaired ? check.repaired.size() : size;
  const std::string what = std::string("cannot decode ") + check.format + " image: ";
  if (n > static_cast<size_t>(INT32_MAX)) return Status::error(what + "file larger than 2 GB");
  const int len = static_cast<int>(n);

  StbBudgetScope budget(stb_buffer_limit(check.width, check.height, n));
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(bytes, len, &w, &h, &comp)) return Status::error(what + stb_reason());
  if (w != check.width || h != check.height) {
    return Status::error(what + "stb_image reads its size as " + std::to_string(w) + "x" + std::to_string(h) +
                         ", the header check as " + std::to_string(check.width) + "x" + std::to_string(check.height));
  }
  stbi_uc* pixels = stbi_load_from_memory(bytes, len, &w, &h, &comp, 3);
  if (pixels == nullptr) {
    if (budget.exceeded()) {
      return Status::error(what + "decoding a " + std::to_string(check.width) + "x" + std::to_string(check.height) +
                           " image needs a buffer over " + std::to_string(budget.limit() >> 20) +
                           " MB (compressed data that inflates past the image?)");
    }
    return Status::error(what + stb_reason());
  }
  out->width = w;
  out->height = h;
  out->channels = 3;
  // stb_image allocated the pixels through stb_malloc (calloc): the Image adopts them, no copy.
  out->pixels = PixelBuffer::adopt(pixels, static_cast<size_t>(w) * h * 3);
  return Status();
}

}  // namespace fd
