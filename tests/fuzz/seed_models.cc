// Writes small seed files into the directory given as argument: one-operator .tflite files, one
// per op featherdet runs (INT8 and FLOAT32), reaching every op's prepare and eval in a few hundred
// bytes, tiny detector inputs (detector-*.bin, for fuzz_detector) and one-node ONNX graphs
// (onnx-*.onnx, for fuzz_onnx).
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/shape.h"
#include "onnx_test_models.h"
#include "tflite_test_models.h"

namespace {

using fd::OpOptionsSpec;
using fd::TensorSpec;
using tflite::BuiltinOperator;

std::vector<uint8_t> int32_bytes(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TensorSpec int32_const(const std::vector<int32_t>& v) {
  return {{static_cast<int32_t>(v.size())}, tflite::TensorType_INT32, {}, {}, int32_bytes(v)};
}

template <typename Make>
OpOptionsSpec options(tflite::BuiltinOptions type, Make make) {
  return {type, [make](flatbuffers::FlatBufferBuilder& b) { return make(b).Union(); }};
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

struct Seed {
  std::string name;
  BuiltinOperator code;
  std::vector<TensorSpec> extra;  // constant inputs after the activation
  std::vector<int32_t> out_shape;
  OpOptionsSpec opts;
  int activations = 1;  // activation inputs (1 or 2: both are model inputs)
  int outputs = 1;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  using namespace tflite;
  const std::vector<int32_t> nhwc = {1, 4, 4, 2};
  auto weights = [](tflite::TensorType t, std::vector<int32_t> shape) {
    TensorSpec w{
        shape,
        t,
        {0.05f},
        {0},
        std::vector<uint8_t>(static_cast<size_t>(fd::num_elements(shape)) * (t == TensorType_FLOAT32 ? 4 : 1))};
    for (size_t i = 0; i < w.data.size(); ++i) w.data[i] = static_cast<uint8_t>(i * 37 + 11);
    if (t == TensorType_FLOAT32) {
      for (size_t i = 0; i < w.data.size(); i += 4) {
        const float f = 0.1f * static_cast<float>(i % 7) - 0.3f;
        std::memcpy(&w.data[i], &f, 4);
      }
    }
    return w;
  };
  int written = 0;
  for (TensorType type : {TensorType_INT8, TensorType_FLOAT32}) {
    const bool q = type == TensorType_INT8;
    TensorSpec bias{{2}, q ? TensorType_INT32 : TensorType_FLOAT32, {0.025f}, {0}, std::vector<uint8_t>(8, 1)};
    const std::vector<Seed> seeds = {
        {"conv",
         BuiltinOperator_CONV_2D,
         {weights(type, {2, 3, 3, 2}), bias},
         {1, 4, 4, 2},
         options(BuiltinOptions_Conv2DOptions,
                 [](flatbuffers::FlatBufferBuilder& b) {
                   return CreateConv2DOptions(b, Padding_SAME, 1, 1, ActivationFunctionType_RELU);
                 })},
        {"conv_1x1_s2",
         BuiltinOperator_CONV_2D,
         {weights(type, {2, 1, 1, 2}), bias},
         {1, 2, 2, 2},
         options(BuiltinOptions_Conv2DOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateConv2DOptions(b, Padding_VALID, 2, 2); })},
        {"depthwise",
         BuiltinOperator_DEPTHWISE_CONV_2D,
         {weights(type, {1, 3, 3, 2}), bias},
         {1, 4, 4, 2},
         options(BuiltinOptions_DepthwiseConv2DOptions,
                 [](flatbuffers::FlatBufferBuilder& b) {
                   return CreateDepthwiseConv2DOptions(b, Padding_SAME, 1, 1, 1, ActivationFunctionType_RELU6);
                 })},
        {"fully_connected",
         BuiltinOperator_FULLY_CONNECTED,
         {weights(type, {2, 32}), bias},
         {1, 2},
         options(BuiltinOptions_FullyConnectedOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateFullyConnectedOptions(b); })},
        {"add", BuiltinOperator_ADD, {}, nhwc, {}, 2},
        {"sub", BuiltinOperator_SUB, {}, nhwc, {}, 2},
        {"mul", BuiltinOperator_MUL, {}, nhwc, {}, 2},
        {"div", BuiltinOperator_DIV, {}, nhwc, {}, 2},
        {"relu", BuiltinOperator_RELU, {}, nhwc},
        {"relu6", BuiltinOperator_RELU6, {}, nhwc},
        {"leaky_relu",
         BuiltinOperator_LEAKY_RELU,
         {},
         nhwc,
         options(BuiltinOptions_LeakyReluOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateLeakyReluOptions(b, 0.1f); })},
        {"hard_swish", BuiltinOperator_HARD_SWISH, {}, nhwc},
        {"logistic", BuiltinOperator_LOGISTIC, {}, nhwc},
        {"tanh", BuiltinOperator_TANH, {}, nhwc},
        {"max_pool",
         BuiltinOperator_MAX_POOL_2D,
         {},
         {1, 2, 2, 2},
         options(BuiltinOptions_Pool2DOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreatePool2DOptions(b, Padding_SAME, 2, 2, 3, 3); })},
        {"average_pool",
         BuiltinOperator_AVERAGE_POOL_2D,
         {},
         {1, 2, 2, 2},
         options(BuiltinOptions_Pool2DOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreatePool2DOptions(b, Padding_VALID, 2, 2, 2, 2); })},
        {"mean",
         BuiltinOperator_MEAN,
         {int32_const({1, 2})},
         {1, 1, 1, 2},
         options(BuiltinOptions_ReducerOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateReducerOptions(b, true); })},
        {"softmax",
         BuiltinOperator_SOFTMAX,
         {},
         nhwc,
         options(BuiltinOptions_SoftmaxOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateSoftmaxOptions(b, 1.0f); })},
        {"resize_bilinear",
         BuiltinOperator_RESIZE_BILINEAR,
         {int32_const({8, 8})},
         {1, 8, 8, 2},
         options(BuiltinOptions_ResizeBilinearOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateResizeBilinearOptions(b, false, true); })},
        {"resize_nearest", BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, {int32_const({8, 8})}, {1, 8, 8, 2}},
        {"arg_max", BuiltinOperator_ARG_MAX, {int32_const({3})}, {1, 4, 4}},
        {"reshape", BuiltinOperator_RESHAPE, {int32_const({1, 16, 2})}, {1, 16, 2}},
        {"concatenation",
         BuiltinOperator_CONCATENATION,
         {},
         {1, 4, 4, 4},
         options(BuiltinOptions_ConcatenationOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateConcatenationOptions(b, 3); }),
         2},
        {"transpose", BuiltinOperator_TRANSPOSE, {int32_const({0, 3, 1, 2})}, {1, 2, 4, 4}},
        {"pad",
         BuiltinOperator_PAD,
         {[] {
           TensorSpec p = int32_const({0, 0, 1, 1, 1, 1, 0, 0});
           p.shape = {4, 2};
           return p;
         }()},
         {1, 6, 6, 2}},
        {"split",
         BuiltinOperator_SPLIT,
         {int32_const({3})},
         {1, 4, 4, 1},
         options(BuiltinOptions_SplitOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateSplitOptions(b, 2); }),
         1,
         2},
        {"strided_slice",
         BuiltinOperator_STRIDED_SLICE,
         {int32_const({0, 1, 0, 0}), int32_const({1, 4, 4, 2}), int32_const({1, 2, 1, 1})},
         {1, 2, 4, 2}},
        {"gather",
         BuiltinOperator_GATHER,
         {int32_const({1, 0})},
         {1, 4, 4, 2},
         options(BuiltinOptions_GatherOptions,
                 [](flatbuffers::FlatBufferBuilder& b) { return CreateGatherOptions(b, 3); })},
        {"squeeze", BuiltinOperator_SQUEEZE, {}, {4, 4, 2}},
    };
    for (const Seed& s : seeds) {
      if (q && s.code == BuiltinOperator_DIV) continue;          // float-only op
      const bool split_first = s.code == BuiltinOperator_SPLIT;  // SPLIT reads (axis, input)
      std::vector<TensorSpec> tensors;
      std::vector<int32_t> ins, outs, sg_ins, sg_outs;
      if (split_first) {
        tensors.push_back(s.extra[0]);
        ins.push_back(0);
      }
      for (int a = 0; a < s.activations; ++a) {
        sg_ins.push_back(static_cast<int32_t>(tensors.size()));
        ins.push_back(static_cast<int32_t>(tensors.size()));
        tensors.push_back({nhwc, type, {0.1f}, {q ? 3 : 0}});
      }
      for (size_t e = split_first ? 1 : 0; e < s.extra.size(); ++e) {
        ins.push_back(static_cast<int32_t>(tensors.size()));
        tensors.push_back(s.extra[e]);
      }
      for (int o = 0; o < s.outputs; ++o) {
        TensorSpec out{s.out_shape, type, {0.2f}, {q ? -5 : 0}};
        if (s.code == BuiltinOperator_ARG_MAX) out = {s.out_shape, TensorType_INT64, {}, {}};
        if (s.code == BuiltinOperator_LOGISTIC && q) out.scale = {1.0f / 256}, out.zero_point = {-128};
        if (s.code == BuiltinOperator_SOFTMAX && q) out.scale = {1.0f / 256}, out.zero_point = {-128};
        if (s.code == BuiltinOperator_PAD) out.scale = {0.1f}, out.zero_point = {q ? 3 : 0};
        outs.push_back(static_cast<int32_t>(tensors.size()));
        sg_outs.push_back(outs.back());
        tensors.push_back(out);
      }
      if (!q) {
        for (TensorSpec& t : tensors) {
          if (t.type == TensorType_FLOAT32) t.scale.clear(), t.zero_point.clear();
        }
      }
      const std::vector<uint8_t> model = fd::one_op_model(tensors, s.code, ins, outs, sg_ins, sg_outs, s.opts);
      const std::string path = dir + "/" + s.name + (q ? "-int8" : "-f32") + ".tflite";
      if (!write_file(path, model)) return 1;
      ++written;
    }
  }
  // INT4 conv weights (TensorType INT4, two values a byte, low nibble first; 81 values, so the
  // last byte's high nibble is padding): the reader's unpacking path.
  {
    const std::vector<int32_t> rgb = {1, 4, 4, 3};
    TensorSpec w4{{3, 3, 3, 3}, TensorType_INT4, {0.05f}, {0}, std::vector<uint8_t>(41)};
    for (size_t i = 0; i < w4.data.size(); ++i) w4.data[i] = static_cast<uint8_t>(i * 37 + 11);
    w4.data.back() &= 0x0F;
    const TensorSpec bias{{3}, TensorType_INT32, {0.005f}, {0}, std::vector<uint8_t>(12, 1)};
    const std::vector<TensorSpec> tensors = {
        {rgb, TensorType_INT8, {0.1f}, {3}}, w4, bias, {rgb, TensorType_INT8, {0.2f}, {-5}}};
    const std::vector<uint8_t> model = fd::one_op_model(
        tensors, BuiltinOperator_CONV_2D, {0, 1, 2}, {3}, {0}, {3},
        options(BuiltinOptions_Conv2DOptions,
                [](flatbuffers::FlatBufferBuilder& b) { return CreateConv2DOptions(b, Padding_SAME, 1, 1); }));
    if (!write_file(dir + "/conv-int4.tflite", model)) return 1;
    ++written;
  }
  // Tiny detector inputs for fuzz_detector (frame byte, 16-bit options length, options, model):
  // a 4x4 float image reshaped into one YOLO head, with metadata for each head layout.
  const std::vector<std::pair<std::vector<int32_t>, std::string>> heads = {
      {{1, 8, 6},
       R"({"family": "yolov5", "input": {"resize": "stretch", "range": "0,1"}, "normalized": true, "labels": ["a"]})"},
      {{1, 6, 8}, R"({"family": "yolov8", "labels": ["a", "b"], "scoreThreshold": 0.1})"},
      {{1, 48}, ""},
  };
  const std::string options[] = {"", R"({"scoreThreshold": 0.05, "maxResults": 2, "categoryAllowlist": ["a"]})",
                                 R"({"decoder": {"family": "yolov5", "normalized": false}})"};
  for (size_t h = 0; h < heads.size(); ++h) {
    const std::vector<uint8_t> model = fd::reshape_model("pred", heads[h].first, heads[h].second);
    for (size_t o = 0; o < 3; ++o) {
      std::vector<uint8_t> input = {static_cast<uint8_t>(h * 40 + o * 7), static_cast<uint8_t>(options[o].size()), 0};
      input.insert(input.end(), options[o].begin(), options[o].end());
      input.insert(input.end(), model.begin(), model.end());
      const std::string path = dir + "/detector-" + std::to_string(h) + "-" + std::to_string(o) + ".bin";
      if (!write_file(path, input)) return 1;
      ++written;
    }
  }
  // One-node ONNX graphs (for fuzz_onnx) on an x [1, 3, 4, 4] image input, constants as initializers.
  using fd::Bytes;
  const std::vector<float> w(2 * 3 * 3 * 3, 0.125f), b2 = {0.5f, -0.25f}, b3 = {0.5f, -0.25f, 1.0f};
  struct OnnxSeed {
    std::string name;
    Bytes node;
    std::vector<Bytes> inits;
    std::vector<int64_t> out;
  };
  const std::vector<OnnxSeed> onnx = {
      {"conv",
       fd::node("Conv", {"x", "w", "b"}, {"y"},
                {fd::ints_attr("pads", {1, 1, 1, 1}), fd::ints_attr("kernel_shape", {3, 3})}),
       {fd::float_tensor("w", {2, 3, 3, 3}, w), fd::float_tensor("b", {2}, b2)},
       {1, 2, 4, 4}},
      {"relu", fd::node("Relu", {"x"}, {"y"}), {}, {1, 3, 4, 4}},
      {"sigmoid", fd::node("Sigmoid", {"x"}, {"y"}), {}, {1, 3, 4, 4}},
      {"leaky_relu", fd::node("LeakyRelu", {"x"}, {"y"}), {}, {1, 3, 4, 4}},
      {"hard_sigmoid", fd::node("HardSigmoid", {"x"}, {"y"}), {}, {1, 3, 4, 4}},
      {"clip",
       fd::node("Clip", {"x", "lo", "hi"}, {"y"}),
       {fd::float_tensor("lo", {}, {0.0f}), fd::float_tensor("hi", {}, {6.0f})},
       {1, 3, 4, 4}},
      {"add", fd::node("Add", {"x", "b"}, {"y"}), {fd::float_tensor("b", {1, 3, 1, 1}, b3)}, {1, 3, 4, 4}},
      {"mul", fd::node("Mul", {"x", "x"}, {"y"}), {}, {1, 3, 4, 4}},
      {"concat", fd::node("Concat", {"x", "x"}, {"y"}, {fd::int_attr("axis", 1)}), {}, {1, 6, 4, 4}},
      {"split", fd::node("Split", {"x"}, {"y", "z"}, {fd::int_attr("axis", 2)}), {}, {1, 3, 2, 4}},
      {"reshape", fd::node("Reshape", {"x", "s"}, {"y"}), {fd::int64_tensor("s", {3}, {1, 3, 16})}, {1, 3, 16}},
      {"flatten", fd::node("Flatten", {"x"}, {"y"}), {}, {1, 48}},
      {"unsqueeze", fd::node("Unsqueeze", {"x", "a"}, {"y"}), {fd::int64_tensor("a", {1}, {0})}, {1, 1, 2, 4, 4}},
      {"transpose", fd::node("Transpose", {"x"}, {"y"}, {fd::ints_attr("perm", {0, 2, 3, 1})}), {}, {1, 4, 4, 2}},
      {"softmax", fd::node("Softmax", {"x"}, {"y"}, {fd::int_attr("axis", 1)}), {}, {1, 3, 4, 4}},
      {"max_pool",
       fd::node("MaxPool", {"x"}, {"y"}, {fd::ints_attr("kernel_shape", {2, 2}), fd::ints_attr("strides", {2, 2})}),
       {},
       {1, 3, 2, 2}},
      {"global_pool", fd::node("GlobalAveragePool", {"x"}, {"y"}), {}, {1, 3, 1, 1}},
      {"resize",
       fd::node("Resize", {"x", "", "sc"}, {"y"}, {fd::string_attr("mode", "nearest")}),
       {fd::float_tensor("sc", {4}, {1, 1, 2, 2})},
       {1, 3, 8, 8}},
      {"pad", fd::node("Pad", {"x", "p"}, {"y"}), {fd::int64_tensor("p", {8}, {0, 0, 1, 1, 0, 0, 1, 1})}, {1, 3, 6, 6}},
      {"gather",
       fd::node("Gather", {"x", "i"}, {"y"}, {fd::int_attr("axis", 1)}),
       {fd::int64_tensor("i", {1}, {1})},
       {1, 1, 4, 4}},
      {"slice",
       fd::node("Slice", {"x", "st", "en", "ax"}, {"y"}),
       {fd::int64_tensor("st", {1}, {1}), fd::int64_tensor("en", {1}, {3}), fd::int64_tensor("ax", {1}, {2})},
       {1, 3, 2, 4}},
  };
  for (const OnnxSeed& o : onnx) {
    Bytes g;
    fd::put_bytes(&g, 1, o.node);
    fd::put_str(&g, 2, o.name);
    for (const Bytes& t : o.inits) fd::put_bytes(&g, 5, t);
    fd::put_bytes(&g, 11, fd::value_info("x", {1, 3, 4, 4}));
    fd::put_bytes(&g, 12, fd::value_info("y", o.out));
    if (!write_file(dir + "/onnx-" + o.name + ".onnx", fd::model(g))) return 1;
    ++written;
  }
  std::printf("wrote %d seed files to %s\n", written, dir.c_str());
  return 0;
}
