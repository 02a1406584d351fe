// Malformed models that fuzzing fed the TFLite reader and the interpreter: each class gets a
// clear error before any op or kernel reads the bad value.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "model/graph.h"
#include "model/tflite_reader.h"
#include "runtime/interpreter.h"
#include "tflite_schema_generated.h"

namespace fd {
namespace {

struct TensorSpec {
  std::vector<int32_t> shape;
  tflite::TensorType type = tflite::TensorType_INT8;
  std::vector<float> scale = {0.5f};
  std::vector<int64_t> zero_point = {0};
  std::vector<uint8_t> data;  // constant when not empty
};

// A one-operator TFLite model: `tensors`, operator `code` reading `ins` and writing `outs`
// (Conv2D options for CONV_2D), subgraph inputs `sg_ins` and outputs `sg_outs`.
std::vector<uint8_t> one_op_model(const std::vector<TensorSpec>& tensors, tflite::BuiltinOperator code,
                                  std::vector<int32_t> ins, std::vector<int32_t> outs, std::vector<int32_t> sg_ins,
                                  std::vector<int32_t> sg_outs) {
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
  flatbuffers::Offset<void> options;
  tflite::BuiltinOptions options_type = tflite::BuiltinOptions_NONE;
  if (code == tflite::BuiltinOperator_CONV_2D) {
    options = tflite::CreateConv2DOptions(b, tflite::Padding_VALID, 1, 1).Union();
    options_type = tflite::BuiltinOptions_Conv2DOptions;
  }
  std::vector<flatbuffers::Offset<tflite::Operator>> ops = {
      tflite::CreateOperatorDirect(b, 0, &ins, &outs, options_type, options)};
  std::vector<flatbuffers::Offset<tflite::SubGraph>> subgraphs = {
      tflite::CreateSubGraphDirect(b, &ts, &sg_ins, &sg_outs, &ops, "main")};
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes = {
      tflite::CreateOperatorCode(b, static_cast<int8_t>(code), 0, 1, code)};
  b.Finish(tflite::CreateModelDirect(b, 3, &codes, &subgraphs, "validation", &buffers), "TFL3");
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

// Reads and prepares `model`; returns the first error ("" when both succeed).
std::string load_error(const std::vector<uint8_t>& model) {
  Graph g;
  Status s = read_tflite(model.data(), model.size(), &g);
  if (!s.ok()) return s.message();
  std::unique_ptr<Interpreter> it;
  s = Interpreter::create(std::move(g), &it);
  return s.ok() ? std::string() : s.message();
}

const TensorSpec kActivation = {{1, 2, 2, 1}};

TEST(ModelValidation, AValidOneOpModelLoads) {
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})), "");
}

TEST(ModelValidation, OperatorsWithTooFewOrTooManyTensorsAreRejected) {
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RESHAPE, {}, {1}, {0}, {1})),
            "RESHAPE (node 0): has 0 inputs, needs 1 to 2");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_ADD, {0}, {1}, {0}, {1})),
            "ADD (node 0): has 1 inputs, needs 2");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {}, {0}, {1})),
            "RELU (node 0): has 0 outputs, needs 1");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation, kActivation}, tflite::BuiltinOperator_CONCATENATION,
                                    {0, 0, 0}, {1, 2}, {0}, {1})),
            "CONCATENATION (node 0): has 2 outputs, needs 1");
}

TEST(ModelValidation, TensorIndexMinusOneIsOnlyAnOmittedOptionalInput) {
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RESHAPE, {-1}, {1}, {0}, {1})),
            "RESHAPE: tensor index -1 out of range (node 0, input 0); the model has 2 tensors");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_ADD, {0, -1}, {1}, {0}, {1})),
            "ADD: tensor index -1 out of range (node 0, input 1); the model has 2 tensors");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {-1}, {1})),
            "tensor index -1 out of range (model input 0); the model has 2 tensors");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {-1})),
            "tensor index -1 out of range (model output 0); the model has 2 tensors");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {-1}, {0}, {1})),
            "RELU: tensor index -1 out of range (node 0, output 0); the model has 2 tensors");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {7}, {1}, {0}, {1})),
            "RELU: tensor index 7 out of range (node 0, input 0); the model has 2 tensors");
  // RESHAPE's shape input is optional: -1 there is legal.
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RESHAPE, {0, -1}, {1}, {0}, {1})),
            "");
}

TEST(ModelValidation, NodesMayNotWriteConstantsInputsOrTensorsWrittenBefore) {
  TensorSpec constant = kActivation;
  constant.data.assign(4, 1);
  EXPECT_EQ(load_error(one_op_model({kActivation, constant}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "RELU (node 0, output 0) writes the constant tensor 't1'");
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {0}, {0}, {1})),
            "RELU (node 0, output 0) writes tensor 't0', which a model input or an earlier node already holds");
}

TEST(ModelValidation, ZeroPointsAndScalesMustFitTheTensorType) {
  TensorSpec bad = kActivation;
  bad.zero_point = {4261412864};
  EXPECT_EQ(load_error(one_op_model({bad, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "zero point 4261412864 out of range for INT8 (tensor 't0')");
  bad = kActivation;
  bad.type = tflite::TensorType_UINT8;
  bad.zero_point = {-1};
  EXPECT_EQ(load_error(one_op_model({bad, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "zero point -1 out of range for UINT8 (tensor 't0')");
  for (float scale : {0.0f, -1.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    bad = kActivation;
    bad.scale = {scale};
    EXPECT_NE(load_error(one_op_model({bad, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1}))
                  .find("(scales must be positive and finite)"),
              std::string::npos)
        << scale;
  }
  bad = kActivation;
  bad.scale = {0.5f, 0.25f, 1.0f};
  EXPECT_EQ(load_error(one_op_model({bad, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "tensor 't0' has 3 scales for 1 slices along axis 0");
  bad = kActivation;
  bad.zero_point = {0, 0};
  EXPECT_EQ(load_error(one_op_model({bad, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "tensor 't0' has 2 zero points for 1 scales");
}

TEST(ModelValidation, ShapesAndBuffersAreCheckedWithoutOverflow) {
  TensorSpec huge = kActivation;
  huge.shape = {65536, 65536, 65536, 65536};  // 2^64 elements: wraps to 0 in 64-bit arithmetic
  EXPECT_EQ(load_error(one_op_model({huge, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "tensor 't0' has shape [65536, 65536, 65536, 65536], over the 256 MiB tensor limit");
  TensorSpec deep = kActivation;
  deep.shape.assign(9, 1);
  EXPECT_EQ(load_error(one_op_model({deep, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "tensor 't0' has rank 9 (featherdet supports up to 8)");
  TensorSpec short_data = kActivation;
  short_data.data = {1, 2, 3};
  EXPECT_EQ(load_error(one_op_model({kActivation, short_data, kActivation}, tflite::BuiltinOperator_ADD, {0, 1}, {2},
                                    {0}, {2})),
            "tensor 't1' holds 3 bytes but its shape [1, 2, 2, 1] needs 4");
}

// Fuzzing found bias folding (bias - input zero point * weight sum) overflowing int32.
TEST(ModelValidation, ConvBiasesThatWouldOverflowTheAccumulatorAreRejected) {
  const TensorSpec in = {{1, 1, 1, 1}, tflite::TensorType_INT8, {0.5f}, {-128}};
  const TensorSpec w = {{1, 1, 1, 1}, tflite::TensorType_INT8, {0.5f}, {0}, {127}};
  TensorSpec bias = {{1}, tflite::TensorType_INT32, {0.25f}, {0}, {0, 0, 0, 0}};
  const TensorSpec out = {{1, 1, 1, 1}, tflite::TensorType_INT8, {1.0f}, {0}};
  EXPECT_EQ(load_error(one_op_model({in, w, bias, out}, tflite::BuiltinOperator_CONV_2D, {0, 1, 2}, {3}, {0}, {3})), "");
  bias.data = {0xff, 0xff, 0xff, 0x7f};  // INT32_MAX
  EXPECT_EQ(load_error(one_op_model({in, w, bias, out}, tflite::BuiltinOperator_CONV_2D, {0, 1, 2}, {3}, {0}, {3})),
            "CONV_2D (node 0): output channel 0 could overflow its int32 accumulator (bias 2147483647, weight "
            "magnitude sum 127)");
}

}  // namespace
}  // namespace fd
