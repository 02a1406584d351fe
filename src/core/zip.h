// Reading a ZIP archive (PKWARE APPNOTE) appended to the end of a file, as Ultralytics appends
// one holding metadata to its TFLite exports. No ZIP64, encryption or multi-disk archives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fd {

// One file of an archive, as its central directory describes it.
struct ZipEntry {
  std::string name;          // as stored (UTF-8 or CP437)
  uint16_t method;           // 0 stored, 8 deflate, anything else unsupported by zip_read
  uint32_t compressed_size;  // bytes of data in the file
  uint32_t size;             // bytes once decompressed
  uint32_t crc32;            // CRC-32 of the decompressed bytes
  size_t data_offset;        // where the (compressed) data starts in the whole file
};

// Lists the entries of a ZIP archive that ends at the end of `data` (its End Of Central Directory
// record within the last 65,557 bytes). The archive may start anywhere, e.g. after a TFLite
// flatbuffer: offsets are taken relative to the archive start found from the EOCD, so both
// archives written in place (offsets from the file start) and prepended ones work. Sets *found =
// false and returns ok when there is no archive; fails on a malformed, ZIP64, encrypted or
// multi-disk one, or one with more than 1000 entries.
Status zip_list(const uint8_t* data, size_t size, bool* found, std::vector<ZipEntry>* entries);

// Reads `entry` (from zip_list over the same data; method 0 stored or 8 deflate) into *out,
// checking its size and CRC-32. Fails when it would decompress to more than max_output bytes.
Status zip_read(const uint8_t* data, size_t size, const ZipEntry& entry, size_t max_output,
                std::vector<uint8_t>* out);

}  // namespace fd
