// Data-movement ops (CONCATENATION, TRANSPOSE, PAD, PADV2, SPLIT, STRIDED_SLICE, GATHER,
// GATHER_ND, PACK, UNPACK, SQUEEZE) on hand-built graphs against hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "model/tflite_reader.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

// Builds a small graph tensor by tensor and node by node.
class GraphBuilder {
 public:
  // A runtime tensor (graph input or intermediate).
  int tensor(DType t, Shape s, float scale = 0.0f, int32_t zp = 0) {
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
  // A graph input.
  int input(DType t, Shape s, float scale = 0.0f, int32_t zp = 0) {
    int id = tensor(t, std::move(s), scale, zp);
    g.inputs.push_back(id);
    return id;
  }
  // A constant tensor holding `values`.
  template <typename T>
  int constant(DType t, Shape s, const std::vector<T>& values, float scale = 0.0f, int32_t zp = 0) {
    int id = tensor(t, std::move(s), scale, zp);
    auto buf = std::make_shared<std::vector<uint8_t>>(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(buf->data(), values.data(), buf->size());
    g.storage.push_back(buf);
    g.tensors[id].data = buf->data();
    g.tensors[id].data_bytes = buf->size();
    return id;
  }
  void node(OpCode code, std::vector<int32_t> in, std::vector<int32_t> out, OpOptions o = {}) {
    Node n;
    n.code = static_cast<int32_t>(code);
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.options = std::move(o);
    g.nodes.push_back(n);
  }
  void outputs(std::vector<int32_t> out) { g.outputs = std::move(out); }

  Graph g;
};

std::unique_ptr<Interpreter> build(GraphBuilder& b) {
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(std::move(b.g), &interp);
  EXPECT_TRUE(s.ok()) << s.message();
  return interp;
}

// The error Interpreter::create reports for the graph (empty when it succeeds).
std::string create_error(GraphBuilder& b) {
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(std::move(b.g), &interp);
  return s.ok() ? std::string() : s.message();
}

template <typename T>
void set_input(Interpreter& in, int i, const std::vector<T>& v) {
  ASSERT_EQ(in.input(i).bytes(), v.size() * sizeof(T));
  std::memcpy(in.input(i).data, v.data(), in.input(i).bytes());
}

template <typename T>
std::vector<T> output(Interpreter& in, int i) {
  const RTensor& t = in.output(i);
  const T* p = t.as<T>();
  return std::vector<T>(p, p + num_elements(t.shape));
}

OpOptions axis_opt(int32_t axis) {
  OpOptions o;
  o.axis = axis;
  return o;
}

// ---- CONCATENATION ----

TEST(Concatenation, Float32NegativeAxis) {
  GraphBuilder b;
  int a = b.input(DType::kFloat32, {2, 1});
  int c = b.input(DType::kFloat32, {2, 2});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kConcatenation, {a, c}, {o}, axis_opt(-1));
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<float>(*interp, 0, {1, 2});
  set_input<float>(*interp, 1, {10, 11, 20, 21});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 3}));
  EXPECT_EQ(output<float>(*interp, 0), (std::vector<float>{1, 10, 11, 2, 20, 21}));
}

TEST(Concatenation, Int32AndInt8Axis0) {
  GraphBuilder b;
  int a = b.input(DType::kInt32, {1, 2});
  int c = b.constant<int32_t>(DType::kInt32, {2, 2}, {7, 8, 9, 10});
  int o = b.tensor(DType::kInt32, {});
  b.node(OpCode::kConcatenation, {a, c}, {o}, axis_opt(0));
  int x = b.input(DType::kInt8, {2}, 0.5f, -3);
  int y = b.input(DType::kInt8, {1}, 0.5f, -3);
  int xy = b.tensor(DType::kInt8, {}, 0.5f, -3);
  b.node(OpCode::kConcatenation, {x, y}, {xy}, axis_opt(0));
  b.outputs({o, xy});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int32_t>(*interp, 0, {-1, 100000});
  set_input<int8_t>(*interp, 1, {-128, 127});
  set_input<int8_t>(*interp, 2, {5});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{3, 2}));
  EXPECT_EQ(output<int32_t>(*interp, 0), (std::vector<int32_t>{-1, 100000, 7, 8, 9, 10}));
  EXPECT_EQ(output<int8_t>(*interp, 1), (std::vector<int8_t>{-128, 127, 5}));
}

TEST(Concatenation, Uint8RequantizesInputsWithOtherScaleAndZeroPoint) {
  GraphBuilder b;
  // Output: scale 0.5, zero point 128. Input 0 matches it (copied); input 1 has scale 0.25,
  // zero point 100; input 2 has scale 1.0, zero point 0.
  int a = b.input(DType::kUInt8, {1, 2}, 0.5f, 128);
  int c = b.input(DType::kUInt8, {1, 4}, 0.25f, 100);
  int d = b.input(DType::kUInt8, {1, 3}, 1.0f, 0);
  int o = b.tensor(DType::kUInt8, {}, 0.5f, 128);
  b.node(OpCode::kConcatenation, {a, c, d}, {o}, axis_opt(1));
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<uint8_t>(*interp, 0, {0, 255});
  // real = 0.25 * (q - 100): 0, 1.25, -25, 38.75 -> q_out = real / 0.5 + 128, rounded to even.
  set_input<uint8_t>(*interp, 1, {100, 105, 0, 255});
  // real = q: 3, 200 (clamps), 0.
  set_input<uint8_t>(*interp, 2, {3, 200, 0});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{1, 9}));
  // 105: (5 * 0.5) = 2.5 -> 2 (ties to even) + 128 = 130; 0: -50 + 128 = 78;
  // 255: 77.5 -> 78 + 128 = 206; 3: 6 + 128 = 134; 200: 400 -> clamped to 255; 0: 128.
  EXPECT_EQ(output<uint8_t>(*interp, 0),
            (std::vector<uint8_t>{0, 255, 128, 130, 78, 206, 134, 255, 128}));
}

TEST(Concatenation, RejectsMismatchedShapes) {
  GraphBuilder b;
  int a = b.input(DType::kFloat32, {2, 3});
  int c = b.input(DType::kFloat32, {3, 3});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kConcatenation, {a, c}, {o}, axis_opt(1));
  b.outputs({o});
  std::string err = create_error(b);
  EXPECT_NE(err.find("CONCATENATION (node 0)"), std::string::npos) << err;
  EXPECT_NE(err.find("does not match"), std::string::npos) << err;
}

// ---- TRANSPOSE ----

TEST(Transpose, Float3DNegativePermEntry) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {2, 3, 2});
  int perm = b.constant<int32_t>(DType::kInt32, {3}, {-1, 0, 1});  // = {2, 0, 1}
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kTranspose, {x, perm}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  // x[i][j][k] = 100 i + 10 j + k
  set_input<float>(*interp, 0, {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 2, 3}));
  // out[k][i][j] = x[i][j][k]
  EXPECT_EQ(output<float>(*interp, 0),
            (std::vector<float>{0, 10, 20, 100, 110, 120, 1, 11, 21, 101, 111, 121}));
}

// Six dims with an arbitrary permutation; and the channel shuffle [N, H, W, 2, C] ->
// [N, H, W, C, 2] of ShuffleNet-style models (the x8_zip2 path), with C not a multiple of 16.
class TransposeInt8 : public ::testing::TestWithParam<std::pair<Shape, std::vector<int32_t>>> {};

INSTANTIATE_TEST_SUITE_P(Permutations, TransposeInt8, ::testing::Values(
    std::make_pair(Shape{2, 3, 1, 2, 3, 2}, std::vector<int32_t>{5, 3, 0, 4, 2, 1}),
    std::make_pair(Shape{1, 3, 2, 2, 37}, std::vector<int32_t>{0, 1, 2, 4, 3}),
    std::make_pair(Shape{1, 2, 2, 5}, std::vector<int32_t>{0, 1, 3, 2})));

TEST_P(TransposeInt8, MatchesNaiveIndexing) {
  const Shape shape = GetParam().first;
  const std::vector<int32_t> perm = GetParam().second;
  const int rank = static_cast<int>(shape.size());
  GraphBuilder b;
  int x = b.input(DType::kInt8, shape);
  int p = b.constant<int32_t>(DType::kInt32, {rank}, perm);
  int o = b.tensor(DType::kInt8, {});
  b.node(OpCode::kTranspose, {x, p}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  const int n = static_cast<int>(num_elements(shape));
  std::vector<int8_t> in(n);
  for (int i = 0; i < n; ++i) in[i] = static_cast<int8_t>(i % 251 - 120);
  set_input(*interp, 0, in);
  ASSERT_TRUE(interp->invoke().ok());
  Shape out_shape(rank);
  for (int d = 0; d < rank; ++d) out_shape[d] = shape[perm[d]];
  ASSERT_EQ(interp->output(0).shape, out_shape);
  std::vector<int8_t> got = output<int8_t>(*interp, 0);
  int in_strides[6];
  for (int d = rank - 1, st = 1; d >= 0; --d) in_strides[d] = st, st *= shape[d];
  int idx[6] = {0, 0, 0, 0, 0, 0};
  for (int flat = 0; flat < n; ++flat) {
    int src = 0;
    for (int d = 0; d < rank; ++d) src += idx[d] * in_strides[perm[d]];
    ASSERT_EQ(got[flat], in[src]) << "at output element " << flat;
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

TEST(Transpose, Int64AndBoolElements) {
  GraphBuilder b;
  int x = b.input(DType::kInt64, {2, 3});
  int perm = b.constant<int32_t>(DType::kInt32, {2}, {1, 0});
  int o = b.tensor(DType::kInt64, {});
  b.node(OpCode::kTranspose, {x, perm}, {o});
  int m = b.input(DType::kBool, {3, 1});
  int mo = b.tensor(DType::kBool, {});
  b.node(OpCode::kTranspose, {m, perm}, {mo});
  b.outputs({o, mo});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int64_t>(*interp, 0, {1, 2, 3, int64_t{1} << 40, -5, 6});
  set_input<uint8_t>(*interp, 1, {1, 0, 1});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{3, 2}));
  EXPECT_EQ(output<int64_t>(*interp, 0), (std::vector<int64_t>{1, int64_t{1} << 40, 2, -5, 3, 6}));
  EXPECT_EQ(interp->output(1).shape, (Shape{1, 3}));
  EXPECT_EQ(output<uint8_t>(*interp, 1), (std::vector<uint8_t>{1, 0, 1}));
}

TEST(Transpose, RejectsRuntimePerm) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {2, 3});
  int perm = b.input(DType::kInt32, {2});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kTranspose, {x, perm}, {o});
  b.outputs({o});
  std::string err = create_error(b);
  EXPECT_NE(err.find("TRANSPOSE (node 0)"), std::string::npos) << err;
  EXPECT_NE(err.find("perm input is computed at run time"), std::string::npos) << err;
}

// ---- PAD / PADV2 ----

TEST(Pad, Float32PadsSpatialAndChannels) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {1, 1, 2, 2});
  int pads = b.constant<int32_t>(DType::kInt32, {4, 2}, {0, 0, 1, 0, 0, 1, 0, 2});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kPad, {x, pads}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<float>(*interp, 0, {1, 2, 3, 4});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{1, 2, 3, 4}));
  EXPECT_EQ(output<float>(*interp, 0), (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                           1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0}));
}

TEST(Pad, Int8PadsWithZeroPoint) {
  GraphBuilder b;
  int x = b.input(DType::kInt8, {2, 1}, 0.1f, -7);
  int pads = b.constant<int64_t>(DType::kInt64, {2, 2}, {1, 0, 1, 1});
  int o = b.tensor(DType::kInt8, {}, 0.1f, -7);
  b.node(OpCode::kPad, {x, pads}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int8_t>(*interp, 0, {5, -128});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{3, 3}));
  EXPECT_EQ(output<int8_t>(*interp, 0), (std::vector<int8_t>{-7, -7, -7, -7, 5, -7, -7, -128, -7}));
}

TEST(PadV2, Uint8AndFloatConstantValues) {
  GraphBuilder b;
  int x = b.input(DType::kUInt8, {2}, 0.5f, 10);
  int pads = b.constant<int32_t>(DType::kInt32, {1, 2}, {2, 1});
  int v = b.constant<uint8_t>(DType::kUInt8, {}, {200}, 0.5f, 10);
  int o = b.tensor(DType::kUInt8, {}, 0.5f, 10);
  b.node(OpCode::kPadV2, {x, pads, v}, {o});
  // A float value with a repeating multi-byte pattern, and a constant value quantized
  // differently from the output (real 6.0 -> 6 / 0.5 + 10 = 22).
  int f = b.input(DType::kFloat32, {1, 2});
  int fpads = b.constant<int32_t>(DType::kInt32, {2, 2}, {0, 1, 1, 0});
  int fv = b.constant<float>(DType::kFloat32, {1}, {-1.5f});
  int fo = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kPadV2, {f, fpads, fv}, {fo});
  int q = b.input(DType::kUInt8, {1}, 0.5f, 10);
  int qv = b.constant<uint8_t>(DType::kUInt8, {1}, {3}, 2.0f, 0);
  int qo = b.tensor(DType::kUInt8, {}, 0.5f, 10);
  b.node(OpCode::kPadV2, {q, pads, qv}, {qo});
  b.outputs({o, fo, qo});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<uint8_t>(*interp, 0, {1, 2});
  set_input<float>(*interp, 1, {7, 8});
  set_input<uint8_t>(*interp, 2, {99});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(output<uint8_t>(*interp, 0), (std::vector<uint8_t>{200, 200, 1, 2, 200}));
  EXPECT_EQ(interp->output(1).shape, (Shape{2, 3}));
  EXPECT_EQ(output<float>(*interp, 1), (std::vector<float>{-1.5f, 7, 8, -1.5f, -1.5f, -1.5f}));
  EXPECT_EQ(output<uint8_t>(*interp, 2), (std::vector<uint8_t>{22, 22, 99, 22}));
}

TEST(Pad, RejectsNegativeAndRuntimePaddings) {
  {
    GraphBuilder b;
    int x = b.input(DType::kFloat32, {2});
    int pads = b.constant<int32_t>(DType::kInt32, {1, 2}, {-1, 0});
    int o = b.tensor(DType::kFloat32, {});
    b.node(OpCode::kPad, {x, pads}, {o});
    b.outputs({o});
    std::string err = create_error(b);
    EXPECT_NE(err.find("negative padding"), std::string::npos) << err;
  }
  {
    GraphBuilder b;
    int x = b.input(DType::kFloat32, {2});
    int pads = b.input(DType::kInt32, {1, 2});
    int o = b.tensor(DType::kFloat32, {});
    b.node(OpCode::kPad, {x, pads}, {o});
    b.outputs({o});
    std::string err = create_error(b);
    EXPECT_NE(err.find("PAD (node 0): the paddings input is computed at run time"), std::string::npos) << err;
  }
}

// ---- SPLIT ----

TEST(Split, NegativeAxisThreeWays) {
  GraphBuilder b;
  int axis = b.constant<int32_t>(DType::kInt32, {}, {-1});
  int x = b.input(DType::kInt32, {2, 6});
  int o0 = b.tensor(DType::kInt32, {}), o1 = b.tensor(DType::kInt32, {}), o2 = b.tensor(DType::kInt32, {});
  OpOptions opt;
  opt.num = 3;
  b.node(OpCode::kSplit, {axis, x}, {o0, o1, o2}, opt);
  b.outputs({o0, o1, o2});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int32_t>(*interp, 0, {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 2}));
  EXPECT_EQ(output<int32_t>(*interp, 0), (std::vector<int32_t>{0, 1, 10, 11}));
  EXPECT_EQ(output<int32_t>(*interp, 1), (std::vector<int32_t>{2, 3, 12, 13}));
  EXPECT_EQ(output<int32_t>(*interp, 2), (std::vector<int32_t>{4, 5, 14, 15}));
}

TEST(Split, RejectsIndivisibleAxis) {
  GraphBuilder b;
  int axis = b.constant<int32_t>(DType::kInt32, {1}, {0});
  int x = b.input(DType::kFloat32, {5});
  int o0 = b.tensor(DType::kFloat32, {}), o1 = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kSplit, {axis, x}, {o0, o1});
  b.outputs({o0, o1});
  std::string err = create_error(b);
  EXPECT_NE(err.find("not divisible into 2 splits"), std::string::npos) << err;
}

// ---- STRIDED_SLICE ----

struct SliceCase {
  Shape in_shape;
  std::vector<int32_t> begin, end, strides;
  int begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
  bool offset = false;
};

// Runs STRIDED_SLICE on an input whose element i is i; returns the output and its shape.
std::vector<int32_t> run_slice(const SliceCase& c, Shape* out_shape) {
  GraphBuilder b;
  int x = b.input(DType::kInt32, c.in_shape);
  const int32_t n = static_cast<int32_t>(c.begin.size());
  int bt = b.constant<int32_t>(DType::kInt32, {n}, c.begin);
  int et = b.constant<int32_t>(DType::kInt32, {n}, c.end);
  int st = b.constant<int32_t>(DType::kInt32, {n}, c.strides);
  int o = b.tensor(DType::kInt32, {});
  OpOptions opt;
  opt.begin_mask = c.begin_mask;
  opt.end_mask = c.end_mask;
  opt.ellipsis_mask = c.ellipsis_mask;
  opt.new_axis_mask = c.new_axis_mask;
  opt.shrink_axis_mask = c.shrink_mask;
  opt.offset = c.offset;
  b.node(OpCode::kStridedSlice, {x, bt, et, st}, {o}, opt);
  b.outputs({o});
  auto interp = build(b);
  if (!interp) return {};
  std::vector<int32_t> in(num_elements(c.in_shape));
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int32_t>(i);
  set_input(*interp, 0, in);
  EXPECT_TRUE(interp->invoke().ok());
  *out_shape = interp->output(0).shape;
  return output<int32_t>(*interp, 0);
}

TEST(StridedSlice, BasicStrideAndNegativeIndices) {
  Shape s;
  // x[1:-1:2] on [0..9] -> 1, 3, 5, 7.
  EXPECT_EQ(run_slice({{10}, {1}, {-1}, {2}}, &s), (std::vector<int32_t>{1, 3, 5, 7}));
  EXPECT_EQ(s, (Shape{4}));
  // x[-3:] via end_mask -> 7, 8, 9.
  EXPECT_EQ(run_slice({{10}, {-3}, {0}, {1}, 0, 1}, &s), (std::vector<int32_t>{7, 8, 9}));
  // Out-of-range bounds clamp: x[-100:100] -> whole 4-vector.
  EXPECT_EQ(run_slice({{4}, {-100}, {100}, {1}}, &s), (std::vector<int32_t>{0, 1, 2, 3}));
  // Empty slice: x[3:1] -> nothing.
  EXPECT_EQ(run_slice({{4}, {3}, {1}, {1}}, &s), (std::vector<int32_t>{}));
  EXPECT_EQ(s, (Shape{0}));
}

TEST(StridedSlice, NegativeStridesAndMasks) {
  Shape s;
  // x[::-1] (begin and end masked) -> reversed.
  EXPECT_EQ(run_slice({{5}, {0}, {0}, {-1}, 1, 1}, &s), (std::vector<int32_t>{4, 3, 2, 1, 0}));
  // x[3:0:-2] -> 3, 1.
  EXPECT_EQ(run_slice({{5}, {3}, {0}, {-2}}, &s), (std::vector<int32_t>{3, 1}));
  // 2-D [3, 4]: x[:, ::-2] with begin/end mask on dim 1 only, dim 0 whole via both masks.
  EXPECT_EQ(run_slice({{3, 4}, {0, 0}, {0, 0}, {1, -2}, 3, 3}, &s),
            (std::vector<int32_t>{3, 1, 7, 5, 11, 9}));
  EXPECT_EQ(s, (Shape{3, 2}));
}

TEST(StridedSlice, ShrinkAxis) {
  Shape s;
  // [3, 4]: x[-1, 1:3] -> row 2, columns 1..2, rank 1.
  EXPECT_EQ(run_slice({{3, 4}, {-1, 1}, {0, 3}, {1, 1}, 0, 0, 0, 0, 1}, &s),
            (std::vector<int32_t>{9, 10}));
  EXPECT_EQ(s, (Shape{2}));
  // [2, 3]: x[1, 2] -> scalar 5.
  EXPECT_EQ(run_slice({{2, 3}, {1, 2}, {2, 3}, {1, 1}, 0, 0, 0, 0, 3}, &s), (std::vector<int32_t>{5}));
  EXPECT_EQ(s, (Shape{}));
}

TEST(StridedSlice, EllipsisNewAxisAndImplicitTrailingDims) {
  Shape s;
  // [2, 3, 4]: x[..., 1] -> [2, 3], element [i][j] = 12 i + 4 j + 1.
  EXPECT_EQ(run_slice({{2, 3, 4}, {0, 1}, {0, 2}, {1, 1}, 0, 0, 1, 0, 2}, &s),
            (std::vector<int32_t>{1, 5, 9, 13, 17, 21}));
  EXPECT_EQ(s, (Shape{2, 3}));
  // [2, 3, 4]: x[1, tf.newaxis, ..., 2:] -> [1, 3, 2].
  EXPECT_EQ(run_slice({{2, 3, 4}, {1, 0, 0, 2}, {2, 0, 0, 4}, {1, 1, 1, 1}, 0, 0, 4, 2, 1}, &s),
            (std::vector<int32_t>{14, 15, 18, 19, 22, 23}));
  EXPECT_EQ(s, (Shape{1, 3, 2}));
  // [2, 3]: x[1:] with the second dim unspecified (taken whole).
  EXPECT_EQ(run_slice({{2, 3}, {1}, {2}, {1}}, &s), (std::vector<int32_t>{3, 4, 5}));
  EXPECT_EQ(s, (Shape{1, 3}));
}

TEST(StridedSlice, OffsetMakesEndRelativeToBegin) {
  Shape s;
  // begin 2, end 3 (an offset): elements 2, 3, 4.
  SliceCase c{{8}, {2}, {3}, {1}};
  c.offset = true;
  EXPECT_EQ(run_slice(c, &s), (std::vector<int32_t>{2, 3, 4}));
}

TEST(StridedSlice, RejectsZeroStrideAndOutOfRangeShrink) {
  for (const SliceCase& c : {SliceCase{{4}, {0}, {4}, {0}}, SliceCase{{4}, {4}, {5}, {1}, 0, 0, 0, 0, 1}}) {
    GraphBuilder b;
    int x = b.input(DType::kInt32, c.in_shape);
    int bt = b.constant<int32_t>(DType::kInt32, {1}, c.begin);
    int et = b.constant<int32_t>(DType::kInt32, {1}, c.end);
    int st = b.constant<int32_t>(DType::kInt32, {1}, c.strides);
    int o = b.tensor(DType::kInt32, {});
    OpOptions opt;
    opt.shrink_axis_mask = c.shrink_mask;
    b.node(OpCode::kStridedSlice, {x, bt, et, st}, {o}, opt);
    b.outputs({o});
    std::string err = create_error(b);
    EXPECT_NE(err.find("STRIDED_SLICE (node 0)"), std::string::npos) << err;
  }
}

// ---- GATHER ----

TEST(Gather, Axis1ConstantIndicesAndNegativeAxis) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {2, 3});
  int idx = b.constant<int32_t>(DType::kInt32, {2, 2}, {2, 0, 1, 1});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kGather, {x, idx}, {o}, axis_opt(-1));
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<float>(*interp, 0, {0, 1, 2, 10, 11, 12});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 2, 2}));
  EXPECT_EQ(output<float>(*interp, 0), (std::vector<float>{2, 0, 1, 1, 12, 10, 11, 11}));
}

TEST(Gather, BatchDimsWithRuntimeInt64Indices) {
  GraphBuilder b;
  int x = b.input(DType::kUInt8, {2, 3, 2});
  int idx = b.input(DType::kInt64, {2, 1});
  int o = b.tensor(DType::kUInt8, {});
  OpOptions opt;
  opt.axis = 1;
  opt.batch_dims = 1;
  b.node(OpCode::kGather, {x, idx}, {o}, opt);
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<uint8_t>(*interp, 0, {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121});
  set_input<int64_t>(*interp, 1, {2, 0});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 1, 2}));
  EXPECT_EQ(output<uint8_t>(*interp, 0), (std::vector<uint8_t>{20, 21, 100, 101}));
}

TEST(Gather, RuntimeIndexOutOfRangeFailsThenRecovers) {
  GraphBuilder b;
  int x = b.input(DType::kInt32, {4});
  int idx = b.input(DType::kInt32, {2});
  int o = b.tensor(DType::kInt32, {});
  b.node(OpCode::kGather, {x, idx}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int32_t>(*interp, 0, {5, 6, 7, 8});
  set_input<int32_t>(*interp, 1, {1, 4});
  Status s = interp->invoke();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("GATHER (node 0): index 4"), std::string::npos) << s.message();
  set_input<int32_t>(*interp, 1, {3, 0});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(output<int32_t>(*interp, 0), (std::vector<int32_t>{8, 5}));
}

TEST(Gather, RejectsConstantIndexOutOfRangeAtLoad) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {3});
  int idx = b.constant<int32_t>(DType::kInt32, {1}, {-1});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kGather, {x, idx}, {o});
  b.outputs({o});
  std::string err = create_error(b);
  EXPECT_NE(err.find("index -1"), std::string::npos) << err;
}

// ---- GATHER_ND ----

TEST(GatherNd, Int8RuntimeIndicesOutOfRangeIsAnErrorAndInterpreterStaysUsable) {
  GraphBuilder b;
  int x = b.input(DType::kInt8, {3, 2, 2}, 0.1f, 0);
  int idx = b.input(DType::kInt32, {2, 2});
  int o = b.tensor(DType::kInt8, {}, 0.1f, 0);
  b.node(OpCode::kGatherNd, {x, idx}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 2}));
  // x[i][j][k] = 10 i + 4 j + k
  set_input<int8_t>(*interp, 0, {0, 1, 4, 5, 10, 11, 14, 15, 20, 21, 24, 25});
  set_input<int32_t>(*interp, 1, {2, 1, 0, 0});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(output<int8_t>(*interp, 0), (std::vector<int8_t>{24, 25, 0, 1}));

  set_input<int32_t>(*interp, 1, {1, 2, 0, 0});  // dim 1 has size 2: index 2 is out of range
  Status s = interp->invoke();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("GATHER_ND (node 0): index 2 (tuple 0, component 1) is out of range [0, 2)"),
            std::string::npos) << s.message();
  set_input<int32_t>(*interp, 1, {-1, 0, 0, 0});
  EXPECT_FALSE(interp->invoke().ok());

  set_input<int32_t>(*interp, 1, {1, 0, 2, 0});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(output<int8_t>(*interp, 0), (std::vector<int8_t>{10, 11, 20, 21}));
}

TEST(GatherNd, FullDepthPicksScalars) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {2, 3});
  int idx = b.constant<int32_t>(DType::kInt32, {3, 2}, {1, 2, 0, 0, 1, 0});
  int o = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kGatherNd, {x, idx}, {o});
  b.outputs({o});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<float>(*interp, 0, {0, 1, 2, 10, 11, 12});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{3}));
  EXPECT_EQ(output<float>(*interp, 0), (std::vector<float>{12, 0, 10}));
}

// ---- PACK / UNPACK ----

TEST(Pack, Int32Axis0AndInt8LastAxis) {
  GraphBuilder b;
  int a = b.input(DType::kInt32, {2});
  int c = b.constant<int32_t>(DType::kInt32, {2}, {3, 4});
  int o = b.tensor(DType::kInt32, {});
  OpOptions opt;
  opt.num = 2;
  b.node(OpCode::kPack, {a, c}, {o}, opt);
  int x = b.input(DType::kInt8, {2, 2}, 0.5f, 1);
  int y = b.input(DType::kInt8, {2, 2}, 0.5f, 1);
  int z = b.input(DType::kInt8, {2, 2}, 1.0f, 0);  // requantized: q -> 2 q + 1
  int xyz = b.tensor(DType::kInt8, {}, 0.5f, 1);
  b.node(OpCode::kPack, {x, y, z}, {xyz}, axis_opt(-1));
  b.outputs({o, xyz});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int32_t>(*interp, 0, {1, 2});
  set_input<int8_t>(*interp, 1, {1, 2, 3, 4});
  set_input<int8_t>(*interp, 2, {5, 6, 7, 8});
  set_input<int8_t>(*interp, 3, {-1, 0, 10, 100});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 2}));
  EXPECT_EQ(output<int32_t>(*interp, 0), (std::vector<int32_t>{1, 2, 3, 4}));
  EXPECT_EQ(interp->output(1).shape, (Shape{2, 2, 3}));
  EXPECT_EQ(output<int8_t>(*interp, 1),
            (std::vector<int8_t>{1, 5, -1, 2, 6, 1, 3, 7, 21, 4, 8, 127}));
}

TEST(Unpack, Int8Axis1) {
  GraphBuilder b;
  int x = b.input(DType::kInt8, {2, 3});
  int o0 = b.tensor(DType::kInt8, {}), o1 = b.tensor(DType::kInt8, {}), o2 = b.tensor(DType::kInt8, {});
  OpOptions opt;
  opt.axis = -1;
  opt.num = 3;
  b.node(OpCode::kUnpack, {x}, {o0, o1, o2}, opt);
  b.outputs({o0, o1, o2});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<int8_t>(*interp, 0, {1, 2, 3, -4, -5, -6});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2}));
  EXPECT_EQ(output<int8_t>(*interp, 0), (std::vector<int8_t>{1, -4}));
  EXPECT_EQ(output<int8_t>(*interp, 1), (std::vector<int8_t>{2, -5}));
  EXPECT_EQ(output<int8_t>(*interp, 2), (std::vector<int8_t>{3, -6}));
}

// ---- SQUEEZE ----

TEST(Squeeze, ListedDimsAndAll) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {1, 2, 1, 1});
  int o = b.tensor(DType::kFloat32, {});
  OpOptions opt;
  opt.squeeze_dims = {0, -1};
  b.node(OpCode::kSqueeze, {x}, {o}, opt);
  int all = b.tensor(DType::kFloat32, {});
  b.node(OpCode::kSqueeze, {o}, {all});
  b.outputs({o, all});
  auto interp = build(b);
  ASSERT_TRUE(interp);
  set_input<float>(*interp, 0, {3.5f, -1});
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output(0).shape, (Shape{2, 1}));
  EXPECT_EQ(interp->output(1).shape, (Shape{2}));
  EXPECT_EQ(output<float>(*interp, 1), (std::vector<float>{3.5f, -1}));
}

TEST(Squeeze, RejectsDimOfSizeOtherThanOne) {
  GraphBuilder b;
  int x = b.input(DType::kFloat32, {1, 2});
  int o = b.tensor(DType::kFloat32, {});
  OpOptions opt;
  opt.squeeze_dims = {1};
  b.node(OpCode::kSqueeze, {x}, {o}, opt);
  b.outputs({o});
  std::string err = create_error(b);
  EXPECT_NE(err.find("SQUEEZE (node 0): cannot squeeze dimension 1"), std::string::npos) << err;
}

TEST(MovementOps, AllRegistered) {
  for (OpCode c : {OpCode::kConcatenation, OpCode::kTranspose, OpCode::kPad, OpCode::kPadV2,
                   OpCode::kSplit, OpCode::kStridedSlice, OpCode::kGather, OpCode::kGatherNd,
                   OpCode::kPack, OpCode::kUnpack, OpCode::kSqueeze, OpCode::kReshape}) {
    EXPECT_NE(find_op(static_cast<int32_t>(c)), nullptr) << op_name(static_cast<int32_t>(c));
  }
}

// Every movement node of the real models, run alone (its runtime inputs zero-filled): prepare
// must accept it and produce the output shape the model declares.
TEST(MovementOps, RealModelNodesMatchDeclaredShapes) {
  const std::vector<int32_t> movement = {
      static_cast<int32_t>(OpCode::kConcatenation), static_cast<int32_t>(OpCode::kTranspose),
      static_cast<int32_t>(OpCode::kPad), static_cast<int32_t>(OpCode::kPadV2),
      static_cast<int32_t>(OpCode::kSplit), static_cast<int32_t>(OpCode::kStridedSlice),
      static_cast<int32_t>(OpCode::kGather), static_cast<int32_t>(OpCode::kGatherNd),
      static_cast<int32_t>(OpCode::kPack), static_cast<int32_t>(OpCode::kUnpack),
      static_cast<int32_t>(OpCode::kSqueeze)};
  int checked = 0;
  for (const char* file : {"/conformance/tflite/movenet_single_pose_lightning_ptq.tflite",
                           "/conformance/tflite/deeplabv3_mnv2_dm05_pascal_quant.tflite",
                           "/models/upstream/blazeface_short_range.tflite"}) {
    std::ifstream f(std::string(FD_SHARED_DIR) + file, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
    ASSERT_FALSE(bytes.empty()) << file;
    Graph model;
    Status rs = read_tflite(bytes.data(), bytes.size(), &model);
    ASSERT_TRUE(rs.ok()) << rs.message();
    for (size_t n = 0; n < model.nodes.size(); ++n) {
      const Node& node = model.nodes[n];
      if (std::find(movement.begin(), movement.end(), node.code) == movement.end()) continue;
      Graph g;
      g.storage = model.storage;
      Node copy = node;
      for (int32_t& t : copy.inputs) {
        if (t < 0) continue;
        g.tensors.push_back(model.tensors[t]);
        t = static_cast<int32_t>(g.tensors.size()) - 1;
        if (!g.tensors.back().is_constant()) g.inputs.push_back(t);
      }
      for (int32_t& t : copy.outputs) {
        g.tensors.push_back(model.tensors[t]);
        t = static_cast<int32_t>(g.tensors.size()) - 1;
        g.outputs.push_back(t);
      }
      g.nodes.push_back(copy);
      std::unique_ptr<Interpreter> interp;
      Status s = Interpreter::create(std::move(g), &interp);
      ASSERT_TRUE(s.ok()) << file << " node " << n << ": " << s.message();
      for (int i = 0; i < interp->num_inputs(); ++i) {
        std::memset(interp->input(i).data, 0, interp->input(i).bytes());
      }
      s = interp->invoke();
      ASSERT_TRUE(s.ok()) << file << " node " << n << ": " << s.message();
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        EXPECT_EQ(interp->output(static_cast<int>(o)).shape, model.tensors[node.outputs[o]].shape)
            << file << " node " << n << " (" << op_name(node.code) << ") output " << o;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

}  // namespace
}  // namespace fd
