// Test helpers: a tiny protobuf writer for hand-built ONNX models (ModelProto field numbers:
// graph 7, opset_import 8; GraphProto node 1, name 2, initializer 5, input 11, output 12;
// NodeProto input 1, output 2, name 3, op_type 4, attribute 5; TensorProto dims 1, data_type 2,
// int64_data 7, name 8, raw_data 9; AttributeProto name 1, i 3, s 4, ints 8, type 20).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace fd {

using Bytes = std::vector<uint8_t>;

inline void put_varint(Bytes* b, uint64_t v) {
  while (v >= 0x80) {
    b->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  b->push_back(static_cast<uint8_t>(v));
}
inline void put_int(Bytes* b, int field, int64_t v) {
  put_varint(b, (static_cast<uint64_t>(field) << 3) | 0);
  put_varint(b, static_cast<uint64_t>(v));
}
inline void put_bytes(Bytes* b, int field, const Bytes& payload) {
  put_varint(b, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(b, payload.size());
  b->insert(b->end(), payload.begin(), payload.end());
}
inline void put_str(Bytes* b, int field, const std::string& s) { put_bytes(b, field, Bytes(s.begin(), s.end())); }

inline Bytes float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
  Bytes t;
  for (int64_t d : dims) put_int(&t, 1, d);
  put_int(&t, 2, 1);
  put_str(&t, 8, name);
  Bytes raw(v.size() * 4);
  std::memcpy(raw.data(), v.data(), raw.size());
  put_bytes(&t, 9, raw);
  return t;
}
inline Bytes int64_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  Bytes t;
  for (int64_t d : dims) put_int(&t, 1, d);
  put_int(&t, 2, 7);
  for (int64_t x : v) put_int(&t, 7, x);
  put_str(&t, 8, name);
  return t;
}
inline Bytes value_info(const std::string& name, const std::vector<int64_t>& dims) {
  Bytes shape;
  for (int64_t d : dims) {
    Bytes dim;
    put_int(&dim, 1, d);
    put_bytes(&shape, 1, dim);
  }
  Bytes tensor;
  put_int(&tensor, 1, 1);
  put_bytes(&tensor, 2, shape);
  Bytes type;
  put_bytes(&type, 1, tensor);
  Bytes vi;
  put_str(&vi, 1, name);
  put_bytes(&vi, 2, type);
  return vi;
}
inline Bytes ints_attr(const std::string& name, const std::vector<int64_t>& v) {
  Bytes a;
  put_str(&a, 1, name);
  put_int(&a, 20, 7);
  for (int64_t x : v) put_int(&a, 8, x);
  return a;
}
inline Bytes int_attr(const std::string& name, int64_t v) {
  Bytes a;
  put_str(&a, 1, name);
  put_int(&a, 20, 2);
  put_int(&a, 3, v);
  return a;
}
inline Bytes string_attr(const std::string& name, const std::string& v) {
  Bytes a;
  put_str(&a, 1, name);
  put_int(&a, 20, 3);
  put_str(&a, 4, v);
  return a;
}
inline Bytes node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
           const std::vector<Bytes>& attrs = {}) {
  Bytes n;
  for (const auto& s : in) put_str(&n, 1, s);
  for (const auto& s : out) put_str(&n, 2, s);
  put_str(&n, 3, op + "_0");
  put_str(&n, 4, op);
  for (const auto& a : attrs) put_bytes(&n, 5, a);
  return n;
}
inline Bytes model(const Bytes& graph) {
  Bytes m;
  put_int(&m, 1, 7);
  put_str(&m, 2, "test");
  put_bytes(&m, 7, graph);
  Bytes opset;
  put_int(&opset, 2, 13);
  put_bytes(&m, 8, opset);
  return m;
}

}  // namespace fd
