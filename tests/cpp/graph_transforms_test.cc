// Converter graph rewrites, checked by running the graph before and after on the same input:
// space-to-depth ("Focus") front ends folded into one strided convolution, input normalization
// folded into a zero-padded first convolution with and without its mean, and depthwise chains
// split into channel groups (also quantized, where the split pays).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "float_graph_builder.h"
#include "model/channel_split.h"
#include "model/graph_transforms.h"
#include "quantize/post_training.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

struct FocusCase {
  int h = 8, w = 12, c = 3, out = 5, k = 3, stride = 1;
  Padding padding = Padding::kSame;
  std::vector<int32_t> explicit_pads;  // top, bottom, left, right: a PAD between concat and a VALID conv
  bool two_step = true;                // slice H then W (the ONNX export) instead of both at once
  std::vector<int> order = {0, 2, 1, 3};  // concat position -> phase py * 2 + px (YOLOX's order)
};

// input [1, h, w, c] -> 4 phase slices -> CONCATENATION (channels) -> [PAD] -> CONV_2D.
Graph focus_graph(const FocusCase& fc) {
  FloatGraphBuilder b;
  const int x = b.tensor("image", {1, fc.h, fc.w, fc.c});
  std::vector<int32_t> phases;
  for (int p : fc.order) {
    const int py = p / 2, px = p % 2;
    const std::string n = "phase" + std::to_string(p);
    const Shape half = {1, fc.h / 2, fc.w / 2, fc.c};
    const int out = b.tensor(n, half);
    if (fc.two_step) {
      const int mid = b.tensor(n + "/rows", {1, fc.h / 2, fc.w, fc.c});
      b.node(OpCode::kStridedSlice,
             {x, b.int32_tensor(n + "/b0", {4}, {0, py, 0, 0}), b.int32_tensor(n + "/e0", {4}, {1, fc.h, fc.w, fc.c}),
              b.int32_tensor(n + "/s0", {4}, {1, 2, 1, 1})},
             {mid});
      b.node(OpCode::kStridedSlice,
             {mid, b.int32_tensor(n + "/b1", {4}, {0, 0, px, 0}), b.int32_tensor(n + "/e1", {4}, {1, fc.h / 2, 1 << 30, fc.c}),
              b.int32_tensor(n + "/s1", {4}, {1, 1, 2, 1})},
             {out});
    } else {
      b.node(OpCode::kStridedSlice,
             {x, b.int32_tensor(n + "/b", {4}, {0, py, px, 0}), b.int32_tensor(n + "/e", {4}, {1, fc.h, fc.w, fc.c}),
              b.int32_tensor(n + "/s", {4}, {1, 2, 2, 1})},
             {out});
    }
    phases.push_back(out);
  }
  const int cat = b.tensor("focus", {1, fc.h / 2, fc.w / 2, 4 * fc.c});
  OpOptions co;
  co.axis = 3;
  b.node(OpCode::kConcatenation, phases, {cat}, co);
  int conv_in = cat;
  if (!fc.explicit_pads.empty()) {
    const auto& p = fc.explicit_pads;
    conv_in = b.tensor("focus/padded", {1, fc.h / 2 + p[0] + p[1], fc.w / 2 + p[2] + p[3], 4 * fc.c});
    b.node(OpCode::kPad, {cat, b.int32_tensor("pads", {4, 2}, {0, 0, p[0], p[1], p[2], p[3], 0, 0})}, {conv_in});
  }
  const auto w = random_floats(static_cast<size_t>(fc.out * fc.k * fc.k * 4 * fc.c), -1, 1, 7);
  const auto bias = random_floats(static_cast<size_t>(fc.out), -1, 1, 8);
  const int wt = b.tensor("w", {fc.out, fc.k, fc.k, 4 * fc.c}, &w), bt = b.tensor("b", {fc.out}, &bias);
  const int y = b.tensor("features", {});
  OpOptions o;
  o.padding = fc.padding;
  o.stride_h = o.stride_w = fc.stride;
  o.activation = Activation::kRelu;
  b.node(OpCode::kConv2D, {conv_in, wt, bt}, {y}, o);
  b.g.inputs = {x};
  b.g.outputs = {y};
  return b.g;
}

std::vector<float> run_graph(const Graph& g, Shape* out_shape) {
  std::unique_ptr<Interpreter> it;
  Status st = Interpreter::create(g, &it);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return {};
  RTensor& in = it->input(0);
  const auto px = random_floats(static_cast<size_t>(num_elements(in.shape)), 0, 255, 9);
  for (size_t i = 0; i < px.size(); ++i) in.as<float>()[i] = px[i];
  st = it->invoke();
  EXPECT_TRUE(st.ok()) << st.message();
  const RTensor& t = it->output(0);
  *out_shape = t.shape;
  return std::vector<float>(t.as<float>(), t.as<float>() + num_elements(t.shape));
}

int count_code(const Graph& g, OpCode c) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.code == static_cast<int32_t>(c);
  return n;
}

// Folds fc's graph, checks the structure, and compares both runs (float sums in another order).
void expect_folds(const FocusCase& fc, bool expect_pad_node, Padding expect_padding) {
  const Graph before = focus_graph(fc);
  Graph after = before;
  ASSERT_EQ(fold_space_to_depth_convs(&after), 1);
  EXPECT_EQ(count_code(after, OpCode::kStridedSlice), 0);
  EXPECT_EQ(count_code(after, OpCode::kConcatenation), 0);
  EXPECT_EQ(count_code(after, OpCode::kPad), expect_pad_node ? 1 : 0);
  ASSERT_EQ(count_code(after, OpCode::kConv2D), 1);
  const Node& conv = after.nodes.back();
  EXPECT_EQ(conv.options.stride_h, 2 * fc.stride);
  EXPECT_EQ(conv.options.padding, expect_padding);
  EXPECT_EQ(after.tensors[conv.inputs[1]].shape, (Shape{fc.out, 2 * fc.k, 2 * fc.k, fc.c}));
  EXPECT_EQ(after.tensors[after.inputs[0]].name, "image");
  Shape s0, s1;
  const std::vector<float> want = run_graph(before, &s0), got = run_graph(after, &s1);
  ASSERT_EQ(s0, s1);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], 1e-4f * (1.0f + std::fabs(want[i]))) << "element " << i;
  }
}

TEST(SpaceToDepthFold, YoloxFocusWithSame3x3BecomesSame6x6Stride2) { expect_folds(FocusCase{}, false, Padding::kSame); }

TEST(SpaceToDepthFold, OneStepSlicesAndAnyConcatOrder) {
  FocusCase fc;
  fc.two_step = false;
  fc.order = {3, 1, 0, 2};
  expect_folds(fc, false, Padding::kSame);
}

TEST(SpaceToDepthFold, OddGridPaddingGetsAnExplicitPad) {
  // 3x3 stride 2 SAME on a 4x6 grid pads 0 before and 1 after: SAME on the image would pad 1 and 1.
  FocusCase fc;
  fc.stride = 2;
  expect_folds(fc, true, Padding::kValid);
}

TEST(SpaceToDepthFold, ExplicitPadIsScaled) {
  FocusCase fc;
  fc.padding = Padding::kValid;
  fc.explicit_pads = {1, 0, 2, 1};
  expect_folds(fc, true, Padding::kValid);
}

TEST(SpaceToDepthFold, ValidOneByOne) {
  FocusCase fc;
  fc.k = 1;
  fc.padding = Padding::kValid;
  expect_folds(fc, false, Padding::kValid);
}

TEST(SpaceToDepthFold, LeavesOtherSlicingAlone) {
  FocusCase dup;
  dup.order = {0, 2, 2, 3};  // one phase twice, one missing
  Graph g = focus_graph(dup);
  EXPECT_EQ(fold_space_to_depth_convs(&g), 0);
  EXPECT_EQ(count_code(g, OpCode::kStridedSlice), 8);

  // A phase also read by another node must stay.
  Graph shared = focus_graph(FocusCase{});
  shared.outputs.push_back(shared.nodes[1].outputs[0]);
  EXPECT_EQ(fold_space_to_depth_convs(&shared), 0);

  // Odd image sizes make unequal phases: not a space-to-depth.
  FocusCase odd;
  odd.h = 9;
  Graph og = focus_graph(odd);
  EXPECT_EQ(fold_space_to_depth_convs(&og), 0);
}

TEST(SpaceToDepthFold, NormalizationFoldsAfterwards) {
  Graph g = focus_graph(FocusCase{});
  const float mean[3] = {0, 0, 0}, stdv[3] = {1, 1, 1};
  EXPECT_FALSE(fold_input_normalization(&g, mean, stdv, true).ok());
  ASSERT_EQ(fold_space_to_depth_convs(&g), 1);
  Status st = fold_input_normalization(&g, mean, stdv, true);
  EXPECT_TRUE(st.ok()) << st.message();
}

// Runs `g` (FLOAT32 input [1, H, W, 3]) on `input` and returns its first output.
std::vector<float> run_on(const Graph& g, const std::vector<float>& input) {
  std::unique_ptr<Interpreter> it;
  Status st = Interpreter::create(g, &it);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return {};
  std::copy(input.begin(), input.end(), it->input(0).as<float>());
  st = it->invoke();
  EXPECT_TRUE(st.ok()) << st.message();
  const RTensor& t = it->output(0);
  return std::vector<float>(t.as<float>(), t.as<float>() + num_elements(t.shape));
}

TEST(FoldInputNormalization, KeepMeanIsExactOnPaddedBorders) {
  FloatGraphBuilder b;
  const int x = b.tensor("image", {1, 6, 7, 3});
  const auto w = random_floats(4 * 3 * 3 * 3, -1, 1, 11), bias = random_floats(4, -1, 1, 12);
  const int wt = b.tensor("w", {4, 3, 3, 3}, &w), bt = b.tensor("b", {4}, &bias), y = b.tensor("y", {});
  b.node(OpCode::kConv2D, {x, wt, bt}, {y});  // 3x3 SAME: one ring of zero padding
  b.g.inputs = {x};
  b.g.outputs = {y};
  const float mean[3] = {103.53f, 116.28f, 123.675f}, stdv[3] = {57.375f, 57.12f, 58.395f};
  // The original takes BGR (pixel - mean) / std; the folded graphs take raw RGB pixels.
  const auto rgb = random_floats(6 * 7 * 3, 0, 255, 13);
  std::vector<float> normalized(rgb.size());
  for (size_t p = 0; p < rgb.size() / 3; ++p) {
    for (int c = 0; c < 3; ++c) normalized[p * 3 + c] = (rgb[p * 3 + 2 - c] - mean[c]) / stdv[c];
  }
  const std::vector<float> want = run_on(b.g, normalized);
  Graph kept = b.g, folded = b.g;
  ASSERT_TRUE(fold_input_normalization(&kept, mean, stdv, true, true).ok());
  ASSERT_TRUE(fold_input_normalization(&folded, mean, stdv, true).ok());
  EXPECT_EQ(count_code(kept, OpCode::kAdd), 1);
  EXPECT_EQ(count_code(folded, OpCode::kAdd), 0);
  const std::vector<float> exact = run_on(kept, rgb), border = run_on(folded, rgb);
  ASSERT_EQ(exact.size(), want.size());
  float worst_border = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(exact[i], want[i], 1e-4f * (1.0f + std::fabs(want[i]))) << "element " << i;
    worst_border = std::max(worst_border, std::fabs(border[i] - want[i]));
  }
  // Folding the mean too changes the border ring (the documented effect), so the check above can fail.
  EXPECT_GT(worst_border, 0.1f);
}

// pixels [1, 8, 8, 3] -> 1x1 conv to 6 channels whose scales span 1000x -> SiLU -> PAD ->
// depthwise 3x3 (filters scaled back up per channel) -> SiLU -> 1x1 conv to 4 channels (the output).
Graph depthwise_chain_graph() {
  FloatGraphBuilder b;
  const int x = b.tensor("image", {1, 8, 8, 3});
  std::vector<float> w1 = random_floats(6 * 3, -0.02f, 0.02f, 21);
  const float channel_scale[6] = {1.0f, 0.001f, 0.5f, 0.002f, 0.8f, 0.001f};
  for (int o = 0; o < 6; ++o) {
    for (int i = 0; i < 3; ++i) w1[o * 3 + i] = std::fabs(w1[o * 3 + i]) * channel_scale[o];
  }
  const std::vector<float> b1 = {0.1f, 0.0f, 0.2f, 0.001f, 0.0f, 0.0f};
  // The depthwise filters undo the scales (as folded batch norms do), so every channel matters downstream.
  std::vector<float> wd = random_floats(9 * 6, -1, 1, 22);
  for (int t = 0; t < 9; ++t) {
    for (int c = 0; c < 6; ++c) wd[t * 6 + c] /= channel_scale[c];
  }
  const auto bd = random_floats(6, -0.1f, 0.1f, 23);
  const auto w2 = random_floats(4 * 6, -1, 1, 24), b2 = random_floats(4, -0.1f, 0.1f, 25);
  const int cw1 = b.tensor("w1", {6, 1, 1, 3}, &w1), cb1 = b.tensor("b1", {6}, &b1);
  const int cwd = b.tensor("wd", {1, 3, 3, 6}, &wd), cbd = b.tensor("bd", {6}, &bd);
  const int cw2 = b.tensor("w2", {4, 1, 1, 6}, &w2), cb2 = b.tensor("b2", {4}, &b2);
  const int y = b.tensor("pre", {1, 8, 8, 6}), s = b.tensor("sig", {1, 8, 8, 6}), a = b.tensor("act", {1, 8, 8, 6});
  const int p = b.tensor("padded", {1, 10, 10, 6}), d = b.tensor("dw", {1, 8, 8, 6});
  const int ds = b.tensor("dw_sig", {1, 8, 8, 6}), da = b.tensor("dw_act", {1, 8, 8, 6}), out = b.tensor("out", {1, 8, 8, 4});
  b.node(OpCode::kConv2D, {x, cw1, cb1}, {y});
  b.node(OpCode::kLogistic, {y}, {s});
  b.node(OpCode::kMul, {y, s}, {a});
  b.node(OpCode::kPad, {a, b.int32_tensor("pads", {4, 2}, {0, 0, 1, 1, 1, 1, 0, 0})}, {p});
  OpOptions dw;
  dw.padding = Padding::kValid;
  b.node(OpCode::kDepthwiseConv2D, {p, cwd, cbd}, {d}, dw);
  b.node(OpCode::kLogistic, {d}, {ds});
  b.node(OpCode::kMul, {ds, d}, {da});
  b.node(OpCode::kConv2D, {da, cw2, cb2}, {out});
  b.g.inputs = {x};
  b.g.outputs = {out};
  return b.g;
}

TEST(ChannelSplit, FindsTheChainAndGroupsByRange) {
  const Graph g = depthwise_chain_graph();
  const std::vector<DepthwiseChain> chains = find_depthwise_chains(g);
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(g.tensors[chains[0].activation].name, "act");
  EXPECT_EQ(g.tensors[chains[0].output].name, "dw_act");
  EXPECT_EQ(chains[0].readers.size(), 1u);
  EXPECT_TRUE(channel_groups({1.0f, 0.9f, 0.5f}, 32).empty());
  const auto groups = channel_groups({100.0f, 0.05f, 60.0f, 0.1f, 80.0f, 0.02f}, 32);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<int>{0, 2, 4}));
  EXPECT_EQ(groups[1], (std::vector<int>{1, 3, 5}));

  // A chain output read by anything but convolutions (here also a graph output) is left alone.
  Graph shared = depthwise_chain_graph();
  shared.outputs.push_back(chains[0].output);
  EXPECT_TRUE(find_depthwise_chains(shared).empty());
}

TEST(ChannelSplit, SplitComputesTheSameAndQuantizesBetter) {
  const Graph g = depthwise_chain_graph();
  Graph split = g;
  ASSERT_TRUE(split_depthwise_chain(&split, find_depthwise_chains(split)[0], {{0, 2, 4}, {1, 3, 5}}).ok());
  EXPECT_EQ(count_code(split, OpCode::kDepthwiseConv2D), 2);
  EXPECT_EQ(count_code(split, OpCode::kConv2D), 3);
  EXPECT_EQ(count_code(split, OpCode::kConcatenation), 1);
  EXPECT_TRUE(find_depthwise_chains(split).empty());  // each group's output now feeds the concatenation
  Graph bad = g;
  EXPECT_FALSE(split_depthwise_chain(&bad, find_depthwise_chains(bad)[0], {{0, 1, 2}, {2, 3, 4}}).ok());
  const auto px = random_floats(8 * 8 * 3, 0, 255, 26);
  const std::vector<float> want = run_on(g, px), got = run_on(split, px);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f * (1.0f + std::fabs(want[i])));

  // INT8: the small channels keep their own scale, so the output follows the float graph closer.
  std::vector<std::vector<uint8_t>> images(6, std::vector<uint8_t>(8 * 8 * 3));
  for (size_t k = 0; k < images.size(); ++k) {
    const auto v = random_floats(images[k].size(), 0, 255, static_cast<uint32_t>(30 + k));
    for (size_t i = 0; i < v.size(); ++i) images[k][i] = static_cast<uint8_t>(v[i]);
  }
  Graph auto_split = g;
  int split_count = 0;
  ASSERT_TRUE(split_wide_depthwise_chains(&auto_split, images, 32, &split_count).ok());
  EXPECT_EQ(split_count, 1);
  auto int8_error = [&](const Graph& fg) {
    Graph qg;
    EXPECT_TRUE(quantize_with_images(fg, images, QuantizeOptions(), &qg).ok());
    std::unique_ptr<Interpreter> it;
    EXPECT_TRUE(Interpreter::create(qg, &it).ok());
    for (size_t i = 0; i < px.size(); ++i) it->input(0).as<int8_t>()[i] = static_cast<int8_t>(static_cast<int>(px[i]) - 128);
    EXPECT_TRUE(it->invoke().ok());
    const RTensor& t = it->output(0);
    const std::vector<float> ref = run_on(fg, std::vector<float>(px.begin(), px.end()));
    double err = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      const double q = t.quant.scale[0] * (t.as<int8_t>()[i] - t.quant.zero_point[0]);
      err += (q - ref[i]) * (q - ref[i]);
      norm += static_cast<double>(ref[i]) * ref[i];
    }
    return std::sqrt(err / norm);
  };
  const double before = int8_error(g), after = int8_error(auto_split);
  std::printf("INT8 relative L2 error: %.4f unsplit, %.4f split\n", before, after);
  EXPECT_LT(after, before * 0.5);
}

}  // namespace
}  // namespace fd
