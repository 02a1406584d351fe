// SHA-256 (FIPS 180-4), for recording the source model's checksum in converted files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fd {

// Lower-case hex SHA-256 digest of `size` bytes at `data`.
std::string sha256_hex(const uint8_t* data, size_t size);

}  // namespace fd
