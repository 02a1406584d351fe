// ZIP reading (PKWARE APPNOTE 4.3): the End Of Central Directory record, the central directory
// and the local headers. Every offset is checked against the bytes before it is used, in size_t
// arithmetic that cannot overflow on 32-bit wasm either.
#include "core/zip.h"

#include "core/inflate.h"

namespace fd {
namespace {

constexpr uint32_t kEocdSignature = 0x06054b50, kZip64LocatorSignature = 0x07064b50;
constexpr uint32_t kCentralSignature = 0x02014b50, kLocalSignature = 0x04034b50;
constexpr size_t kEocdSize = 22, kCentralSize = 46, kLocalSize = 30;  // fixed parts
constexpr size_t kMaxEntries = 1000;

uint16_t u16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t u32(const uint8_t* p) { return u16(p) | uint32_t(u16(p + 2)) << 16; }

// CRC-32 (ISO-HDLC, as in ZIP), a bit at a time: entries are small.
uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffff;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320 & (0 - (c & 1)));
  }
  return ~c;
}

Status entry_error(const std::string& name, const std::string& what) {
  return Status::error("zip entry '" + name + "'" + what);
}

// Reads `count` central directory records at data[cd, cd + cd_size); `base` is where the
// archive starts in data, so the central directory is at archive offset cd - base.
Status read_central(const uint8_t* data, size_t base, size_t cd, size_t cd_size, size_t count,
                    std::vector<ZipEntry>* entries) {
  const size_t cd_offset = cd - base;  // local headers and data lie before it
  const uint8_t* p = data + cd;
  size_t left = cd_size;
  for (size_t i = 0; i < count; i++) {
    size_t name_size = 0, record_size = kCentralSize;
    if (left >= kCentralSize) {
      name_size = u16(p + 28);
      record_size += name_size + u16(p + 30) + u16(p + 32);  // + name, extra field, comment
    }
    if (left < record_size || u32(p) != kCentralSignature) {
      return Status::error("zip central directory record " + std::to_string(i) + " is truncated or corrupt");
    }
    ZipEntry e;
    e.name.assign(reinterpret_cast<const char*>(p + kCentralSize), name_size);
    e.method = u16(p + 10);
    e.crc32 = u32(p + 16);
    e.compressed_size = u32(p + 20);
    e.size = u32(p + 24);
    const uint32_t local = u32(p + 42);
    if (u16(p + 8) & 1) return entry_error(e.name, " is encrypted, which is not supported");
    if (e.compressed_size == 0xffffffff || e.size == 0xffffffff || local == 0xffffffff) {
      return entry_error(e.name, " needs ZIP64, which is not supported");
    }
    // The local header (30 bytes + name + extra field), then the data, before the central directory.
    if (local > cd_offset || cd_offset - local < kLocalSize) {
      return entry_error(e.name, ": local header lies outside the archive");
    }
    const uint8_t* header = data + base + local;
    if (u32(header) != kLocalSignature) return entry_error(e.name, ": local header signature is wrong");
    const size_t room = cd_offset - local - kLocalSize, header_rest = u16(header + 26) + size_t(u16(header + 28));
    if (header_rest > room || room - header_rest < e.compressed_size) {
      return entry_error(e.name, ": data lies outside the archive");
    }
    e.data_offset = base + local + kLocalSize + header_rest;
    entries->push_back(std::move(e));
    p += record_size;
    left -= record_size;
  }
  return Status();
}

}  // namespace

Status zip_list(const uint8_t* data, size_t size, bool* found, std::vector<ZipEntry>* entries) {
  *found = false;
  entries->clear();
  // The EOCD record is the last 22 bytes plus a comment of up to 65,535 bytes: scan back for its
  // signature with a comment length that reaches exactly the end of the data.
  size_t eocd = size;  // none yet
  for (size_t tail = kEocdSize; tail <= size && tail <= kEocdSize + 0xffff; tail++) {
    const uint8_t* p = data + size - tail;
    if (u32(p) == kEocdSignature && u16(p + 20) == tail - kEocdSize) {
      eocd = size - tail;
      break;
    }
  }
  if (eocd == size) return Status();
  *found = true;
  const uint8_t* e = data + eocd;
  const size_t disk = u16(e + 4), cd_disk = u16(e + 6), disk_count = u16(e + 8), count = u16(e + 10);
  const size_t cd_size = u32(e + 12), cd_offset = u32(e + 16);
  if (count == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff ||
      (eocd >= 20 && u32(e - 20) == kZip64LocatorSignature)) {
    return Status::error("zip archive is ZIP64, which is not supported");
  }
  if (disk != 0 || cd_disk != 0 || disk_count != count) {
    return Status::error("zip archive spans several disks, which is not supported");
  }
  if (count > kMaxEntries) {
    return Status::error("zip archive has " + std::to_string(count) + " entries (at most " +
                         std::to_string(kMaxEntries) + " are supported)");
  }
  // Offsets count from the archive start, which the EOCD locates: data may precede the archive.
  if (cd_size > eocd) return Status::error("zip central directory lies outside the file");
  const size_t cd = eocd - cd_size;
  if (cd_offset > cd) return Status::error("zip central directory offset points outside the file");
  Status status = read_central(data, cd - cd_offset, cd, cd_size, count, entries);
  if (!status.ok()) entries->clear();
  return status;
}

Status zip_read(const uint8_t* data, size_t size, const ZipEntry& entry, size_t max_output,
                std::vector<uint8_t>* out) {
  out->clear();
  if (entry.data_offset > size || size - entry.data_offset < entry.compressed_size) {
    return entry_error(entry.name, ": data lies outside the file");
  }
  if (entry.size > max_output) {
    return entry_error(entry.name, " is " + std::to_string(entry.size) + " bytes, over the limit of " +
                                       std::to_string(max_output));
  }
  const uint8_t* p = data + entry.data_offset;
  if (entry.method == 0) {
    if (entry.compressed_size != entry.size) return entry_error(entry.name, ": stored size does not match its size");
    out->assign(p, p + entry.size);
  } else if (entry.method == 8) {
    Status status = inflate_raw(p, entry.compressed_size, max_output, out);
    if (!status.ok()) return entry_error(entry.name, ": " + status.message());
    if (out->size() != entry.size) {
      std::string got = std::to_string(out->size());
      out->clear();
      return entry_error(entry.name, ": decompressed to " + got + " bytes instead of " + std::to_string(entry.size));
    }
  } else {
    return entry_error(entry.name, " uses compression method " + std::to_string(entry.method) +
                                       " (only stored and deflate are supported)");
  }
  if (crc32(out->data(), out->size()) != entry.crc32) {
    out->clear();
    return entry_error(entry.name, ": CRC-32 mismatch");
  }
  return Status();
}

}  // namespace fd
