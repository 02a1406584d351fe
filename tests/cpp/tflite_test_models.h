// Test helper: tiny TFLite files built with the generated flatbuffers API.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tflite_schema_generated.h"

namespace fd {

// A FLOAT32 model: input "image" [1, 4, 4, 3] reshaped to output `out_name` `out_shape`, with an
// optional "featherdet" metadata entry.
inline std::vector<uint8_t> reshape_model(const std::string& out_name, const std::vector<int32_t>& out_shape,
                                          const std::string& metadata = "") {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int32_t> in_shape = {1, 4, 4, 3};
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors = {
      tflite::CreateTensorDirect(b, &in_shape, tflite::TensorType_FLOAT32, 0, "image"),
      tflite::CreateTensorDirect(b, &out_shape, tflite::TensorType_FLOAT32, 0, out_name.c_str())};
  std::vector<int32_t> ins = {0}, outs = {1};
  auto options = tflite::CreateReshapeOptionsDirect(b, &out_shape);
  std::vector<flatbuffers::Offset<tflite::Operator>> ops = {tflite::CreateOperatorDirect(
      b, 0, &ins, &outs, tflite::BuiltinOptions_ReshapeOptions, options.Union())};
  std::vector<flatbuffers::Offset<tflite::SubGraph>> subgraphs = {
      tflite::CreateSubGraphDirect(b, &tensors, &ins, &outs, &ops, "main")};
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes = {
      tflite::CreateOperatorCode(b, tflite::BuiltinOperator_RESHAPE, 0, 1, tflite::BuiltinOperator_RESHAPE)};
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers = {tflite::CreateBuffer(b)};
  std::vector<flatbuffers::Offset<tflite::Metadata>> meta;
  if (!metadata.empty()) {
    std::vector<uint8_t> bytes(metadata.begin(), metadata.end());
    buffers.push_back(tflite::CreateBufferDirect(b, &bytes));
    meta.push_back(tflite::CreateMetadataDirect(b, "featherdet", 1));
  }
  b.Finish(tflite::CreateModelDirect(b, 3, &codes, &subgraphs, "test", &buffers, nullptr, meta.empty() ? nullptr : &meta),
           "TFL3");
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

// One tensor of a hand-built model.
struct TensorSpec {
  std::vector<int32_t> shape;
  tflite::TensorType type = tflite::TensorType_INT8;
  std::vector<float> scale = {0.5f};
  std::vector<int64_t> zero_point = {0};
  std::vector<uint8_t> data;  // constant when not empty
};

// Builtin options of an operator: their union type and the builder that writes them.
struct OpOptionsSpec {
  tflite::BuiltinOptions type = tflite::BuiltinOptions_NONE;
  std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> build;
};

// A one-operator TFLite model: `tensors`, operator `code` reading `ins` and writing `outs` with
// `options` (default for CONV_2D: VALID, stride 1), subgraph inputs `sg_ins`, outputs `sg_outs`.
inline std::vector<uint8_t> one_op_model(const std::vector<TensorSpec>& tensors, tflite::BuiltinOperator code,
                                         std::vector<int32_t> ins, std::vector<int32_t> outs, std::vector<int32_t> sg_ins,
                                         std::vector<int32_t> sg_outs, OpOptionsSpec options = {}) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers = {tflite::CreateBuffer(b)};
  std::vector<flatbuffers::Offset<tflite::Tensor>> ts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSpec& t = tensors[i];
    uint32_t buffer = 0;
    if (!t.data.empty()) {
      buffer = static_cast<uint32_t>(buffers.size());
      buffers.push_back(tflite::CreateBufferDirect(b, &t.data));
    }
    auto q = tflite::CreateQuantizationParametersDirect(b, nullptr, nullptr, &t.scale, &t.zero_point);
    const std::string name = "t" + std::to_string(i);
    ts.push_back(tflite::CreateTensorDirect(b, &t.shape, t.type, buffer, name.c_str(), q));
  }
  if (code == tflite::BuiltinOperator_CONV_2D && !options.build) {
    options = {tflite::BuiltinOptions_Conv2DOptions,
               [](flatbuffers::FlatBufferBuilder& fb) { return tflite::CreateConv2DOptions(fb, tflite::Padding_VALID, 1, 1).Union(); }};
  }
  const flatbuffers::Offset<void> built = options.build ? options.build(b) : flatbuffers::Offset<void>();
  std::vector<flatbuffers::Offset<tflite::Operator>> ops = {
      tflite::CreateOperatorDirect(b, 0, &ins, &outs, options.type, built)};
  std::vector<flatbuffers::Offset<tflite::SubGraph>> subgraphs = {
      tflite::CreateSubGraphDirect(b, &ts, &sg_ins, &sg_outs, &ops, "main")};
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes = {
      tflite::CreateOperatorCode(b, static_cast<int8_t>(code), 0, 1, code)};
  b.Finish(tflite::CreateModelDirect(b, 3, &codes, &subgraphs, "validation", &buffers), "TFL3");
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

}  // namespace fd
