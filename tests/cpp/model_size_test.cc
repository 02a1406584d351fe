// Size-saving graph rewrites and writer options: dead depthwise channel pruning, compact TFLite files and the per-tensor weight criterion keep what the graph computes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "float_graph_builder.h"
#include "model/graph_transforms.h"
#include "model/tflite_reader.h"
#include "model/tflite_writer.h"
#include "quantize/quantizer.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

// A ShuffleNet-like branch on [1, 6, 5, 3]: conv 1x1 (3 -> 5) -> LEAKY_RELU -> PAD -> depthwise
// 3x3 VALID with bias (channels 1 and 3 dead: |w| ~ 1e-12) -> conv 1x1 (5 -> 4) -> LEAKY_RELU,
// plus a RESHAPE whose shape input repeats its option, twice with the same shape constant.
Graph branch_graph() {
  FloatGraphBuilder b;
  auto ft = [&](Shape shape, const std::vector<float>* data = nullptr, const std::string& name = "") {
    return b.tensor(name.empty() ? "t" + std::to_string(b.g.tensors.size()) : name, std::move(shape), data);
  };
  auto w1 = random_floats(5 * 3, -1, 1, 1), b1 = random_floats(5, -0.5f, 0.5f, 2);
  auto wd = random_floats(9 * 5, -1, 1, 3), bd = random_floats(5, -0.5f, 0.5f, 4);
  auto w2 = random_floats(4 * 5, -1, 1, 5), b2 = random_floats(4, -0.5f, 0.5f, 6);
  for (int t = 0; t < 9; ++t) wd[t * 5 + 1] = wd[t * 5 + 3] = 1e-12f;
  int x = ft({1, 6, 5, 3}, nullptr, "input");
  int c1 = ft({1, 6, 5, 5}), l1 = ft({1, 6, 5, 5}), p1 = ft({1, 8, 7, 5});
  int d1 = ft({1, 6, 5, 5}), c2 = ft({1, 6, 5, 4}), y = ft({1, 6, 5, 4});
  int r1 = ft({1, 30, 4}, nullptr, "flat"), r2 = ft({1, 30, 4}, nullptr, "flat2");
  std::vector<int32_t> pad_i = {0, 0, 1, 1, 1, 1, 0, 0}, shape_i = {1, 30, 4};
  auto i32 = [&](const std::vector<int32_t>& v) {
    std::vector<float> f(v.size());
    std::memcpy(f.data(), v.data(), v.size() * 4);
    const int t = ft({static_cast<int32_t>(v.size())}, &f);
    b.g.tensors[t].dtype = DType::kInt32;
    return t;
  };
  const int pad_t = i32(pad_i);
  b.g.tensors[pad_t].shape = {4, 2};
  const int s1 = i32(shape_i), s2 = i32(shape_i);
  OpOptions lr;
  lr.alpha = 0.1f;
  b.node(OpCode::kConv2D, {x, ft({5, 1, 1, 3}, &w1), ft({5}, &b1)}, {c1});
  b.node(OpCode::kLeakyRelu, {c1}, {l1}, lr);
  b.node(OpCode::kPad, {l1, pad_t}, {p1});
  OpOptions dw;
  dw.padding = Padding::kValid;
  dw.depth_multiplier = 1;
  b.node(OpCode::kDepthwiseConv2D, {p1, ft({1, 3, 3, 5}, &wd), ft({5}, &bd)}, {d1}, dw);
  b.node(OpCode::kConv2D, {d1, ft({4, 1, 1, 5}, &w2), ft({4}, &b2)}, {c2});
  b.node(OpCode::kLeakyRelu, {c2}, {y}, lr);
  OpOptions rs;
  rs.new_shape = {1, 30, 4};
  b.node(OpCode::kReshape, {y, s1}, {r1}, rs);
  b.node(OpCode::kReshape, {y, s2}, {r2}, rs);
  b.g.inputs = {x};
  b.g.outputs = {r1, r2};
  return b.g;
}

std::vector<std::vector<float>> run(const Graph& g) {
  std::unique_ptr<Interpreter> it;
  Status st = Interpreter::create(g, &it);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return {};
  const auto in = random_floats(it->input(0).bytes() / 4, -2, 2, 9);
  std::memcpy(it->input(0).data, in.data(), in.size() * 4);
  EXPECT_TRUE(it->invoke().ok());
  std::vector<std::vector<float>> outs;
  for (int o = 0; o < it->num_outputs(); ++o) {
    const RTensor& t = it->output(o);
    outs.emplace_back(t.as<float>(), t.as<float>() + t.bytes() / 4);
  }
  return outs;
}

void expect_near(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t o = 0; o < a.size(); ++o) {
    ASSERT_EQ(a[o].size(), b[o].size());
    for (size_t i = 0; i < a[o].size(); ++i) EXPECT_NEAR(a[o][i], b[o][i], 1e-4f) << o << ":" << i;
  }
}

TEST(ModelSize, DeadChannelPruneKeepsOutputsAndBiases) {
  Graph g = branch_graph();
  const auto before = run(g);
  EXPECT_EQ(prune_dead_depthwise_channels(&g), 2);
  EXPECT_EQ(g.tensors[g.nodes[0].inputs[1]].shape, (Shape{3, 1, 1, 3}));
  EXPECT_EQ(g.tensors[g.nodes[0].inputs[2]].shape, (Shape{3}));
  EXPECT_EQ(g.tensors[g.nodes[3].inputs[1]].shape, (Shape{1, 3, 3, 3}));
  ASSERT_EQ(g.nodes[3].inputs.size(), 3u);  // the depthwise conv keeps its (shortened) bias
  EXPECT_EQ(g.tensors[g.nodes[3].inputs[2]].shape, (Shape{3}));
  EXPECT_EQ(g.tensors[g.nodes[4].inputs[1]].shape, (Shape{4, 1, 1, 3}));
  expect_near(before, run(g));
  EXPECT_EQ(prune_dead_depthwise_channels(&g), 0);
}

TEST(ModelSize, DeadChannelPruneWithoutDepthwiseBias) {
  Graph g = branch_graph();
  g.nodes[3].inputs.resize(2);
  const auto before = run(g);
  EXPECT_EQ(prune_dead_depthwise_channels(&g), 2);
  EXPECT_EQ(g.nodes[3].inputs.size(), 2u);
  EXPECT_EQ(g.tensors[g.nodes[3].inputs[1]].shape, (Shape{1, 3, 3, 3}));
  expect_near(before, run(g));
}

TEST(ModelSize, CompactFileRunsTheSameAndIsSmaller) {
  const Graph g = branch_graph();
  std::vector<uint8_t> full, compact;
  ASSERT_TRUE(write_tflite(g, &full).ok());
  TfliteWriteOptions wo;
  wo.compact = true;
  ASSERT_TRUE(write_tflite(g, &compact, wo).ok());
  EXPECT_LT(compact.size(), full.size());
  Graph a, b;
  ASSERT_TRUE(read_tflite(full.data(), full.size(), &a).ok());
  Status st = read_tflite(compact.data(), compact.size(), &b);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(a.tensors.size(), g.tensors.size());
  // The two identical shape constants merge, then the RESHAPEs drop them (shape in the option).
  EXPECT_EQ(b.tensors.size(), g.tensors.size() - 2);
  for (const Node& n : b.nodes) {
    if (n.code == static_cast<int32_t>(OpCode::kReshape)) {
      EXPECT_EQ(n.inputs.size(), 1u);
    }
  }
  EXPECT_EQ(b.tensors[b.inputs[0]].name, "input");
  EXPECT_EQ(b.tensors[b.outputs[0]].name, "flat");
  EXPECT_EQ(b.tensors[b.outputs[1]].name, "flat2");
  EXPECT_EQ(b.tensors[b.nodes[0].outputs[0]].name, "");
  expect_near(run(a), run(b));
}

TEST(ModelSize, ChannelRangeRatioIgnoresZeroChannels) {
  // [3, 1, 1, 2] conv weights: channel max|w| 0.5, 0 (dead), 2 -> ratio 4.
  const std::vector<float> w = {0.5f, -0.25f, 0.0f, 0.0f, 1.0f, -2.0f};
  EXPECT_FLOAT_EQ(channel_range_ratio(w.data(), Shape{3, 1, 1, 2}, 0), 4.0f);
  // Depthwise [1, 1, 2, 2] along axis 3: channels {1, -3}, {0.5, 1.5} -> 3 / 1.5.
  const std::vector<float> d = {1.0f, 0.5f, -3.0f, 1.5f};
  EXPECT_FLOAT_EQ(channel_range_ratio(d.data(), Shape{1, 1, 2, 2}, 3), 2.0f);
  const std::vector<float> z(4, 0.0f);
  EXPECT_FLOAT_EQ(channel_range_ratio(z.data(), Shape{2, 1, 1, 2}, 0), 1.0f);
}

}  // namespace
}  // namespace fd
