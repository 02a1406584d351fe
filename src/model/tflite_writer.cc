#include "model/tflite_writer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "flatbuffers/flatbuffers.h"
#include "tflite_schema_generated.h"

namespace fd {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

Status tensor_type(DType t, const std::string& name, tflite::TensorType* out) {
  switch (t) {
    case DType::kFloat32: *out = tflite::TensorType_FLOAT32; return Status();
    case DType::kFloat16: *out = tflite::TensorType_FLOAT16; return Status();
    case DType::kInt32: *out = tflite::TensorType_INT32; return Status();
    case DType::kUInt8: *out = tflite::TensorType_UINT8; return Status();
    case DType::kInt64: *out = tflite::TensorType_INT64; return Status();
    case DType::kBool: *out = tflite::TensorType_BOOL; return Status();
    case DType::kInt16: *out = tflite::TensorType_INT16; return Status();
    case DType::kInt8: *out = tflite::TensorType_INT8; return Status();
  }
  return Status::error("tensor '" + name + "' has a type the TFLite writer cannot encode");
}

// The values of INT4 constant `d` (INT8 in memory) packed two a byte, the first in the low
// nibble, an odd count's last high nibble 0; fails when a value lies outside [-8, 7].
Status pack_int4(const TensorDesc& d, std::vector<uint8_t>* out) {
  if (d.dtype != DType::kInt8 || !d.is_constant()) {
    return Status::error("tensor '" + d.name + "' is marked INT4, which is supported for constant INT8 weights only");
  }
  const size_t n = static_cast<size_t>(num_elements(d.shape));
  if (d.data_bytes < n) {
    return Status::error("tensor '" + d.name + "' holds " + std::to_string(d.data_bytes) + " bytes but its shape " +
                         shape_str(d.shape) + " needs " + std::to_string(n));
  }
  out->assign(n / 2 + n % 2, 0);
  const int8_t* v = reinterpret_cast<const int8_t*>(d.data);
  for (size_t i = 0; i < n; ++i) {
    if (v[i] < -8 || v[i] > 7) {
      return Status::error("tensor '" + d.name + "' is marked INT4 but element " + std::to_string(i) + " is " +
                           std::to_string(v[i]) + ", outside [-8, 7]");
    }
    (*out)[i / 2] |= static_cast<uint8_t>((v[i] & 0x0F) << (i % 2 ? 4 : 0));
  }
  return Status();
}

tflite::Padding pad(Padding p) { return p == Padding::kValid ? tflite::Padding_VALID : tflite::Padding_SAME; }
tflite::ActivationFunctionType act(Activation a) { return static_cast<tflite::ActivationFunctionType>(a); }

// The builtin options table of `node`, or NONE for ops without options.
std::pair<tflite::BuiltinOptions, Offset<void>> write_options(FlatBufferBuilder& fbb, const Node& node,
                                                              const Graph& g) {
  const OpOptions& o = node.options;
  switch (node.code) {
    case 3:  // CONV_2D
      return {tflite::BuiltinOptions_Conv2DOptions,
              tflite::CreateConv2DOptions(fbb, pad(o.padding), o.stride_w, o.stride_h, act(o.activation),
                                          o.dilation_w, o.dilation_h).Union()};
    case 4:  // DEPTHWISE_CONV_2D
      return {tflite::BuiltinOptions_DepthwiseConv2DOptions,
              tflite::CreateDepthwiseConv2DOptions(fbb, pad(o.padding), o.stride_w, o.stride_h,
                                                   o.depth_multiplier, act(o.activation), o.dilation_w,
                                                   o.dilation_h).Union()};
    case 1:   // AVERAGE_POOL_2D
    case 17:  // MAX_POOL_2D
      return {tflite::BuiltinOptions_Pool2DOptions,
              tflite::CreatePool2DOptions(fbb, pad(o.padding), o.stride_w, o.stride_h, o.filter_w, o.filter_h,
                                          act(o.activation)).Union()};
    case 9:  // FULLY_CONNECTED
      return {tflite::BuiltinOptions_FullyConnectedOptions,
              tflite::CreateFullyConnectedOptions(fbb, act(o.activation),
                                                  tflite::FullyConnectedOptionsWeightsFormat_DEFAULT,
                                                  o.keep_dims).Union()};
    case 25:  // SOFTMAX
      return {tflite::BuiltinOptions_SoftmaxOptions, tflite::CreateSoftmaxOptions(fbb, o.beta).Union()};
    case 2:  // CONCATENATION
      return {tflite::BuiltinOptions_ConcatenationOptions,
              tflite::CreateConcatenationOptions(fbb, o.axis, act(o.activation)).Union()};
    case 0:  // ADD
      return {tflite::BuiltinOptions_AddOptions, tflite::CreateAddOptions(fbb, act(o.activation)).Union()};
    case 41:  // SUB
      return {tflite::BuiltinOptions_SubOptions, tflite::CreateSubOptions(fbb, act(o.activation)).Union()};
    case 18:  // MUL
      return {tflite::BuiltinOptions_MulOptions, tflite::CreateMulOptions(fbb, act(o.activation)).Union()};
    case 42:  // DIV
      return {tflite::BuiltinOptions_DivOptions, tflite::CreateDivOptions(fbb, act(o.activation)).Union()};
    case 23:  // RESIZE_BILINEAR
      return {tflite::BuiltinOptions_ResizeBilinearOptions,
              tflite::CreateResizeBilinearOptions(fbb, o.align_corners, o.half_pixel_centers).Union()};
    case 97:  // RESIZE_NEAREST_NEIGHBOR
      return {tflite::BuiltinOptions_ResizeNearestNeighborOptions,
              tflite::CreateResizeNearestNeighborOptions(fbb, o.align_corners, o.half_pixel_centers).Union()};
    case 22: {  // RESHAPE
      auto shape = o.new_shape.empty() ? 0 : fbb.CreateVector(o.new_shape);
      return {tflite::BuiltinOptions_ReshapeOptions, tflite::CreateReshapeOptions(fbb, shape).Union()};
    }
    case 36:  // GATHER
      return {tflite::BuiltinOptions_GatherOptions, tflite::CreateGatherOptions(fbb, o.axis, o.batch_dims).Union()};
    case 40: case 74: case 81: case 82: case 89: case 91:  // MEAN, SUM, REDUCE_PROD/MAX/MIN/ANY
      return {tflite::BuiltinOptions_ReducerOptions, tflite::CreateReducerOptions(fbb, o.keep_dims).Union()};
    case 43: {  // SQUEEZE
      auto dims = o.squeeze_dims.empty() ? 0 : fbb.CreateVector(o.squeeze_dims);
      return {tflite::BuiltinOptions_SqueezeOptions, tflite::CreateSqueezeOptions(fbb, dims).Union()};
    }
    case 45:  // STRIDED_SLICE
      return {tflite::BuiltinOptions_StridedSliceOptions,
              tflite::CreateStridedSliceOptions(fbb, o.begin_mask, o.end_mask, o.ellipsis_mask, o.new_axis_mask,
                                                o.shrink_axis_mask, o.offset).Union()};
    case 49:  // SPLIT
      return {tflite::BuiltinOptions_SplitOptions, tflite::CreateSplitOptions(fbb, o.num).Union()};
    case 56:  // ARG_MAX
      return {tflite::BuiltinOptions_ArgMaxOptions,
              tflite::CreateArgMaxOptions(fbb, o.output_type == DType::kInt32 ? tflite::TensorType_INT32
                                                                              : tflite::TensorType_INT64).Union()};
    case 83:  // PACK
      return {tflite::BuiltinOptions_PackOptions, tflite::CreatePackOptions(fbb, o.num, o.axis).Union()};
    case 88:  // UNPACK
      return {tflite::BuiltinOptions_UnpackOptions, tflite::CreateUnpackOptions(fbb, o.num, o.axis).Union()};
    case 98:  // LEAKY_RELU
      return {tflite::BuiltinOptions_LeakyReluOptions, tflite::CreateLeakyReluOptions(fbb, o.alpha).Union()};
    case 34:  // PAD
      return {tflite::BuiltinOptions_PadOptions, tflite::CreatePadOptions(fbb).Union()};
    case 39:  // TRANSPOSE
      return {tflite::BuiltinOptions_TransposeOptions, tflite::CreateTransposeOptions(fbb).Union()};
    case 6:  // DEQUANTIZE
      return {tflite::BuiltinOptions_DequantizeOptions, tflite::CreateDequantizeOptions(fbb).Union()};
    case 114:  // QUANTIZE
      return {tflite::BuiltinOptions_QuantizeOptions, tflite::CreateQuantizeOptions(fbb).Union()};
    case 117:  // HARD_SWISH
      return {tflite::BuiltinOptions_HardSwishOptions, tflite::CreateHardSwishOptions(fbb).Union()};
    case 107:  // GATHER_ND
      return {tflite::BuiltinOptions_GatherNdOptions, tflite::CreateGatherNdOptions(fbb).Union()};
    case 90:  // FLOOR_DIV
      return {tflite::BuiltinOptions_FloorDivOptions, tflite::CreateFloorDivOptions(fbb).Union()};
    case 53: {  // CAST
      tflite::TensorType in = tflite::TensorType_FLOAT32, out = tflite::TensorType_FLOAT32;
      if (!node.inputs.empty() && node.inputs[0] >= 0) {
        tensor_type(g.tensors[node.inputs[0]].dtype, "", &in);
      }
      if (!node.outputs.empty()) tensor_type(g.tensors[node.outputs[0]].dtype, "", &out);
      return {tflite::BuiltinOptions_CastOptions, tflite::CreateCastOptions(fbb, in, out).Union()};
    }
    default:
      return {tflite::BuiltinOptions_NONE, 0};
  }
}

// Adds a buffer holding `size` bytes, its data vector aligned to 16 bytes in the file, or when
// `compact` and it is 64 bytes or less to 4 bytes (biases, shapes: enough for their int32/float).
Offset<tflite::Buffer> write_buffer(FlatBufferBuilder& fbb, const uint8_t* data, size_t size, bool compact) {
  fbb.ForceVectorAlignment(size, sizeof(uint8_t), compact && size <= 64 ? 4 : 16);
  auto vec = fbb.CreateVector(data, size);
  return tflite::CreateBuffer(fbb, vec);
}

// The inputs node `n` is written with: a RESHAPE whose constant shape input repeats its
// new_shape option keeps only its data input (TFLite reads the shape from the option).
std::vector<int32_t> written_inputs(const Graph& g, const Node& n, bool compact) {
  if (!compact || n.code != static_cast<int32_t>(OpCode::kReshape) || n.inputs.size() != 2 || n.inputs[1] < 0 ||
      n.options.new_shape.empty()) {
    return n.inputs;
  }
  const TensorDesc& s = g.tensors[n.inputs[1]];
  if (!s.is_constant() || s.dtype != DType::kInt32 || s.data_bytes != n.options.new_shape.size() * sizeof(int32_t)) {
    return n.inputs;
  }
  const int32_t* v = reinterpret_cast<const int32_t*>(s.data);
  for (size_t k = 0; k < n.options.new_shape.size(); ++k) {
    if (v[k] != n.options.new_shape[k]) return n.inputs;
  }
  return {n.inputs[0]};
}

// Tensor renumbering for the file: when `compact`, identical constants (type and INT4 storage,
// shape, bytes, quantization) are written once and tensors nothing reads or writes are left out (index[t] = -1);
// otherwise the identity.
std::vector<int32_t> tensor_index(const Graph& g, const std::vector<std::vector<int32_t>>& inputs, bool compact) {
  const int nt = static_cast<int>(g.tensors.size());
  std::vector<int32_t> canon(nt);
  if (!compact) {
    for (int i = 0; i < nt; ++i) canon[i] = i;
    return canon;
  }
  std::map<std::tuple<int, std::vector<int32_t>, std::string, std::vector<float>, std::vector<int32_t>, int32_t>, int32_t> seen;
  for (int i = 0; i < nt; ++i) {
    const TensorDesc& d = g.tensors[i];
    canon[i] = i;
    if (!d.is_constant()) continue;
    auto key = std::make_tuple(static_cast<int>(d.dtype) + (d.int4 ? 256 : 0), std::vector<int32_t>(d.shape.begin(), d.shape.end()),
                               std::string(reinterpret_cast<const char*>(d.data), d.data_bytes), d.quant.scale,
                               std::vector<int32_t>(d.quant.zero_point.begin(), d.quant.zero_point.end()), d.quant.axis);
    canon[i] = seen.emplace(key, i).first->second;
  }
  std::vector<bool> used(nt, false);
  auto mark = [&](int32_t t) { if (t >= 0 && t < nt) used[canon[t]] = true; };
  for (int32_t t : g.inputs) mark(t);
  for (int32_t t : g.outputs) mark(t);
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    for (int32_t t : inputs[k]) mark(t);
    for (int32_t t : g.nodes[k].outputs) mark(t);
  }
  std::vector<int32_t> number(nt, -1), index(nt, -1);
  int32_t next = 0;
  for (int i = 0; i < nt; ++i) if (used[i]) number[i] = next++;
  for (int i = 0; i < nt; ++i) index[i] = number[canon[i]];
  return index;
}

// `ts` renumbered by `index` (-1, an omitted optional input, stays -1).
std::vector<int32_t> renumber(const std::vector<int32_t>& ts, const std::vector<int32_t>& index) {
  std::vector<int32_t> out;
  for (int32_t t : ts) out.push_back(t < 0 ? -1 : index[t]);
  return out;
}

}  // namespace

Status write_tflite(const Graph& g, std::vector<uint8_t>* out, const TfliteWriteOptions& options) {
  const bool compact = options.compact;
  FlatBufferBuilder fbb(1 << 16);
  std::vector<Offset<tflite::Buffer>> buffers;
  buffers.push_back(tflite::CreateBuffer(fbb));  // buffer 0: the empty sentinel

  const int nt = static_cast<int>(g.tensors.size());
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    for (int32_t t : g.nodes[n].inputs) {
      if (t < -1 || t >= nt) return Status::error("node " + std::to_string(n) + " refers to a missing tensor");
    }
    for (int32_t t : g.nodes[n].outputs) {
      if (t < 0 || t >= nt) return Status::error("node " + std::to_string(n) + " refers to a missing tensor");
    }
  }
  std::vector<std::vector<int32_t>> node_inputs;
  for (const Node& node : g.nodes) node_inputs.push_back(written_inputs(g, node, compact));
  const std::vector<int32_t> index = tensor_index(g, node_inputs, compact);
  std::vector<Offset<tflite::Tensor>> tensors;
  // Identical quantization tables and zero-point vectors are written once and shared (per-channel
  // parameters are most of a small model's metadata; flatbuffers allow shared sub-objects).
  std::map<std::tuple<std::vector<float>, std::vector<int64_t>, int32_t>, Offset<tflite::QuantizationParameters>>
      quant_cache;
  std::map<std::vector<int64_t>, Offset<flatbuffers::Vector<int64_t>>> zp_cache;
  // Identical shapes are shared too; compact files keep names only for the graph's inputs and
  // outputs (what callers look tensors up by), every other tensor shares one empty string.
  std::map<std::vector<int32_t>, Offset<flatbuffers::Vector<int32_t>>> shape_cache;
  std::vector<bool> named(nt, false);
  for (int32_t t : g.inputs) if (t >= 0 && t < nt) named[t] = true;
  for (int32_t t : g.outputs) if (t >= 0 && t < nt) named[t] = true;
  if (!compact) named.assign(nt, true);
  const auto empty_name = fbb.CreateSharedString("");
  for (int i = 0; i < nt; ++i) {
    if (index[i] != static_cast<int32_t>(tensors.size())) continue;  // a duplicate or unused tensor
    const TensorDesc& d = g.tensors[i];
    tflite::TensorType type;
    FD_RETURN_IF_ERROR(tensor_type(d.dtype, d.name, &type));
    uint32_t buffer = 0;
    if (d.int4) {
      std::vector<uint8_t> packed;
      FD_RETURN_IF_ERROR(pack_int4(d, &packed));
      type = tflite::TensorType_INT4;
      buffer = static_cast<uint32_t>(buffers.size());
      buffers.push_back(write_buffer(fbb, packed.data(), packed.size(), compact));
    } else if (d.is_constant()) {
      buffer = static_cast<uint32_t>(buffers.size());
      buffers.push_back(write_buffer(fbb, d.data, d.data_bytes, compact));
    }
    Offset<tflite::QuantizationParameters> quant = 0;
    if (!d.quant.empty()) {
      std::vector<int64_t> zps(d.quant.zero_point.begin(), d.quant.zero_point.end());
      zps.resize(d.quant.scale.size(), 0);
      auto key = std::make_tuple(d.quant.scale, zps, d.quant.axis);
      auto it = quant_cache.find(key);
      if (it == quant_cache.end()) {
        auto zp_it = zp_cache.find(zps);
        if (zp_it == zp_cache.end()) zp_it = zp_cache.emplace(zps, fbb.CreateVector(zps)).first;
        auto scale = fbb.CreateVector(d.quant.scale);
        it = quant_cache.emplace(key, tflite::CreateQuantizationParameters(fbb, 0, 0, scale, zp_it->second,
                                                                          tflite::QuantizationDetails_NONE, 0,
                                                                          d.quant.axis)).first;
      }
      quant = it->second;
    }
    std::vector<int32_t> dims(d.shape.begin(), d.shape.end());
    auto shape_it = shape_cache.find(dims);
    if (shape_it == shape_cache.end()) shape_it = shape_cache.emplace(dims, fbb.CreateVector(dims)).first;
    const auto shape = shape_it->second;
    const auto name = named[i] ? fbb.CreateString(d.name) : empty_name;
    tensors.push_back(tflite::CreateTensor(fbb, shape, type, buffer, name, quant));
  }

  std::map<std::pair<int32_t, std::string>, uint32_t> code_index;
  std::vector<Offset<tflite::OperatorCode>> codes;
  std::vector<Offset<tflite::Operator>> ops;
  // Identical option tables (e.g. the same conv strides and padding) are written once and shared.
  std::map<std::pair<int, std::vector<uint8_t>>, Offset<void>> options_cache;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    auto key = std::make_pair(node.code, node.custom_name);
    auto it = code_index.find(key);
    if (it == code_index.end()) {
      auto custom = node.custom_name.empty() ? 0 : fbb.CreateString(node.custom_name);
      const int8_t deprecated = static_cast<int8_t>(std::min<int32_t>(node.code, 127));
      codes.push_back(tflite::CreateOperatorCode(fbb, deprecated, custom, 1,
                                                 static_cast<tflite::BuiltinOperator>(node.code)));
      it = code_index.emplace(key, static_cast<uint32_t>(codes.size() - 1)).first;
    }
    FlatBufferBuilder scratch(256);
    const auto probe = write_options(scratch, node, g);
    std::pair<tflite::BuiltinOptions, Offset<void>> options = {probe.first, 0};
    if (probe.first != tflite::BuiltinOptions_NONE) {
      scratch.Finish(probe.second);
      const std::pair<int, std::vector<uint8_t>> key(
          probe.first, std::vector<uint8_t>(scratch.GetBufferPointer(), scratch.GetBufferPointer() + scratch.GetSize()));
      auto opt_it = options_cache.find(key);
      if (opt_it == options_cache.end()) opt_it = options_cache.emplace(key, write_options(fbb, node, g).second).first;
      options.second = opt_it->second;
    }
    auto inputs = fbb.CreateVector(renumber(node_inputs[n], index));
    auto outputs = fbb.CreateVector(renumber(node.outputs, index));
    ops.push_back(tflite::CreateOperator(fbb, it->second, inputs, outputs, options.first, options.second));
  }

  std::vector<Offset<tflite::Metadata>> metadata;
  for (const auto& m : g.metadata) {
    const uint32_t b = static_cast<uint32_t>(buffers.size());
    buffers.push_back(write_buffer(fbb, reinterpret_cast<const uint8_t*>(m.second.data()), m.second.size(), compact));
    metadata.push_back(tflite::CreateMetadata(fbb, fbb.CreateString(m.first), b));
  }

  auto subgraph = tflite::CreateSubGraph(fbb, fbb.CreateVector(tensors), fbb.CreateVector(renumber(g.inputs, index)),
                                         fbb.CreateVector(renumber(g.outputs, index)), fbb.CreateVector(ops),
                                         fbb.CreateString("main"));
  auto model = tflite::CreateModel(fbb, 3, fbb.CreateVector(codes), fbb.CreateVector(&subgraph, 1),
                                   fbb.CreateString("featherdet"), fbb.CreateVector(buffers), 0,
                                   metadata.empty() ? 0 : fbb.CreateVector(metadata));
  tflite::FinishModelBuffer(fbb, model);
  out->assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return Status();
}

}  // namespace fd
