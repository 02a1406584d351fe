#include "model/tflite_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "flatbuffers/flatbuffers.h"
#include "tflite_schema_generated.h"

namespace fd {
namespace {

Status convert_type(tflite::TensorType t, const std::string& tensor, DType* out) {
  switch (t) {
    case tflite::TensorType_FLOAT32: *out = DType::kFloat32; return Status();
    case tflite::TensorType_FLOAT16: *out = DType::kFloat16; return Status();
    case tflite::TensorType_INT32: *out = DType::kInt32; return Status();
    case tflite::TensorType_UINT8: *out = DType::kUInt8; return Status();
    case tflite::TensorType_INT64: *out = DType::kInt64; return Status();
    case tflite::TensorType_BOOL: *out = DType::kBool; return Status();
    case tflite::TensorType_INT16: *out = DType::kInt16; return Status();
    case tflite::TensorType_INT8: *out = DType::kInt8; return Status();
    default: break;
  }
  const char* name = (t >= tflite::TensorType_MIN && t <= tflite::TensorType_MAX)
                         ? tflite::EnumNameTensorType(t)
                         : "unknown";
  return Status::unsupported("tensor '" + tensor + "' has type " + std::string(name) + " (" +
                             std::to_string(static_cast<int>(t)) + "), which featherdet does not support");
}

// The zero points a tensor of `t` can hold (its value range; wider types: int32, as stored;
// INT4 weights, read as INT8: [-8, 7]).
void zero_point_range(DType t, bool int4, int64_t* lo, int64_t* hi) {
  if (int4) {
    *lo = -8;
    *hi = 7;
    return;
  }
  switch (t) {
    case DType::kInt8: *lo = -128; *hi = 127; return;
    case DType::kUInt8: *lo = 0; *hi = 255; return;
    case DType::kInt16: *lo = -32768; *hi = 32767; return;
    default: *lo = INT32_MIN; *hi = INT32_MAX; return;
  }
}

// Quantization parameters as the ops rely on them: positive finite scales, one per tensor or
// one per slice of an existing axis, zero points in the type's range, one per scale (or none).
Status read_quantization(const tflite::QuantizationParameters* q, TensorDesc* d) {
  if (!q || !q->scale() || q->scale()->size() == 0) return Status();
  const std::string what = "tensor '" + d->name + "'";
  const size_t n = q->scale()->size();
  if (n > 1) {
    const int32_t axis = q->quantized_dimension();
    if (axis < 0 || static_cast<size_t>(axis) >= d->shape.size()) {
      return Status::error(what + " is quantized along axis " + std::to_string(axis) + ", outside its shape " +
                           shape_str(d->shape));
    }
    if (static_cast<size_t>(d->shape[axis]) != n) {
      return Status::error(what + " has " + std::to_string(n) + " scales for " + std::to_string(d->shape[axis]) +
                           " slices along axis " + std::to_string(axis));
    }
    d->quant.axis = axis;
  }
  for (float sc : *q->scale()) {
    if (!(sc > 0.0f) || !std::isfinite(sc)) {
      return Status::error(what + " has quantization scale " + format_decimal(sc) + " (scales must be positive and finite)");
    }
    d->quant.scale.push_back(sc);
  }
  const size_t nz = q->zero_point() ? q->zero_point()->size() : 0;
  if (nz != 0 && nz != n) {
    return Status::error(what + " has " + std::to_string(nz) + " zero points for " + std::to_string(n) + " scales");
  }
  int64_t lo = 0, hi = 0;
  zero_point_range(d->dtype, d->int4, &lo, &hi);
  // The verifier aligns vectors to 4 bytes only: read the int64 zero points bytewise.
  const uint8_t* zp_bytes = nz ? q->zero_point()->Data() : nullptr;
  for (size_t i = 0; i < nz; ++i) {
    int64_t zp = 0;
    std::memcpy(&zp, zp_bytes + i * sizeof(int64_t), sizeof(int64_t));
    zp = flatbuffers::EndianScalar(zp);
    if (zp < lo || zp > hi) {
      return Status::error("zero point " + std::to_string(zp) + " out of range for " +
                           (d->int4 ? "INT4" : dtype_name(d->dtype)) + " (" + what + ")");
    }
    d->quant.zero_point.push_back(static_cast<int32_t>(zp));
  }
  d->quant.zero_point.resize(n, 0);
  return Status();
}

// Replaces the packed INT4 payload of constant `d` (two values a byte, the first in the low
// nibble) by its values sign-extended to INT8, in new storage owned by `g`. Reads only the
// ceil(elements / 2) bytes the shape needs, after checking the payload holds them.
Status unpack_int4(TensorDesc* d, Graph* g) {
  const size_t n = static_cast<size_t>(num_elements(d->shape));
  const size_t need = n / 2 + n % 2;
  if (d->data_bytes < need) {
    return Status::error("tensor '" + d->name + "' (INT4) holds " + std::to_string(d->data_bytes) +
                         " bytes but its shape " + shape_str(d->shape) + " needs " + std::to_string(need) +
                         " (two values a byte)");
  }
  auto values = std::make_shared<std::vector<uint8_t>>(std::max<size_t>(n, 1));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t byte = d->data[i / 2];
    const int nibble = i % 2 == 0 ? byte & 0x0F : byte >> 4;
    (*values)[i] = static_cast<uint8_t>(static_cast<int8_t>((nibble ^ 8) - 8));  // sign-extend 4 bits
  }
  d->data = values->data();
  d->data_bytes = n;
  g->storage.push_back(std::move(values));
  return Status();
}

Activation act(tflite::ActivationFunctionType a) { return static_cast<Activation>(a); }
Padding pad(tflite::Padding p) { return p == tflite::Padding_VALID ? Padding::kValid : Padding::kSame; }

// Copies the builtin options of `op` that featherdet understands into `o`.
void read_options(const tflite::Operator* op, OpOptions* o) {
  if (auto* c = op->builtin_options_as_Conv2DOptions()) {
    o->padding = pad(c->padding());
    o->stride_w = c->stride_w();
    o->stride_h = c->stride_h();
    o->dilation_w = c->dilation_w_factor();
    o->dilation_h = c->dilation_h_factor();
    o->activation = act(c->fused_activation_function());
  } else if (auto* d = op->builtin_options_as_DepthwiseConv2DOptions()) {
    o->padding = pad(d->padding());
    o->stride_w = d->stride_w();
    o->stride_h = d->stride_h();
    o->dilation_w = d->dilation_w_factor();
    o->dilation_h = d->dilation_h_factor();
    o->depth_multiplier = d->depth_multiplier();
    o->activation = act(d->fused_activation_function());
  } else if (auto* p = op->builtin_options_as_Pool2DOptions()) {
    o->padding = pad(p->padding());
    o->stride_w = p->stride_w();
    o->stride_h = p->stride_h();
    o->filter_w = p->filter_width();
    o->filter_h = p->filter_height();
    o->activation = act(p->fused_activation_function());
  } else if (auto* f = op->builtin_options_as_FullyConnectedOptions()) {
    o->activation = act(f->fused_activation_function());
    o->keep_dims = f->keep_num_dims();
  } else if (auto* s = op->builtin_options_as_SoftmaxOptions()) {
    o->beta = s->beta();
  } else if (auto* c2 = op->builtin_options_as_ConcatenationOptions()) {
    o->axis = c2->axis();
    o->activation = act(c2->fused_activation_function());
  } else if (auto* a = op->builtin_options_as_AddOptions()) {
    o->activation = act(a->fused_activation_function());
  } else if (auto* s2 = op->builtin_options_as_SubOptions()) {
    o->activation = act(s2->fused_activation_function());
  } else if (auto* m = op->builtin_options_as_MulOptions()) {
    o->activation = act(m->fused_activation_function());
  } else if (auto* dv = op->builtin_options_as_DivOptions()) {
    o->activation = act(dv->fused_activation_function());
  } else if (auto* rb = op->builtin_options_as_ResizeBilinearOptions()) {
    o->align_corners = rb->align_corners();
    o->half_pixel_centers = rb->half_pixel_centers();
  } else if (auto* rn = op->builtin_options_as_ResizeNearestNeighborOptions()) {
    o->align_corners = rn->align_corners();
    o->half_pixel_centers = rn->half_pixel_centers();
  } else if (auto* r = op->builtin_options_as_ReshapeOptions()) {
    if (r->new_shape()) o->new_shape.assign(r->new_shape()->begin(), r->new_shape()->end());
  } else if (auto* g = op->builtin_options_as_GatherOptions()) {
    o->axis = g->axis();
    o->batch_dims = g->batch_dims();
  } else if (auto* rd = op->builtin_options_as_ReducerOptions()) {
    o->keep_dims = rd->keep_dims();
  } else if (auto* sq = op->builtin_options_as_SqueezeOptions()) {
    if (sq->squeeze_dims()) o->squeeze_dims.assign(sq->squeeze_dims()->begin(), sq->squeeze_dims()->end());
  } else if (auto* ss = op->builtin_options_as_StridedSliceOptions()) {
    o->begin_mask = ss->begin_mask();
    o->end_mask = ss->end_mask();
    o->ellipsis_mask = ss->ellipsis_mask();
    o->new_axis_mask = ss->new_axis_mask();
    o->shrink_axis_mask = ss->shrink_axis_mask();
    o->offset = ss->offset();
  } else if (auto* sp = op->builtin_options_as_SplitOptions()) {
    o->num = sp->num_splits();
  } else if (auto* am = op->builtin_options_as_ArgMaxOptions()) {
    o->output_type = am->output_type() == tflite::TensorType_INT32 ? DType::kInt32 : DType::kInt64;
  } else if (auto* pk = op->builtin_options_as_PackOptions()) {
    o->num = pk->values_count();
    o->axis = pk->axis();
  } else if (auto* up = op->builtin_options_as_UnpackOptions()) {
    o->num = up->num();
    o->axis = up->axis();
  } else if (auto* lr = op->builtin_options_as_LeakyReluOptions()) {
    o->alpha = lr->alpha();
  }
}

}  // namespace

Status read_tflite(const uint8_t* data, size_t size, Graph* graph) {
  if (size < 8) return Status::error("not a TFLite model: file is only " + std::to_string(size) + " bytes");
  if (!flatbuffers::BufferHasIdentifier(data, tflite::ModelIdentifier())) {
    return Status::error("not a TFLite model: missing the 'TFL3' file identifier");
  }
  // The verifier reads from an aligned copy; tensors then point into that same copy.
  auto storage = std::make_shared<std::vector<uint8_t>>(size + 16);
  uint8_t* base = storage->data();
  size_t shift = (16 - (reinterpret_cast<uintptr_t>(base) & 15)) & 15;
  std::memcpy(base + shift, data, size);
  const uint8_t* buf = base + shift;
  flatbuffers::Verifier verifier(buf, size);
  if (!tflite::VerifyModelBuffer(verifier)) {
    return Status::error("corrupt or truncated TFLite model: the flatbuffer verifier rejected it");
  }
  const tflite::Model* model = tflite::GetModel(buf);
  if (!model->subgraphs() || model->subgraphs()->size() == 0) {
    return Status::error("TFLite model has no subgraph");
  }
  if (model->subgraphs()->size() > 1) {
    return Status::error("TFLite model has " + std::to_string(model->subgraphs()->size()) +
                         " subgraphs; featherdet runs single-subgraph models only");
  }
  const tflite::SubGraph* sg = model->subgraphs()->Get(0);
  const auto* buffers = model->buffers();
  Graph g;
  g.storage.push_back(storage);

  const uint32_t num_tensors = sg->tensors() ? sg->tensors()->size() : 0;
  g.tensors.resize(num_tensors);
  for (uint32_t i = 0; i < num_tensors; ++i) {
    const tflite::Tensor* t = sg->tensors()->Get(i);
    TensorDesc& d = g.tensors[i];
    d.name = t->name() ? t->name()->str() : "tensor_" + std::to_string(i);
    if (t->type() == tflite::TensorType_INT4) {  // constant weights, unpacked to INT8 below
      d.dtype = DType::kInt8;
      d.int4 = true;
    } else {
      FD_RETURN_IF_ERROR(convert_type(t->type(), d.name, &d.dtype));
    }
    if (t->shape()) {
      if (t->shape()->size() > static_cast<size_t>(kMaxRank)) {
        return Status::error("tensor '" + d.name + "' has rank " + std::to_string(t->shape()->size()) +
                             " (featherdet supports up to " + std::to_string(kMaxRank) + ")");
      }
      for (int32_t dim : *t->shape()) {
        if (dim < 0) return Status::error("tensor '" + d.name + "' has a negative dimension");
        d.shape.push_back(dim);
      }
    }
    FD_RETURN_IF_ERROR(check_tensor_shape(d.shape, dtype_size(d.dtype), "tensor '" + d.name + "'"));
    FD_RETURN_IF_ERROR(read_quantization(t->quantization(), &d));
    const uint32_t b = t->buffer();
    if (b != 0) {
      if (!buffers || b >= buffers->size()) {
        return Status::error("tensor '" + d.name + "' refers to missing buffer " + std::to_string(b));
      }
      const tflite::Buffer* buffer = buffers->Get(b);
      if (buffer->data() && buffer->data()->size() > 0) {
        d.data = buffer->data()->data();
        d.data_bytes = buffer->data()->size();
      } else if (buffer->offset() > 1) {
        const uint64_t off = buffer->offset(), len = buffer->size();
        if (off > size || len > size - off) {
          return Status::error("tensor '" + d.name + "' has buffer data outside the file");
        }
        d.data = buf + off;
        d.data_bytes = len;
      }
      if (d.int4 && d.data) FD_RETURN_IF_ERROR(unpack_int4(&d, &g));
      FD_RETURN_IF_ERROR(check_tensor_desc(d, "tensor '" + d.name + "'"));
      // Ops read constants as their element type; a file may place data at any offset.
      if (d.data && reinterpret_cast<uintptr_t>(d.data) % dtype_size(d.dtype) != 0) {
        auto aligned = std::make_shared<std::vector<uint8_t>>(d.data, d.data + d.data_bytes);
        d.data = aligned->data();
        g.storage.push_back(std::move(aligned));
      }
    }
    if (d.int4 && !d.data) {
      return Status::unsupported("tensor '" + d.name +
                                 "' has type INT4 but no constant data: INT4 is supported for constant weights only");
    }
  }
  // Tensor indices; -1 ("omitted") only where `omittable` (operator inputs: the interpreter then
  // checks it against the op's optional inputs).
  auto read_indices = [&](const flatbuffers::Vector<int32_t>* v, std::vector<int32_t>* out, const std::string& op,
                          const std::string& what, bool omittable) -> Status {
    if (!v) return Status();
    for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
      const int32_t idx = v->Get(i);
      if (idx < (omittable ? -1 : 0) || idx >= static_cast<int32_t>(num_tensors)) {
        return Status::error(op + "tensor index " + std::to_string(idx) + " out of range (" + what + " " + std::to_string(i) +
                             "); the model has " + std::to_string(num_tensors) + " tensors");
      }
      out->push_back(idx);
    }
    return Status();
  };
  FD_RETURN_IF_ERROR(read_indices(sg->inputs(), &g.inputs, "", "model input", false));
  FD_RETURN_IF_ERROR(read_indices(sg->outputs(), &g.outputs, "", "model output", false));

  const auto* codes = model->operator_codes();
  const uint32_t num_ops = sg->operators() ? sg->operators()->size() : 0;
  for (uint32_t n = 0; n < num_ops; ++n) {
    const tflite::Operator* op = sg->operators()->Get(n);
    if (!codes || op->opcode_index() >= codes->size()) {
      return Status::error("node " + std::to_string(n) + " has an invalid operator code index");
    }
    const tflite::OperatorCode* oc = codes->Get(op->opcode_index());
    Node node;
    node.code = std::max<int32_t>(oc->deprecated_builtin_code(), oc->builtin_code());
    if (oc->custom_code()) node.custom_name = oc->custom_code()->str();
    const std::string name = std::string(op_name(node.code)) + ": ", where = "node " + std::to_string(n);
    FD_RETURN_IF_ERROR(read_indices(op->inputs(), &node.inputs, name, where + ", input", true));
    FD_RETURN_IF_ERROR(read_indices(op->outputs(), &node.outputs, name, where + ", output", false));
    read_options(op, &node.options);
    g.nodes.push_back(std::move(node));
  }
  if (const auto* md = model->metadata()) {
    for (const tflite::Metadata* m : *md) {
      if (!m->name() || !buffers || m->buffer() >= buffers->size()) continue;
      const tflite::Buffer* mb = buffers->Get(m->buffer());
      std::string bytes;
      if (mb->data()) bytes.assign(reinterpret_cast<const char*>(mb->data()->data()), mb->data()->size());
      g.metadata.emplace_back(m->name()->str(), std::move(bytes));
    }
  }
  *graph = std::move(g);
  return Status();
}

}  // namespace fd
