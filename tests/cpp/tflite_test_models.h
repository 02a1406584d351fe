// Test helper: tiny TFLite files built with the generated flatbuffers API.
#pragma once

#include <cstdint>
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

}  // namespace fd
