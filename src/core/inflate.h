// A raw DEFLATE (RFC 1951) decoder for the small compressed files found in model archives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace fd {

// Decodes the raw DEFLATE stream (stored, fixed and dynamic Huffman blocks; no zlib or gzip
// wrapper) at `in` into *out, replacing its contents; bytes after the final block are ignored.
// Fails with a clear Status, never reading or writing out of bounds, on truncated or malformed
// input and when the output would exceed `max_output` bytes (decompression-bomb guard).
Status inflate_raw(const uint8_t* in, size_t size, size_t max_output, std::vector<uint8_t>* out);

}  // namespace fd
