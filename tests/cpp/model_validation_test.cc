// Malformed models that fuzzing fed the TFLite reader and the interpreter: each class gets a
// clear error before any op or kernel reads the bad value.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/graph.h"
#include "model/tflite_reader.h"
#include "runtime/interpreter.h"
#include "tflite_test_models.h"

namespace fd {
namespace {

// Reads and prepares `model`; returns the first error ("" when both succeed).
Status load_status(const std::vector<uint8_t>& model) {
  Graph g;
  FD_RETURN_IF_ERROR(read_tflite(model.data(), model.size(), &g));
  std::unique_ptr<Interpreter> it;
  return Interpreter::create(std::move(g), &it);
}

std::string load_error(const std::vector<uint8_t>& model) { return load_status(model).message(); }

const TensorSpec kActivation = {{1, 2, 2, 1}, tflite::TensorType_INT8, {0.5f}, {0}, {}};

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

// Fuzzing found a detector decoding a model output that no node writes (no memory behind it).
TEST(ModelValidation, ModelOutputsMustBeComputed) {
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0},
                                    {2})),
            "model output 0 ('t2') is neither a model input, a constant nor written by any node");
  // An op featherdet lacks is named as such, not as an output nothing writes.
  EXPECT_EQ(load_error(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_SIN, {0}, {1}, {0}, {1})),
            "model uses op SIN (node 0), which featherdet does not support");
  EXPECT_EQ(load_status(one_op_model({kActivation, kActivation}, tflite::BuiltinOperator_SIN, {0}, {1}, {0}, {1})).code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(load_status(one_op_model({kActivation, kActivation, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0},
                                     {2})).code(),
            StatusCode::kFailed);
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

// Fuzzing found a CONCATENATION whose input scale over its output scale overflowed to infinity:
// infinity times the zero accumulator is NaN, which reached a float-to-int conversion.
TEST(ModelValidation, RequantizationScalesMustBeFinite) {
  TensorSpec huge = kActivation, tiny = kActivation;
  huge.scale = {3e38f};
  tiny.scale = {1e-3f};
  const auto concat = [](flatbuffers::FlatBufferBuilder& fb) { return tflite::CreateConcatenationOptions(fb, 3).Union(); };
  const std::string err = load_error(one_op_model({huge, kActivation, tiny}, tflite::BuiltinOperator_CONCATENATION, {0, 1}, {2},
                                                  {0, 1}, {2}, {tflite::BuiltinOptions_ConcatenationOptions, concat}));
  EXPECT_NE(err.find("CONCATENATION (node 0): requantization scale (input / output) inf is out of range"), std::string::npos)
      << err;
}

// Fuzzing found a quantized ADD whose input/output scale ratios underflowed to 0 in float: the
// fixed-point shift was derived from the ratio's exponent before the range check (signed
// overflow). Ratios on either side of the supported range [2^-10, 2^20) are rejected; its ends load.
TEST(ModelValidation, AddScaleRatiosOutsideTheFixedPointRangeAreRejected) {
  const auto add_error = [](float in_scale, float out_scale) {
    TensorSpec in = kActivation, out = kActivation;
    in.scale = {in_scale};
    out.scale = {out_scale};
    return load_error(one_op_model({in, in, out}, tflite::BuiltinOperator_ADD, {0, 1}, {2}, {0, 1}, {2}));
  };
  for (const auto& [in_scale, out_scale] : {std::pair{1e-30f, 1e30f}, std::pair{1e-3f, 2.0f}, std::pair{2e6f, 1.0f}}) {
    const std::string err = add_error(in_scale, out_scale);
    EXPECT_NE(err.find("ADD (node 0): input/output scale ratios"), std::string::npos) << err;
    EXPECT_NE(err.find("the larger must be in [2^-10, 2^20)"), std::string::npos) << err;
  }
  EXPECT_EQ(add_error(0x1p-10f, 1.0f), "");
  EXPECT_EQ(add_error(0x1.fffffep19f, 1.0f), "");
}

TEST(ModelValidation, ShapesAndBuffersAreCheckedWithoutOverflow) {
  TensorSpec huge = kActivation;
  huge.shape = {65536, 65536, 65536, 65536};  // 2^64 elements: wraps to 0 in 64-bit arithmetic
  EXPECT_EQ(load_error(one_op_model({huge, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "tensor 't0' has shape [65536, 65536, 65536, 65536], negative or over the 256 MiB tensor limit");
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

// Fuzzing found RESIZE sizing its tap tables by a 2^30-pixel output before anything checked it.
TEST(ModelValidation, OutputShapesAreCheckedBeforeOpsSizeTablesByThem) {
  const TensorSpec in = {{1, 2, 2, 1}, tflite::TensorType_FLOAT32, {}, {}, {}};
  std::vector<uint8_t> size(8);
  const int32_t hw[2] = {1 << 30, 1};
  std::memcpy(size.data(), hw, 8);
  const TensorSpec size_t_spec = {{2}, tflite::TensorType_INT32, {}, {}, size};
  EXPECT_EQ(load_error(one_op_model({in, size_t_spec, in}, tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, {0, 1}, {2},
                                    {0}, {2})),
            "RESIZE_NEAREST_NEIGHBOR (node 0): output 0 has shape [1, 1073741824, 1, 1], negative or over the "
            "256 MiB tensor limit");
  // PAD: before + size + after overflowed int32 before the size check.
  std::vector<uint8_t> pads(4 * 8, 0);
  const int32_t big = INT32_MAX - 1;
  std::memcpy(&pads[4 * 2], &big, 4);  // dim 1, before
  const TensorSpec pad_spec = {{4, 2}, tflite::TensorType_INT32, {}, {}, pads};
  EXPECT_EQ(load_error(one_op_model({in, pad_spec, in}, tflite::BuiltinOperator_PAD, {0, 1}, {2}, {0}, {2})),
            "PAD (node 0): padded dimension 1 is too large");
  // RESHAPE: the product of a huge target overflowed int64 before the element-count check.
  std::vector<uint8_t> target(4 * 4);
  const int32_t dims[4] = {1 << 30, 1 << 30, 1 << 30, 4};
  std::memcpy(target.data(), dims, sizeof(dims));
  const TensorSpec target_spec = {{4}, tflite::TensorType_INT32, {}, {}, target};
  EXPECT_EQ(load_error(one_op_model({in, target_spec, in}, tflite::BuiltinOperator_RESHAPE, {0, 1}, {2}, {0}, {2})),
            "RESHAPE (node 0): new shape [1073741824, 1073741824, 1073741824, 4] is negative or too large");
}

// Fuzzing found bias folding (bias - input zero point * weight sum) overflowing int32.
TEST(ModelValidation, ConvBiasesThatWouldOverflowTheAccumulatorAreRejected) {
  const TensorSpec in = {{1, 1, 1, 1}, tflite::TensorType_INT8, {0.5f}, {-128}, {}};
  const TensorSpec w = {{1, 1, 1, 1}, tflite::TensorType_INT8, {0.5f}, {0}, {127}};
  TensorSpec bias = {{1}, tflite::TensorType_INT32, {0.25f}, {0}, {0, 0, 0, 0}};
  const TensorSpec out = {{1, 1, 1, 1}, tflite::TensorType_INT8, {1.0f}, {0}, {}};
  EXPECT_EQ(load_error(one_op_model({in, w, bias, out}, tflite::BuiltinOperator_CONV_2D, {0, 1, 2}, {3}, {0}, {3})), "");
  bias.data = {0xff, 0xff, 0xff, 0x7f};  // INT32_MAX
  EXPECT_EQ(load_error(one_op_model({in, w, bias, out}, tflite::BuiltinOperator_CONV_2D, {0, 1, 2}, {3}, {0}, {3})),
            "CONV_2D (node 0): output channel 0 could overflow its int32 accumulator (bias 2147483647, weight "
            "magnitude sum 127)");
}

// INT4 weights (TensorType INT4, two values a byte, low nibble first) are unpacked to INT8 at
// load; a buffer shorter than the shape needs, an INT4 activation and an INT4 zero point outside
// [-8, 7] are rejected by name.
TEST(ModelValidation, Int4WeightsMustBeConstantAndComplete) {
  const TensorSpec in = {{1, 2, 2, 3}, tflite::TensorType_INT8, {0.5f}, {-3}, {}};
  // [3, 1, 1, 3]: 9 values (an odd count: the last byte's high nibble is padding).
  const std::vector<int8_t> values = {-8, 7, -1, 0, 3, -5, 1, 6, -7};
  TensorSpec w4 = {{3, 1, 1, 3}, tflite::TensorType_INT4, {0.25f, 0.5f, 0.125f}, {0, 0, 0}, {}};
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % 2 == 0) w4.data.push_back(static_cast<uint8_t>(values[i] & 0x0F));
    else w4.data.back() |= static_cast<uint8_t>((values[i] & 0x0F) << 4);
  }
  ASSERT_EQ(w4.data.size(), 5u);
  TensorSpec w8 = w4;
  w8.type = tflite::TensorType_INT8;
  w8.data.assign(reinterpret_cast<const uint8_t*>(values.data()),
                 reinterpret_cast<const uint8_t*>(values.data()) + values.size());
  const TensorSpec bias = {{3}, tflite::TensorType_INT32, {0.125f, 0.25f, 0.0625f}, {0, 0, 0},
                           {10, 0, 0, 0, 0xf6, 0xff, 0xff, 0xff, 3, 0, 0, 0}};
  const TensorSpec out = {{1, 2, 2, 3}, tflite::TensorType_INT8, {0.75f}, {2}, {}};
  auto model = [&](const TensorSpec& w) {
    return one_op_model({in, w, bias, out}, tflite::BuiltinOperator_CONV_2D, {0, 1, 2}, {3}, {0}, {3});
  };
  // Loads as INT8 values flagged int4, and runs exactly like the same values stored as INT8.
  const std::vector<uint8_t> f4 = model(w4), f8 = model(w8);
  Graph g4, g8;
  ASSERT_TRUE(read_tflite(f4.data(), f4.size(), &g4).ok());
  ASSERT_TRUE(read_tflite(f8.data(), f8.size(), &g8).ok());
  EXPECT_TRUE(g4.tensors[1].int4);
  EXPECT_FALSE(g8.tensors[1].int4);
  EXPECT_EQ(g4.tensors[1].dtype, DType::kInt8);
  ASSERT_EQ(g4.tensors[1].data_bytes, values.size());
  EXPECT_EQ(std::memcmp(g4.tensors[1].data, values.data(), values.size()), 0);
  std::unique_ptr<Interpreter> i4, i8;
  ASSERT_TRUE(Interpreter::create(std::move(g4), &i4).ok());
  ASSERT_TRUE(Interpreter::create(std::move(g8), &i8).ok());
  for (size_t k = 0; k < 12; ++k) {
    i4->input(0).as<int8_t>()[k] = i8->input(0).as<int8_t>()[k] = static_cast<int8_t>(k * 23 - 128);
  }
  ASSERT_TRUE(i4->invoke().ok());
  ASSERT_TRUE(i8->invoke().ok());
  ASSERT_EQ(i4->output(0).bytes(), 12u);
  EXPECT_EQ(std::memcmp(i4->output(0).data, i8->output(0).data, 12), 0);

  // Too short: 9 values need 5 bytes.
  TensorSpec short4 = w4;
  short4.data.pop_back();
  EXPECT_EQ(load_error(model(short4)), "tensor 't1' (INT4) holds 4 bytes but its shape [3, 1, 1, 3] needs 5 (two values a byte)");
  // Longer is accepted (only the bytes the shape needs are read).
  TensorSpec long4 = w4;
  long4.data.push_back(0x77);
  EXPECT_EQ(load_error(model(long4)), "");
  // An activation (no buffer) of type INT4.
  TensorSpec act4 = in;
  act4.type = tflite::TensorType_INT4;
  act4.zero_point = {0};
  EXPECT_EQ(load_error(one_op_model({act4, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})),
            "tensor 't0' has type INT4 but no constant data: INT4 is supported for constant weights only");
  EXPECT_EQ(load_status(one_op_model({act4, kActivation}, tflite::BuiltinOperator_RELU, {0}, {1}, {0}, {1})).code(),
            StatusCode::kUnsupported);
  TensorSpec zp4 = w4;
  zp4.zero_point = {0, 8, 0};
  EXPECT_EQ(load_error(model(zp4)), "zero point 8 out of range for INT4 (tensor 't1')");
}

}  // namespace
}  // namespace fd
