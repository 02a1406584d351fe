// fuse_activations: which activation nodes fold into their producer, the rewired graph, and the
// same float results before and after fusion.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "float_graph_builder.h"
#include "model/fuse_activations.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

// A float graph built by hand: x [1, 2, 2, 2] -> CONV_2D 1x1 (2 -> 2) -> t -> activation -> y.
struct Net : FloatGraphBuilder {
  std::vector<float> w{1.0f, -2.0f, -0.5f, 3.0f};  // [2, 1, 1, 2]
  std::vector<float> b{0.25f, -1.0f};


  // x -> conv -> t -> act -> y; returns the index of t.
  int conv_act(OpCode act) {
    const int x = tensor("x", {1, 2, 2, 2});
    const int tw = tensor("w", {2, 1, 1, 2}, &w);
    const int tb = tensor("b", {2}, &b);
    const int t = tensor("t", {1, 2, 2, 2});
    const int y = tensor("y", {1, 2, 2, 2});
    node(OpCode::kConv2D, {x, tw, tb}, {t});
    node(act, {t}, {y});
    g.inputs = {x};
    g.outputs = {y};
    return t;
  }
};

std::vector<float> run(const Graph& g, const std::vector<float>& x) {
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(g, &interp);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  std::memcpy(interp->input(0).data, x.data(), x.size() * 4);
  EXPECT_TRUE(interp->invoke().ok());
  std::vector<float> out(x.size());
  std::memcpy(out.data(), interp->output(0).data, out.size() * 4);
  return out;
}

const std::vector<float> kX{1.0f, 2.0f, -3.0f, 0.5f, 0.0f, -1.0f, 4.0f, 1.5f};

TEST(FuseActivations, ConvReluBecomesOneConvWithTheSameResults) {
  Net n;
  n.conv_act(OpCode::kRelu);
  const std::vector<float> before = run(n.g, kX);
  int fused = 0;
  ASSERT_TRUE(fuse_activations(&n.g, &fused).ok());
  EXPECT_EQ(fused, 1);
  ASSERT_EQ(n.g.nodes.size(), 1u);
  EXPECT_EQ(n.g.nodes[0].code, static_cast<int32_t>(OpCode::kConv2D));
  EXPECT_EQ(n.g.nodes[0].options.activation, Activation::kRelu);
  // The intermediate tensor is gone; the conv writes the graph output "y".
  ASSERT_EQ(n.g.tensors.size(), 4u);
  EXPECT_EQ(n.g.tensors[n.g.nodes[0].outputs[0]].name, "y");
  EXPECT_EQ(n.g.outputs, std::vector<int32_t>{n.g.nodes[0].outputs[0]});
  EXPECT_EQ(n.g.tensors[n.g.inputs[0]].name, "x");
  const std::vector<float> after = run(n.g, kX);
  EXPECT_EQ(after, before);
  // Hand check of one element: pixel 0 = (1, 2): channel 1 = -0.5 + 6 - 1 = 4.5; pixel 1 =
  // (-3, 0.5): channel 0 = -3 - 1 + 0.25 < 0 -> 0.
  EXPECT_FLOAT_EQ(after[1], 4.5f);
  EXPECT_EQ(after[2], 0.0f);
}

TEST(FuseActivations, Relu6AndReluN1To1MapToTheirFusedCodes) {
  for (auto [code, act] : {std::pair{OpCode::kRelu6, Activation::kRelu6}, std::pair{OpCode::kReluN1To1, Activation::kReluN1To1}}) {
    Net n;
    n.conv_act(code);
    const std::vector<float> before = run(n.g, kX);
    ASSERT_TRUE(fuse_activations(&n.g).ok());
    ASSERT_EQ(n.g.nodes.size(), 1u);
    EXPECT_EQ(n.g.nodes[0].options.activation, act);
    EXPECT_EQ(run(n.g, kX), before);
  }
}

TEST(FuseActivations, LeavesAloneWhatCannotBeFused) {
  {  // The pre-activation tensor is also a graph output.
    Net n;
    const int t = n.conv_act(OpCode::kRelu);
    n.g.outputs.push_back(t);
    ASSERT_TRUE(fuse_activations(&n.g).ok());
    EXPECT_EQ(n.g.nodes.size(), 2u);
  }
  {  // The pre-activation tensor has a second reader.
    Net n;
    const int t = n.conv_act(OpCode::kRelu);
    const int z = n.tensor("z", {1, 2, 2, 2});
    n.node(OpCode::kRelu6, {t}, {z});
    n.g.outputs.push_back(z);
    int fused = -1;
    ASSERT_TRUE(fuse_activations(&n.g, &fused).ok());
    EXPECT_EQ(fused, 0);
    EXPECT_EQ(n.g.nodes.size(), 3u);
    EXPECT_EQ(n.g.nodes[0].options.activation, Activation::kNone);
  }
  {  // The producer already has a fused activation.
    Net n;
    n.conv_act(OpCode::kRelu);
    n.g.nodes[0].options.activation = Activation::kRelu6;
    ASSERT_TRUE(fuse_activations(&n.g).ok());
    EXPECT_EQ(n.g.nodes.size(), 2u);
  }
  {  // The producer takes no fused activation (a graph-input RELU, then RELU of a RELU).
    Net n;
    const int x = n.tensor("x", {1, 2, 2, 2});
    const int a = n.tensor("a", {1, 2, 2, 2});
    const int c = n.tensor("c", {1, 2, 2, 2});
    n.node(OpCode::kRelu, {x}, {a});
    n.node(OpCode::kRelu, {a}, {c});
    n.g.inputs = {x};
    n.g.outputs = {c};
    ASSERT_TRUE(fuse_activations(&n.g).ok());
    EXPECT_EQ(n.g.nodes.size(), 2u);
    EXPECT_EQ(n.g.tensors.size(), 3u);
  }
}

}  // namespace
}  // namespace fd
