// Pooling, reduction, softmax, resize and arg max ops (MAX_POOL_2D, AVERAGE_POOL_2D, MEAN,
// SOFTMAX, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, ARG_MAX) on hand-built graphs against
// hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "runtime/interpreter.h"

namespace fd {
namespace {

// One single-node graph: data input 0, optional constant int32 input 1, one output.
struct OneOp {
  Graph g;

  int add(DType t, Shape s, float scale = 0.0f, int32_t zp = 0) {
    TensorDesc d;
    d.name = "t" + std::to_string(g.tensors.size());
    d.dtype = t;
    d.shape = std::move(s);
    if (scale > 0.0f) {
      d.quant.scale = {scale};
      d.quant.zero_point = {zp};
    }
    g.tensors.push_back(d);
    return static_cast<int>(g.tensors.size()) - 1;
  }
  int add_i32_constant(Shape s, const std::vector<int32_t>& v) {
    const int id = add(DType::kInt32, std::move(s));
    auto buf = std::make_shared<std::vector<uint8_t>>(v.size() * sizeof(int32_t));
    std::memcpy(buf->data(), v.data(), buf->size());
    g.storage.push_back(buf);
    g.tensors[id].data = buf->data();
    g.tensors[id].data_bytes = buf->size();
    return id;
  }
  // Builds input -> op -> output; `extra` is the constant second input or -1.
  Status build(OpCode code, DType in_t, Shape in_s, float in_scale, int32_t in_zp, DType out_t, float out_scale,
               int32_t out_zp, const OpOptions& o, int extra, std::unique_ptr<Interpreter>* out) {
    const int in = add(in_t, std::move(in_s), in_scale, in_zp);
    const int res = add(out_t, {}, out_scale, out_zp);
    Node n;
    n.code = static_cast<int32_t>(code);
    n.inputs = {in};
    if (extra >= 0) n.inputs.push_back(extra);
    n.outputs = {res};
    n.options = o;
    g.nodes.push_back(n);
    g.inputs.insert(g.inputs.begin(), in);
    g.outputs = {res};
    return Interpreter::create(g, out);
  }
};

template <typename T>
void set_input(Interpreter* it, const std::vector<T>& v) {
  ASSERT_EQ(it->input(0).bytes(), v.size() * sizeof(T));
  std::memcpy(it->input(0).data, v.data(), it->input(0).bytes());
}

template <typename T>
std::vector<T> get_output(Interpreter* it) {
  const RTensor& t = it->output(0);
  const T* p = t.as<T>();
  return std::vector<T>(p, p + num_elements(t.shape));
}

template <typename T>
std::vector<T> run(OpCode code, DType in_t, Shape in_s, float in_scale, int32_t in_zp, DType out_t, float out_scale,
                   int32_t out_zp, const OpOptions& o, const std::vector<int32_t>* extra, Shape extra_shape,
                   const std::vector<T>& input_values, Shape* out_shape, DType* out_dtype = nullptr) {
  OneOp b;
  const int e = extra ? b.add_i32_constant(extra_shape, *extra) : -1;
  std::unique_ptr<Interpreter> it;
  Status s = b.build(code, in_t, in_s, in_scale, in_zp, out_t, out_scale, out_zp, o, e, &it);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  set_input(it.get(), input_values);
  s = it->invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  *out_shape = it->output(0).shape;
  if (out_dtype) *out_dtype = it->output(0).dtype;
  return get_output<T>(it.get());
}

OpOptions pool_options(Padding pad, int fh, int fw, int sh, int sw, Activation act = Activation::kNone) {
  OpOptions o;
  o.padding = pad;
  o.filter_h = fh;
  o.filter_w = fw;
  o.stride_h = sh;
  o.stride_w = sw;
  o.activation = act;
  return o;
}

TEST(MaxPool2D, FloatValid2x2Stride2) {
  std::vector<float> in = {1, 2, 3, 4,  5, 6, 7, 8,  -1, -2, -3, -4,  9, 0, 0, 10};
  Shape s;
  auto out = run<float>(OpCode::kMaxPool2D, DType::kFloat32, {1, 4, 4, 1}, 0, 0, DType::kFloat32, 0, 0,
                        pool_options(Padding::kValid, 2, 2, 2, 2), nullptr, {}, in, &s);
  EXPECT_EQ(s, (Shape{1, 2, 2, 1}));
  EXPECT_EQ(out, (std::vector<float>{6, 8, 9, 10}));
}

TEST(MaxPool2D, FloatSame3x3Stride2UsesOnlyInBoundsTaps) {
  // 1x3x3x2: channel 0 = 1..9, channel 1 = -(1..9); SAME gives 2x2 with padding 1 on top/left.
  std::vector<float> in;
  for (int i = 1; i <= 9; ++i) {
    in.push_back(static_cast<float>(i));
    in.push_back(-static_cast<float>(i));
  }
  Shape s;
  auto out = run<float>(OpCode::kMaxPool2D, DType::kFloat32, {1, 3, 3, 2}, 0, 0, DType::kFloat32, 0, 0,
                        pool_options(Padding::kSame, 3, 3, 2, 2), nullptr, {}, in, &s);
  EXPECT_EQ(s, (Shape{1, 2, 2, 2}));
  // Windows: rows {0,1} x cols {0,1}, rows {0,1} x cols {1,2}, rows {1,2} x cols {0,1}, rows {1,2} x cols {1,2}.
  EXPECT_EQ(out, (std::vector<float>{5, -1, 6, -2, 8, -4, 9, -5}));
}

TEST(MaxPool2D, FloatRelu6) {
  Shape s;
  auto out = run<float>(OpCode::kMaxPool2D, DType::kFloat32, {1, 1, 3, 1}, 0, 0, DType::kFloat32, 0, 0,
                        pool_options(Padding::kValid, 1, 1, 1, 1, Activation::kRelu6), nullptr, {},
                        std::vector<float>{-3, 2.5f, 10}, &s);
  EXPECT_EQ(out, (std::vector<float>{0, 2.5f, 6}));
}

TEST(MaxPool2D, Int8ReluClampsAtZeroPoint) {
  Shape s;
  auto out = run<int8_t>(OpCode::kMaxPool2D, DType::kInt8, {1, 2, 2, 1}, 0.5f, -10, DType::kInt8, 0.5f, -10,
                         pool_options(Padding::kValid, 1, 2, 1, 2, Activation::kRelu), nullptr, {},
                         std::vector<int8_t>{-20, -30, -5, 100}, &s);
  EXPECT_EQ(s, (Shape{1, 2, 1, 1}));
  EXPECT_EQ(out, (std::vector<int8_t>{-10, 100}));
}

TEST(MaxPool2D, Uint8Same) {
  Shape s;
  auto out = run<uint8_t>(OpCode::kMaxPool2D, DType::kUInt8, {1, 1, 3, 1}, 0.1f, 0, DType::kUInt8, 0.1f, 0,
                          pool_options(Padding::kSame, 1, 2, 1, 1), nullptr, {},
                          std::vector<uint8_t>{7, 200, 3}, &s);
  // SAME, filter 2: total padding 1, all on the right.
  EXPECT_EQ(s, (Shape{1, 1, 3, 1}));
  EXPECT_EQ(out, (std::vector<uint8_t>{200, 200, 3}));
}

TEST(AveragePool2D, FloatSameCountsOnlyInBoundsTaps) {
  std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  Shape s;
  auto out = run<float>(OpCode::kAveragePool2D, DType::kFloat32, {1, 3, 3, 1}, 0, 0, DType::kFloat32, 0, 0,
                        pool_options(Padding::kSame, 3, 3, 1, 1), nullptr, {}, in, &s);
  EXPECT_EQ(s, (Shape{1, 3, 3, 1}));
  // Corner windows have 4 taps, edges 6, center 9.
  std::vector<float> expect = {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7};
  ASSERT_EQ(out.size(), expect.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_FLOAT_EQ(out[i], expect[i]) << i;
}

TEST(AveragePool2D, Uint8RoundsHalfUpLikeTflite) {
  // 1x2x2x3, VALID 2x2: channel sums 7 (1.75), 6 (1.5), 5 (1.25).
  std::vector<uint8_t> in = {1, 1, 2,  2, 1, 1,  2, 2, 1,  2, 2, 1};
  Shape s;
  auto out = run<uint8_t>(OpCode::kAveragePool2D, DType::kUInt8, {1, 2, 2, 3}, 0.02f, 128, DType::kUInt8, 0.02f, 128,
                          pool_options(Padding::kValid, 2, 2, 2, 2), nullptr, {}, in, &s);
  EXPECT_EQ(s, (Shape{1, 1, 1, 3}));
  EXPECT_EQ(out, (std::vector<uint8_t>{2, 2, 1}));
}

TEST(AveragePool2D, Int8RoundsNegativeHalfAwayFromZero) {
  // Channel sums -6 (-1.5), -7 (-1.75), -2 (-0.5), 5 (1.25).
  std::vector<int8_t> in = {-1, -1, 0, 2,  -1, -2, 0, 1,  -2, -2, 0, 1,  -2, -2, -2, 1};
  Shape s;
  auto out = run<int8_t>(OpCode::kAveragePool2D, DType::kInt8, {1, 2, 2, 4}, 0.1f, 0, DType::kInt8, 0.1f, 0,
                         pool_options(Padding::kValid, 2, 2, 1, 1), nullptr, {}, in, &s);
  EXPECT_EQ(s, (Shape{1, 1, 1, 4}));
  EXPECT_EQ(out, (std::vector<int8_t>{-2, -2, -1, 1}));
}

TEST(AveragePool2D, Int8Relu6ClampsToQuantizedSix) {
  // scale 0.5, zp 0: relu6 range is [0, 12].
  Shape s;
  auto out = run<int8_t>(OpCode::kAveragePool2D, DType::kInt8, {1, 1, 2, 2}, 0.5f, 0, DType::kInt8, 0.5f, 0,
                         pool_options(Padding::kValid, 1, 1, 1, 1, Activation::kRelu6), nullptr, {},
                         std::vector<int8_t>{-4, 5, 40, 12}, &s);
  EXPECT_EQ(out, (std::vector<int8_t>{0, 5, 12, 12}));
}

TEST(AveragePool2D, RejectsFilterLargerThanValidInput) {
  OneOp b;
  std::unique_ptr<Interpreter> it;
  Status st = b.build(OpCode::kAveragePool2D, DType::kFloat32, {1, 2, 2, 1}, 0, 0, DType::kFloat32, 0, 0,
                      pool_options(Padding::kValid, 3, 3, 1, 1), -1, &it);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("AVERAGE_POOL_2D (node 0)"), std::string::npos) << st.message();
}

TEST(Mean, Int8SpatialDifferentScalesRequantizes) {
  // Input scale 0.5 zp -10, output scale 0.25 zp 3, axes [1, 2], keep_dims false.
  // Channel 0 reals {0, 2, 5, 7}: mean 3.5 -> 14 + 3 = 17. Channel 1 reals {0.5, 0.5, 0.5, 1}:
  // mean 0.625 -> 2.5 -> nearest-even 2 -> 5.
  std::vector<int8_t> in = {-10, -9, -6, -9, 0, -9, 4, -8};
  std::vector<int32_t> axes = {1, 2};
  OpOptions o;
  Shape s;
  auto out = run<int8_t>(OpCode::kMean, DType::kInt8, {1, 2, 2, 2}, 0.5f, -10, DType::kInt8, 0.25f, 3, o, &axes,
                         {2}, in, &s);
  EXPECT_EQ(s, (Shape{1, 2}));
  EXPECT_EQ(out, (std::vector<int8_t>{17, 5}));
}

TEST(Mean, Int8SpatialKeepDimsClampsToRange) {
  // Output scale 0.01: mean 3.5 would be 350 steps; clamps to 127.
  std::vector<int8_t> in = {-10, -6, 0, 4};
  std::vector<int32_t> axes = {2, 1};
  OpOptions o;
  o.keep_dims = true;
  Shape s;
  auto out = run<int8_t>(OpCode::kMean, DType::kInt8, {1, 2, 2, 1}, 0.5f, -10, DType::kInt8, 0.01f, 0, o, &axes,
                         {2}, in, &s);
  EXPECT_EQ(s, (Shape{1, 1, 1, 1}));
  EXPECT_EQ(out, (std::vector<int8_t>{127}));
}

TEST(Mean, Uint8SameQuantRoundsMean) {
  // Sums per channel 7 (1.75 -> 2), 6 (1.5 -> 2), 5 (1.25 -> 1).
  std::vector<uint8_t> in = {1, 1, 2, 2, 1, 1, 2, 2, 1, 2, 2, 1};
  std::vector<int32_t> axes = {1, 2};
  OpOptions o;
  o.keep_dims = true;
  Shape s;
  auto out = run<uint8_t>(OpCode::kMean, DType::kUInt8, {1, 2, 2, 3}, 0.1f, 5, DType::kUInt8, 0.1f, 5, o, &axes,
                          {2}, in, &s);
  EXPECT_EQ(s, (Shape{1, 1, 1, 3}));
  EXPECT_EQ(out, (std::vector<uint8_t>{2, 2, 1}));
}

TEST(Mean, FloatLastAxisAndNegativeAxis) {
  std::vector<int32_t> axes = {-1};
  OpOptions o;
  Shape s;
  auto out = run<float>(OpCode::kMean, DType::kFloat32, {2, 3}, 0, 0, DType::kFloat32, 0, 0, o, &axes, {1},
                        std::vector<float>{1, 2, 6, -3, 0, 0}, &s);
  EXPECT_EQ(s, (Shape{2}));
  EXPECT_EQ(out, (std::vector<float>{3, -1}));
}

TEST(Mean, FloatNonContiguousAxes) {
  // [2, 2, 2] holding 0..7, reduce axes 0 and 2: b = 0 -> {0, 1, 4, 5}, b = 1 -> {2, 3, 6, 7}.
  std::vector<int32_t> axes = {0, 2};
  OpOptions o;
  Shape s;
  auto out = run<float>(OpCode::kMean, DType::kFloat32, {2, 2, 2}, 0, 0, DType::kFloat32, 0, 0, o, &axes, {2},
                        std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}, &s);
  EXPECT_EQ(s, (Shape{2}));
  EXPECT_EQ(out, (std::vector<float>{2.5f, 4.5f}));
}

TEST(Mean, Int8NonContiguousAxesSameQuant) {
  std::vector<int32_t> axes = {0, 2};
  OpOptions o;
  o.keep_dims = true;
  Shape s;
  auto out = run<int8_t>(OpCode::kMean, DType::kInt8, {2, 2, 2}, 0.1f, 0, DType::kInt8, 0.1f, 0, o, &axes, {2},
                         std::vector<int8_t>{0, 1, 2, 3, 4, 5, 6, 7}, &s);
  EXPECT_EQ(s, (Shape{1, 2, 1}));
  EXPECT_EQ(out, (std::vector<int8_t>{3, 5}));  // 2.5 and 4.5 round away from zero
}

TEST(Softmax, FloatKnownValuesAndBeta) {
  OpOptions o;
  Shape s;
  auto out = run<float>(OpCode::kSoftmax, DType::kFloat32, {2, 3}, 0, 0, DType::kFloat32, 0, 0, o, nullptr, {},
                        std::vector<float>{1, 2, 3, 5, 5, 5}, &s);
  EXPECT_EQ(s, (Shape{2, 3}));
  EXPECT_NEAR(out[0], 0.09003057f, 1e-6);
  EXPECT_NEAR(out[1], 0.24472847f, 1e-6);
  EXPECT_NEAR(out[2], 0.66524096f, 1e-6);
  for (int i = 3; i < 6; ++i) EXPECT_NEAR(out[i], 1.0f / 3.0f, 1e-6);
  o.beta = 0.5f;
  auto half = run<float>(OpCode::kSoftmax, DType::kFloat32, {1, 3}, 0, 0, DType::kFloat32, 0, 0, o, nullptr, {},
                         std::vector<float>{2, 4, 6}, &s);
  EXPECT_NEAR(half[0], 0.09003057f, 1e-6);
  EXPECT_NEAR(half[2], 0.66524096f, 1e-6);
}

// Checks a quantized softmax row against the exact softmax of its dequantized input.
template <typename T>
void check_quant_softmax(DType t, float in_scale, int32_t in_zp, int32_t out_zp, const std::vector<T>& in) {
  OpOptions o;
  Shape s;
  const float out_scale = 1.0f / 256.0f;
  auto out = run<T>(OpCode::kSoftmax, t, {1, static_cast<int32_t>(in.size())}, in_scale, in_zp, t, out_scale, out_zp,
                    o, nullptr, {}, in, &s);
  ASSERT_EQ(out.size(), in.size());
  double mx = -1e30, sum = 0.0;
  for (T v : in) mx = std::max(mx, in_scale * (static_cast<double>(v) - in_zp));
  for (T v : in) sum += std::exp(in_scale * (static_cast<double>(v) - in_zp) - mx);
  double total = 0.0;
  for (size_t i = 0; i < in.size(); ++i) {
    const double p = std::exp(in_scale * (static_cast<double>(in[i]) - in_zp) - mx) / sum;
    const double expect = std::min<double>(std::round(p * 256.0) + out_zp, t == DType::kUInt8 ? 255 : 127);
    EXPECT_LE(std::abs(static_cast<double>(out[i]) - expect), 1.0) << i;
    total += out_scale * (static_cast<double>(out[i]) - out_zp);
  }
  EXPECT_NEAR(total, 1.0, in.size() / 256.0 + 1e-6);
}

TEST(Softmax, Uint8MatchesDequantizedSoftmaxAndSumsToOne) {
  std::vector<uint8_t> in = {96, 100, 120, 130, 90, 110, 125, 97, 101, 115};
  check_quant_softmax<uint8_t>(DType::kUInt8, 0.130833f, 96, 0, in);
}

TEST(Softmax, Int8MatchesDequantizedSoftmaxAndSumsToOne) {
  std::vector<int8_t> in = {-53, -40, -20, 10, 30, -128, 127, 0, 5, 6, 7, 8};
  check_quant_softmax<int8_t>(DType::kInt8, 0.063365f, -53, -128, in);
  std::vector<int8_t> one_hot = {-128, 127, -128, -128};
  check_quant_softmax<int8_t>(DType::kInt8, 0.5f, 0, -128, one_hot);
}

OpOptions resize_options(bool align, bool half) {
  OpOptions o;
  o.align_corners = align;
  o.half_pixel_centers = half;
  return o;
}

const std::vector<float> kSquare = {0, 4, 8, 12};  // 1x2x2x1

TEST(ResizeBilinear, FloatDefaultCoordinates) {
  std::vector<int32_t> size = {4, 4};
  Shape s;
  auto out = run<float>(OpCode::kResizeBilinear, DType::kFloat32, {1, 2, 2, 1}, 0, 0, DType::kFloat32, 0, 0,
                        resize_options(false, false), &size, {2}, kSquare, &s);
  EXPECT_EQ(s, (Shape{1, 4, 4, 1}));
  EXPECT_EQ(out, (std::vector<float>{0, 2, 4, 4, 4, 6, 8, 8, 8, 10, 12, 12, 8, 10, 12, 12}));
}

TEST(ResizeBilinear, FloatAlignCorners) {
  std::vector<int32_t> size = {3, 3};
  Shape s;
  auto out = run<float>(OpCode::kResizeBilinear, DType::kFloat32, {1, 2, 2, 1}, 0, 0, DType::kFloat32, 0, 0,
                        resize_options(true, false), &size, {2}, kSquare, &s);
  EXPECT_EQ(s, (Shape{1, 3, 3, 1}));
  EXPECT_EQ(out, (std::vector<float>{0, 2, 4, 4, 6, 8, 8, 10, 12}));
}

TEST(ResizeBilinear, FloatHalfPixelCenters) {
  std::vector<int32_t> size = {4, 4};
  Shape s;
  auto out = run<float>(OpCode::kResizeBilinear, DType::kFloat32, {1, 2, 2, 1}, 0, 0, DType::kFloat32, 0, 0,
                        resize_options(false, true), &size, {2}, kSquare, &s);
  std::vector<float> expect = {0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12};
  ASSERT_EQ(out.size(), expect.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], expect[i], 1e-5) << i;
}

TEST(ResizeBilinear, QuantizedHalfPixelRoundsToNearest) {
  std::vector<int32_t> size = {1, 4};
  Shape s;
  // 10, 21 -> 10, 12.75, 18.25, 21.
  auto u = run<uint8_t>(OpCode::kResizeBilinear, DType::kUInt8, {1, 1, 2, 1}, 0.1f, 0, DType::kUInt8, 0.1f, 0,
                        resize_options(false, true), &size, {2}, std::vector<uint8_t>{10, 21}, &s);
  EXPECT_EQ(s, (Shape{1, 1, 4, 1}));
  EXPECT_EQ(u, (std::vector<uint8_t>{10, 13, 18, 21}));
  auto q = run<int8_t>(OpCode::kResizeBilinear, DType::kInt8, {1, 1, 2, 1}, 0.1f, 0, DType::kInt8, 0.1f, 0,
                       resize_options(false, true), &size, {2}, std::vector<int8_t>{-10, -21}, &s);
  EXPECT_EQ(q, (std::vector<int8_t>{-10, -13, -18, -21}));
}

TEST(ResizeBilinear, Uint8AlignCornersManyChannels) {
  // 1x1x2x20 -> 1x1x3x20 with align_corners: the middle column is the rounded mean of the ends.
  std::vector<uint8_t> in(40);
  for (int c = 0; c < 20; ++c) {
    in[c] = static_cast<uint8_t>(c * 3);
    in[20 + c] = static_cast<uint8_t>(c * 3 + 1 + c % 2);
  }
  std::vector<int32_t> size = {1, 3};
  Shape s;
  auto out = run<uint8_t>(OpCode::kResizeBilinear, DType::kUInt8, {1, 1, 2, 20}, 0.1f, 0, DType::kUInt8, 0.1f, 0,
                          resize_options(true, false), &size, {2}, in, &s);
  ASSERT_EQ(out.size(), 60u);
  for (int c = 0; c < 20; ++c) {
    EXPECT_EQ(out[c], in[c]);
    EXPECT_EQ(out[20 + c], static_cast<uint8_t>((in[c] + in[20 + c] + 1) / 2)) << c;
    EXPECT_EQ(out[40 + c], in[20 + c]);
  }
}

TEST(ResizeBilinear, RejectsDynamicSize) {
  OneOp b;
  const int size = b.add(DType::kInt32, {2});
  b.g.inputs.push_back(size);
  std::unique_ptr<Interpreter> it;
  Status st = b.build(OpCode::kResizeBilinear, DType::kFloat32, {1, 2, 2, 1}, 0, 0, DType::kFloat32, 0, 0,
                      resize_options(false, false), size, &it);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("constant"), std::string::npos) << st.message();
}

TEST(ResizeNearestNeighbor, CoordinateModes) {
  // 1x1x3x1 [10, 20, 30] -> width 5.
  std::vector<float> in = {10, 20, 30};
  std::vector<int32_t> size = {1, 5};
  Shape s;
  auto plain = run<float>(OpCode::kResizeNearestNeighbor, DType::kFloat32, {1, 1, 3, 1}, 0, 0, DType::kFloat32, 0, 0,
                          resize_options(false, false), &size, {2}, in, &s);
  EXPECT_EQ(s, (Shape{1, 1, 5, 1}));
  EXPECT_EQ(plain, (std::vector<float>{10, 10, 20, 20, 30}));  // floor(i * 0.6)
  auto align = run<float>(OpCode::kResizeNearestNeighbor, DType::kFloat32, {1, 1, 3, 1}, 0, 0, DType::kFloat32, 0, 0,
                          resize_options(true, false), &size, {2}, in, &s);
  EXPECT_EQ(align, (std::vector<float>{10, 20, 20, 30, 30}));  // round(i * 0.5)
  auto half = run<float>(OpCode::kResizeNearestNeighbor, DType::kFloat32, {1, 1, 3, 1}, 0, 0, DType::kFloat32, 0, 0,
                         resize_options(false, true), &size, {2}, in, &s);
  EXPECT_EQ(half, (std::vector<float>{10, 10, 20, 30, 30}));  // floor((i + 0.5) * 0.6)
}

TEST(ResizeNearestNeighbor, Int8UpscalesTwoChannels) {
  std::vector<int8_t> in = {1, -1, 2, -2, 3, -3, 4, -4};  // 1x2x2x2
  std::vector<int32_t> size = {4, 4};
  Shape s;
  auto out = run<int8_t>(OpCode::kResizeNearestNeighbor, DType::kInt8, {1, 2, 2, 2}, 0.1f, 0, DType::kInt8, 0.1f, 0,
                         resize_options(false, false), &size, {2}, in, &s);
  EXPECT_EQ(s, (Shape{1, 4, 4, 2}));
  ASSERT_EQ(out.size(), 32u);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      const int src = (y / 2) * 2 + x / 2;
      EXPECT_EQ(out[(y * 4 + x) * 2], in[src * 2]);
      EXPECT_EQ(out[(y * 4 + x) * 2 + 1], in[src * 2 + 1]);
    }
  }
}

TEST(ArgMax, FloatLastAxisFirstMaxWinsInt64) {
  OneOp b;
  const int axis = b.add_i32_constant({}, {-1});
  std::unique_ptr<Interpreter> it;
  Status st = b.build(OpCode::kArgMax, DType::kFloat32, {1, 3, 4}, 0, 0, DType::kInt64, 0, 0, OpOptions(), axis, &it);
  ASSERT_TRUE(st.ok()) << st.message();
  set_input(it.get(), std::vector<float>{1, 5, 5, 2, 7, 7, 7, 7, -1, -3, -0.5f, -2});
  ASSERT_TRUE(it->invoke().ok());
  EXPECT_EQ(it->output(0).shape, (Shape{1, 3}));
  EXPECT_EQ(get_output<int64_t>(it.get()), (std::vector<int64_t>{1, 0, 2}));
}

TEST(ArgMax, Int8MiddleAxisInt32) {
  // [1, 3, 2] along axis 1: column 0 {3, 9, 9} -> 1, column 1 {-5, -5, -6} -> 0.
  OneOp b;
  const int axis = b.add_i32_constant({}, {1});
  std::unique_ptr<Interpreter> it;
  Status st = b.build(OpCode::kArgMax, DType::kInt8, {1, 3, 2}, 0.1f, -128, DType::kInt32, 0, 0, OpOptions(), axis, &it);
  ASSERT_TRUE(st.ok()) << st.message();
  set_input(it.get(), std::vector<int8_t>{3, -5, 9, -5, 9, -6});
  ASSERT_TRUE(it->invoke().ok());
  EXPECT_EQ(it->output(0).shape, (Shape{1, 2}));
  EXPECT_EQ(get_output<int32_t>(it.get()), (std::vector<int32_t>{1, 0}));
}

TEST(ArgMax, Uint8Int64ManyRows) {
  // 300 rows of 5 uint8 values: the max is at row % 5, with a tie later in the row for even rows.
  OneOp b;
  const int axis = b.add_i32_constant({1}, {3});
  std::unique_ptr<Interpreter> it;
  Status st = b.build(OpCode::kArgMax, DType::kUInt8, {1, 10, 30, 5}, 0.1f, 0, DType::kInt64, 0, 0, OpOptions(), axis, &it);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<uint8_t> in(1500, 1);
  for (int r = 0; r < 300; ++r) {
    in[r * 5 + r % 5] = 200;
    if (r % 2 == 0 && r % 5 < 4) in[r * 5 + 4] = 200;
  }
  set_input(it.get(), in);
  ASSERT_TRUE(it->invoke().ok());
  EXPECT_EQ(it->output(0).shape, (Shape{1, 10, 30}));
  auto out = get_output<int64_t>(it.get());
  for (int r = 0; r < 300; ++r) EXPECT_EQ(out[r], r % 5) << r;
}

}  // namespace
}  // namespace fd
