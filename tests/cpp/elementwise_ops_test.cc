// Elementwise and activation ops on hand-built graphs, against hand-computed values and naive
// float references (TFLite semantics: broadcasting, fused activations, quantization).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "ops/elementwise_common.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

QuantParams quant(float scale, int32_t zp) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

// Builds a small graph: runtime inputs, constants, one or more nodes.
struct GraphBuilder {
  Graph g;
  int tensor(DType t, Shape s, QuantParams q = {}) {
    TensorDesc d;
    d.name = "t" + std::to_string(g.tensors.size());
    d.dtype = t;
    d.shape = std::move(s);
    d.quant = std::move(q);
    g.tensors.push_back(d);
    return static_cast<int>(g.tensors.size()) - 1;
  }
  int input(DType t, Shape s, QuantParams q = {}) {
    int i = tensor(t, std::move(s), std::move(q));
    g.inputs.push_back(i);
    return i;
  }
  template <typename T>
  int constant(DType t, Shape s, const std::vector<T>& values, QuantParams q = {}) {
    int i = tensor(t, std::move(s), std::move(q));
    auto buf = std::make_shared<std::vector<uint8_t>>(values.size() * sizeof(T));
    std::memcpy(buf->data(), values.data(), buf->size());
    g.storage.push_back(buf);
    g.tensors[i].data = buf->data();
    g.tensors[i].data_bytes = buf->size();
    return i;
  }
  void node(OpCode code, std::vector<int32_t> in, std::vector<int32_t> out, OpOptions opt = {}) {
    Node n;
    n.code = static_cast<int32_t>(code);
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.options = opt;
    g.nodes.push_back(n);
  }
  void output(int t) { g.outputs.push_back(t); }
};

std::unique_ptr<Interpreter> build(GraphBuilder& b) {
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(std::move(b.g), &interp);
  EXPECT_TRUE(s.ok()) << s.message();
  return interp;
}

Status build_error(GraphBuilder& b) {
  std::unique_ptr<Interpreter> interp;
  return Interpreter::create(std::move(b.g), &interp);
}

template <typename T>
void set_input(Interpreter& it, int i, const std::vector<T>& v) {
  ASSERT_EQ(it.input(i).bytes(), v.size() * sizeof(T));
  std::memcpy(it.input(i).data, v.data(), it.input(i).bytes());
}

template <typename T>
std::vector<T> get_output(Interpreter& it, int i) {
  const RTensor& t = it.output(i);
  std::vector<T> v(num_elements(t.shape));
  std::memcpy(v.data(), t.data, v.size() * sizeof(T));
  return v;
}

// Runs a single binary op with two runtime inputs and returns its output.
template <typename T>
std::vector<T> run_binary(OpCode code, DType t, Shape sa, Shape sb, Shape so, const std::vector<T>& a,
                          const std::vector<T>& b, QuantParams qa = {}, QuantParams qb = {},
                          QuantParams qo = {}, Activation act = Activation::kNone) {
  GraphBuilder gb;
  int ia = gb.input(t, sa, qa), ib = gb.input(t, sb, qb), io = gb.tensor(t, so, qo);
  OpOptions opt;
  opt.activation = act;
  gb.node(code, {ia, ib}, {io}, opt);
  gb.output(io);
  auto it = build(gb);
  if (!it) return {};
  EXPECT_EQ(it->output(0).shape, so);
  set_input(*it, 0, a);
  set_input(*it, 1, b);
  Status s = it->invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  return get_output<T>(*it, 0);
}

// Offset of output index `flat` in an operand of shape `s` broadcast to `out` (naive).
int64_t broadcast_offset(const Shape& s, const Shape& out, int64_t flat) {
  int64_t off = 0, stride = 1;
  for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
    const int64_t coord = flat % out[d];
    flat /= out[d];
    const int ds = d - (static_cast<int>(out.size()) - static_cast<int>(s.size()));
    if (ds >= 0) {
      if (s[ds] != 1) off += coord * stride;
      stride *= s[ds];
    }
  }
  return off;
}

// ---- Broadcast planning ---------------------------------------------------------------------

TEST(Broadcast, PlansInnerRunsAndStrides) {
  Shape out;
  BroadcastPlan p;
  ASSERT_TRUE(make_broadcast_plan({2, 1, 3}, {1, 4, 3}, &out, &p).ok());
  EXPECT_EQ(out, (Shape{2, 4, 3}));
  EXPECT_EQ(p.kind, BroadcastPlan::Kind::kVecVec);
  EXPECT_EQ(p.inner, 3);
  EXPECT_EQ(p.runs, 8);

  ASSERT_TRUE(make_broadcast_plan({1, 8, 8, 16}, {1}, &out, &p).ok());
  EXPECT_EQ(out, (Shape{1, 8, 8, 16}));
  EXPECT_EQ(p.kind, BroadcastPlan::Kind::kVecScalar);
  EXPECT_EQ(p.inner, 8 * 8 * 16);  // all dims merge into one run
  EXPECT_EQ(p.runs, 1);

  ASSERT_TRUE(make_broadcast_plan({}, {2, 5}, &out, &p).ok());
  EXPECT_EQ(p.kind, BroadcastPlan::Kind::kScalarVec);
  EXPECT_EQ(p.inner, 10);

  ASSERT_TRUE(make_broadcast_plan({4, 6}, {4, 6}, &out, &p).ok());
  EXPECT_EQ(p.kind, BroadcastPlan::Kind::kVecVec);
  EXPECT_EQ(p.inner, 24);

  Status s = make_broadcast_plan({2, 3}, {4, 3}, &out, &p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("[2, 3] and [4, 3] do not broadcast"), std::string::npos) << s.message();
}

// ---- Float binary ops -----------------------------------------------------------------------

TEST(ElementwiseOps, AddFloatBroadcastsLikeNumpy) {
  const Shape cases[][3] = {
      {{2, 3}, {3}, {2, 3}},
      {{2, 1}, {1, 3}, {2, 3}},
      {{1}, {2, 2}, {2, 2}},
      {{2, 1, 3, 1, 2}, {1, 4, 1, 5, 1}, {2, 4, 3, 5, 2}},
      {{3, 1, 1}, {1, 1, 1}, {3, 1, 1}},
  };
  for (const auto& c : cases) {
    std::vector<float> a(num_elements(c[0])), b(num_elements(c[1]));
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i) * 0.5f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = 100.0f * static_cast<float>(i + 1);
    auto y = run_binary<float>(OpCode::kAdd, DType::kFloat32, c[0], c[1], c[2], a, b);
    ASSERT_EQ(y.size(), static_cast<size_t>(num_elements(c[2])));
    for (size_t i = 0; i < y.size(); ++i) {
      const float want = a[broadcast_offset(c[0], c[2], i)] + b[broadcast_offset(c[1], c[2], i)];
      ASSERT_EQ(y[i], want) << shape_str(c[0]) << " + " << shape_str(c[1]) << " at " << i;
    }
  }
}

TEST(ElementwiseOps, SubAndDivWithScalarFirstOperand) {
  // 10 - [1, 2, 3, 4] and 12 / [1, 2, 3, 4] exercise the reversed scalar kernels.
  auto sub = run_binary<float>(OpCode::kSub, DType::kFloat32, {1}, {4}, {4}, {10.0f}, {1, 2, 3, 4});
  EXPECT_EQ(sub, (std::vector<float>{9, 8, 7, 6}));
  auto div = run_binary<float>(OpCode::kDiv, DType::kFloat32, {1}, {4}, {4}, {12.0f}, {1, 2, 3, 4});
  EXPECT_EQ(div, (std::vector<float>{12, 6, 4, 3}));
  auto div2 = run_binary<float>(OpCode::kDiv, DType::kFloat32, {4}, {1}, {4}, {1, 2, 3, 4}, {2.0f});
  EXPECT_EQ(div2, (std::vector<float>{0.5f, 1, 1.5f, 2}));
}

TEST(ElementwiseOps, FloatFusedActivations) {
  const std::vector<float> a = {-3, -0.5f, 0.5f, 3, 9};
  const std::vector<float> b = {1, 1, 1, 1, 1};
  auto relu = run_binary<float>(OpCode::kMul, DType::kFloat32, {5}, {5}, {5}, a, b, {}, {}, {}, Activation::kRelu);
  EXPECT_EQ(relu, (std::vector<float>{0, 0, 0.5f, 3, 9}));
  auto relu6 = run_binary<float>(OpCode::kAdd, DType::kFloat32, {5}, {5}, {5}, a, b, {}, {}, {}, Activation::kRelu6);
  EXPECT_EQ(relu6, (std::vector<float>{0, 0.5f, 1.5f, 4, 6}));
  auto n1 = run_binary<float>(OpCode::kSub, DType::kFloat32, {5}, {5}, {5}, a, b, {}, {}, {},
                              Activation::kReluN1To1);
  EXPECT_EQ(n1, (std::vector<float>{-1, -1, -0.5f, 1, 1}));
}

TEST(ElementwiseOps, FloatFloorDiv) {
  auto y = run_binary<float>(OpCode::kFloorDiv, DType::kFloat32, {4}, {4}, {4}, {7, -7, 7, -7}, {2, 2, -2, -2});
  EXPECT_EQ(y, (std::vector<float>{3, -4, -4, 3}));
}

// ---- Int32 binary ops -----------------------------------------------------------------------

TEST(ElementwiseOps, Int32FloorDivRoundsTowardMinusInfinity) {
  auto y = run_binary<int32_t>(OpCode::kFloorDiv, DType::kInt32, {6}, {6}, {6}, {-7, 7, -7, 7, -6, 0},
                               {2, 2, -2, -2, 3, -5});
  EXPECT_EQ(y, (std::vector<int32_t>{-4, 3, 3, -4, -2, 0}));
  // Scalar divisor and scalar dividend (reversed kernel).
  auto c = run_binary<int32_t>(OpCode::kFloorDiv, DType::kInt32, {3}, {}, {3}, {-1, 5, 9}, {4});
  EXPECT_EQ(c, (std::vector<int32_t>{-1, 1, 2}));
  auto r = run_binary<int32_t>(OpCode::kFloorDiv, DType::kInt32, {}, {3}, {3}, {-9}, {4, -4, 2});
  EXPECT_EQ(r, (std::vector<int32_t>{-3, 2, -5}));
}

TEST(ElementwiseOps, Int32FloorDivByZeroFails) {
  GraphBuilder gb;
  int a = gb.input(DType::kInt32, {2});
  int b = gb.input(DType::kInt32, {2});
  int o = gb.tensor(DType::kInt32, {2});
  gb.node(OpCode::kFloorDiv, {a, b}, {o});
  gb.output(o);
  auto it = build(gb);
  ASSERT_TRUE(it);
  set_input<int32_t>(*it, 0, {4, 5});
  set_input<int32_t>(*it, 1, {2, 0});
  Status s = it->invoke();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("FLOOR_DIV (node 0): integer division by zero"), std::string::npos) << s.message();
}

TEST(ElementwiseOps, Int32SubMulAddWithBroadcast) {
  auto sub = run_binary<int32_t>(OpCode::kSub, DType::kInt32, {2, 2}, {2}, {2, 2}, {5, 6, -7, 8}, {10, -1});
  EXPECT_EQ(sub, (std::vector<int32_t>{-5, 7, -17, 9}));
  auto mul = run_binary<int32_t>(OpCode::kMul, DType::kInt32, {2, 1}, {1, 3}, {2, 3}, {-2, 3}, {1, 2, 3});
  EXPECT_EQ(mul, (std::vector<int32_t>{-2, -4, -6, 3, 6, 9}));
  auto add = run_binary<int32_t>(OpCode::kAdd, DType::kInt32, {3}, {3}, {3}, {-5, 2, 9}, {1, 1, 1}, {}, {}, {},
                                 Activation::kRelu6);
  EXPECT_EQ(add, (std::vector<int32_t>{0, 3, 6}));
}

// ---- Quantized binary ops -------------------------------------------------------------------

TEST(ElementwiseOps, Int8AddHandComputed) {
  // a: scale 0.5 zp 0; b: scale 0.25 zp 10; out: scale 0.5 zp -5.
  // 4 -> 2.0, 14 -> 1.0: 3.0 / 0.5 - 5 = 1.  -6 -> -3.0, 2 -> -2.0: -5.0 / 0.5 - 5 = -15.
  // 100 -> 50, 100 -> 22.5: 72.5 / 0.5 - 5 = 140 -> saturates at 127.
  auto y = run_binary<int8_t>(OpCode::kAdd, DType::kInt8, {3}, {3}, {3}, {4, -6, 100}, {14, 2, 100},
                              quant(0.5f, 0), quant(0.25f, 10), quant(0.5f, -5));
  EXPECT_EQ(y, (std::vector<int8_t>{1, -15, 127}));
}

TEST(ElementwiseOps, Uint8AddWithReluClampsAtZeroPoint) {
  // out scale 0.1 zp 128: real value -1.0 would be 118, RELU clamps to 128 (real 0).
  auto y = run_binary<uint8_t>(OpCode::kAdd, DType::kUInt8, {2}, {2}, {2}, {118, 148}, {128, 138},
                               quant(0.1f, 128), quant(0.1f, 128), quant(0.1f, 128), Activation::kRelu);
  EXPECT_EQ(y, (std::vector<uint8_t>{128, 158}));
}

TEST(ElementwiseOps, Int8SubScalarFirst) {
  // 2.0 - [0.5, 1.0, 3.0] with all scales 0.25 zp 0 -> [1.5, 1.0, -1.0] -> [6, 4, -4].
  auto y = run_binary<int8_t>(OpCode::kSub, DType::kInt8, {1}, {3}, {3}, {8}, {2, 4, 12}, quant(0.25f, 0),
                              quant(0.25f, 0), quant(0.25f, 0));
  EXPECT_EQ(y, (std::vector<int8_t>{6, 4, -4}));
}

TEST(ElementwiseOps, Int8MulHandComputed) {
  // a scale 0.1 zp 1, b scale 0.2 zp -2, out scale 0.05 zp 3.
  // (11-1)*0.1 = 1.0, (3+2)*0.2 = 1.0 -> 1.0/0.05 + 3 = 23. (-9-1)*0.1=-1, (8+2)*.2=2 -> -40+3=-37.
  auto y = run_binary<int8_t>(OpCode::kMul, DType::kInt8, {2}, {2}, {2}, {11, -9}, {3, 8}, quant(0.1f, 1),
                              quant(0.2f, -2), quant(0.05f, 3));
  EXPECT_EQ(y, (std::vector<int8_t>{23, -37}));
}

// Quantized ADD/SUB/MUL with random data and broadcasting against a float reference: at most one
// step off, and nearly always exact.
template <typename T>
void check_quant_binary_vs_float(OpCode code, Shape sa, Shape sb, Shape so, uint32_t seed) {
  std::mt19937 rng(seed);
  const int32_t lo = std::is_signed<T>::value ? -128 : 0;
  std::uniform_int_distribution<int32_t> byte(lo, lo + 255);
  std::vector<T> a(num_elements(sa)), b(num_elements(sb));
  for (T& x : a) x = static_cast<T>(byte(rng));
  for (T& x : b) x = static_cast<T>(byte(rng));
  const QuantParams qa = quant(0.031f, lo + 100), qb = quant(0.017f, lo + 140);
  const QuantParams qo = code == OpCode::kMul ? quant(0.013f, lo + 120) : quant(0.045f, lo + 128);
  auto y = run_binary<T>(code, std::is_signed<T>::value ? DType::kInt8 : DType::kUInt8, sa, sb, so, a, b, qa, qb, qo);
  ASSERT_EQ(y.size(), static_cast<size_t>(num_elements(so)));
  int off_by_one = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double ra = qa.scale[0] * (a[broadcast_offset(sa, so, i)] - qa.zero_point[0]);
    const double rb = qb.scale[0] * (b[broadcast_offset(sb, so, i)] - qb.zero_point[0]);
    const double r = code == OpCode::kAdd ? ra + rb : (code == OpCode::kSub ? ra - rb : ra * rb);
    double q = std::round(r / qo.scale[0]) + qo.zero_point[0];
    q = std::min<double>(std::max<double>(q, lo), lo + 255);
    const int diff = std::abs(static_cast<int>(y[i]) - static_cast<int>(q));
    ASSERT_LE(diff, 1) << "at " << i << " real " << r;
    off_by_one += diff;
  }
  EXPECT_LE(off_by_one, static_cast<int>(y.size() / 50 + 1));
}

TEST(ElementwiseOps, QuantizedBinaryMatchesFloatReference) {
  check_quant_binary_vs_float<int8_t>(OpCode::kAdd, {1, 7, 5, 19}, {1, 7, 5, 19}, {1, 7, 5, 19}, 1);
  check_quant_binary_vs_float<int8_t>(OpCode::kAdd, {1, 7, 5, 19}, {19}, {1, 7, 5, 19}, 2);
  check_quant_binary_vs_float<int8_t>(OpCode::kSub, {1}, {3, 33}, {3, 33}, 3);
  check_quant_binary_vs_float<int8_t>(OpCode::kSub, {2, 1, 3, 1, 17}, {1, 4, 1, 5, 17}, {2, 4, 3, 5, 17}, 4);
  check_quant_binary_vs_float<int8_t>(OpCode::kMul, {4, 9, 17}, {4, 9, 1}, {4, 9, 17}, 5);
  check_quant_binary_vs_float<int8_t>(OpCode::kMul, {1, 1, 17}, {4, 9, 17}, {4, 9, 17}, 6);
  check_quant_binary_vs_float<uint8_t>(OpCode::kAdd, {6, 1, 25}, {1, 4, 25}, {6, 4, 25}, 7);
  check_quant_binary_vs_float<uint8_t>(OpCode::kAdd, {1, 5, 5, 8}, {}, {1, 5, 5, 8}, 8);
  check_quant_binary_vs_float<uint8_t>(OpCode::kMul, {37}, {1}, {37}, 9);
  check_quant_binary_vs_float<uint8_t>(OpCode::kSub, {3, 8}, {3, 1}, {3, 8}, 10);
}

// A short per-channel run repeated over an image (several runs per kernel call, the repeated
// operand copied side by side) gives the bytes of the same op on the operand broadcast beforehand,
// first or second operand, with an outer dim along which the repeated run changes too, and again
// after the inputs change between invocations.
template <typename T>
void check_repeated_runs_exact(OpCode code, DType t, Shape image, Shape channels, bool channels_first) {
  std::mt19937 rng(77);
  const int32_t lo = std::is_signed<T>::value ? -128 : 0;
  std::uniform_int_distribution<int32_t> byte(lo, lo + 255);
  const QuantParams qi = quant(0.031f, lo + 100), qc = quant(0.017f, lo + 140), qo = quant(0.045f, lo + 128);
  GraphBuilder gb;
  const int ii = gb.input(t, image, qi), ic = gb.input(t, channels, qc), io = gb.tensor(t, image, qo);
  gb.node(code, channels_first ? std::vector<int>{ic, ii} : std::vector<int>{ii, ic}, {io}, OpOptions());
  gb.output(io);
  auto it = build(gb);
  ASSERT_TRUE(it);
  for (int round = 0; round < 2; ++round) {
    std::vector<T> x(num_elements(image)), c(num_elements(channels)), full(x.size());
    for (T& v : x) v = static_cast<T>(byte(rng));
    for (T& v : c) v = static_cast<T>(byte(rng));
    for (size_t i = 0; i < full.size(); ++i) full[i] = c[broadcast_offset(channels, image, static_cast<int64_t>(i))];
    set_input(*it, 0, x);  // graph inputs in creation order: the image, then the channels
    set_input(*it, 1, c);
    ASSERT_TRUE(it->invoke().ok());
    const std::vector<T> got = get_output<T>(*it, 0);
    const std::vector<T> want = channels_first ? run_binary<T>(code, t, image, image, image, full, x, qc, qi, qo)
                                               : run_binary<T>(code, t, image, image, image, x, full, qi, qc, qo);
    ASSERT_EQ(got, want) << "round " << round << " channels first " << channels_first;
  }
}

TEST(ElementwiseOps, RepeatedShortRunsMatchTheBroadcastOperand) {
  check_repeated_runs_exact<int8_t>(OpCode::kSub, DType::kInt8, {1, 40, 30, 3}, {1, 1, 1, 3}, false);
  check_repeated_runs_exact<int8_t>(OpCode::kSub, DType::kInt8, {1, 40, 30, 3}, {1, 1, 1, 3}, true);
  check_repeated_runs_exact<uint8_t>(OpCode::kAdd, DType::kUInt8, {2, 7, 11, 5}, {2, 1, 1, 5}, false);
  check_repeated_runs_exact<int8_t>(OpCode::kMul, DType::kInt8, {3, 4, 9, 6}, {3, 1, 1, 6}, true);
}

TEST(ElementwiseOps, QuantizedDivIsRejectedWithTheType) {
  GraphBuilder gb;
  int a = gb.input(DType::kInt8, {2}, quant(1, 0)), b = gb.input(DType::kInt8, {2}, quant(1, 0));
  int o = gb.tensor(DType::kInt8, {2}, quant(1, 0));
  gb.node(OpCode::kDiv, {a, b}, {o});
  gb.output(o);
  Status s = build_error(gb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("DIV (node 0): input 0 has type INT8"), std::string::npos) << s.message();
}

TEST(ElementwiseOps, UnsupportedFusedActivationIsAnError) {
  GraphBuilder gb;
  int a = gb.input(DType::kFloat32, {2}), b = gb.input(DType::kFloat32, {2});
  int o = gb.tensor(DType::kFloat32, {2});
  OpOptions opt;
  opt.activation = Activation::kTanh;
  gb.node(OpCode::kAdd, {a, b}, {o}, opt);
  gb.output(o);
  Status s = build_error(gb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("fused activation TANH is not supported"), std::string::npos) << s.message();
}

TEST(ElementwiseOps, MismatchedShapesAreAnError) {
  GraphBuilder gb;
  int a = gb.input(DType::kFloat32, {2, 3}), b = gb.input(DType::kFloat32, {3, 2});
  int o = gb.tensor(DType::kFloat32, {2, 3});
  gb.node(OpCode::kMul, {a, b}, {o});
  gb.output(o);
  Status s = build_error(gb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("MUL (node 0): shapes [2, 3] and [3, 2] do not broadcast"), std::string::npos)
      << s.message();
}

// ---- Activations ----------------------------------------------------------------------------

// Runs a single unary op on `x` (element type TI) and returns its output (element type TO).
template <typename TI, typename TO = TI>
std::vector<TO> run_unary(OpCode code, DType tin, DType tout, Shape s, const std::vector<TI>& x,
                          QuantParams qi = {}, QuantParams qo = {}, float alpha = 0.2f) {
  GraphBuilder gb;
  int i = gb.input(tin, s, qi), o = gb.tensor(tout, s, qo);
  OpOptions opt;
  opt.alpha = alpha;
  gb.node(code, {i}, {o}, opt);
  gb.output(o);
  auto it = build(gb);
  if (!it) return {};
  set_input(*it, 0, x);
  Status st = it->invoke();
  EXPECT_TRUE(st.ok()) << st.message();
  return get_output<TO>(*it, 0);
}

TEST(ElementwiseOps, FloatActivations) {
  const std::vector<float> x = {-8, -3, -1.5f, -0.25f, 0, 0.25f, 1.5f, 3, 8};
  const size_t n = x.size();
  auto relu = run_unary<float>(OpCode::kRelu, DType::kFloat32, DType::kFloat32, {9}, x);
  auto relu6 = run_unary<float>(OpCode::kRelu6, DType::kFloat32, DType::kFloat32, {9}, x);
  auto n1 = run_unary<float>(OpCode::kReluN1To1, DType::kFloat32, DType::kFloat32, {9}, x);
  auto leaky = run_unary<float>(OpCode::kLeakyRelu, DType::kFloat32, DType::kFloat32, {9}, x, {}, {}, 0.1f);
  auto hswish = run_unary<float>(OpCode::kHardSwish, DType::kFloat32, DType::kFloat32, {9}, x);
  auto sigm = run_unary<float>(OpCode::kLogistic, DType::kFloat32, DType::kFloat32, {9}, x);
  auto th = run_unary<float>(OpCode::kTanh, DType::kFloat32, DType::kFloat32, {9}, x);
  ASSERT_EQ(relu.size(), n);
  EXPECT_EQ(relu, (std::vector<float>{0, 0, 0, 0, 0, 0.25f, 1.5f, 3, 8}));
  EXPECT_EQ(relu6, (std::vector<float>{0, 0, 0, 0, 0, 0.25f, 1.5f, 3, 6}));
  EXPECT_EQ(n1, (std::vector<float>{-1, -1, -1, -0.25f, 0, 0.25f, 1, 1, 1}));
  // hard swish: x * relu6(x + 3) / 6.
  const std::vector<float> hs = {0, 0, -1.5f * 1.5f / 6, -0.25f * 2.75f / 6, 0, 0.25f * 3.25f / 6,
                                 1.5f * 4.5f / 6, 3, 8};
  for (size_t i = 0; i < n; ++i) {
    EXPECT_FLOAT_EQ(leaky[i], x[i] > 0 ? x[i] : 0.1f * x[i]) << i;
    EXPECT_NEAR(hswish[i], hs[i], 1e-6f) << i;
    EXPECT_NEAR(sigm[i], 1.0 / (1.0 + std::exp(-x[i])), 1e-6) << i;
    EXPECT_NEAR(th[i], std::tanh(x[i]), 1e-6) << i;
  }
  auto sq = run_unary<float>(OpCode::kSqrt, DType::kFloat32, DType::kFloat32, {4}, {0, 1, 2.25f, 16});
  EXPECT_EQ(sq, (std::vector<float>{0, 1, 1.5f, 4}));
}

TEST(ElementwiseOps, FloatReluOnLongInputUsesAllLeftovers) {
  std::vector<float> x(1003);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 2 ? -1.0f : 1.0f) * static_cast<float>(i);
  auto y = run_unary<float>(OpCode::kRelu, DType::kFloat32, DType::kFloat32, {1, 1003}, x);
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(y[i], x[i] > 0 ? x[i] : 0.0f) << i;
}

// Every int8/uint8 input byte through a quantized activation against the rounded real function.
template <typename T>
void check_quant_activation(OpCode code, QuantParams qi, QuantParams qo, double (*f)(double), float alpha = 0.2f) {
  const DType t = std::is_signed<T>::value ? DType::kInt8 : DType::kUInt8;
  const int32_t lo = std::is_signed<T>::value ? -128 : 0;
  std::vector<T> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<T>(lo + i);
  auto y = run_unary<T>(code, t, t, {256}, x, qi, qo, alpha);
  ASSERT_EQ(y.size(), 256u);
  for (int i = 0; i < 256; ++i) {
    const double real = f(qi.scale[0] * (static_cast<int>(x[i]) - qi.zero_point[0]));
    double q = std::nearbyint(real / qo.scale[0]) + qo.zero_point[0];
    q = std::min<double>(std::max<double>(q, lo), lo + 255);
    ASSERT_EQ(static_cast<int>(y[i]), static_cast<int>(q)) << "input " << static_cast<int>(x[i]);
  }
}

double relu_f(double x) { return x > 0 ? x : 0; }
double relu6_f(double x) { return std::min(6.0, std::max(0.0, x)); }
double relu1_f(double x) { return std::min(1.0, std::max(-1.0, x)); }
double hswish_f(double x) { return x * std::min(6.0, std::max(0.0, x + 3)) / 6; }
double sigmoid_f(double x) { return 1 / (1 + std::exp(-x)); }
double tanh_f(double x) { return std::tanh(x); }

TEST(ElementwiseOps, QuantizedActivationsTabulateTheRealFunction) {
  check_quant_activation<int8_t>(OpCode::kRelu, quant(0.05f, -10), quant(0.03f, -128), relu_f);
  check_quant_activation<int8_t>(OpCode::kRelu6, quant(0.05f, -10), quant(6.0f / 255, -128), relu6_f);
  check_quant_activation<uint8_t>(OpCode::kReluN1To1, quant(0.02f, 128), quant(2.0f / 255, 127), relu1_f);
  check_quant_activation<uint8_t>(OpCode::kHardSwish, quant(0.04f, 120), quant(0.03f, 20), hswish_f);
  check_quant_activation<int8_t>(OpCode::kLogistic, quant(0.06f, 3), quant(1.0f / 256, -128), sigmoid_f);
  check_quant_activation<uint8_t>(OpCode::kLogistic, quant(0.06f, 128), quant(1.0f / 256, 0), sigmoid_f);
  check_quant_activation<int8_t>(OpCode::kTanh, quant(0.03f, 0), quant(1.0f / 128, 0), tanh_f);
}

TEST(ElementwiseOps, Int8LeakyReluFollowsXnnpackFixedPoint) {
  // Scale ratio 0.1 / 0.07: multipliers lrintf(256 * 1.4286) = 366 and lrintf(256 * 1.4286 / 8) = 46;
  // out = ((-20 << 8) + 128 + (x - 5) * mult) >> 8. For -126 that gives -44, where exact real
  // arithmetic would round to -43: LiteRT.js (XNNPACK) computes the former.
  auto y = run_unary<int8_t>(OpCode::kLeakyRelu, DType::kInt8, DType::kInt8, {3}, {-126, 5, 100},
                             quant(0.1f, 5), quant(0.07f, -20), 0.125f);
  EXPECT_EQ(y, (std::vector<int8_t>{-44, -20, 116}));
}

TEST(ElementwiseOps, Int8LogisticKnownValues) {
  // x = 0 -> 0.5 -> 128 - 128 = 0; large x -> 1.0 -> 256 - 128 saturates at 127; very negative -> -128.
  auto y = run_unary<int8_t>(OpCode::kLogistic, DType::kInt8, DType::kInt8, {3}, {0, 127, -128},
                             quant(0.1f, 0), quant(1.0f / 256, -128));
  EXPECT_EQ(y, (std::vector<int8_t>{0, 127, -128}));
}

TEST(ElementwiseOps, QuantizedSqrtIsRejected) {
  GraphBuilder gb;
  int i = gb.input(DType::kInt8, {2}, quant(1, 0)), o = gb.tensor(DType::kInt8, {2}, quant(1, 0));
  gb.node(OpCode::kSqrt, {i}, {o});
  gb.output(o);
  Status s = build_error(gb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("SQRT (node 0): input 0 has type INT8"), std::string::npos) << s.message();
}

// ---- QUANTIZE / DEQUANTIZE ------------------------------------------------------------------

TEST(ElementwiseOps, QuantizeFloatRoundsToNearestEvenAndSaturates) {
  // scale 0.5 zp -1: 0.25 -> 0.5 -> 0 (even) -> -1; 0.75 -> 1.5 -> 2 -> 1; -1.0 -> -2 -> -3.
  auto q = run_unary<float, int8_t>(OpCode::kQuantize, DType::kFloat32, DType::kInt8, {6},
                                    {0.25f, 0.75f, -1.0f, 1000.0f, -1000.0f, 3.1f}, {}, quant(0.5f, -1));
  EXPECT_EQ(q, (std::vector<int8_t>{-1, 1, -3, 127, -128, 5}));
  auto u = run_unary<float, uint8_t>(OpCode::kQuantize, DType::kFloat32, DType::kUInt8, {4},
                                     {0.0f, -0.2f, 1.25f, NAN}, {}, quant(0.1f, 1));
  EXPECT_EQ(u, (std::vector<uint8_t>{1, 0, 13, 0}));  // 12.5 rounds to even
}

TEST(ElementwiseOps, QuantizeDequantizeRoundTrip) {
  GraphBuilder gb;
  int x = gb.input(DType::kFloat32, {1, 40});
  int q8 = gb.tensor(DType::kInt8, {1, 40}, quant(0.1f, 3));
  int qu = gb.tensor(DType::kUInt8, {1, 40}, quant(0.1f, 131));
  int y = gb.tensor(DType::kFloat32, {1, 40});
  gb.node(OpCode::kQuantize, {x}, {q8});
  gb.node(OpCode::kQuantize, {q8}, {qu});  // int8 -> uint8, same scale: exact shift by 128
  gb.node(OpCode::kDequantize, {qu}, {y});
  gb.output(q8);
  gb.output(qu);
  gb.output(y);
  auto it = build(gb);
  ASSERT_TRUE(it);
  std::vector<float> in(40);
  for (int i = 0; i < 40; ++i) in[i] = -5.0f + 0.2537f * i;
  set_input(*it, 0, in);
  ASSERT_TRUE(it->invoke().ok());
  auto s8 = get_output<int8_t>(*it, 0);
  auto u8 = get_output<uint8_t>(*it, 1);
  auto out = get_output<float>(*it, 2);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(static_cast<int>(u8[i]), static_cast<int>(s8[i]) + 128) << i;
    EXPECT_NEAR(out[i], in[i], 0.05f + 1e-6f) << i;
    EXPECT_EQ(out[i], static_cast<float>(u8[i] - 131) * 0.1f);
  }
}

TEST(ElementwiseOps, QuantizeRequantizesBetween8BitTypes) {
  // int8 scale 0.1 zp 0 -> int8 scale 0.3 zp 10, XNNPACK's fixed point: m = round(256 / 3) = 85,
  // q' = floor((q * 85 + 128) / 256) + 10 (-128 -> floor(-42.0) + 10 = -32, where round(-128 / 3)
  // + 10 would give -33).
  auto y = run_unary<int8_t>(OpCode::kQuantize, DType::kInt8, DType::kInt8, {5}, {0, 3, 4, -128, 127},
                             quant(0.1f, 0), quant(0.3f, 10));
  EXPECT_EQ(y, (std::vector<int8_t>{10, 11, 11, -32, 52}));
  // A ratio above 2^7 (outside the fixed-point form): the fp32 requantization, round(q * 200) + 0.
  auto w = run_unary<int8_t>(OpCode::kQuantize, DType::kInt8, DType::kInt8, {3}, {0, 1, -1},
                             quant(2.0f, 0), quant(0.01f, 0));
  EXPECT_EQ(w, (std::vector<int8_t>{0, 127, -128}));
  // uint8 zp 128 -> int8 zp 0 with the same scale: subtract 128.
  auto z = run_unary<uint8_t, int8_t>(OpCode::kQuantize, DType::kUInt8, DType::kInt8, {3}, {0, 128, 255},
                                      quant(0.5f, 128), quant(0.5f, 0));
  EXPECT_EQ(z, (std::vector<int8_t>{-128, 0, 127}));
  // uint8 -> uint8 halving the scale saturates.
  auto u = run_unary<uint8_t>(OpCode::kQuantize, DType::kUInt8, DType::kUInt8, {3}, {0, 100, 250},
                              quant(1.0f, 100), quant(0.5f, 100));
  EXPECT_EQ(u, (std::vector<uint8_t>{0, 100, 255}));
}

// 8-bit requantization over every input byte (288 elements: the SIMD kernels' full vectors and
// tail) for ratios across the fixed-point range, against XNNPACK's formula written out here:
// m = round(256 si / so), q' = clamp(floor(((q - zi) m + 128) / 256) + zo). 128 = 2^7 gives
// m = 32768, past the int16 multiplier of the SIMD form (the table then runs it).
TEST(ElementwiseOps, QuantizeRequantizesEveryByteInTheFixedPointForm) {
  const float ratios[] = {1.0f / 256, 0.013f, 0.3333f, 0.77f, 1.0f, 1.9f, 45.3f, 127.99f, 128.0f};
  for (bool u8 : {false, true}) {
    for (float ratio : ratios) {
      const int32_t zi = u8 ? 131 : -7, zo = u8 ? 90 : 12;
      const int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
      std::vector<int32_t> q(288);
      for (size_t i = 0; i < q.size(); ++i) q[i] = lo + static_cast<int32_t>((i * 7) % 256);
      const int32_t m = static_cast<int32_t>(std::lrintf(256.0f * ratio));
      std::vector<int32_t> want(q.size());
      for (size_t i = 0; i < q.size(); ++i) {
        const int32_t v = static_cast<int32_t>(std::floor(((q[i] - zi) * static_cast<double>(m) + 128.0) / 256.0)) + zo;
        want[i] = std::min(hi, std::max(lo, v));
      }
      std::vector<int32_t> got;
      if (u8) {
        std::vector<uint8_t> in(q.begin(), q.end());
        for (uint8_t v : run_unary<uint8_t>(OpCode::kQuantize, DType::kUInt8, DType::kUInt8, {1, 288}, in,
                                            quant(0.02f * ratio, zi), quant(0.02f, zo))) {
          got.push_back(v);
        }
      } else {
        std::vector<int8_t> in(q.begin(), q.end());
        for (int8_t v : run_unary<int8_t>(OpCode::kQuantize, DType::kInt8, DType::kInt8, {1, 288}, in,
                                          quant(0.02f * ratio, zi), quant(0.02f, zo))) {
          got.push_back(v);
        }
      }
      EXPECT_EQ(got, want) << (u8 ? "uint8" : "int8") << " ratio " << ratio;
    }
  }
}

TEST(ElementwiseOps, DequantizeInt8Runtime) {
  auto y = run_unary<int8_t, float>(OpCode::kDequantize, DType::kInt8, DType::kFloat32, {4},
                                    {-128, -3, 0, 127}, quant(0.25f, -3));
  EXPECT_EQ(y, (std::vector<float>{-31.25f, 0.0f, 0.75f, 32.5f}));
  auto u = run_unary<uint8_t, float>(OpCode::kDequantize, DType::kUInt8, DType::kFloat32, {3}, {0, 100, 255},
                                     quant(0.5f, 100));
  EXPECT_EQ(u, (std::vector<float>{-50.0f, 0.0f, 77.5f}));
}

// Half-precision bit patterns and their exact float32 values.
const std::vector<uint16_t> kHalfBits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400,
                                         0x8001, 0x3555, 0x8000, 0x7C00, 0xFC00, 0x7E00};
const std::vector<float> kHalfValues = {1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), std::ldexp(1023.0f, -24),
                                        std::ldexp(1.0f, -14), -std::ldexp(1.0f, -24), 0.333251953125f, -0.0f,
                                        INFINITY, -INFINITY, NAN};

void expect_half_values(const std::vector<float>& y) {
  ASSERT_EQ(y.size(), kHalfValues.size());
  for (size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(kHalfValues[i])) {
      EXPECT_TRUE(std::isnan(y[i])) << i;
    } else {
      EXPECT_EQ(y[i], kHalfValues[i]) << i;
      EXPECT_EQ(std::signbit(y[i]), std::signbit(kHalfValues[i])) << i;
    }
  }
}

TEST(ElementwiseOps, DequantizeConstantFp16FoldsAtPrepare) {
  GraphBuilder gb;
  int x = gb.input(DType::kFloat32, {12});
  int w = gb.constant<uint16_t>(DType::kFloat16, {12}, kHalfBits);
  int wf = gb.tensor(DType::kFloat32, {12});
  int y = gb.tensor(DType::kFloat32, {12});
  gb.node(OpCode::kDequantize, {w}, {wf});
  gb.node(OpCode::kMul, {x, wf}, {y});
  gb.output(y);
  auto it = build(gb);
  ASSERT_TRUE(it);
  // Only x and y live in the arena: the folded weights are op-owned constants.
  EXPECT_LE(it->arena_bytes(), 2 * 12 * sizeof(float) + 128);
  std::vector<float> ones(12, 1.0f);
  set_input(*it, 0, ones);
  ASSERT_TRUE(it->invoke().ok());
  expect_half_values(get_output<float>(*it, 0));
}

TEST(ElementwiseOps, DequantizeRuntimeFp16) {
  GraphBuilder gb;
  int x = gb.input(DType::kFloat16, {12});
  int y = gb.tensor(DType::kFloat32, {12});
  gb.node(OpCode::kDequantize, {x}, {y});
  gb.output(y);
  auto it = build(gb);
  ASSERT_TRUE(it);
  set_input(*it, 0, kHalfBits);
  ASSERT_TRUE(it->invoke().ok());
  expect_half_values(get_output<float>(*it, 0));
}

TEST(ElementwiseOps, DequantizeConstantPerChannelInt8) {
  GraphBuilder gb;
  QuantParams q;
  q.scale = {0.5f, 0.25f, 2.0f};
  q.zero_point = {0, 0, 0};
  q.axis = 0;
  int w = gb.constant<int8_t>(DType::kInt8, {3, 2}, {2, -4, 8, 1, -1, 3}, q);
  int wf = gb.tensor(DType::kFloat32, {3, 2});
  gb.node(OpCode::kDequantize, {w}, {wf});
  gb.output(wf);
  auto it = build(gb);
  ASSERT_TRUE(it);
  EXPECT_TRUE(it->output(0).is_constant);
  ASSERT_TRUE(it->invoke().ok());
  EXPECT_EQ(get_output<float>(*it, 0), (std::vector<float>{1, -2, 2, 0.25f, -2, 6}));
}

// ---- CAST -----------------------------------------------------------------------------------

TEST(ElementwiseOps, CastBetweenNumericTypes) {
  {
    GraphBuilder gb;
    int i = gb.input(DType::kInt32, {3}), o = gb.tensor(DType::kFloat32, {3});
    gb.node(OpCode::kCast, {i}, {o});
    gb.output(o);
    auto it = build(gb);
    ASSERT_TRUE(it);
    set_input<int32_t>(*it, 0, {-7, 0, 16777217});
    ASSERT_TRUE(it->invoke().ok());
    EXPECT_EQ(get_output<float>(*it, 0), (std::vector<float>{-7.0f, 0.0f, 16777216.0f}));
  }
  {
    GraphBuilder gb;
    int i = gb.input(DType::kUInt8, {3}), o = gb.tensor(DType::kFloat32, {3});
    gb.node(OpCode::kCast, {i}, {o});
    gb.output(o);
    auto it = build(gb);
    ASSERT_TRUE(it);
    set_input<uint8_t>(*it, 0, {0, 128, 255});
    ASSERT_TRUE(it->invoke().ok());
    EXPECT_EQ(get_output<float>(*it, 0), (std::vector<float>{0.0f, 128.0f, 255.0f}));
  }
  {
    GraphBuilder gb;
    int i = gb.input(DType::kFloat32, {5}), o = gb.tensor(DType::kInt32, {5});
    gb.node(OpCode::kCast, {i}, {o});
    gb.output(o);
    auto it = build(gb);
    ASSERT_TRUE(it);
    set_input<float>(*it, 0, {-1.7f, 2.9f, -0.2f, 3e10f, -3e10f});
    ASSERT_TRUE(it->invoke().ok());
    EXPECT_EQ(get_output<int32_t>(*it, 0), (std::vector<int32_t>{-1, 2, 0, INT32_MAX, INT32_MIN}));
  }
  {
    GraphBuilder gb;
    int i = gb.input(DType::kInt32, {2}), m = gb.tensor(DType::kInt64, {2}), o = gb.tensor(DType::kInt32, {2});
    gb.node(OpCode::kCast, {i}, {m});
    gb.node(OpCode::kCast, {m}, {o});
    gb.output(m);
    gb.output(o);
    auto it = build(gb);
    ASSERT_TRUE(it);
    set_input<int32_t>(*it, 0, {-5, INT32_MAX});
    ASSERT_TRUE(it->invoke().ok());
    EXPECT_EQ(get_output<int64_t>(*it, 0), (std::vector<int64_t>{-5, INT32_MAX}));
    EXPECT_EQ(get_output<int32_t>(*it, 1), (std::vector<int32_t>{-5, INT32_MAX}));
  }
}

TEST(ElementwiseOps, CastFromFloat16IsRejected) {
  GraphBuilder gb;
  int i = gb.input(DType::kFloat16, {2}), o = gb.tensor(DType::kFloat32, {2});
  gb.node(OpCode::kCast, {i}, {o});
  gb.output(o);
  Status s = build_error(gb);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CAST (node 0): cast from FLOAT16 to FLOAT32 is not supported"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace fd
