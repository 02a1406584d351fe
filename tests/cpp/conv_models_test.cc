// Every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED node of the real TFLite models (uint8
// per-tensor, int8 per-channel, float with fp16 weights), run alone on random input through the
// interpreter and checked against the naive direct convolution of conv_reference.h.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "conv_reference.h"
#include "model/tflite_reader.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

using namespace conv_test;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

float half_to_float(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  float v = exp == 0 ? std::ldexp(static_cast<float>(mant), -24)
                     : exp == 31 ? INFINITY : std::ldexp(static_cast<float>(mant | 1024), exp - 25);
  return sign ? -v : v;
}

// Returns the constant data of tensor `t` as float32 bytes when it is a DEQUANTIZE of fp16.
bool folded_fp16(const Graph& m, int t, std::vector<float>* out) {
  for (const Node& n : m.nodes) {
    if (n.code != static_cast<int32_t>(OpCode::kDequantize) || n.outputs[0] != t) continue;
    const TensorDesc& src = m.tensors[n.inputs[0]];
    if (src.dtype != DType::kFloat16 || !src.is_constant()) return false;
    out->resize(num_elements(src.shape));
    for (size_t i = 0; i < out->size(); ++i) {
      uint16_t h;
      std::memcpy(&h, src.data + 2 * i, 2);
      (*out)[i] = half_to_float(h);
    }
    return true;
  }
  return false;
}

// Runs each CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED node of `file` as a one-node graph and
// checks it against the naive convolution; returns how many nodes were checked.
int check_model_nodes(const std::string& file) {
  const std::vector<uint8_t> bytes = read_file(file);
  EXPECT_FALSE(bytes.empty()) << file;
  Graph model;
  Status s = read_tflite(bytes.data(), bytes.size(), &model);
  EXPECT_TRUE(s.ok()) << s.message();
  int checked = 0;
  for (size_t ni = 0; ni < model.nodes.size(); ++ni) {
    const Node& node = model.nodes[ni];
    const bool conv = node.code == static_cast<int32_t>(OpCode::kConv2D);
    const bool dw = node.code == static_cast<int32_t>(OpCode::kDepthwiseConv2D);
    const bool fc = node.code == static_cast<int32_t>(OpCode::kFullyConnected);
    if (!conv && !dw && !fc) continue;
    Graph sub;
    sub.storage = model.storage;
    std::vector<int32_t> ins;
    std::vector<std::vector<float>> folded(3);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int t = node.inputs[i];
      if (t < 0) { ins.push_back(-1); continue; }
      TensorDesc d = model.tensors[t];
      if (i > 0 && !d.is_constant() && folded_fp16(model, t, &folded[i])) {
        d.data = reinterpret_cast<const uint8_t*>(folded[i].data());
        d.data_bytes = folded[i].size() * 4;
      }
      sub.tensors.push_back(d);
      ins.push_back(static_cast<int32_t>(sub.tensors.size()) - 1);
    }
    TensorDesc od = model.tensors[node.outputs[0]];
    sub.tensors.push_back(od);
    const int tout = static_cast<int>(sub.tensors.size()) - 1;
    Node one = node;
    one.inputs = ins;
    one.outputs = {tout};
    sub.nodes.push_back(one);
    sub.inputs = {ins[0]};
    sub.outputs = {tout};
    std::unique_ptr<Interpreter> interp;
    s = Interpreter::create(sub, &interp);
    EXPECT_TRUE(s.ok()) << file << " node " << ni << ": " << s.message();
    if (!s.ok()) continue;
    EXPECT_EQ(interp->output(0).shape, od.shape) << file << " node " << ni;
    RTensor& in = interp->input(0);
    std::mt19937 rng(static_cast<uint32_t>(ni));
    const bool is_float = in.dtype == DType::kFloat32;
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> real(-1.0f, 1.0f);
    for (int64_t i = 0; i < num_elements(in.shape); ++i) {
      if (is_float) in.as<float>()[i] = real(rng);
      else in.data[i] = static_cast<uint8_t>(byte(rng));
    }
    EXPECT_TRUE(interp->invoke().ok());
    // Naive expectation.
    const TensorDesc& wd = sub.tensors[ins[1]];
    Geo g;
    const RTensor& out = interp->output(0);
    if (fc) {
      g.cin = wd.shape[1];
      g.n = static_cast<int>(num_elements(in.shape) / g.cin);
      g.cout = wd.shape[0];
    } else {
      g = {in.shape[0], in.shape[1], in.shape[2], in.shape[3], wd.shape[1], wd.shape[2], dw ? wd.shape[3] : wd.shape[0],
           node.options.stride_h, node.options.stride_w, node.options.dilation_h, node.options.dilation_w,
           node.options.padding, dw};
    }
    const bool has_bias = ins.size() > 2 && ins[2] >= 0;
    const TensorDesc* bd = has_bias ? &sub.tensors[ins[2]] : nullptr;
    int mismatches = 0;
    // Large layers: check an odd-strided sample of outputs (covers every channel), ~20k of them.
    const size_t step = static_cast<size_t>(num_elements(out.shape) / 20000) | 1;
    for_each_output(g, [&](size_t o, int oc, const std::vector<std::pair<size_t, size_t>>& taps) {
      if (is_float) {
        const float* wf = reinterpret_cast<const float*>(wd.data);
        double acc = bd ? reinterpret_cast<const float*>(bd->data)[oc] : 0.0;
        for (const auto& t : taps) acc += static_cast<double>(in.as<float>()[t.first]) * wf[t.second];
        const Activation a = node.options.activation;
        if (a == Activation::kRelu || a == Activation::kRelu6) acc = std::max(acc, 0.0);
        if (a == Activation::kRelu6) acc = std::min(acc, 6.0);
        if (std::fabs(out.as<float>()[o] - acc) > 1e-3 * (1 + std::fabs(acc))) ++mismatches;
        return;
      }
      const int q = wd.quant.scale.size() > 1 ? oc : 0;
      int32_t acc = bd ? reinterpret_cast<const int32_t*>(bd->data)[oc] : 0;
      for (const auto& t : taps) {
        acc += (to_int(in.data[t.first], in.dtype) - in.quant.zero_point[0]) *
               (to_int(wd.data[t.second], wd.dtype) - wd.quant.zero_point[q]);
      }
      int32_t lo = 0, hi = 0;
      act_range(node.options.activation, out.dtype, out.quant.scale[0], out.quant.zero_point[0], &lo, &hi);
      const float scale = in.quant.scale[0] * wd.quant.scale[q] / out.quant.scale[0];
      if (to_int(out.data[o], out.dtype) != requantize(acc, scale, out.quant.zero_point[0], lo, hi)) ++mismatches;
    }, step);
    EXPECT_EQ(mismatches, 0) << file << " node " << ni << " (" << op_name(node.code) << ")";
    ++checked;
  }
  return checked;
}

TEST(ConvOpsOnModels, MobilenetV1Uint8) {
  EXPECT_EQ(check_model_nodes(std::string(FD_SHARED_DIR) + "/conformance/tflite/mobilenet_v1_0.25_128_quant.tflite"), 28);
}

TEST(ConvOpsOnModels, DeeplabV3Uint8Dilated) {
  EXPECT_GT(check_model_nodes(std::string(FD_SHARED_DIR) + "/conformance/tflite/deeplabv3_mnv2_dm05_pascal_quant.tflite"), 30);
}

TEST(ConvOpsOnModels, MobilenetV2Int8PerChannel) {
  EXPECT_GT(check_model_nodes(std::string(FD_SHARED_DIR) + "/conformance/tflite/tf2_mobilenet_v2_1.0_224_ptq.tflite"), 50);
}

TEST(ConvOpsOnModels, MovenetInt8) {
  EXPECT_GT(check_model_nodes(std::string(FD_SHARED_DIR) + "/conformance/tflite/movenet_single_pose_lightning_ptq.tflite"), 30);
}

TEST(ConvOpsOnModels, BlazefaceFloatFp16Weights) {
  EXPECT_GT(check_model_nodes(std::string(FD_SHARED_DIR) + "/models/upstream/blazeface_short_range.tflite"), 20);
}

}  // namespace
}  // namespace fd
