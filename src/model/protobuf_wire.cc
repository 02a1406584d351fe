// Protocol Buffers wire-format reading with bounds checks.
#include "model/protobuf_wire.h"

#include <cstring>

namespace fd {
namespace pb {

Status WireReader::fail(const std::string& what) const {
  return Status::error("malformed protobuf at byte " + std::to_string(offset()) + ": " + what);
}

Status WireReader::read_varint(uint64_t* value) {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= size_) return fail("varint runs past the end of the data (truncated file?)");
    const uint8_t b = data_[pos_++];
    if (i == 9 && b > 1) return fail("varint longer than 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *value = v;
      return Status();
    }
  }
  return fail("varint longer than 10 bytes");
}

Status WireReader::read_fixed32(uint32_t* value) {
  if (size_ - pos_ < 4) return fail("fixed32 runs past the end of the data (truncated file?)");
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | data_[pos_ + i];
  pos_ += 4;
  *value = v;
  return Status();
}

Status WireReader::read_fixed64(uint64_t* value) {
  if (size_ - pos_ < 8) return fail("fixed64 runs past the end of the data (truncated file?)");
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | data_[pos_ + i];
  pos_ += 8;
  *value = v;
  return Status();
}

Status WireReader::next_field(uint32_t* field, WireType* type) {
  uint64_t key = 0;
  FD_RETURN_IF_ERROR(read_varint(&key));
  const uint64_t wt = key & 7;
  const uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff) return fail("invalid field number " + std::to_string(number));
  if (wt != 0 && wt != 1 && wt != 2 && wt != 5) return fail("unsupported wire type " + std::to_string(wt));
  *field = static_cast<uint32_t>(number);
  *type = static_cast<WireType>(wt);
  return Status();
}

Status WireReader::read_bytes(const uint8_t** data, size_t* size, size_t* sub_base) {
  uint64_t len = 0;
  FD_RETURN_IF_ERROR(read_varint(&len));
  if (len > size_ - pos_) {
    return fail("length " + std::to_string(len) + " runs past the end of the data (" +
                std::to_string(size_ - pos_) + " bytes left; truncated file?)");
  }
  if (sub_base) *sub_base = offset();
  *data = data_ + pos_;
  *size = static_cast<size_t>(len);
  pos_ += static_cast<size_t>(len);
  return Status();
}

Status WireReader::read_string(std::string* out) {
  const uint8_t* p = nullptr;
  size_t n = 0;
  FD_RETURN_IF_ERROR(read_bytes(&p, &n));
  out->assign(reinterpret_cast<const char*>(p), n);
  return Status();
}

Status WireReader::read_message(WireReader* sub) {
  const uint8_t* p = nullptr;
  size_t n = 0, b = 0;
  FD_RETURN_IF_ERROR(read_bytes(&p, &n, &b));
  *sub = WireReader(p, n, b);
  return Status();
}

Status WireReader::skip(WireType type) {
  uint64_t v64 = 0;
  uint32_t v32 = 0;
  const uint8_t* p = nullptr;
  size_t n = 0;
  switch (type) {
    case WireType::kVarint: return read_varint(&v64);
    case WireType::kFixed64: return read_fixed64(&v64);
    case WireType::kFixed32: return read_fixed32(&v32);
    case WireType::kLen: return read_bytes(&p, &n);
  }
  return fail("unknown wire type");
}

Status expect_type(const WireReader& r, WireType type, WireType expected, const char* what) {
  if (type == expected) return Status();
  return Status::error("malformed protobuf at byte " + std::to_string(r.offset()) + ": field " + what +
                       " has wire type " + std::to_string(static_cast<int>(type)) + ", expected " +
                       std::to_string(static_cast<int>(expected)));
}

Status read_int64s(WireReader& r, WireType type, std::vector<int64_t>* out) {
  uint64_t v = 0;
  if (type == WireType::kVarint) {
    FD_RETURN_IF_ERROR(r.read_varint(&v));
    out->push_back(static_cast<int64_t>(v));
    return Status();
  }
  FD_RETURN_IF_ERROR(expect_type(r, type, WireType::kLen, "repeated integer"));
  WireReader sub(nullptr, 0);
  FD_RETURN_IF_ERROR(r.read_message(&sub));
  while (!sub.done()) {
    FD_RETURN_IF_ERROR(sub.read_varint(&v));
    out->push_back(static_cast<int64_t>(v));
  }
  return Status();
}

Status read_floats(WireReader& r, WireType type, std::vector<float>* out) {
  uint32_t bits = 0;
  float f = 0;
  if (type == WireType::kFixed32) {
    FD_RETURN_IF_ERROR(r.read_fixed32(&bits));
    std::memcpy(&f, &bits, 4);
    out->push_back(f);
    return Status();
  }
  FD_RETURN_IF_ERROR(expect_type(r, type, WireType::kLen, "repeated float"));
  WireReader sub(nullptr, 0);
  FD_RETURN_IF_ERROR(r.read_message(&sub));
  while (!sub.done()) {
    FD_RETURN_IF_ERROR(sub.read_fixed32(&bits));
    std::memcpy(&f, &bits, 4);
    out->push_back(f);
  }
  return Status();
}

Status read_doubles(WireReader& r, WireType type, std::vector<double>* out) {
  uint64_t bits = 0;
  double d = 0;
  if (type == WireType::kFixed64) {
    FD_RETURN_IF_ERROR(r.read_fixed64(&bits));
    std::memcpy(&d, &bits, 8);
    out->push_back(d);
    return Status();
  }
  FD_RETURN_IF_ERROR(expect_type(r, type, WireType::kLen, "repeated double"));
  WireReader sub(nullptr, 0);
  FD_RETURN_IF_ERROR(r.read_message(&sub));
  while (!sub.done()) {
    FD_RETURN_IF_ERROR(sub.read_fixed64(&bits));
    std::memcpy(&d, &bits, 8);
    out->push_back(d);
  }
  return Status();
}

}  // namespace pb
}  // namespace fd
