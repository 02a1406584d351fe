// Protocol Buffers wire format, read by hand: varints, fixed32/64 and length-delimited fields,
// with bounds checks on every step (malformed input yields a Status, never a crash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fd {
namespace pb {

// The four wire types protobuf encodes (groups, 3 and 4, are rejected).
enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// A cursor over one message's bytes; `base` is the message's offset in the whole file, so error
// messages name absolute byte positions.
class WireReader {
 public:
  WireReader(const uint8_t* data, size_t size, size_t base = 0) : data_(data), size_(size), base_(base) {}
  // True when every byte of the message has been consumed.
  bool done() const { return pos_ >= size_; }
  // Absolute offset of the cursor in the file.
  size_t offset() const { return base_ + pos_; }
  // Reads the next field key: field number and wire type.
  Status next_field(uint32_t* field, WireType* type);
  // Reads a base-128 varint (at most 10 bytes).
  Status read_varint(uint64_t* value);
  // Reads 4 little-endian bytes.
  Status read_fixed32(uint32_t* value);
  // Reads 8 little-endian bytes.
  Status read_fixed64(uint64_t* value);
  // Reads a length-delimited payload; `sub_base` receives its absolute offset.
  Status read_bytes(const uint8_t** data, size_t* size, size_t* sub_base = nullptr);
  // Reads a length-delimited payload as a string.
  Status read_string(std::string* out);
  // Skips a field of wire type `type` whose key was just read.
  Status skip(WireType type);
  // A sub-reader over the length-delimited payload at the cursor (an embedded message).
  Status read_message(WireReader* sub);

 private:
  Status fail(const std::string& what) const;
  const uint8_t* data_;
  size_t size_;
  size_t base_;
  size_t pos_ = 0;
};

// Reads a repeated int64/int32 field element, packed (kLen) or not (kVarint), appending values.
Status read_int64s(WireReader& r, WireType type, std::vector<int64_t>* out);
// Reads a repeated float field element, packed (kLen) or not (kFixed32), appending values.
Status read_floats(WireReader& r, WireType type, std::vector<float>* out);
// Reads a repeated double field element, packed (kLen) or not (kFixed64), appending values.
Status read_doubles(WireReader& r, WireType type, std::vector<double>* out);
// Fails unless `type` equals `expected` (the field named `what` has the wrong wire type).
Status expect_type(const WireReader& r, WireType type, WireType expected, const char* what);

}  // namespace pb
}  // namespace fd
