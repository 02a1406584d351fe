// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED through the interpreter, checked against a naive
// direct convolution written here (SAME/VALID, stride 2, dilation 2, relu6, per-channel int8,
// uint8 with asymmetric weights, float), plus every conv node of the real TFLite models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/tflite_reader.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

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

// Geometry of a test case; pads follow TFLite's SAME rule (computed here independently).
struct Geo {
  int n = 1, h = 1, w = 1, cin = 1, kh = 1, kw = 1, cout = 1;
  int sh = 1, sw = 1, dh = 1, dw = 1;
  Padding padding = Padding::kSame;
  bool depthwise = false;
  int oh() const { return out(h, kh, sh, dh); }
  int ow() const { return out(w, kw, sw, dw); }
  int pad_top() const { return pad(h, kh, sh, dh, oh()); }
  int pad_left() const { return pad(w, kw, sw, dw, ow()); }
  int out(int in, int k, int s, int d) const {
    const int eff = (k - 1) * d + 1;
    return padding == Padding::kSame ? (in + s - 1) / s : (in - eff) / s + 1;
  }
  int pad(int in, int k, int s, int d, int o) const {
    if (padding == Padding::kValid) return 0;
    return std::max(0, (o - 1) * s + (k - 1) * d + 1 - in) / 2;
  }
  Shape weight_shape() const { return depthwise ? Shape{1, kh, kw, cout} : Shape{cout, kh, kw, cin}; }
  size_t weight_count() const { return static_cast<size_t>(cout) * kh * kw * (depthwise ? 1 : cin); }
  OpOptions options(Activation act) const {
    OpOptions o;
    o.padding = padding;
    o.stride_h = sh;
    o.stride_w = sw;
    o.dilation_h = dh;
    o.dilation_w = dw;
    o.depth_multiplier = depthwise ? cout / cin : 1;
    o.activation = act;
    return o;
  }
};

// Calls f(output index, oc, list of (input index, weight index)) for every `step`-th output element.
template <typename F>
void for_each_output(const Geo& g, F f, size_t step = 1) {
  std::vector<std::pair<size_t, size_t>> taps;
  for (int b = 0; b < g.n; ++b) {
    for (int oy = 0; oy < g.oh(); ++oy) {
      for (int ox = 0; ox < g.ow(); ++ox) {
        for (int oc = 0; oc < g.cout; ++oc) {
          const size_t o = ((static_cast<size_t>(b) * g.oh() + oy) * g.ow() + ox) * g.cout + oc;
          if (o % step) continue;
          taps.clear();
          for (int ky = 0; ky < g.kh; ++ky) {
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = oy * g.sh - g.pad_top() + ky * g.dh;
              const int ix = ox * g.sw - g.pad_left() + kx * g.dw;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              const size_t pix = ((static_cast<size_t>(b) * g.h + iy) * g.w + ix) * g.cin;
              if (g.depthwise) {
                const int ic = oc / (g.cout / g.cin);
                taps.push_back({pix + ic, (static_cast<size_t>(ky) * g.kw + kx) * g.cout + oc});
              } else {
                for (int ic = 0; ic < g.cin; ++ic) {
                  taps.push_back({pix + ic, ((static_cast<size_t>(oc) * g.kh + ky) * g.kw + kx) * g.cin + ic});
                }
              }
            }
          }
          f(o, oc, taps);
        }
      }
    }
  }
}

// TFLite's quantized clamp of a fused activation.
void act_range(Activation act, DType t, float scale, int32_t zp, int32_t* lo, int32_t* hi) {
  *lo = t == DType::kUInt8 ? 0 : -128;
  *hi = t == DType::kUInt8 ? 255 : 127;
  if (act == Activation::kRelu || act == Activation::kRelu6) *lo = std::max(*lo, zp);
  if (act == Activation::kRelu6) *hi = std::min(*hi, zp + static_cast<int32_t>(std::round(6.0f / scale)));
}

int32_t to_int(uint8_t v, DType t) {
  return t == DType::kUInt8 ? static_cast<int32_t>(v) : static_cast<int32_t>(static_cast<int8_t>(v));
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

TEST(Conv2DOp, Int8PerChannelSameStride2Relu6) {
  QCase c;
  c.g = {1, 9, 8, 5, 3, 3, 6, 2, 2, 1, 1, Padding::kSame, false};
  c.act = Activation::kRelu6;
  run_quant_case(c);
}

TEST(Conv2DOp, Int8ValidDilation2NoBias) {
  QCase c;
  c.g = {1, 9, 10, 3, 3, 3, 7, 1, 1, 2, 2, Padding::kValid, false};
  c.with_bias = false;
  c.seed = 2;
  run_quant_case(c);
}

TEST(Conv2DOp, Int8SameDilation2Stride1) {
  QCase c;
  c.g = {1, 6, 7, 4, 3, 2, 5, 1, 1, 2, 2, Padding::kSame, false};
  c.seed = 3;
  run_quant_case(c);
}

TEST(Conv2DOp, Uint8PerTensorAsymmetricWeightsSameBatch2) {
  QCase c;
  c.g = {2, 7, 5, 6, 3, 3, 9, 1, 1, 1, 1, Padding::kSame, false};
  c.dtype = DType::kUInt8;
  c.per_channel = false;
  c.act = Activation::kRelu;
  c.seed = 4;
  run_quant_case(c);
}

TEST(Conv2DOp, Uint8Pointwise1x1DirectGemm) {
  QCase c;
  c.g = {2, 5, 3, 11, 1, 1, 13, 1, 1, 1, 1, Padding::kSame, false};
  c.dtype = DType::kUInt8;
  c.per_channel = false;
  c.seed = 5;
  run_quant_case(c);
}

TEST(Conv2DOp, Int8Pointwise1x1Stride2UsesIm2col) {
  QCase c;
  c.g = {1, 7, 6, 16, 1, 1, 8, 2, 2, 1, 1, Padding::kValid, false};
  c.seed = 6;
  run_quant_case(c);
}

TEST(DepthwiseConv2DOp, Int8PerChannelSameRelu6) {
  QCase c;
  c.g = {1, 8, 9, 19, 3, 3, 19, 1, 1, 1, 1, Padding::kSame, true};
  c.act = Activation::kRelu6;
  c.seed = 7;
  run_quant_case(c);
}

TEST(DepthwiseConv2DOp, Int8Stride2Dilation2Valid) {
  QCase c;
  c.g = {1, 11, 10, 8, 3, 3, 8, 2, 2, 2, 2, Padding::kValid, true};
  c.seed = 8;
  run_quant_case(c);
}

TEST(DepthwiseConv2DOp, Uint8SameDilation2) {
  QCase c;
  c.g = {2, 7, 7, 12, 3, 3, 12, 1, 1, 2, 2, Padding::kSame, true};
  c.dtype = DType::kUInt8;
  c.per_channel = false;
  c.seed = 9;
  run_quant_case(c);
}

TEST(DepthwiseConv2DOp, Uint8DepthMultiplier2Stride2) {
  QCase c;
  c.g = {1, 6, 5, 3, 3, 3, 6, 2, 2, 1, 1, Padding::kSame, true};
  c.dtype = DType::kUInt8;
  c.per_channel = false;
  c.seed = 10;
  run_quant_case(c);
}

// Float conv/depthwise against a double-precision naive convolution.
void run_float_case(const Geo& g, Activation act, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(g.n) * g.h * g.w * g.cin), w(g.weight_count()), bias(g.cout);
  for (auto& v : x) v = d(rng);
  for (auto& v : w) v = d(rng);
  for (auto& v : bias) v = d(rng);
  Builder bld;
  const int tin = bld.tensor(DType::kFloat32, {g.n, g.h, g.w, g.cin});
  const int tw = bld.tensor(DType::kFloat32, g.weight_shape(), {}, w.data(), w.size() * 4);
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

// ---- Every conv-family node of the real models, run alone on random input. ----

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
    Builder bld;
    bld.g.storage = model.storage;
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
      bld.g.tensors.push_back(d);
      ins.push_back(static_cast<int32_t>(bld.g.tensors.size()) - 1);
    }
    TensorDesc od = model.tensors[node.outputs[0]];
    bld.g.tensors.push_back(od);
    const int tout = static_cast<int>(bld.g.tensors.size()) - 1;
    bld.node(static_cast<OpCode>(node.code), ins, {tout}, node.options);
    bld.g.inputs = {ins[0]};
    bld.g.outputs = {tout};
    std::unique_ptr<Interpreter> interp;
    s = Interpreter::create(bld.g, &interp);
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
    const TensorDesc& wd = bld.g.tensors[ins[1]];
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
    const TensorDesc* bd = has_bias ? &bld.g.tensors[ins[2]] : nullptr;
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
