// ONNX protobuf parsing (field numbers from onnx.proto) on top of the hand-written wire reader.
#include "model/onnx_reader.h"

#include <cstring>

#include "model/protobuf_wire.h"

namespace fd {
namespace {

using pb::WireReader;
using pb::WireType;

// Converts IEEE half bits to float.
float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      exp = 113;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Bytes per element of a raw_data payload, or 0 for types featherdet cannot decode.
size_t raw_element_size(int32_t t) {
  switch (static_cast<OnnxType>(t)) {
    case OnnxType::kFloat: case OnnxType::kInt32: case OnnxType::kUInt32: return 4;
    case OnnxType::kDouble: case OnnxType::kInt64: case OnnxType::kUInt64: return 8;
    case OnnxType::kFloat16: case OnnxType::kInt16: case OnnxType::kUInt16: return 2;
    case OnnxType::kInt8: case OnnxType::kUInt8: case OnnxType::kBool: return 1;
    default: return 0;
  }
}

// Decodes raw little-endian bytes into the tensor's f or i vector.
void decode_raw(const uint8_t* p, size_t count, OnnxTensor* t) {
  const auto type = static_cast<OnnxType>(t->data_type);
  if (t->is_float()) t->f.resize(count); else t->i.resize(count);
  for (size_t k = 0; k < count; ++k) {
    switch (type) {
      case OnnxType::kFloat: { float v; std::memcpy(&v, p + 4 * k, 4); t->f[k] = v; break; }
      case OnnxType::kDouble: { double v; std::memcpy(&v, p + 8 * k, 8); t->f[k] = static_cast<float>(v); break; }
      case OnnxType::kFloat16: { uint16_t v; std::memcpy(&v, p + 2 * k, 2); t->f[k] = half_to_float(v); break; }
      case OnnxType::kInt32: { int32_t v; std::memcpy(&v, p + 4 * k, 4); t->i[k] = v; break; }
      case OnnxType::kUInt32: { uint32_t v; std::memcpy(&v, p + 4 * k, 4); t->i[k] = v; break; }
      case OnnxType::kInt64: case OnnxType::kUInt64: { int64_t v; std::memcpy(&v, p + 8 * k, 8); t->i[k] = v; break; }
      case OnnxType::kInt16: { int16_t v; std::memcpy(&v, p + 2 * k, 2); t->i[k] = v; break; }
      case OnnxType::kUInt16: { uint16_t v; std::memcpy(&v, p + 2 * k, 2); t->i[k] = v; break; }
      case OnnxType::kInt8: t->i[k] = static_cast<int8_t>(p[k]); break;
      default: t->i[k] = p[k]; break;  // uint8, bool
    }
  }
}

Status parse_tensor(WireReader r, OnnxTensor* t) {
  const uint8_t* raw = nullptr;
  size_t raw_size = 0;
  bool has_raw = false;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<int64_t> ints;  // int32_data and int64_data
  uint64_t v = 0;
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    switch (field) {
      case 1: FD_RETURN_IF_ERROR(pb::read_int64s(r, wt, &t->dims)); break;
      case 2:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kVarint, "TensorProto.data_type"));
        FD_RETURN_IF_ERROR(r.read_varint(&v));
        t->data_type = static_cast<int32_t>(v);
        break;
      case 4: FD_RETURN_IF_ERROR(pb::read_floats(r, wt, &floats)); break;
      case 5: case 7: case 11: FD_RETURN_IF_ERROR(pb::read_int64s(r, wt, &ints)); break;
      case 8:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "TensorProto.name"));
        FD_RETURN_IF_ERROR(r.read_string(&t->name));
        break;
      case 9:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "TensorProto.raw_data"));
        FD_RETURN_IF_ERROR(r.read_bytes(&raw, &raw_size));
        has_raw = true;
        break;
      case 10: FD_RETURN_IF_ERROR(pb::read_doubles(r, wt, &doubles)); break;
      case 13:
        return Status::error("ONNX tensor '" + t->name + "' stores its data in an external file; featherdet "
                             "needs a single self-contained .onnx file");
      default: FD_RETURN_IF_ERROR(r.skip(wt)); break;
    }
  }
  int64_t count = 1;
  for (int64_t d : t->dims) {
    if (d < 0 || d > (int64_t{1} << 31)) return Status::error("ONNX tensor '" + t->name + "' has invalid dimension " + std::to_string(d));
    count *= d;
    if (count > (int64_t{1} << 31)) return Status::error("ONNX tensor '" + t->name + "' is too large");
  }
  const std::string what = "ONNX tensor '" + t->name + "' ";
  if (t->data_type == static_cast<int32_t>(OnnxType::kString)) return Status::error(what + "holds strings, which featherdet does not support");
  const size_t esize = raw_element_size(t->data_type);
  if (esize == 0) return Status::error(what + "has unsupported data type " + std::to_string(t->data_type));
  const size_t n = static_cast<size_t>(count);
  if (has_raw) {
    if (raw_size != n * esize) {
      return Status::error(what + "has " + std::to_string(raw_size) + " bytes of raw data for " + std::to_string(n) +
                           " elements of " + std::to_string(esize) + " bytes");
    }
    decode_raw(raw, n, t);
    return Status();
  }
  const auto type = static_cast<OnnxType>(t->data_type);
  if (type == OnnxType::kFloat) {
    if (floats.size() != n) return Status::error(what + "has " + std::to_string(floats.size()) + " float values for " + std::to_string(n) + " elements");
    t->f = std::move(floats);
  } else if (type == OnnxType::kDouble) {
    if (doubles.size() != n) return Status::error(what + "has " + std::to_string(doubles.size()) + " double values for " + std::to_string(n) + " elements");
    t->f.assign(doubles.begin(), doubles.end());
  } else if (type == OnnxType::kFloat16) {
    if (ints.size() != n) return Status::error(what + "has " + std::to_string(ints.size()) + " half values for " + std::to_string(n) + " elements");
    t->f.resize(n);
    for (size_t k = 0; k < n; ++k) t->f[k] = half_to_float(static_cast<uint16_t>(ints[k]));
  } else {
    if (ints.size() != n) return Status::error(what + "has " + std::to_string(ints.size()) + " integer values for " + std::to_string(n) + " elements");
    t->i = std::move(ints);
    if (type == OnnxType::kInt32 || type == OnnxType::kInt16 || type == OnnxType::kInt8) {
      for (int64_t& x : t->i) x = static_cast<int32_t>(x);  // varints of negative int32 are 64-bit
    }
  }
  return Status();
}

Status parse_attribute(WireReader r, OnnxAttribute* a) {
  uint64_t v = 0;
  uint32_t bits = 0;
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    switch (field) {
      case 1:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "AttributeProto.name"));
        FD_RETURN_IF_ERROR(r.read_string(&a->name));
        break;
      case 20:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kVarint, "AttributeProto.type"));
        FD_RETURN_IF_ERROR(r.read_varint(&v));
        a->type = static_cast<int32_t>(v);
        break;
      case 2:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kFixed32, "AttributeProto.f"));
        FD_RETURN_IF_ERROR(r.read_fixed32(&bits));
        std::memcpy(&a->f, &bits, 4);
        break;
      case 3:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kVarint, "AttributeProto.i"));
        FD_RETURN_IF_ERROR(r.read_varint(&v));
        a->i = static_cast<int64_t>(v);
        break;
      case 4:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "AttributeProto.s"));
        FD_RETURN_IF_ERROR(r.read_string(&a->s));
        break;
      case 5: {
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "AttributeProto.t"));
        WireReader sub(nullptr, 0);
        FD_RETURN_IF_ERROR(r.read_message(&sub));
        a->t = std::make_shared<OnnxTensor>();
        FD_RETURN_IF_ERROR(parse_tensor(sub, a->t.get()));
        break;
      }
      case 7: FD_RETURN_IF_ERROR(pb::read_floats(r, wt, &a->floats)); break;
      case 8: FD_RETURN_IF_ERROR(pb::read_int64s(r, wt, &a->ints)); break;
      case 9: {
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "AttributeProto.strings"));
        a->strings.emplace_back();
        FD_RETURN_IF_ERROR(r.read_string(&a->strings.back()));
        break;
      }
      default: FD_RETURN_IF_ERROR(r.skip(wt)); break;
    }
  }
  return Status();
}

Status parse_node(WireReader r, OnnxNode* n) {
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    std::string* str = nullptr;
    switch (field) {
      case 1: n->inputs.emplace_back(); str = &n->inputs.back(); break;
      case 2: n->outputs.emplace_back(); str = &n->outputs.back(); break;
      case 3: str = &n->name; break;
      case 4: str = &n->op_type; break;
      case 7: str = &n->domain; break;
      case 5: {
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "NodeProto.attribute"));
        WireReader sub(nullptr, 0);
        FD_RETURN_IF_ERROR(r.read_message(&sub));
        n->attributes.emplace_back();
        FD_RETURN_IF_ERROR(parse_attribute(sub, &n->attributes.back()));
        continue;
      }
      default: FD_RETURN_IF_ERROR(r.skip(wt)); continue;
    }
    FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "NodeProto string"));
    FD_RETURN_IF_ERROR(r.read_string(str));
  }
  return Status();
}

// TensorShapeProto.Dimension.
Status parse_dim(WireReader r, OnnxValueInfo* vi) {
  int64_t value = -1;
  std::string param;
  uint64_t v = 0;
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    if (field == 1 && wt == WireType::kVarint) {
      FD_RETURN_IF_ERROR(r.read_varint(&v));
      value = static_cast<int64_t>(v);
    } else if (field == 2 && wt == WireType::kLen) {
      FD_RETURN_IF_ERROR(r.read_string(&param));
    } else {
      FD_RETURN_IF_ERROR(r.skip(wt));
    }
  }
  vi->dims.push_back(value);
  vi->dim_params.push_back(param);
  return Status();
}

// TypeProto -> TypeProto.Tensor (elem_type 1, shape 2) -> TensorShapeProto (dim 1).
Status parse_type(WireReader r, OnnxValueInfo* vi) {
  uint64_t v = 0;
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    if (field != 1 || wt != WireType::kLen) {
      FD_RETURN_IF_ERROR(r.skip(wt));
      continue;
    }
    WireReader tensor(nullptr, 0);
    FD_RETURN_IF_ERROR(r.read_message(&tensor));
    while (!tensor.done()) {
      FD_RETURN_IF_ERROR(tensor.next_field(&field, &wt));
      if (field == 1 && wt == WireType::kVarint) {
        FD_RETURN_IF_ERROR(tensor.read_varint(&v));
        vi->elem_type = static_cast<int32_t>(v);
      } else if (field == 2 && wt == WireType::kLen) {
        WireReader shape(nullptr, 0);
        FD_RETURN_IF_ERROR(tensor.read_message(&shape));
        vi->has_shape = true;
        while (!shape.done()) {
          FD_RETURN_IF_ERROR(shape.next_field(&field, &wt));
          if (field == 1 && wt == WireType::kLen) {
            WireReader dim(nullptr, 0);
            FD_RETURN_IF_ERROR(shape.read_message(&dim));
            FD_RETURN_IF_ERROR(parse_dim(dim, vi));
          } else {
            FD_RETURN_IF_ERROR(shape.skip(wt));
          }
        }
      } else {
        FD_RETURN_IF_ERROR(tensor.skip(wt));
      }
    }
  }
  return Status();
}

Status parse_value_info(WireReader r, OnnxValueInfo* vi) {
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    if (field == 1) {
      FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "ValueInfoProto.name"));
      FD_RETURN_IF_ERROR(r.read_string(&vi->name));
    } else if (field == 2) {
      FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "ValueInfoProto.type"));
      WireReader sub(nullptr, 0);
      FD_RETURN_IF_ERROR(r.read_message(&sub));
      FD_RETURN_IF_ERROR(parse_type(sub, vi));
    } else {
      FD_RETURN_IF_ERROR(r.skip(wt));
    }
  }
  return Status();
}

Status parse_graph(WireReader r, OnnxGraph* g) {
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    FD_RETURN_IF_ERROR(r.next_field(&field, &wt));
    if (field == 2 && wt == WireType::kLen) {
      FD_RETURN_IF_ERROR(r.read_string(&g->name));
      continue;
    }
    if (field != 1 && field != 5 && field != 11 && field != 12 && field != 13) {
      FD_RETURN_IF_ERROR(r.skip(wt));
      continue;
    }
    FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "GraphProto member"));
    WireReader sub(nullptr, 0);
    FD_RETURN_IF_ERROR(r.read_message(&sub));
    switch (field) {
      case 1: g->nodes.emplace_back(); FD_RETURN_IF_ERROR(parse_node(sub, &g->nodes.back())); break;
      case 5:
        g->initializers.push_back(std::make_shared<OnnxTensor>());
        FD_RETURN_IF_ERROR(parse_tensor(sub, g->initializers.back().get()));
        break;
      case 11: g->inputs.emplace_back(); FD_RETURN_IF_ERROR(parse_value_info(sub, &g->inputs.back())); break;
      case 12: g->outputs.emplace_back(); FD_RETURN_IF_ERROR(parse_value_info(sub, &g->outputs.back())); break;
      default: g->value_info.emplace_back(); FD_RETURN_IF_ERROR(parse_value_info(sub, &g->value_info.back())); break;
    }
  }
  return Status();
}

}  // namespace

const OnnxAttribute* OnnxNode::attr(const std::string& n) const {
  for (const OnnxAttribute& a : attributes) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

int64_t OnnxNode::attr_int(const std::string& n, int64_t fallback) const {
  const OnnxAttribute* a = attr(n);
  return a ? a->i : fallback;
}

float OnnxNode::attr_float(const std::string& n, float fallback) const {
  const OnnxAttribute* a = attr(n);
  return a ? a->f : fallback;
}

std::string OnnxNode::attr_string(const std::string& n, const std::string& fallback) const {
  const OnnxAttribute* a = attr(n);
  return a ? a->s : fallback;
}

std::vector<int64_t> OnnxNode::attr_ints(const std::string& n) const {
  const OnnxAttribute* a = attr(n);
  return a ? a->ints : std::vector<int64_t>();
}

Status parse_onnx(const uint8_t* data, size_t size, OnnxModel* model) {
  *model = OnnxModel();
  if (data == nullptr || size == 0) return Status::error("not an ONNX model: the file is empty");
  WireReader r(data, size);
  uint64_t v = 0;
  while (!r.done()) {
    uint32_t field;
    WireType wt;
    Status s = r.next_field(&field, &wt);
    if (!s.ok()) return Status::error("not an ONNX model or corrupt: " + s.message());
    switch (field) {
      case 1:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kVarint, "ModelProto.ir_version"));
        FD_RETURN_IF_ERROR(r.read_varint(&v));
        model->ir_version = static_cast<int64_t>(v);
        break;
      case 2:
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "ModelProto.producer_name"));
        FD_RETURN_IF_ERROR(r.read_string(&model->producer_name));
        break;
      case 7: {
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "ModelProto.graph"));
        WireReader sub(nullptr, 0);
        FD_RETURN_IF_ERROR(r.read_message(&sub));
        model->graph = OnnxGraph();
        FD_RETURN_IF_ERROR(parse_graph(sub, &model->graph));
        model->has_graph = true;
        break;
      }
      case 8: {
        FD_RETURN_IF_ERROR(pb::expect_type(r, wt, WireType::kLen, "ModelProto.opset_import"));
        WireReader sub(nullptr, 0);
        FD_RETURN_IF_ERROR(r.read_message(&sub));
        std::string domain;
        int64_t version = 0;
        while (!sub.done()) {
          FD_RETURN_IF_ERROR(sub.next_field(&field, &wt));
          if (field == 1 && wt == WireType::kLen) {
            FD_RETURN_IF_ERROR(sub.read_string(&domain));
          } else if (field == 2 && wt == WireType::kVarint) {
            FD_RETURN_IF_ERROR(sub.read_varint(&v));
            version = static_cast<int64_t>(v);
          } else {
            FD_RETURN_IF_ERROR(sub.skip(wt));
          }
        }
        if (domain.empty() || domain == "ai.onnx") model->opset = version;
        break;
      }
      default: FD_RETURN_IF_ERROR(r.skip(wt)); break;
    }
  }
  if (!model->has_graph) return Status::error("not an ONNX model: no graph (ModelProto.graph is missing)");
  if (model->ir_version <= 0) return Status::error("not an ONNX model: ir_version is missing");
  return Status();
}

}  // namespace fd
