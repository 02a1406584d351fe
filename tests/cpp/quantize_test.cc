// Post-training quantization and the TFLite writer: quantization math (activation ranges,
// per-channel weights, int32 bias, range methods), a small float graph quantized and compared
// with its float run, mixed precision (--keep-float), INT4 weights (--int4) and their packed
// TFLite storage, the writer's round trip of the five conformance files and of metadata, and
// BlazeFace (float TFLite) quantized end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "float_graph_builder.h"
#include "model/graph_edit.h"
#include "model/graph_transforms.h"
#include "model/onnx_reader.h"
#include "model/tflite_reader.h"
#include "model/tflite_writer.h"
#include "quantize/calibration.h"
#include "quantize/calibration_images.h"
#include "quantize/fold_constants.h"
#include "quantize/int4_choice.h"
#include "quantize/int4_rounding.h"
#include "quantize/post_training.h"
#include "quantize/quantizer.h"
#include "quantize/report.h"
#include "runtime/interpreter.h"
#include "tflite_schema_generated.h"

namespace fd {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

// A small detector-like float graph on a raw-pixel input [1, 8, 8, 3]: conv 3x3 (+relu) ->
// depthwise 3x3 stride 2 -> conv 1x1 -> two heads: logistic, and reshape + concat with a max
// pool branch.
Graph tiny_graph() {
  FloatGraphBuilder b;
  auto w1 = random_floats(4 * 3 * 3 * 3, -0.01f, 0.01f, 1), b1 = random_floats(4, -0.5f, 0.5f, 2);
  auto w2 = random_floats(1 * 3 * 3 * 4, -0.5f, 0.5f, 3), b2 = random_floats(4, -0.2f, 0.2f, 4);
  auto w3 = random_floats(6 * 1 * 1 * 4, -0.7f, 0.7f, 5), b3 = random_floats(6, -0.1f, 0.1f, 6);
  w3[0] = w3[1] = w3[2] = w3[3] = 0.0f;  // an all-zero output channel
  int x = b.tensor("input", {1, 8, 8, 3});
  int cw1 = b.tensor("w1", {4, 3, 3, 3}, &w1), cb1 = b.tensor("b1", {4}, &b1);
  int cw2 = b.tensor("w2", {1, 3, 3, 4}, &w2), cb2 = b.tensor("b2", {4}, &b2);
  int cw3 = b.tensor("w3", {6, 1, 1, 4}, &w3), cb3 = b.tensor("b3", {6}, &b3);
  int t1 = b.tensor("conv1", {}), t2 = b.tensor("dw", {}), t3 = b.tensor("conv3", {});
  int s = b.tensor("scores", {}), p = b.tensor("pool", {}), r1 = b.tensor("flat3", {}), r2 = b.tensor("flatp", {});
  int cat = b.tensor("boxes", {});
  OpOptions conv;
  conv.activation = Activation::kRelu;
  b.node(OpCode::kConv2D, {x, cw1, cb1}, {t1}, conv);
  OpOptions dw;
  dw.stride_w = dw.stride_h = 2;
  dw.depth_multiplier = 1;
  b.node(OpCode::kDepthwiseConv2D, {t1, cw2, cb2}, {t2}, dw);
  b.node(OpCode::kConv2D, {t2, cw3, cb3}, {t3}, OpOptions{});
  b.node(OpCode::kLogistic, {t3}, {s});
  OpOptions pool;
  pool.filter_w = pool.filter_h = 2;
  pool.stride_w = pool.stride_h = 2;
  b.node(OpCode::kMaxPool2D, {t2}, {p}, pool);
  OpOptions rs;
  rs.new_shape = {1, 16, 6};
  b.node(OpCode::kReshape, {t3}, {r1}, rs);
  OpOptions rs2;
  rs2.new_shape = {1, 4, 4};
  b.node(OpCode::kReshape, {p}, {r2}, rs2);
  OpOptions cc;
  cc.axis = 2;
  // [1, 16, 6] and [1, 4, 4] cannot concat; concat the 16 rows of flat3 with themselves instead.
  b.node(OpCode::kConcatenation, {r1, r1}, {cat}, cc);
  b.g.inputs = {x};
  b.g.outputs = {s, cat, r2};
  return b.g;
}

std::vector<std::vector<uint8_t>> random_images(size_t count, size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<std::vector<uint8_t>> imgs(count, std::vector<uint8_t>(size));
  for (auto& img : imgs) {
    for (auto& v : img) v = static_cast<uint8_t>(d(rng));
  }
  return imgs;
}

// Runs `g` on raw pixels `px` (FLOAT32 input: the values; INT8: pixel - 128) and returns every
// output dequantized.
std::vector<std::vector<float>> run(const Graph& g, const std::vector<uint8_t>& px) {
  std::unique_ptr<Interpreter> it;
  Status st = Interpreter::create(g, &it);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return {};
  RTensor& in = it->input(0);
  for (size_t i = 0; i < px.size(); ++i) {
    if (in.dtype == DType::kFloat32) in.as<float>()[i] = px[i];
    else in.as<int8_t>()[i] = static_cast<int8_t>(px[i] - 128);
  }
  st = it->invoke();
  EXPECT_TRUE(st.ok()) << st.message();
  std::vector<std::vector<float>> outs;
  for (int o = 0; o < it->num_outputs(); ++o) {
    const RTensor& t = it->output(o);
    std::vector<float> v(num_elements(t.shape));
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = t.dtype == DType::kFloat32 ? t.as<float>()[i]
                                        : t.quant.scale[0] * (t.as<int8_t>()[i] - t.quant.zero_point[0]);
    }
    outs.push_back(v);
  }
  return outs;
}

const TensorDesc* find_tensor(const Graph& g, const std::string& name) {
  for (const TensorDesc& t : g.tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

TEST(QuantizeMath, ActivationRangeKeepsZeroExact) {
  ActivationQuant q = activation_quant(-1.0f, 3.0f);
  EXPECT_FLOAT_EQ(q.scale, 4.0f / 255.0f);
  EXPECT_EQ(q.zero_point, -64);  // -128 + 1 / (4/255) = -64.25
  EXPECT_GE((127 - q.zero_point) * q.scale, 3.0f - q.scale / 2);
  EXPECT_LE((-128 - q.zero_point) * q.scale, -1.0f + q.scale / 2);
  // All-positive ranges are widened to include 0: zero point -128.
  ActivationQuant p = activation_quant(2.0f, 5.1f);
  EXPECT_FLOAT_EQ(p.scale, 5.1f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  ActivationQuant z = activation_quant(0.0f, 0.0f);
  EXPECT_EQ(z.scale, 1.0f);
  EXPECT_EQ(z.zero_point, 0);
}

TEST(QuantizeMath, PerChannelWeightsConvAxis0) {
  std::vector<float> w = {1.0f, -2.0f, 0.5f, 0.0f, 0.0f, 0.0f};  // [2, 1, 1, 3]
  std::vector<int8_t> q;
  std::vector<float> s;
  quantize_weights_symmetric(w.data(), {2, 1, 1, 3}, 0, {}, &q, &s);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_FLOAT_EQ(s[0], 2.0f / 127.0f);
  EXPECT_EQ(s[1], 1.0f);  // all-zero channel
  EXPECT_EQ(q, (std::vector<int8_t>{64, -127, 32, 0, 0, 0}));  // 63.5 rounds to even 64; 31.75 -> 32
}

TEST(QuantizeMath, PerChannelWeightsDepthwiseAxis3) {
  std::vector<float> w = {1.0f, -4.0f, 0.5f, 2.0f};  // [1, 1, 2, 2]: taps x channels
  std::vector<int8_t> q;
  std::vector<float> s;
  quantize_weights_symmetric(w.data(), {1, 1, 2, 2}, 3, {}, &q, &s);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_FLOAT_EQ(s[0], 1.0f / 127.0f);
  EXPECT_FLOAT_EQ(s[1], 4.0f / 127.0f);
  EXPECT_EQ(q, (std::vector<int8_t>{127, -127, 64, 64}));  // 63.5 -> 64
  // A minimum scale (bias headroom) wins over max|w| / 127.
  quantize_weights_symmetric(w.data(), {1, 1, 2, 2}, 3, {0.5f, 0.0f}, &q, &s);
  EXPECT_FLOAT_EQ(s[0], 0.5f);
  EXPECT_EQ(q[0], 2);
}

TEST(QuantizeMath, Int4WeightsUseQmax7PerChannelOrPerTensor) {
  std::vector<float> w = {0.7f, -0.35f, 0.1f, 0.02f, -0.04f, 0.0f};  // [2, 1, 1, 3]
  std::vector<int8_t> q;
  std::vector<float> s;
  quantize_weights_symmetric(w.data(), {2, 1, 1, 3}, 0, {}, &q, &s, 7);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_FLOAT_EQ(s[0], 0.1f);
  EXPECT_FLOAT_EQ(s[1], 0.04f / 7);
  EXPECT_EQ(q, (std::vector<int8_t>{7, -4, 1, 4, -7, 0}));  // -3.5 rounds to even -4; 3.5 -> 4
  // Per tensor: one scale, max|w| of the whole layer / 7.
  quantize_weights_symmetric(w.data(), {2, 1, 1, 3}, -1, {}, &q, &s, 7);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FLOAT_EQ(s[0], 0.1f);
  EXPECT_EQ(q, (std::vector<int8_t>{7, -4, 1, 0, 0, 0}));
}

TEST(QuantizeMath, BiasUsesInputTimesWeightScale) {
  std::vector<float> b = {1.0f, -0.5f, 1e9f};
  std::vector<int32_t> q;
  quantize_bias(b.data(), 3, 0.5f, {0.01f, 0.02f, 0.01f}, &q);
  EXPECT_EQ(q[0], 200);
  EXPECT_EQ(q[1], -50);
  EXPECT_EQ(q[2], 2147483647);  // saturates
}

TEST(QuantizeMath, RangeMethods) {
  // 10000 values uniform in [-1, 1] plus one outlier at 50.
  TensorStats s;
  s.seen = true;
  s.min = -1.0f;
  s.max = 50.0f;
  s.hist_lo = -1.0f;
  s.hist_hi = 50.0f;
  s.histogram.assign(Calibrator::kBins, 0);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  auto add = [&](float x) {
    int bin = static_cast<int>((x - s.hist_lo) / (s.hist_hi - s.hist_lo) * Calibrator::kBins);
    ++s.histogram[std::min(bin, Calibrator::kBins - 1)];
    ++s.count;
  };
  for (int i = 0; i < 10000; ++i) add(d(rng));
  add(50.0f);
  float lo, hi;
  choose_range(s, RangeMethod::kMinMax, 99.99, &lo, &hi);
  EXPECT_EQ(lo, -1.0f);
  EXPECT_EQ(hi, 50.0f);
  choose_range(s, RangeMethod::kPercentile, 99.9, &lo, &hi);
  EXPECT_LT(hi, 1.1f);
  EXPECT_GT(hi, 0.9f);
  EXPECT_LT(lo, -0.9f);
  choose_range(s, RangeMethod::kMse, 99.99, &lo, &hi);
  EXPECT_LT(hi, 50.0f);
  EXPECT_LT(quantization_mse(s, lo, hi), quantization_mse(s, -1.0f, 50.0f));
  RangeMethod m;
  EXPECT_TRUE(parse_range_method("mse", &m).ok());
  EXPECT_EQ(m, RangeMethod::kMse);
  EXPECT_FALSE(parse_range_method("kl", &m).ok());
}

TEST(QuantizeMath, MseRangeMeasuresTheReadersFunction) {
  // Pre-activation values: uniform in [-40, 8] (a conv output whose negative tail SiLU flattens).
  TensorStats s;
  s.seen = true;
  s.min = s.hist_lo = -40.0f;
  s.max = s.hist_hi = 8.0f;
  s.histogram.assign(Calibrator::kBins, 0);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-40.0f, 8.0f);
  for (int i = 0; i < 20000; ++i) {
    const int bin = static_cast<int>((d(rng) - s.hist_lo) / (s.hist_hi - s.hist_lo) * Calibrator::kBins);
    ++s.histogram[std::min(bin, Calibrator::kBins - 1)];
    ++s.count;
  }
  float lo, hi, slo, shi, glo, ghi;
  choose_range(s, RangeMethod::kMse, 99.99, &lo, &hi);
  choose_range(s, RangeMethod::kMse, 99.99, &slo, &shi, RangeUse::kSilu);
  choose_range(s, RangeMethod::kMse, 99.99, &glo, &ghi, RangeUse::kSigmoid);
  // Linear readers need the whole tail; SiLU is flat below about -8, so the range stops near there
  // and its int8 steps get finer; a sigmoid is flat on both sides.
  EXPECT_LT(lo, -35.0f);
  EXPECT_GT(slo, -15.0f);
  EXPECT_LT(slo, -4.0f);
  EXPECT_GT(shi, 7.0f);
  EXPECT_GT(glo, -15.0f);
  EXPECT_LT(ghi, 8.0f);
  EXPECT_LT(quantization_mse(s, slo, shi, RangeUse::kSilu), quantization_mse(s, lo, hi, RangeUse::kSilu));
  EXPECT_LT(quantization_mse(s, glo, ghi, RangeUse::kSigmoid), quantization_mse(s, lo, hi, RangeUse::kSigmoid));
}

TEST(Quantize, SiluInputRangeStopsWhereSiluIsFlat) {
  // pixels -> 1x1 conv (output -0.3 * (r + g + b) / 3 + 8, in [-68.5, 8]) -> SiLU as
  // LOGISTIC + MUL. With `linear_too` the conv output is also a graph output (read as is).
  auto build = [](bool linear_too) {
    FloatGraphBuilder b;
    const std::vector<float> w = {-0.1f, -0.1f, -0.1f}, bias = {8.0f};
    const int x = b.tensor("input", {1, 8, 8, 3});
    const int wt = b.tensor("w", {1, 1, 1, 3}, &w), bt = b.tensor("b", {1}, &bias);
    const int y = b.tensor("pre", {}), sg = b.tensor("sig", {}), out = b.tensor("silu", {});
    b.node(OpCode::kConv2D, {x, wt, bt}, {y});
    b.node(OpCode::kLogistic, {y}, {sg});
    b.node(OpCode::kMul, {y, sg}, {out});
    b.g.inputs = {x};
    b.g.outputs = {out};
    if (linear_too) b.g.outputs.push_back(y);
    return b.g;
  };
  auto pre_low_end = [](const Graph& g) {
    const TensorDesc* t = find_tensor(g, "pre");
    EXPECT_NE(t, nullptr);
    return t ? (-128 - t->quant.zero_point[0]) * t->quant.scale[0] : 0.0f;
  };
  const auto images = random_images(8, 8 * 8 * 3, 5);
  Graph silu, linear;
  ASSERT_TRUE(quantize_with_images(build(false), images, QuantizeOptions(), &silu).ok());
  ASSERT_TRUE(quantize_with_images(build(true), images, QuantizeOptions(), &linear).ok());
  EXPECT_GT(pre_low_end(silu), -20.0f);
  EXPECT_LT(pre_low_end(linear), -50.0f);
}

TEST(Int4Choice, RoundsPerChannelAndRanksByErrorPerByte) {
  // Per-channel symmetric INT4: channel 0 max 3.5 (step 0.5), channel 1 max 0.7 (step 0.1).
  std::vector<float> w = {3.5f, -1.2f, 0.26f, 0.7f, -0.33f, 0.04f};  // [2, 1, 1, 3]
  round_weights_to_int4(&w, Shape{2, 1, 1, 3}, 0);
  const std::vector<float> want = {3.5f, -1.0f, 0.5f, 0.7f, -0.3f, 0.0f};
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], want[i], 1e-6f) << i;

  // conv1 (reads the input), depthwise, conv3 (feeds the outputs). Without the max-pool output,
  // only conv3 is a last layer (the depthwise output reaches the outputs through conv3 alone).
  Graph g = tiny_graph();
  g.outputs.pop_back();
  std::vector<Int4Candidate> ranked;
  ASSERT_TRUE(rank_int4_candidates(g, random_images(3, 8 * 8 * 3, 41), &ranked).ok());
  ASSERT_EQ(ranked.size(), 3u);
  for (size_t i = 1; i < ranked.size(); ++i) {
    EXPECT_LE(ranked[i - 1].error / ranked[i - 1].weights, ranked[i].error / ranked[i].weights);
  }
  for (const Int4Candidate& c : ranked) {
    EXPECT_GT(c.error, 0.0) << c.selector;
    EXPECT_EQ(c.first, c.node == 0) << c.selector;
    EXPECT_EQ(c.last, c.node == 2) << c.selector;
  }
  EXPECT_EQ(int4_aggressive(ranked), std::vector<std::string>{"#1"});
  EXPECT_TRUE(int4_within_error(ranked, 0.0).empty());
  EXPECT_EQ(int4_within_error(ranked, 1e9).size(), 3u);
  const std::vector<std::string> one = int4_within_error(ranked, ranked[0].error);
  EXPECT_EQ(one, std::vector<std::string>{ranked[0].selector});

  // With the max-pool output back, the depthwise layer is a last layer too.
  std::vector<Int4Candidate> all_outputs;
  ASSERT_TRUE(rank_int4_candidates(tiny_graph(), random_images(2, 8 * 8 * 3, 43), &all_outputs).ok());
  EXPECT_TRUE(int4_aggressive(all_outputs).empty());

  // Only the largest candidates are measured when a weight count to cover is given.
  std::vector<Int4Candidate> big;
  ASSERT_TRUE(rank_int4_candidates(g, random_images(2, 8 * 8 * 3, 42), &big, 1).ok());
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].node, 0);  // conv1: 4 x 3 x 3 x 3 = 108 weights, the largest
}

TEST(Int4Choice, EachOutputCountsAlike) {
  // Two 1x1 convolutions, each feeding its own output. A layer's error is the mean over the outputs
  // of their relative L2: scaling one branch by 1024 (exact in float; per-channel INT4 scales with
  // it) leaves both layers' errors as they were. Over the outputs concatenated, the small branch's
  // error would all but vanish next to the large one's values.
  auto build = [](float gain) {
    FloatGraphBuilder b;
    auto wa = random_floats(5 * 1 * 1 * 3, -0.5f, 0.5f, 51), ba = random_floats(5, -0.5f, 0.5f, 52);
    auto wb = random_floats(4 * 1 * 1 * 3, -0.5f, 0.5f, 53), bb = random_floats(4, -0.5f, 0.5f, 54);
    for (float& v : wa) v *= gain;
    for (float& v : ba) v *= gain;
    int x = b.tensor("input", {1, 4, 4, 3});
    int cwa = b.tensor("wa", {5, 1, 1, 3}, &wa), cba = b.tensor("ba", {5}, &ba);
    int cwb = b.tensor("wb", {4, 1, 1, 3}, &wb), cbb = b.tensor("bb", {4}, &bb);
    int ya = b.tensor("a", {}), yb = b.tensor("b", {});
    b.node(OpCode::kConv2D, {x, cwa, cba}, {ya}, OpOptions{});
    b.node(OpCode::kConv2D, {x, cwb, cbb}, {yb}, OpOptions{});
    b.g.inputs = {x};
    b.g.outputs = {ya, yb};
    return b.g;
  };
  const auto images = random_images(2, 4 * 4 * 3, 55);
  std::vector<Int4Candidate> plain, scaled;
  ASSERT_TRUE(rank_int4_candidates(build(1.0f), images, &plain).ok());
  ASSERT_TRUE(rank_int4_candidates(build(1024.0f), images, &scaled).ok());
  ASSERT_EQ(plain.size(), 2u);
  ASSERT_EQ(scaled.size(), 2u);
  auto error_of = [](const std::vector<Int4Candidate>& r, int node) {
    for (const Int4Candidate& c : r) {
      if (c.node == node) return c.error;
    }
    return -1.0;
  };
  for (int node : {0, 1}) {
    EXPECT_GT(error_of(plain, node), 1e-4) << node;
    EXPECT_NEAR(error_of(scaled, node), error_of(plain, node), 1e-9 * error_of(plain, node)) << node;
  }
}

TEST(Quantize, TinyGraphTracksFloat) {
  Graph fg = tiny_graph();
  auto calib = random_images(16, 8 * 8 * 3, 11);
  for (RangeMethod method : {RangeMethod::kMinMax, RangeMethod::kPercentile, RangeMethod::kMse}) {
    QuantizeOptions opt;
    opt.method = method;
    Graph qg;
    Status st = quantize_with_images(fg, calib, opt, &qg);
    ASSERT_TRUE(st.ok()) << st.message();
    // Model input: INT8 raw pixels.
    const TensorDesc& in = qg.tensors[qg.inputs[0]];
    EXPECT_EQ(in.dtype, DType::kInt8);
    EXPECT_EQ(in.shape, (Shape{1, 8, 8, 3}));
    EXPECT_EQ(in.quant.scale, std::vector<float>{1.0f});
    EXPECT_EQ(in.quant.zero_point, std::vector<int32_t>{-128});
    // Weights per output channel, bias int32 with scale in * w.
    const TensorDesc* w1 = find_tensor(qg, "w1");
    ASSERT_NE(w1, nullptr);
    EXPECT_EQ(w1->dtype, DType::kInt8);
    EXPECT_EQ(w1->quant.scale.size(), 4u);
    EXPECT_EQ(w1->quant.axis, 0);
    const TensorDesc* b1 = find_tensor(qg, "b1");
    ASSERT_NE(b1, nullptr);
    EXPECT_EQ(b1->dtype, DType::kInt32);
    EXPECT_FLOAT_EQ(b1->quant.scale[2], 1.0f * w1->quant.scale[2]);
    const TensorDesc* w2 = find_tensor(qg, "w2");
    EXPECT_EQ(w2->quant.axis, 3);
    EXPECT_EQ(w2->quant.scale.size(), 4u);
    // Fixed and shared parameters.
    const TensorDesc* scores = find_tensor(qg, "scores");
    EXPECT_EQ(scores->dtype, DType::kInt8);
    EXPECT_FLOAT_EQ(scores->quant.scale[0], 1.0f / 256.0f);
    EXPECT_EQ(scores->quant.zero_point[0], -128);
    EXPECT_EQ(find_tensor(qg, "pool")->quant.scale, find_tensor(qg, "dw")->quant.scale);
    EXPECT_EQ(find_tensor(qg, "flatp")->quant.zero_point, find_tensor(qg, "dw")->quant.zero_point);
    EXPECT_EQ(find_tensor(qg, "boxes")->quant.scale, find_tensor(qg, "conv3")->quant.scale);
    // Held-out image: int8 outputs within a few steps of float.
    auto test = random_images(1, 8 * 8 * 3, 99)[0];
    auto fo = run(fg, test), qo = run(qg, test);
    ASSERT_EQ(fo.size(), 3u);
    ASSERT_EQ(qo.size(), 3u);
    // Tolerance: a few steps of the output, and for the logistic head a few steps of its input
    // (conv3) times the sigmoid's largest slope 1/4.
    const float conv3_step = find_tensor(qg, "conv3")->quant.scale[0];
    for (int o = 0; o < 3; ++o) {
      const TensorDesc& ot = qg.tensors[qg.outputs[o]];
      const float tol = std::max(4 * ot.quant.scale[0], o == 0 ? 4 * conv3_step / 4 : 0.0f);
      ASSERT_EQ(fo[o].size(), qo[o].size());
      for (size_t i = 0; i < fo[o].size(); ++i) {
        EXPECT_NEAR(qo[o][i], fo[o][i], tol) << "output " << o << " element " << i << " " << range_method_name(method);
      }
    }
  }
}

// A concat input whose range is far narrower than the output's keeps its own finer scale and is
// requantized in front of the concat; one nearly as wide shares the output's parameters. With
// concat_share_ratio 0 every input shares.
TEST(Quantize, NarrowConcatInputKeepsItsScale) {
  FloatGraphBuilder b;
  auto wa = random_floats(4 * 3, -1.0f, 1.0f, 31), ba = random_floats(4, -1.0f, 1.0f, 32);
  auto wn = random_floats(4 * 3, -0.01f, 0.01f, 33), bn = random_floats(4, -0.01f, 0.01f, 34);
  int x = b.tensor("input", {1, 4, 4, 3});
  int wide = b.tensor("wide", {}), narrow = b.tensor("narrow", {}), cat = b.tensor("cat", {});
  b.node(OpCode::kConv2D, {x, b.tensor("wa", {4, 1, 1, 3}, &wa), b.tensor("ba", {4}, &ba)}, {wide});
  b.node(OpCode::kConv2D, {x, b.tensor("wn", {4, 1, 1, 3}, &wn), b.tensor("bn", {4}, &bn)}, {narrow});
  OpOptions cc;
  cc.axis = 3;
  b.node(OpCode::kConcatenation, {wide, narrow}, {cat}, cc);
  b.g.inputs = {x};
  b.g.outputs = {cat};
  const auto images = random_images(8, 48, 35);
  for (float ratio : {0.9f, 0.0f}) {
    QuantizeOptions opt;
    opt.concat_share_ratio = ratio;
    Graph qg;
    Status st = quantize_with_images(b.g, images, opt, &qg);
    ASSERT_TRUE(st.ok()) << st.message();
    const TensorDesc* w = find_tensor(qg, "wide");
    const TensorDesc* n = find_tensor(qg, "narrow");
    const TensorDesc* c = find_tensor(qg, "cat");
    ASSERT_TRUE(w && n && c);
    EXPECT_EQ(w->quant.scale, c->quant.scale) << ratio;
    if (ratio > 0) {
      EXPECT_LT(n->quant.scale[0], c->quant.scale[0] / 20) << "the narrow conv output keeps a finer scale";
      EXPECT_NE(find_tensor(qg, "narrow/requantized"), nullptr);
    } else {
      EXPECT_EQ(n->quant.scale, c->quant.scale);
      EXPECT_EQ(find_tensor(qg, "narrow/requantized"), nullptr);
    }
    auto px = random_images(1, 48, 36)[0];
    auto fo = run(b.g, px), qo = run(qg, px);
    ASSERT_EQ(qo.size(), 1u);
    for (size_t i = 0; i < fo[0].size(); ++i) EXPECT_NEAR(qo[0][i], fo[0][i], 3 * c->quant.scale[0]) << i;
  }
}

// TFLite's int8 CONCATENATION wants every input on the output's parameters (a LOGISTIC input
// with its fixed 1/256 gets a requantizing QUANTIZE), and PADV2's -FLT_MAX fill (ahead of a max
// pool) neither widens the range nor breaks the output.
TEST(Quantize, ConcatInputsShareOutputParamsAndPadV2Saturates) {
  FloatGraphBuilder b;
  auto w = random_floats(4 * 3, -0.02f, 0.02f, 21), bias = random_floats(4, -1.0f, 1.0f, 22);
  std::vector<float> fill = {-3.4028235e38f};
  int x = b.tensor("input", {1, 4, 4, 3});
  int cw = b.tensor("w", {4, 1, 1, 3}, &w), cb = b.tensor("b", {4}, &bias), cf = b.tensor("fill", {}, &fill);
  int t = b.tensor("conv", {}), s = b.tensor("sig", {}), cat = b.tensor("cat", {});
  int padded = b.tensor("padded", {}), pooled = b.tensor("pooled", {});
  std::vector<int32_t> pads = {0, 0, 0, 1, 0, 1, 0, 0};
  TensorDesc pd;
  pd.name = "paddings";
  pd.dtype = DType::kInt32;
  pd.shape = {4, 2};
  auto buf = std::make_shared<std::vector<uint8_t>>(32);
  std::memcpy(buf->data(), pads.data(), 32);
  b.g.storage.push_back(buf);
  pd.data = buf->data();
  pd.data_bytes = 32;
  b.g.tensors.push_back(pd);
  const int cp = static_cast<int>(b.g.tensors.size()) - 1;
  b.node(OpCode::kConv2D, {x, cw, cb}, {t});
  b.node(OpCode::kLogistic, {t}, {s});
  OpOptions cc;
  cc.axis = 3;
  b.node(OpCode::kConcatenation, {t, s}, {cat}, cc);
  b.node(OpCode::kPadV2, {t, cp, cf}, {padded});
  OpOptions pool;
  pool.filter_w = pool.filter_h = 2;
  pool.stride_w = pool.stride_h = 2;
  pool.padding = Padding::kValid;
  b.node(OpCode::kMaxPool2D, {padded}, {pooled}, pool);
  b.g.inputs = {x};
  b.g.outputs = {cat, pooled};
  Graph qg;
  Status st = quantize_with_images(b.g, random_images(8, 48, 23), QuantizeOptions(), &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  const Node* concat = nullptr;
  for (const Node& n : qg.nodes) {
    if (n.code == static_cast<int32_t>(OpCode::kConcatenation)) concat = &n;
  }
  ASSERT_NE(concat, nullptr);
  const TensorDesc& co = qg.tensors[concat->outputs[0]];
  for (int32_t in : concat->inputs) {
    EXPECT_EQ(qg.tensors[in].quant.scale, co.quant.scale) << qg.tensors[in].name;
    EXPECT_EQ(qg.tensors[in].quant.zero_point, co.quant.zero_point) << qg.tensors[in].name;
  }
  EXPECT_EQ(qg.tensors[concat->inputs[1]].name, "sig/requantized");
  EXPECT_FLOAT_EQ(find_tensor(qg, "sig")->quant.scale[0], 1.0f / 256.0f);
  const TensorDesc* f = find_tensor(qg, "fill");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->dtype, DType::kInt8);
  EXPECT_EQ(static_cast<int8_t>(f->data[0]), -128);
  EXPECT_EQ(f->quant.scale, find_tensor(qg, "conv")->quant.scale);
  EXPECT_EQ(find_tensor(qg, "padded")->quant.scale, find_tensor(qg, "conv")->quant.scale);
  auto px = random_images(1, 48, 24)[0];
  auto fo = run(b.g, px), qo = run(qg, px);
  ASSERT_EQ(qo.size(), 2u);
  const float step = co.quant.scale[0];
  for (size_t i = 0; i < fo[0].size(); ++i) EXPECT_NEAR(qo[0][i], fo[0][i], 3 * step) << i;
  for (size_t i = 0; i < fo[1].size(); ++i) EXPECT_NEAR(qo[1][i], fo[1][i], 3 * step) << i;
}

TEST(Quantize, KeepFloatWrapsNodeAndFloatOutputs) {
  Graph fg = tiny_graph();
  auto calib = random_images(8, 8 * 8 * 3, 12);
  QuantizeOptions opt;
  opt.keep_float = {"dw", "#3"};  // the depthwise conv (by tensor name) and the logistic (index)
  opt.float_outputs = true;
  Graph qg;
  Status st = quantize_with_images(fg, calib, opt, &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(find_tensor(qg, "dw")->dtype, DType::kFloat32);
  EXPECT_EQ(find_tensor(qg, "w2")->dtype, DType::kFloat32);
  EXPECT_EQ(find_tensor(qg, "conv3")->dtype, DType::kInt8);
  int quantize_ops = 0, dequantize_ops = 0;
  for (const Node& n : qg.nodes) {
    quantize_ops += n.code == static_cast<int32_t>(OpCode::kQuantize);
    dequantize_ops += n.code == static_cast<int32_t>(OpCode::kDequantize);
  }
  EXPECT_EQ(quantize_ops, 1);    // dw -> conv3 and maxpool share one QUANTIZE
  EXPECT_GE(dequantize_ops, 3);  // conv1 -> dw, conv3 -> logistic, outputs
  for (int32_t o : qg.outputs) EXPECT_EQ(qg.tensors[o].dtype, DType::kFloat32);
  EXPECT_EQ(qg.tensors[qg.outputs[0]].name, "scores");
  EXPECT_EQ(qg.tensors[qg.outputs[1]].name, "boxes");
  auto test = random_images(1, 8 * 8 * 3, 98)[0];
  auto fo = run(fg, test), qo = run(qg, test);
  ASSERT_EQ(qo.size(), 3u);
  for (size_t i = 0; i < fo[0].size(); ++i) EXPECT_NEAR(qo[0][i], fo[0][i], 0.03f);

  opt.keep_float = {"no_such_tensor"};
  st = quantize_with_images(fg, calib, opt, &qg);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no_such_tensor"), std::string::npos);
}

TEST(Quantize, QuantizedGraphSurvivesTfliteRoundTrip) {
  Graph fg = tiny_graph();
  Graph qg;
  ASSERT_TRUE(quantize_with_images(fg, random_images(4, 192, 13), QuantizeOptions(), &qg).ok());
  qg.metadata.emplace_back("featherdet", "{\"version\":1,\"family\":\"yunet\"}");
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(write_tflite(qg, &bytes).ok());
  Graph back;
  Status st = read_tflite(bytes.data(), bytes.size(), &back);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(back.metadata.size(), 1u);
  EXPECT_EQ(back.metadata[0].first, "featherdet");
  EXPECT_EQ(back.metadata[0].second, "{\"version\":1,\"family\":\"yunet\"}");
  auto px = random_images(1, 192, 14)[0];
  EXPECT_EQ(run(qg, px), run(back, px));
}

// Field-by-field equality of two graphs (constant bytes included).
void expect_same_graph(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    const TensorDesc &x = a.tensors[i], &y = b.tensors[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.dtype, y.dtype) << x.name;
    EXPECT_EQ(x.shape, y.shape) << x.name;
    EXPECT_EQ(x.quant.scale, y.quant.scale) << x.name;
    EXPECT_EQ(x.quant.zero_point, y.quant.zero_point) << x.name;
    EXPECT_EQ(x.quant.axis, y.quant.axis) << x.name;
    EXPECT_EQ(x.int4, y.int4) << x.name;
    ASSERT_EQ(x.data_bytes, y.data_bytes) << x.name;
    if (x.data_bytes) {
      EXPECT_EQ(std::memcmp(x.data, y.data, x.data_bytes), 0) << x.name;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(y.data) % 16, 0u) << x.name << " is not 16-byte aligned";
    }
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t n = 0; n < a.nodes.size(); ++n) {
    const Node &x = a.nodes[n], &y = b.nodes[n];
    EXPECT_EQ(x.code, y.code);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    const OpOptions &o = x.options, &p = y.options;
    EXPECT_TRUE(o.padding == p.padding && o.stride_w == p.stride_w && o.stride_h == p.stride_h &&
                o.dilation_w == p.dilation_w && o.dilation_h == p.dilation_h && o.filter_w == p.filter_w &&
                o.filter_h == p.filter_h && o.depth_multiplier == p.depth_multiplier &&
                o.activation == p.activation && o.axis == p.axis && o.num == p.num && o.beta == p.beta &&
                o.alpha == p.alpha && o.align_corners == p.align_corners &&
                o.half_pixel_centers == p.half_pixel_centers && o.keep_dims == p.keep_dims &&
                o.new_shape == p.new_shape && o.squeeze_dims == p.squeeze_dims && o.begin_mask == p.begin_mask &&
                o.end_mask == p.end_mask && o.shrink_axis_mask == p.shrink_axis_mask &&
                o.output_type == p.output_type && o.batch_dims == p.batch_dims)
        << "options of node " << n << " (" << op_name(x.code) << ")";
  }
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_EQ(a.metadata, b.metadata);
}

// A graph of two constant outputs holding the same 7 values in [-8, 7], "w4" stored as INT4 and
// "w8" as INT8.
Graph int4_constants_graph(const std::vector<int8_t>& values) {
  Graph g;
  auto buf = std::make_shared<std::vector<uint8_t>>(values.begin(), values.end());
  g.storage.push_back(buf);
  for (const char* name : {"w4", "w8"}) {
    TensorDesc d;
    d.name = name;
    d.dtype = DType::kInt8;
    d.shape = {static_cast<int32_t>(values.size())};
    d.quant.scale = {0.1f};
    d.quant.zero_point = {0};
    d.data = buf->data();
    d.data_bytes = buf->size();
    d.int4 = d.name == "w4";
    g.tensors.push_back(d);
  }
  g.outputs = {0, 1};
  return g;
}

TEST(TfliteWriter, Int4ConstantsArePackedAndReadBack) {
  const std::vector<int8_t> values = {-8, 7, -1, 0, 3, -5, 1};  // odd count
  const Graph g = int4_constants_graph(values);
  for (bool compact : {false, true}) {
    TfliteWriteOptions wo;
    wo.compact = compact;
    std::vector<uint8_t> bytes;
    Status st = write_tflite(g, &bytes, wo);
    ASSERT_TRUE(st.ok()) << st.message();
    // In the file: TensorType INT4, ceil(7 / 2) = 4 bytes, low nibble first, the last high nibble 0.
    const tflite::Model* m = tflite::GetModel(bytes.data());
    const auto* ts = m->subgraphs()->Get(0)->tensors();
    ASSERT_EQ(ts->size(), 2u) << "an INT4 and an INT8 constant with the same bytes are not merged";
    EXPECT_EQ(ts->Get(0)->type(), tflite::TensorType_INT4);
    EXPECT_EQ(ts->Get(1)->type(), tflite::TensorType_INT8);
    const auto* packed = m->buffers()->Get(ts->Get(0)->buffer())->data();
    ASSERT_NE(packed, nullptr);
    EXPECT_EQ(std::vector<uint8_t>(packed->begin(), packed->end()), (std::vector<uint8_t>{0x78, 0x0F, 0xB3, 0x01}));
    EXPECT_EQ(m->buffers()->Get(ts->Get(1)->buffer())->data()->size(), 7u);
    Graph back;
    st = read_tflite(bytes.data(), bytes.size(), &back);
    ASSERT_TRUE(st.ok()) << st.message();
    if (!compact) expect_same_graph(g, back);
    ASSERT_EQ(back.tensors.size(), 2u);
    for (int t = 0; t < 2; ++t) {
      const TensorDesc& d = back.tensors[t];
      EXPECT_EQ(d.int4, t == 0);
      EXPECT_EQ(d.dtype, DType::kInt8);
      EXPECT_EQ(d.shape, (Shape{7}));
      ASSERT_EQ(d.data_bytes, values.size());
      EXPECT_EQ(std::memcmp(d.data, values.data(), values.size()), 0) << d.name;
    }
  }
}

TEST(TfliteWriter, Int4ValuesOutsideTheRangeAreRejected) {
  for (int bad : {8, -9, 127}) {
    Graph g = int4_constants_graph({-8, 7, static_cast<int8_t>(bad), 0, 3});
    std::vector<uint8_t> bytes;
    Status st = write_tflite(g, &bytes);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.message(), "tensor 'w4' is marked INT4 but element 2 is " + std::to_string(bad) + ", outside [-8, 7]");
    g.tensors[0].int4 = false;  // the same values as INT8 are fine
    EXPECT_TRUE(write_tflite(g, &bytes).ok());
  }
  // Only constant INT8 tensors can be INT4.
  Graph g = int4_constants_graph({1, 2, 3});
  g.tensors[0].data = nullptr;
  g.tensors[0].data_bytes = 0;
  std::vector<uint8_t> bytes;
  Status st = write_tflite(g, &bytes);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "tensor 'w4' is marked INT4, which is supported for constant INT8 weights only");
}

// --int4 on the first conv of tiny_graph: its weights in [-7, 7] with scale max|w| / 7 per output
// channel, the compact file about half that conv's weight bytes smaller, read back as INT4, and
// run bit-identically to its INT8 twin (same values stored as INT8); outputs still near float.
TEST(Quantize, Int4WeightsHalveTheConvAndRunLikeTheirInt8Twin) {
  Graph fg = tiny_graph();
  auto calib = random_images(16, 8 * 8 * 3, 11);
  QuantizeOptions opt;
  opt.int4_weights = {"conv1"};
  Graph qg;
  Status st = quantize_with_images(fg, calib, opt, &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  const TensorDesc* w1 = find_tensor(qg, "w1");
  ASSERT_NE(w1, nullptr);
  EXPECT_TRUE(w1->int4);
  EXPECT_EQ(w1->dtype, DType::kInt8);
  ASSERT_EQ(w1->quant.scale.size(), 4u);
  EXPECT_EQ(w1->quant.axis, 0);
  const TensorDesc& fw1 = fg.tensors[1];
  ASSERT_EQ(fw1.name, "w1");
  const float* fw = reinterpret_cast<const float*>(fw1.data);
  const int8_t* qw = reinterpret_cast<const int8_t*>(w1->data);
  for (int ch = 0; ch < 4; ++ch) {
    float m = 0;
    int qmax = 0;
    for (int i = 0; i < 27; ++i) {
      m = std::max(m, std::fabs(fw[ch * 27 + i]));
      EXPECT_GE(qw[ch * 27 + i], -7);
      EXPECT_LE(qw[ch * 27 + i], 7);
      qmax = std::max(qmax, std::abs(int(qw[ch * 27 + i])));
      EXPECT_NEAR(qw[ch * 27 + i] * w1->quant.scale[ch], fw[ch * 27 + i], w1->quant.scale[ch] / 2 * 1.001f);
    }
    EXPECT_FLOAT_EQ(w1->quant.scale[ch], m / 7);
    EXPECT_EQ(qmax, 7);
  }
  const TensorDesc* b1 = find_tensor(qg, "b1");
  ASSERT_NE(b1, nullptr);
  for (int ch = 0; ch < 4; ++ch) EXPECT_FLOAT_EQ(b1->quant.scale[ch], 1.0f * w1->quant.scale[ch]);
  // Other convs keep INT8 weights.
  EXPECT_FALSE(find_tensor(qg, "w2")->int4);
  EXPECT_FALSE(find_tensor(qg, "w3")->int4);

  // The INT8 twin: the same graph, w1's values stored as INT8.
  Graph twin = qg;
  for (TensorDesc& t : twin.tensors) t.int4 = false;
  TfliteWriteOptions wo;
  wo.compact = true;
  std::vector<uint8_t> f4, f8;
  ASSERT_TRUE(write_tflite(qg, &f4, wo).ok());
  ASSERT_TRUE(write_tflite(twin, &f8, wo).ok());
  const long saved = static_cast<long>(f8.size()) - static_cast<long>(f4.size());
  std::printf("INT8 file %zu bytes, with INT4 conv1 weights %zu bytes (%ld saved; w1 holds 108 values)\n", f8.size(),
              f4.size(), saved);
  EXPECT_GE(saved, 54 - 16);  // 108 -> 54 bytes, give or take buffer alignment
  EXPECT_LE(saved, 54 + 16);
  Graph r4, r8;
  ASSERT_TRUE(read_tflite(f4.data(), f4.size(), &r4).ok());
  ASSERT_TRUE(read_tflite(f8.data(), f8.size(), &r8).ok());
  int int4_tensors = 0;
  for (const TensorDesc& t : r4.tensors) int4_tensors += t.int4;
  for (const TensorDesc& t : r8.tensors) EXPECT_FALSE(t.int4);
  EXPECT_EQ(int4_tensors, 1);
  Graph all_int8;  // the plain INT8 quantization, for the printed comparison
  ASSERT_TRUE(quantize_with_images(fg, calib, QuantizeOptions(), &all_int8).ok());
  for (uint32_t seed : {99u, 98u, 97u}) {
    auto px = random_images(1, 8 * 8 * 3, seed)[0];
    const auto o4 = run(r4, px), o8 = run(r8, px), oq = run(qg, px), plain = run(all_int8, px);
    EXPECT_EQ(o4, o8) << "INT4 file vs its INT8 twin, image " << seed;
    EXPECT_EQ(o4, oq) << "INT4 file vs the graph it was written from, image " << seed;
    // Float tracking: coarser than INT8 (TinyGraphTracksFloat allows 4 output steps there).
    const auto fo = run(fg, px);
    ASSERT_EQ(fo.size(), o4.size());
    for (size_t o = 0; o < fo.size(); ++o) {
      const TensorDesc& ot = qg.tensors[qg.outputs[o]];
      const float conv3_step = find_tensor(qg, "conv3")->quant.scale[0];
      const float tol = std::max(12 * ot.quant.scale[0], o == 0 ? 12 * conv3_step / 4 : 0.0f);
      double ref = 0, err = 0, err8 = 0, worst = 0;
      for (size_t i = 0; i < fo[o].size(); ++i) {
        EXPECT_NEAR(o4[o][i], fo[o][i], tol) << "output " << o << " element " << i;
        ref += double(fo[o][i]) * fo[o][i];
        err += double(o4[o][i] - fo[o][i]) * (o4[o][i] - fo[o][i]);
        err8 += double(plain[o][i] - fo[o][i]) * (plain[o][i] - fo[o][i]);
        worst = std::max(worst, std::fabs(double(o4[o][i] - fo[o][i])) / tol);
      }
      ref = std::max(ref, 1e-12);
      std::printf("image %u output %zu: rel L2 vs float %.4f (all INT8: %.4f), worst error %.2f of the bound\n", seed,
                  o, std::sqrt(err / ref), std::sqrt(err8 / ref), worst);
    }
  }
}

// GPTQ rounding of one matrix: on inputs with correlated features it spreads each rounding
// error over the columns still to round, so the output error (w - q) H (w - q)^T is well below
// nearest rounding's with the same scales; every value stays on its row's INT4 grid.
TEST(Int4Rounding, GptqBeatsNearestRoundingOnCorrelatedInputs) {
  const int rows = 6, k = 24, n = 400, factors = 6;
  std::mt19937 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> mix(static_cast<size_t>(k) * factors);
  for (double& v : mix) v = normal(rng);
  std::vector<double> h(static_cast<size_t>(k) * k, 0.0);
  std::vector<double> x(k), z(factors);
  for (int s = 0; s < n; ++s) {
    for (double& v : z) v = normal(rng);
    for (int i = 0; i < k; ++i) {
      x[i] = 0.1 * normal(rng);
      for (int f = 0; f < factors; ++f) x[i] += mix[static_cast<size_t>(i) * factors + f] * z[f];
    }
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) h[static_cast<size_t>(i) * k + j] += x[i] * x[j] / n;
  }
  std::vector<float> w(static_cast<size_t>(rows) * k);
  for (float& v : w) v = static_cast<float>(normal(rng));
  std::vector<float> q = w, scales;
  std::vector<int8_t> values;
  gptq_round_int4(rows, k, h, &q, &scales, &values);
  ASSERT_EQ(scales.size(), static_cast<size_t>(rows));
  ASSERT_EQ(values.size(), w.size());
  auto error = [&](const std::vector<float>& got) {
    double total = 0;
    for (int r = 0; r < rows; ++r)
      for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j)
          total += (w[r * k + i] - got[r * k + i]) * h[static_cast<size_t>(i) * k + j] * (w[r * k + j] - got[r * k + j]);
    return total;
  };
  std::vector<float> near(w.size());
  for (int r = 0; r < rows; ++r) {
    float mx = 0;
    for (int j = 0; j < k; ++j) mx = std::max(mx, std::fabs(w[r * k + j]));
    EXPECT_LE(scales[r], mx / 7 * 1.0001f) << r;
    EXPECT_GE(scales[r], mx / 7 * 0.4999f) << r;
    for (int j = 0; j < k; ++j) {
      const int8_t v = values[r * k + j];
      EXPECT_GE(v, -7);
      EXPECT_LE(v, 7);
      EXPECT_EQ(q[r * k + j], scales[r] * v) << r << "," << j;
      near[r * k + j] = scales[r] * std::min(7.0f, std::max(-7.0f, std::nearbyint(w[r * k + j] / scales[r])));
    }
  }
  const double gptq = error(q), nearest = error(near);
  std::printf("output error: GPTQ %.4f, nearest rounding %.4f\n", gptq, nearest);
  EXPECT_LT(gptq, 0.7 * nearest);

  // An input that is always zero: its weights round to 0.
  std::vector<double> dead = h;
  for (int j = 0; j < k; ++j) dead[static_cast<size_t>(3) * k + j] = dead[static_cast<size_t>(j) * k + 3] = 0.0;
  std::vector<float> q2 = w;
  gptq_round_int4(rows, k, dead, &q2, &scales, &values);
  for (int r = 0; r < rows; ++r) EXPECT_EQ(values[r * k + 3], 0) << r;
}

// The graph-level rounding takes each conv's and depthwise conv's input patches from a run of the
// graph; the quantizer then stores exactly those values and scales as INT4.
TEST(Int4Rounding, GraphRoundingIsWhatTheQuantizerStores) {
  Graph fg = tiny_graph();
  const auto images = random_images(6, 8 * 8 * 3, 17);
  std::map<int, Int4Rounding> rounded;
  Status st = round_int4_with_data(fg, images, {0, 1, 2, 3}, &rounded);  // node 3 (LOGISTIC) is skipped
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(rounded.size(), 3u);
  EXPECT_EQ(rounded.at(0).axis, 0);
  EXPECT_EQ(rounded.at(1).axis, 3);
  EXPECT_EQ(rounded.at(2).axis, 0);
  EXPECT_EQ(rounded.at(1).scales.size(), 4u);
  EXPECT_EQ(rounded.at(2).scales.size(), 6u);
  for (int v : {0, 1, 2, 3}) EXPECT_EQ(rounded.at(2).values[v], 0) << "the all-zero channel of w3";
  QuantizeOptions opt;
  opt.int4_weights = {"conv1", "dw", "conv3"};
  for (const auto& r : rounded) opt.int4_rounded.push_back(r.second);
  Graph qg;
  st = quantize_with_images(fg, images, opt, &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  for (const auto& [node, r] : rounded) {
    const TensorDesc* w = find_tensor(qg, fg.tensors[r.weight_tensor].name);
    ASSERT_NE(w, nullptr);
    EXPECT_TRUE(w->int4);
    EXPECT_EQ(w->quant.scale, r.scales) << w->name;
    EXPECT_EQ(w->quant.axis, r.axis) << w->name;
    EXPECT_EQ(std::vector<int8_t>(reinterpret_cast<const int8_t*>(w->data), reinterpret_cast<const int8_t*>(w->data) + w->data_bytes),
              r.values) << w->name;
  }
  // Each layer's own output on the images (float graph, that layer's weights replaced): the
  // data-aware rounding's error is below nearest rounding's.
  for (const auto& [node, r] : rounded) {
    const std::string out = fg.tensors[fg.nodes[node].outputs[0]].name;
    Graph exact = fg;
    ASSERT_TRUE(cut_at_outputs(&exact, {out}).ok());
    Graph gptq = exact, nearest = exact;
    const int32_t wt = [&] {
      for (size_t t = 0; t < exact.tensors.size(); ++t)
        if (exact.tensors[t].name == fg.tensors[r.weight_tensor].name) return static_cast<int32_t>(t);
      return -1;
    }();
    ASSERT_GE(wt, 0);
    set_float_data(&gptq, wt, r.dequantized(exact.tensors[wt].shape));
    std::vector<float> w = float_data(exact.tensors[wt]);
    round_weights_to_int4(&w, exact.tensors[wt].shape, r.axis);
    set_float_data(&nearest, wt, w);
    double e_gptq = 0, e_nearest = 0;
    for (const auto& img : images) {
      const auto want = run(exact, img)[0], a = run(gptq, img)[0], b = run(nearest, img)[0];
      for (size_t i = 0; i < want.size(); ++i) {
        e_gptq += double(a[i] - want[i]) * (a[i] - want[i]);
        e_nearest += double(b[i] - want[i]) * (b[i] - want[i]);
      }
    }
    std::printf("%s: output squared error, data-aware %.4g, nearest %.4g\n", out.c_str(), e_gptq, e_nearest);
    EXPECT_LT(e_gptq, e_nearest) << out;
    // Bias correction: on the images it was measured on (every output position sampled here),
    // each output channel's mean error vanishes (dw and conv3 have no activation after them).
    if (node == 0) continue;
    ASSERT_EQ(r.bias_correction.size(), r.scales.size());
    const int32_t bt = [&] {
      for (size_t t = 0; t < exact.tensors.size(); ++t)
        if (exact.tensors[t].name == fg.tensors[fg.nodes[node].inputs[2]].name) return static_cast<int32_t>(t);
      return -1;
    }();
    ASSERT_GE(bt, 0);
    Graph corrected = gptq;
    std::vector<float> bias = float_data(exact.tensors[bt]);
    for (size_t c = 0; c < bias.size(); ++c) bias[c] += r.bias_correction[c];
    set_float_data(&corrected, bt, bias);
    const size_t channels = r.scales.size();
    std::vector<double> drift(channels, 0.0), drift_corrected(channels, 0.0);
    for (const auto& img : images) {
      const auto want = run(exact, img)[0], a = run(gptq, img)[0], b = run(corrected, img)[0];
      for (size_t i = 0; i < want.size(); ++i) {
        drift[i % channels] += a[i] - want[i];
        drift_corrected[i % channels] += b[i] - want[i];
      }
    }
    double before = 0, after = 0;
    for (size_t c = 0; c < channels; ++c) before += std::fabs(drift[c]), after += std::fabs(drift_corrected[c]);
    std::printf("%s: summed mean drift %.4g, bias-corrected %.4g\n", out.c_str(), before, after);
    EXPECT_LT(after, 1e-3 * before + 1e-3) << out;
  }
}

// A channel with near-zero weights and a large bias: the data-aware scale would push the bias past
// int32, so the quantizer raises that channel's scale (as for INT8 weights) and the file runs.
TEST(Int4Rounding, BiasThatNeedsACoarserScaleIsKeptInRange) {
  Graph fg = tiny_graph();
  std::vector<float> w1 = float_data(fg.tensors[1]), b1 = float_data(fg.tensors[2]);
  for (int i = 0; i < 27; ++i) w1[2 * 27 + i] = 1e-9f * static_cast<float>(i % 5 - 2);
  b1[2] = 5.0f;
  set_float_data(&fg, 1, w1);
  set_float_data(&fg, 2, b1);
  const auto images = random_images(4, 8 * 8 * 3, 23);
  std::map<int, Int4Rounding> rounded;
  ASSERT_TRUE(round_int4_with_data(fg, images, {0}, &rounded).ok());
  ASSERT_EQ(rounded.count(0), 1u);
  ASSERT_LT(rounded.at(0).scales[2], 5.0f / 1073741824.0f);  // what the rounding alone would store
  QuantizeOptions opt;
  opt.int4_weights = {"conv1"};
  opt.int4_rounded = {rounded.at(0)};
  Graph qg;
  ASSERT_TRUE(quantize_with_images(fg, images, opt, &qg).ok());
  const TensorDesc* w = find_tensor(qg, "w1");
  ASSERT_NE(w, nullptr);
  EXPECT_GE(w->quant.scale[2], 5.0f / 1073741824.0f);
  for (int ch : {0, 1, 3}) EXPECT_EQ(w->quant.scale[ch], rounded.at(0).scales[ch]) << ch;
  std::unique_ptr<Interpreter> it;
  Status st = Interpreter::create(qg, &it);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(run(qg, images[0]).size(), 3u);
}

TEST(Quantize, Int4SelectorsAreChecked) {
  Graph fg = tiny_graph();
  auto calib = random_images(4, 8 * 8 * 3, 12);
  Graph qg;
  QuantizeOptions opt;
  // By node index, a depthwise conv; per-tensor when the ratio allows: one scale, max|w| / 7.
  opt.int4_weights = {"#1"};
  opt.per_tensor_ratio = 1e9f;
  Status st = quantize_with_images(fg, calib, opt, &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  const TensorDesc* w2 = find_tensor(qg, "w2");
  ASSERT_TRUE(w2 && w2->int4);
  ASSERT_EQ(w2->quant.scale.size(), 1u);
  float m = 0;
  const float* fw = reinterpret_cast<const float*>(fg.tensors[3].data);
  ASSERT_EQ(fg.tensors[3].name, "w2");
  for (int i = 0; i < 36; ++i) m = std::max(m, std::fabs(fw[i]));
  EXPECT_FLOAT_EQ(w2->quant.scale[0], m / 7);
  EXPECT_EQ(find_tensor(qg, "b2")->quant.scale.size(), 1u);

  auto error = [&](std::vector<std::string> sel, std::vector<std::string> keep = {}) {
    QuantizeOptions o;
    o.int4_weights = std::move(sel);
    o.keep_float = std::move(keep);
    Graph out;
    const Status s = quantize_with_images(fg, calib, o, &out);
    return s.ok() ? std::string() : s.message();
  };
  EXPECT_EQ(error({"nope"}), "--int4: no node produces a tensor named 'nope'");
  EXPECT_EQ(error({"#99"}), "--int4: the model has no node #99 (it has 8 nodes)");
  EXPECT_EQ(error({"scores"}),
            "--int4: node 3 (LOGISTIC) has no weights to store as INT4 (only CONV_2D, DEPTHWISE_CONV_2D and "
            "FULLY_CONNECTED do)");
  EXPECT_EQ(error({"#4"}),
            "--int4: node 4 (MAX_POOL_2D) has no weights to store as INT4 (only CONV_2D, DEPTHWISE_CONV_2D and "
            "FULLY_CONNECTED do)");
  EXPECT_EQ(error({"dw"}, {"dw"}), "--int4: node 1 (DEPTHWISE_CONV_2D) is not quantized (it stays float)");
  EXPECT_EQ(error({"conv3", "#0"}), "");
}

class WriterRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(WriterRoundTrip, ReadWriteReadIsIdenticalAndRunsTheSame) {
  auto bytes = read_file(std::string(FD_SHARED_DIR) + "/" + GetParam());
  ASSERT_FALSE(bytes.empty());
  Graph a;
  ASSERT_TRUE(read_tflite(bytes.data(), bytes.size(), &a).ok());
  std::vector<uint8_t> written;
  Status st = write_tflite(a, &written);
  ASSERT_TRUE(st.ok()) << st.message();
  Graph b;
  st = read_tflite(written.data(), written.size(), &b);
  ASSERT_TRUE(st.ok()) << st.message();
  expect_same_graph(a, b);

  std::unique_ptr<Interpreter> ia, ib;
  ASSERT_TRUE(Interpreter::create(a, &ia).ok());
  ASSERT_TRUE(Interpreter::create(b, &ib).ok());
  std::mt19937 rng(3);
  RTensor& in = ia->input(0);
  for (size_t i = 0; i < in.bytes(); ++i) in.data[i] = static_cast<uint8_t>(rng());
  if (in.dtype == DType::kFloat32) {
    for (size_t i = 0; i < in.bytes() / 4; ++i) in.as<float>()[i] = (static_cast<int>(rng() % 255) - 127) / 128.0f;
  }
  std::memcpy(ib->input(0).data, in.data, in.bytes());
  ASSERT_TRUE(ia->invoke().ok());
  ASSERT_TRUE(ib->invoke().ok());
  for (int o = 0; o < ia->num_outputs(); ++o) {
    ASSERT_EQ(ia->output(o).bytes(), ib->output(o).bytes());
    EXPECT_EQ(std::memcmp(ia->output(o).data, ib->output(o).data, ia->output(o).bytes()), 0) << "output " << o;
  }
}

INSTANTIATE_TEST_SUITE_P(Conformance, WriterRoundTrip,
                         ::testing::Values("conformance/tflite/mobilenet_v1_0.25_128_quant.tflite",
                                           "conformance/tflite/tf2_mobilenet_v2_1.0_224_ptq.tflite",
                                           "conformance/tflite/deeplabv3_mnv2_dm05_pascal_quant.tflite",
                                           "conformance/tflite/movenet_single_pose_lightning_ptq.tflite",
                                           "models/upstream/blazeface_short_range.tflite"));

TEST(TfliteWriter, WritesStandardOperatorCodesAndEmptyBufferZero) {
  auto bytes = read_file(std::string(FD_SHARED_DIR) + "/conformance/tflite/mobilenet_v1_0.25_128_quant.tflite");
  Graph a;
  ASSERT_TRUE(read_tflite(bytes.data(), bytes.size(), &a).ok());
  std::vector<uint8_t> out;
  ASSERT_TRUE(write_tflite(a, &out).ok());
  // "TFL3" identifier at offset 4; a non-empty, smaller-than-2x file.
  ASSERT_GT(out.size(), 8u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()) + 4, 4), "TFL3");
  EXPECT_LT(out.size(), bytes.size() + bytes.size() / 10);
}

// BlazeFace is a float TFLite model with fp16 weights: fold them, calibrate on normalized random
// images, quantize (input [-1, 1] as int8 with scale 1/128) and check the outputs track float.
TEST(Quantize, BlazeFaceTracksFloat) {
  auto bytes = read_file(std::string(FD_SHARED_DIR) + "/models/upstream/blazeface_short_range.tflite");
  Graph fg;
  ASSERT_TRUE(read_tflite(bytes.data(), bytes.size(), &fg).ok());
  const size_t before = fg.nodes.size();
  ASSERT_TRUE(fold_constant_dequantize(&fg).ok());
  EXPECT_LT(fg.nodes.size(), before);
  for (const Node& n : fg.nodes) EXPECT_NE(n.code, static_cast<int32_t>(OpCode::kDequantize));
  std::unique_ptr<Calibrator> cal;
  Status st = Calibrator::create(fg, &cal);
  ASSERT_TRUE(st.ok()) << st.message();
  const size_t n = cal->input_elements();
  // WIDER FACE images (first 8 for calibration, the 9th held out), normalized to [-1, 1].
  std::vector<std::vector<uint8_t>> px;
  ASSERT_TRUE(load_calibration_images(std::string(FD_SHARED_DIR) + "/data/widerface-val/images", 9, 128, 128, &px).ok());
  auto make = [&](uint32_t k) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = (px[k][i] - 127.5f) / 127.5f;
    return v;
  };
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t s = 0; s < 8; ++s) {
      auto img = make(s);
      ASSERT_TRUE((pass == 0 ? cal->add_range_sample(img.data()) : cal->add_histogram_sample(img.data())).ok());
    }
  }
  QuantizeOptions opt;
  opt.input_scale = 1.0f / 128.0f;
  opt.input_zero_point = 0;
  Graph qg;
  st = quantize_graph(fg, cal->stats(), cal->shapes(), opt, &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  std::unique_ptr<Interpreter> fi, qi;
  ASSERT_TRUE(Interpreter::create(fg, &fi).ok());
  st = Interpreter::create(qg, &qi);
  ASSERT_TRUE(st.ok()) << st.message();
  auto img = make(8);
  std::memcpy(fi->input(0).data, img.data(), n * 4);
  for (size_t i = 0; i < n; ++i) {
    qi->input(0).as<int8_t>()[i] = static_cast<int8_t>(std::max(-128.0f, std::min(127.0f, std::nearbyint(img[i] * 128))));
  }
  ASSERT_TRUE(fi->invoke().ok());
  ASSERT_TRUE(qi->invoke().ok());
  // Per-layer report: every activation compared, worst first; the first conv is clean.
  std::unique_ptr<ErrorReport> report;
  ASSERT_TRUE(ErrorReport::create(fg, qg, &report).ok());
  ASSERT_TRUE(report->add_sample(img.data()).ok());
  auto layers = report->layers();
  ASSERT_GT(layers.size(), 80u);
  for (size_t i = 1; i < layers.size(); ++i) EXPECT_LE(layers[i - 1].sqnr_db, layers[i].sqnr_db);
  for (const LayerError& e : layers) {
    if (e.tensor == "conv2d") {
      EXPECT_GT(e.sqnr_db, 30.0);
    }
  }
  EXPECT_NE(ErrorReport::format(layers, 5).find("CONV_2D"), std::string::npos);
  // Outputs: box regressors within 15% relative L2; face scores (sigmoid of the logits) close.
  for (int o = 0; o < fi->num_outputs(); ++o) {
    const RTensor &f = fi->output(o), &q = qi->output(o);
    ASSERT_EQ(q.dtype, DType::kInt8);
    double ref = 0, err = 0, max_score_diff = 0, sum_score_diff = 0;
    const int64_t count = num_elements(f.shape);
    for (int64_t i = 0; i < count; ++i) {
      const double qv = q.quant.scale[0] * (q.as<int8_t>()[i] - q.quant.zero_point[0]), fv = f.as<float>()[i];
      ref += fv * fv;
      err += (qv - fv) * (qv - fv);
      const double sd = std::fabs(1 / (1 + std::exp(-qv)) - 1 / (1 + std::exp(-fv)));
      max_score_diff = std::max(max_score_diff, sd);
      sum_score_diff += sd;
    }
    std::printf("%s: rel L2 %.4f, score diff mean %.4f max %.4f\n", fi->output_name(o).c_str(), std::sqrt(err / ref),
                sum_score_diff / count, max_score_diff);
    if (fi->output_name(o) == "regressors") {
      EXPECT_LT(std::sqrt(err / ref), 0.15);
    } else {
      EXPECT_LT(sum_score_diff / count, 0.02);
      EXPECT_LT(max_score_diff, 0.2);
    }
  }
}

// YuNet-n from ONNX: normalization folded (BGR 0-255 -> raw RGB), 20 WIDER FACE calibration
// images, then a held-out image: every INT8 output tracks fp32.
TEST(Quantize, YunetFromOnnxTracksFloat) {
  auto bytes = read_file(std::string(FD_SHARED_DIR) + "/models/upstream/yunet_n_320_320.onnx");
  ASSERT_FALSE(bytes.empty());
  Graph fg;
  Status st = import_onnx(bytes.data(), bytes.size(), OnnxImportOptions(), &fg);
  ASSERT_TRUE(st.ok()) << st.message();
  const float mean[3] = {0, 0, 0}, stdv[3] = {1, 1, 1};
  ASSERT_TRUE(fold_input_normalization(&fg, mean, stdv, true).ok());
  std::vector<std::vector<uint8_t>> images;
  ASSERT_TRUE(load_calibration_images(std::string(FD_SHARED_DIR) + "/data/widerface-val/images", 21, 320, 320,
                                      &images).ok());
  const std::vector<uint8_t> held_out = images.back();
  images.pop_back();
  Graph qg;
  st = quantize_with_images(fg, images, QuantizeOptions(), &qg);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(qg.tensors[qg.inputs[0]].shape, (Shape{1, 320, 320, 3}));
  auto fo = run(fg, held_out), qo = run(qg, held_out);
  ASSERT_EQ(fo.size(), 12u);
  ASSERT_EQ(qo.size(), 12u);
  double sum_rel = 0;
  for (size_t o = 0; o < fo.size(); ++o) {
    const std::string& name = qg.tensors[qg.outputs[o]].name;
    EXPECT_EQ(name, fg.tensors[fg.outputs[o]].name);
    EXPECT_EQ(qg.tensors[qg.outputs[o]].dtype, DType::kInt8);
    double ref = 0, err = 0;
    for (size_t i = 0; i < fo[o].size(); ++i) {
      ref += double(fo[o][i]) * fo[o][i];
      err += double(qo[o][i] - fo[o][i]) * (qo[o][i] - fo[o][i]);
    }
    const double rel = std::sqrt(err / ref);
    std::printf("%-8s rel L2 %.4f\n", name.c_str(), rel);
    sum_rel += rel;
    // Objectness is the most sensitive head (obj_16: 0.14 on this image with MSE ranges).
    EXPECT_LT(rel, name.rfind("obj", 0) == 0 ? 0.16 : 0.1) << name;
  }
  EXPECT_LT(sum_rel / fo.size(), 0.08);
}

}  // namespace
}  // namespace fd
