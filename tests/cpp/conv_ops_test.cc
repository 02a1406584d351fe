// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED through the interpreter on small hand-built
// graphs, checked against the naive direct convolution of conv_reference.h (SAME/VALID, stride 2,
// dilation 2, relu6, per-channel int8, uint8 with asymmetric weights, float, no bias).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "conv_reference.h"
#include "ops/conv_common.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

using namespace conv_test;

// Builds a small graph by hand: tensors (constant when given data) and nodes.
struct Builder {
  Graph g;
  int tensor(DType dtype, Shape shape, QuantParams q = {}, const void* data = nullptr, size_t bytes = 0) {
    TensorDesc d;
    d.name = "t" + std::to_string(g.tensors.size());
    d.dtype = dtype;
    d.shape = std::move(shape);
    d.quant = std::move(q);
    if (data) {
      auto buf = std::make_shared<std::vector<uint8_t>>(static_cast<const uint8_t*>(data),
                                                        static_cast<const uint8_t*>(data) + bytes);
      g.storage.push_back(buf);
      d.data = buf->data();
      d.data_bytes = bytes;
    }
    g.tensors.push_back(d);
    return static_cast<int>(g.tensors.size()) - 1;
  }
  void node(OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs, OpOptions o) {
    Node n;
    n.code = static_cast<int32_t>(code);
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    n.options = std::move(o);
    g.nodes.push_back(n);
  }
};

QuantParams quant(std::vector<float> scale, std::vector<int32_t> zp, int32_t axis = 0) {
  QuantParams q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zp);
  q.axis = axis;
  return q;
}

// A quantized conv/depthwise case: data, quantization, and the naive integer expectation.
struct QCase {
  Geo g;
  DType dtype = DType::kInt8;
  Activation act = Activation::kNone;
  bool per_channel = true;
  bool with_bias = true;
  uint32_t seed = 1;
};

// Runs `c` through the interpreter and checks it exactly against the naive direct convolution.
void run_quant_case(const QCase& c) {
  const Geo& g = c.g;
  std::mt19937 rng(c.seed);
  const bool u8 = c.dtype == DType::kUInt8;
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> x(static_cast<size_t>(g.n) * g.h * g.w * g.cin), w(g.weight_count());
  for (auto& v : x) v = static_cast<uint8_t>(byte(rng));
  for (auto& v : w) v = static_cast<uint8_t>(u8 ? byte(rng) : std::uniform_int_distribution<int>(-127, 127)(rng));
  const float in_s = 0.05f, out_s = u8 ? 0.6f : 0.3f;
  const int32_t in_zp = u8 ? 120 : -7, out_zp = u8 ? 110 : 5;
  std::vector<float> w_s;
  std::vector<int32_t> w_zp;
  const int nscales = c.per_channel ? g.cout : 1;
  for (int i = 0; i < nscales; ++i) {
    w_s.push_back(0.004f * (1 + (i % 5)));
    w_zp.push_back(u8 ? 100 + 3 * i : 0);
  }
  std::vector<int32_t> bias(g.cout);
  for (auto& b : bias) b = std::uniform_int_distribution<int>(-3000, 3000)(rng);

  Builder bld;
  const int tin = bld.tensor(c.dtype, {g.n, g.h, g.w, g.cin}, quant({in_s}, {in_zp}));
  const int tw = bld.tensor(c.dtype, g.weight_shape(), quant(w_s, w_zp, g.depthwise ? 3 : 0), w.data(), w.size());
  int tb = -1;
  if (c.with_bias) {
    std::vector<float> bs(nscales);
    for (int i = 0; i < nscales; ++i) bs[i] = in_s * w_s[i];
    tb = bld.tensor(DType::kInt32, {g.cout}, quant(bs, std::vector<int32_t>(nscales, 0)), bias.data(), bias.size() * 4);
  }
  const int tout = bld.tensor(c.dtype, {}, quant({out_s}, {out_zp}));
  bld.node(g.depthwise ? OpCode::kDepthwiseConv2D : OpCode::kConv2D, {tin, tw, tb}, {tout}, g.options(c.act));
  bld.g.inputs = {tin};
  bld.g.outputs = {tout};
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(bld.g, &interp);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(interp->output(0).shape, (Shape{g.n, g.oh(), g.ow(), g.cout}));
  std::memcpy(interp->input(0).data, x.data(), x.size());
  s = interp->invoke();
  ASSERT_TRUE(s.ok()) << s.message();

  int32_t lo = 0, hi = 0;
  act_range(c.act, c.dtype, out_s, out_zp, &lo, &hi);
  const uint8_t* got = interp->output(0).data;
  int distinct_mask = 0;
  for_each_output(g, [&](size_t o, int oc, const std::vector<std::pair<size_t, size_t>>& taps) {
    const int q = c.per_channel ? oc : 0;
    int32_t acc = c.with_bias ? bias[oc] : 0;
    for (const auto& t : taps) acc += (to_int(x[t.first], c.dtype) - in_zp) * (to_int(w[t.second], c.dtype) - w_zp[q]);
    const int32_t want = requantize(acc, in_s * w_s[q] / out_s, out_zp, lo, hi);
    ASSERT_EQ(to_int(got[o], c.dtype), want) << "output " << o << " channel " << oc;
    distinct_mask |= (want == lo ? 1 : want == hi ? 2 : 4);
  });
  EXPECT_TRUE(distinct_mask & 4) << "every output saturated: the case checks nothing";
}

// A QCase from its geometry and the fields that differ from the defaults.
QCase qcase(const Geo& g, uint32_t seed, DType dtype = DType::kInt8, Activation act = Activation::kNone,
            bool with_bias = true) {
  QCase c;
  c.g = g;
  c.seed = seed;
  c.dtype = dtype;
  c.per_channel = dtype == DType::kInt8;  // uint8 models quantize weights per tensor
  c.act = act;
  c.with_bias = with_bias;
  return c;
}

struct NamedQCase {
  const char* name;  // test name: Conv2D_... or Depthwise_...
  QCase c;
};
void PrintTo(const NamedQCase& c, std::ostream* os) { *os << c.name; }

// Geo: {n, h, w, cin, kh, kw, cout, sh, sw, dh, dw, padding, depthwise}.
const NamedQCase kQuantCases[] = {
    {"Conv2D_Int8PerChannelSameStride2Relu6",
     qcase({1, 9, 8, 5, 3, 3, 6, 2, 2, 1, 1, Padding::kSame, false}, 1, DType::kInt8, Activation::kRelu6)},
    {"Conv2D_Int8ValidDilation2NoBias",
     qcase({1, 9, 10, 3, 3, 3, 7, 1, 1, 2, 2, Padding::kValid, false}, 2, DType::kInt8, Activation::kNone, false)},
    {"Conv2D_Int8SameDilation2Stride1", qcase({1, 6, 7, 4, 3, 2, 5, 1, 1, 2, 2, Padding::kSame, false}, 3)},
    {"Conv2D_Uint8PerTensorAsymmetricWeightsSameBatch2",
     qcase({2, 7, 5, 6, 3, 3, 9, 1, 1, 1, 1, Padding::kSame, false}, 4, DType::kUInt8, Activation::kRelu)},
    {"Conv2D_Uint8Pointwise1x1DirectGemm",
     qcase({2, 5, 3, 11, 1, 1, 13, 1, 1, 1, 1, Padding::kSame, false}, 5, DType::kUInt8)},
    {"Conv2D_Int8Pointwise1x1Stride2UsesIm2col",
     qcase({1, 7, 6, 16, 1, 1, 8, 2, 2, 1, 1, Padding::kValid, false}, 6)},
    {"Depthwise_Int8PerChannelSameRelu6",
     qcase({1, 8, 9, 19, 3, 3, 19, 1, 1, 1, 1, Padding::kSame, true}, 7, DType::kInt8, Activation::kRelu6)},
    {"Depthwise_Int8Stride2Dilation2Valid", qcase({1, 11, 10, 8, 3, 3, 8, 2, 2, 2, 2, Padding::kValid, true}, 8)},
    {"Depthwise_Uint8SameDilation2",
     qcase({2, 7, 7, 12, 3, 3, 12, 1, 1, 2, 2, Padding::kSame, true}, 9, DType::kUInt8)},
    {"Depthwise_Uint8DepthMultiplier2Stride2",
     qcase({1, 6, 5, 3, 3, 3, 6, 2, 2, 1, 1, Padding::kSame, true}, 10, DType::kUInt8)},
};

class QuantConvOp : public ::testing::TestWithParam<NamedQCase> {};

TEST_P(QuantConvOp, MatchesNaiveReference) { run_quant_case(GetParam().c); }

INSTANTIATE_TEST_SUITE_P(Cases, QuantConvOp, ::testing::ValuesIn(kQuantCases),
                         [](const ::testing::TestParamInfo<NamedQCase>& info) { return std::string(info.param.name); });

// Float conv/depthwise against a double-precision naive convolution. `int8_weights`: the weights
// are stored as per-channel INT8 (TFLite's dynamic-range quantization: output channels on axis 0,
// depthwise on axis 3) and the reference uses their dequantized values.
void run_float_case(const Geo& g, Activation act, uint32_t seed, bool int8_weights = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(g.n) * g.h * g.w * g.cin), w(g.weight_count()), bias(g.cout);
  for (auto& v : x) v = d(rng);
  for (auto& v : w) v = d(rng);
  for (auto& v : bias) v = d(rng);
  Builder bld;
  const int tin = bld.tensor(DType::kFloat32, {g.n, g.h, g.w, g.cin});
  std::vector<int8_t> wq(w.size());
  int tw = -1;
  if (int8_weights) {
    const Shape ws = g.weight_shape();
    QuantParams q;
    q.axis = g.depthwise ? 3 : 0;
    const size_t channels = static_cast<size_t>(ws[q.axis]);
    const size_t inner = g.depthwise ? 1 : w.size() / channels;
    q.scale.assign(channels, 0.0f);
    q.zero_point.assign(channels, 0);
    for (size_t c = 0; c < channels; ++c) q.scale[c] = (0.5f + 0.5f * static_cast<float>(c % 3)) / 127.0f;
    for (size_t e = 0; e < w.size(); ++e) {
      const size_t c = (e / inner) % channels;
      const long v = std::lrint(w[e] / q.scale[c]);
      wq[e] = static_cast<int8_t>(std::min(127L, std::max(-127L, v)));
      w[e] = static_cast<float>(wq[e]) * q.scale[c];
    }
    tw = bld.tensor(DType::kInt8, ws, q, wq.data(), wq.size());
  } else {
    tw = bld.tensor(DType::kFloat32, g.weight_shape(), {}, w.data(), w.size() * 4);
  }
  const int tb = bld.tensor(DType::kFloat32, {g.cout}, {}, bias.data(), bias.size() * 4);
  const int tout = bld.tensor(DType::kFloat32, {});
  bld.node(g.depthwise ? OpCode::kDepthwiseConv2D : OpCode::kConv2D, {tin, tw, tb}, {tout}, g.options(act));
  bld.g.inputs = {tin};
  bld.g.outputs = {tout};
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(bld.g, &interp);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(interp->output(0).shape, (Shape{g.n, g.oh(), g.ow(), g.cout}));
  std::memcpy(interp->input(0).data, x.data(), x.size() * 4);
  ASSERT_TRUE(interp->invoke().ok());
  const float* got = interp->output(0).as<float>();
  const double lo = act == Activation::kNone ? -1e30 : 0.0, hi = act == Activation::kRelu6 ? 6.0 : 1e30;
  for_each_output(g, [&](size_t o, int oc, const std::vector<std::pair<size_t, size_t>>& taps) {
    double acc = bias[oc];
    for (const auto& t : taps) acc += static_cast<double>(x[t.first]) * w[t.second];
    acc = std::min(std::max(acc, lo), hi);
    ASSERT_NEAR(got[o], acc, 1e-4) << "output " << o;
  });
}

TEST(Conv2DOp, FloatSameStride2Relu) {
  run_float_case({1, 9, 7, 3, 5, 5, 10, 2, 2, 1, 1, Padding::kSame, false}, Activation::kRelu, 11);
}

TEST(Conv2DOp, FloatValidDilation2AndPointwise) {
  run_float_case({1, 8, 8, 4, 3, 3, 9, 1, 1, 2, 2, Padding::kValid, false}, Activation::kNone, 12);
  run_float_case({2, 4, 5, 17, 1, 1, 11, 1, 1, 1, 1, Padding::kSame, false}, Activation::kRelu6, 13);
}

TEST(DepthwiseConv2DOp, FloatStride2Relu6AndMultiplier) {
  run_float_case({1, 10, 9, 21, 3, 3, 21, 2, 2, 1, 1, Padding::kSame, true}, Activation::kRelu6, 14);
  run_float_case({1, 5, 5, 2, 3, 3, 8, 1, 1, 2, 2, Padding::kSame, true}, Activation::kNone, 15);
}

TEST(Conv2DOp, DynamicRangeInt8WeightsWithFloatActivations) {
  run_float_case({1, 9, 7, 3, 3, 3, 10, 2, 2, 1, 1, Padding::kSame, false}, Activation::kRelu, 16, true);
  run_float_case({1, 5, 6, 17, 1, 1, 11, 1, 1, 1, 1, Padding::kSame, false}, Activation::kNone, 17, true);
}

TEST(DepthwiseConv2DOp, DynamicRangeInt8Weights) {
  run_float_case({1, 10, 9, 21, 3, 3, 21, 2, 2, 1, 1, Padding::kSame, true}, Activation::kRelu6, 18, true);
}

TEST(Conv2DOp, RejectsNonConstantWeights) {
  Builder bld;
  const int tin = bld.tensor(DType::kFloat32, {1, 4, 4, 2});
  const int tw = bld.tensor(DType::kFloat32, {3, 1, 1, 2});
  const int tout = bld.tensor(DType::kFloat32, {});
  bld.node(OpCode::kConv2D, {tin, tw, -1}, {tout}, OpOptions());
  bld.g.inputs = {tin, tw};
  bld.g.outputs = {tout};
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(bld.g, &interp);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CONV_2D (node 0)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a constant"), std::string::npos) << s.message();
}

TEST(FullyConnectedOp, Int8AndUint8Rows) {
  for (DType t : {DType::kInt8, DType::kUInt8}) {
    const bool u8 = t == DType::kUInt8;
    const int m = 3, k = 13, n = 6;
    std::mt19937 rng(21);
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<uint8_t> x(m * k), w(n * k);
    for (auto& v : x) v = static_cast<uint8_t>(byte(rng));
    for (auto& v : w) v = static_cast<uint8_t>(byte(rng));
    std::vector<int32_t> bias(n);
    for (auto& b : bias) b = std::uniform_int_distribution<int>(-2000, 2000)(rng);
    const float in_s = 0.1f, w_s = 0.01f, out_s = 0.25f;
    const int32_t in_zp = u8 ? 128 : 3, w_zp = u8 ? 131 : 0, out_zp = u8 ? 127 : -2;
    Builder bld;
    const int tin = bld.tensor(t, {m, k}, quant({in_s}, {in_zp}));
    const int tw = bld.tensor(t, {n, k}, quant({w_s}, {w_zp}), w.data(), w.size());
    const int tb = bld.tensor(DType::kInt32, {n}, quant({in_s * w_s}, {0}), bias.data(), bias.size() * 4);
    const int tout = bld.tensor(t, {}, quant({out_s}, {out_zp}));
    OpOptions o;
    o.activation = Activation::kRelu;
    bld.node(OpCode::kFullyConnected, {tin, tw, tb}, {tout}, o);
    bld.g.inputs = {tin};
    bld.g.outputs = {tout};
    std::unique_ptr<Interpreter> interp;
    Status s = Interpreter::create(bld.g, &interp);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(interp->output(0).shape, (Shape{m, n}));
    std::memcpy(interp->input(0).data, x.data(), x.size());
    ASSERT_TRUE(interp->invoke().ok());
    const uint8_t* got = interp->output(0).data;
    int32_t lo = 0, hi = 0;
    act_range(Activation::kRelu, t, out_s, out_zp, &lo, &hi);
    for (int r = 0; r < m; ++r) {
      for (int c = 0; c < n; ++c) {
        int32_t acc = bias[c];
        for (int i = 0; i < k; ++i) acc += (to_int(x[r * k + i], t) - in_zp) * (to_int(w[c * k + i], t) - w_zp);
        ASSERT_EQ(to_int(got[r * n + c], t), requantize(acc, in_s * w_s / out_s, out_zp, lo, hi))
            << dtype_name(t) << " row " << r << " col " << c;
      }
    }
  }
}

TEST(FullyConnectedOp, FloatKeepNumDimsWithoutBias) {
  const int k = 5, n = 3;
  std::vector<float> x(2 * 3 * k), w(n * k);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.1f * static_cast<float>(i) - 1.0f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.05f * static_cast<float>(i % 7) - 0.1f;
  Builder bld;
  const int tin = bld.tensor(DType::kFloat32, {2, 3, k});
  const int tw = bld.tensor(DType::kFloat32, {n, k}, {}, w.data(), w.size() * 4);
  const int tout = bld.tensor(DType::kFloat32, {});
  OpOptions o;
  o.keep_dims = true;
  bld.node(OpCode::kFullyConnected, {tin, tw, -1}, {tout}, o);
  bld.g.inputs = {tin};
  bld.g.outputs = {tout};
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(bld.g, &interp);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(interp->output(0).shape, (Shape{2, 3, n}));
  std::memcpy(interp->input(0).data, x.data(), x.size() * 4);
  ASSERT_TRUE(interp->invoke().ok());
  const float* got = interp->output(0).as<float>();
  for (int r = 0; r < 6; ++r) {
    for (int c = 0; c < n; ++c) {
      double acc = 0;
      for (int i = 0; i < k; ++i) acc += static_cast<double>(x[r * k + i]) * w[c * k + i];
      ASSERT_NEAR(got[r * n + c], acc, 1e-5) << r << "," << c;
    }
  }
}

}  // namespace
}  // namespace fd

// RequantParams::bounded holds exactly while (|bias| + 255 * sum |w - w_zp|) * scale < 2^21.
TEST(RequantBounded, ChannelBoundAtTwoToThe21) {
  const int8_t w[4] = {10, -20, 10, 0};  // channel 0: |10| + |-20| = 30; channel 1 (w_zp 3): 7 + 3 = 10
  const int32_t zp[2] = {0, 3};
  const fd::QWeights qw{reinterpret_cast<const uint8_t*>(w), false, 2, 2, 2, 1, zp};
  const int32_t bias[2] = {-1000, 0};
  const float below[2] = {242.0f, 1.0f};  // (1000 + 255 * 30) * 242 = 2,093,300
  const float above[2] = {243.0f, 1.0f};  // 2,101,950
  EXPECT_TRUE(fd::requant_bounded(qw, bias, below));
  EXPECT_FALSE(fd::requant_bounded(qw, bias, above));
  const float second[2] = {1.0f, 823.0f};  // channel 1: 255 * 10 * 823 = 2,098,650
  EXPECT_FALSE(fd::requant_bounded(qw, bias, second));
  EXPECT_TRUE(fd::requant_bounded(qw, nullptr, below));
}
