// LUT fusion (runtime/lut_fusion.h): which 8-bit activation pairs run as one table, and the same
// bytes as running the two ops, for every input byte.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "runtime/interpreter.h"

namespace fd {
namespace {

struct QGraph {
  Graph g;
  int tensor(DType t, float scale, int32_t zp) {
    TensorDesc d;
    d.name = "t" + std::to_string(g.tensors.size());
    d.dtype = t;
    d.shape = {1, 4, 8, 9};  // 288 elements: every byte once, then some again
    d.quant.scale = {scale};
    d.quant.zero_point = {zp};
    g.tensors.push_back(d);
    return static_cast<int>(g.tensors.size()) - 1;
  }
  void node(OpCode code, std::vector<int32_t> in, std::vector<int32_t> out, OpOptions o = {}) {
    Node n;
    n.code = static_cast<int32_t>(code);
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.options = o;
    g.nodes.push_back(n);
  }
};

// x -> act -> s; y = binary(x, s) (or binary(s, x) when `swap`).
QGraph pair(DType t, OpCode act, OpCode binary, bool swap, OpOptions act_options = {}) {
  QGraph q;
  const bool s8 = t == DType::kInt8;
  const int x = q.tensor(t, 0.07f, s8 ? -9 : 119);
  const int s = q.tensor(t, act == OpCode::kLogistic ? 1.0f / 256 : 0.05f,
                         act == OpCode::kLogistic ? (s8 ? -128 : 0) : (s8 ? 3 : 131));
  const int y = q.tensor(t, 0.041f, s8 ? -100 : 28);
  q.node(act, {x}, {s}, act_options);
  q.node(binary, swap ? std::vector<int32_t>{s, x} : std::vector<int32_t>{x, s}, {y});
  q.g.inputs = {x};
  q.g.outputs = {y};
  return q;
}

struct Outcome {
  std::vector<uint8_t> out;
  int fused_with_first = -1;
  size_t arena = 0;
};

Outcome run(const Graph& g, bool fuse) {
  InterpreterOptions o;
  o.fuse = fuse;
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(g, &interp, o);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  RTensor& in = interp->input(0);
  for (size_t i = 0; i < in.bytes(); ++i) in.data[i] = static_cast<uint8_t>(i * 7 + 3);
  EXPECT_TRUE(interp->invoke().ok());
  const RTensor& out = interp->output(0);
  return {std::vector<uint8_t>(out.data, out.data + out.bytes()), interp->fused_with(0), interp->arena_bytes()};
}

TEST(LutFusion, SiluPairRunsAsOneTableWithTheSameBytes) {
  for (DType t : {DType::kInt8, DType::kUInt8}) {
    for (bool swap : {false, true}) {
      QGraph q = pair(t, OpCode::kLogistic, OpCode::kMul, swap);
      const Outcome plain = run(q.g, false);
      const Outcome fused = run(q.g, true);
      EXPECT_EQ(plain.fused_with_first, -1);
      EXPECT_EQ(fused.fused_with_first, 1) << dtype_name(t) << " swap " << swap;
      EXPECT_EQ(fused.out, plain.out) << dtype_name(t) << " swap " << swap;
      EXPECT_LT(fused.arena, plain.arena) << "the activation's output still has memory";
    }
  }
}

TEST(LutFusion, OtherActivationsAndBinariesKeepOperandOrder) {
  OpOptions leaky;
  leaky.alpha = 0.1f;
  const struct { OpCode act, bin; OpOptions o; } cases[] = {
      {OpCode::kTanh, OpCode::kAdd, {}}, {OpCode::kLeakyRelu, OpCode::kSub, leaky},
      {OpCode::kHardSwish, OpCode::kMul, {}}, {OpCode::kRelu6, OpCode::kSub, {}}};
  for (const auto& c : cases) {
    for (bool swap : {false, true}) {
      QGraph q = pair(DType::kInt8, c.act, c.bin, swap, c.o);
      const Outcome plain = run(q.g, false);
      const Outcome fused = run(q.g, true);
      EXPECT_EQ(fused.fused_with_first, 1) << op_name(static_cast<int32_t>(c.act));
      EXPECT_EQ(fused.out, plain.out) << op_name(static_cast<int32_t>(c.act)) << " swap " << swap;
    }
  }
}

TEST(LutFusion, PairsThatMustStayApart) {
  {  // the activation's output is also a graph output
    QGraph q = pair(DType::kInt8, OpCode::kLogistic, OpCode::kMul, false);
    q.g.outputs.push_back(1);
    EXPECT_EQ(run(q.g, true).fused_with_first, -1);
  }
  {  // the activation's output has a second reader
    QGraph q = pair(DType::kInt8, OpCode::kLogistic, OpCode::kMul, false);
    const int z = q.tensor(DType::kInt8, 0.1f, 0);
    q.node(OpCode::kAdd, {1, 0}, {z});
    q.g.outputs.push_back(z);
    EXPECT_EQ(run(q.g, true).fused_with_first, -1);
  }
  {  // the binary's other operand is not the activation's input
    QGraph q;
    const int x = q.tensor(DType::kInt8, 0.07f, -9);
    const int w = q.tensor(DType::kInt8, 0.07f, 4);
    const int s = q.tensor(DType::kInt8, 1.0f / 256, -128);
    const int y = q.tensor(DType::kInt8, 0.04f, 0);
    q.node(OpCode::kLogistic, {x}, {s});
    q.node(OpCode::kMul, {w, s}, {y});
    q.g.inputs = {x, w};
    q.g.outputs = {y};
    InterpreterOptions o;
    std::unique_ptr<Interpreter> interp;
    ASSERT_TRUE(Interpreter::create(q.g, &interp, o).ok());
    EXPECT_EQ(interp->fused_with(0), -1);
  }
}

}  // namespace
}  // namespace fd
