// INT4 fine-tuning (quantize/int4_finetune.h): the reverse pass against finite differences on a
// graph using every op it covers, the loss's row weights, and training that lowers the INT4
// graph's output error.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "float_graph_builder.h"
#include "model/graph_edit.h"
#include "quantize/int4_finetune.h"
#include "quantize/presets.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

OpOptions window(int stride, Padding p, Activation a = Activation::kNone) {
  OpOptions o;
  o.stride_h = o.stride_w = stride;
  o.padding = p;
  o.activation = a;
  return o;
}

OpOptions pool(int size, int stride, Padding p) {
  OpOptions o = window(stride, p);
  o.filter_h = o.filter_w = size;
  return o;
}

// An 8x8x3 input through convolutions, depthwise, pooling, pad, resizes, elementwise ops,
// concatenation, transpose, reshape, fully connected and softmax, to three outputs.
Graph every_op_graph() {
  FloatGraphBuilder b;
  const int in = b.tensor("in", {1, 8, 8, 3});
  auto weights = [&](const char* name, Shape s, float scale, uint32_t seed) {
    const std::vector<float> v = random_floats(static_cast<size_t>(num_elements(s)), -scale, scale, seed);
    return b.tensor(name, std::move(s), &v);
  };
  const int a1 = b.tensor("a1", {});
  b.node(OpCode::kConv2D, {in, weights("w1", {4, 3, 3, 3}, 0.02f, 1), weights("b1", {4}, 0.5f, 2)}, {a1},
         window(1, Padding::kSame, Activation::kRelu));
  const int a2 = b.tensor("a2", {});
  OpOptions dw = window(2, Padding::kSame);
  dw.depth_multiplier = 2;
  b.node(OpCode::kDepthwiseConv2D, {a1, weights("w2", {1, 3, 3, 8}, 0.4f, 3), weights("b2", {8}, 0.2f, 4)}, {a2}, dw);
  const int a3 = b.tensor("a3", {});
  b.node(OpCode::kMaxPool2D, {a2}, {a3}, pool(2, 1, Padding::kSame));
  const int a4 = b.tensor("a4", {});
  b.node(OpCode::kAdd, {a2, a3}, {a4});
  const int size = b.int32_tensor("size", {2}, {8, 8});
  const int a5 = b.tensor("a5", {}), a5b = b.tensor("a5b", {}), a5s = b.tensor("a5s", {}), a6 = b.tensor("a6", {});
  b.node(OpCode::kResizeNearestNeighbor, {a4, size}, {a5});
  b.node(OpCode::kResizeBilinear, {a4, size}, {a5b});
  b.node(OpCode::kLogistic, {a5b}, {a5s});
  b.node(OpCode::kMul, {a5, a5s}, {a6});
  const int a7 = b.tensor("a7", {}), a7l = b.tensor("a7l", {});
  OpOptions cat;
  cat.axis = 3;
  b.node(OpCode::kConcatenation, {a6, a1}, {a7}, cat);
  OpOptions leaky;
  leaky.alpha = 0.1f;
  b.node(OpCode::kLeakyRelu, {a7}, {a7l}, leaky);
  const int a8 = b.tensor("a8", {}), a8g = b.tensor("a8g", {});
  b.node(OpCode::kConv2D, {a7l, weights("w3", {5, 1, 1, 12}, 0.3f, 5), weights("b3", {5}, 0.2f, 6)}, {a8},
         window(1, Padding::kSame));
  b.node(OpCode::kConv2D, {a7l, weights("w3g", {4, 1, 1, 12}, 0.3f, 7), weights("b3g", {4}, 0.2f, 8)}, {a8g},
         window(1, Padding::kSame));
  const int a9 = b.tensor("a9", {}), a10 = b.tensor("a10", {}), a11 = b.tensor("a11", {}), out1 = b.tensor("out1", {});
  b.node(OpCode::kAveragePool2D, {a8}, {a9}, pool(3, 2, Padding::kSame));
  b.node(OpCode::kReshape, {a9, b.int32_tensor("shape", {2}, {1, 80})}, {a10});
  b.node(OpCode::kFullyConnected, {a10, weights("w4", {6, 80}, 0.2f, 9), weights("b4", {6}, 0.2f, 10)}, {a11});
  b.node(OpCode::kSoftmax, {a11}, {out1});
  const int t = b.tensor("t", {}), out2 = b.tensor("out2", {});
  b.node(OpCode::kTranspose, {a8g, b.int32_tensor("perm", {4}, {0, 3, 1, 2})}, {t});
  b.node(OpCode::kLogistic, {t}, {out2});
  const int p = b.tensor("p", {}), out3 = b.tensor("out3", {});
  b.node(OpCode::kPad, {a2, b.int32_tensor("pads", {4, 2}, {0, 0, 1, 1, 1, 1, 0, 0})}, {p});
  b.node(OpCode::kDepthwiseConv2D, {p, weights("w5", {1, 3, 3, 8}, 0.4f, 11), weights("b5", {8}, 0.2f, 12)}, {out3},
         window(1, Padding::kValid, Activation::kRelu6));
  b.g.inputs = {in};
  b.g.outputs = {out1, out2, out3};
  return b.g;
}

std::vector<uint8_t> test_image(uint32_t seed) {
  std::vector<uint8_t> img(8 * 8 * 3);
  const std::vector<float> v = random_floats(img.size(), 0.0f, 255.0f, seed);
  for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>(v[i]);
  return img;
}

std::vector<std::vector<float>> outputs_of(const Graph& g, const std::vector<uint8_t>& image) {
  std::unique_ptr<Interpreter> it;
  const Status st = Interpreter::create(g, &it);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!st.ok()) return {};
  for (size_t i = 0; i < image.size(); ++i) it->input(0).as<float>()[i] = image[i];
  EXPECT_TRUE(it->invoke().ok());
  std::vector<std::vector<float>> out;
  for (int o = 0; o < it->num_outputs(); ++o) {
    const RTensor& r = it->output(o);
    out.emplace_back(r.as<float>(), r.as<float>() + num_elements(r.shape));
  }
  return out;
}

// Central finite differences of dg's loss at about 8 elements of every trainable tensor against
// `grads`, its analytic gradient at g.
void check_gradients(const Graph& g, const std::vector<uint8_t>& image, const std::vector<std::vector<float>>& targets,
                     DistillationGradients* dg, std::map<int32_t, std::vector<float>>& grads) {
  auto loss_at = [&](int32_t t, size_t i, float delta) {
    std::vector<float> v = float_data(g.tensors[t]);
    v[i] += delta;
    Graph moved = g;
    set_float_data(&moved, t, v);
    std::map<int32_t, std::vector<float>> unused;
    double l = 0;
    EXPECT_TRUE(dg->add(moved, image, targets, &l, &unused).ok());
    return l;
  };
  int checked = 0;
  for (int32_t t : dg->trainable()) {
    ASSERT_EQ(grads.count(t), 1u) << g.tensors[t].name;
    const std::vector<float>& gt = grads[t];
    const std::vector<float> w = float_data(g.tensors[t]);
    for (size_t i = 0; i < gt.size(); i += 1 + gt.size() / 7) {
      // Two step sizes: the larger one can straddle a ReLU or max-pool kink, the smaller one
      // loses the small gradients to float rounding; the analytic value must match one of them.
      double best = 1e30, numeric = 0;
      for (float rel : {2e-4f, 3e-5f}) {
        const float h = rel * std::max(1.0f, std::fabs(w[i]));
        const double d = (loss_at(t, i, h) - loss_at(t, i, -h)) / (2.0 * h);
        if (std::fabs(d - gt[i]) < best) best = std::fabs(d - gt[i]), numeric = d;
      }
      EXPECT_NEAR(gt[i], numeric, 0.02 * std::fabs(numeric) + 2e-4) << g.tensors[t].name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
}

TEST(Int4Finetune, GradientsMatchFiniteDifferences) {
  Graph g = every_op_graph();
  const std::vector<uint8_t> image = test_image(21);
  // Targets: the outputs of the same graph with other weights, so the loss is well away from 0.
  std::vector<std::vector<float>> targets = outputs_of(g, image);
  for (auto& t : targets)
    for (float& v : t) v = v * 0.7f + 0.05f;
  std::unique_ptr<DistillationGradients> dg;
  ASSERT_TRUE(DistillationGradients::create(g, &dg).ok());
  EXPECT_EQ(dg->trainable().size(), 12u);  // six layers, weights and biases
  std::map<int32_t, std::vector<float>> grads;
  double loss = 0;
  ASSERT_TRUE(dg->add(g, image, targets, &loss, &grads).ok());
  EXPECT_GT(loss, 0.01);
  check_gradients(g, image, targets, dg.get(), grads);

  // The same with fixed per-channel energies (what fine-tuning sets): another loss, checked too.
  std::vector<std::vector<double>> energy;
  {
    std::unique_ptr<Interpreter> it;
    ASSERT_TRUE(Interpreter::create(g, &it).ok());
    for (int o = 0; o < it->num_outputs(); ++o) {
      const int64_t c = it->output(o).shape.back();
      energy.emplace_back(static_cast<size_t>(c));
      for (int64_t k = 0; k < c; ++k) energy.back()[static_cast<size_t>(k)] = 0.5 + 0.25 * static_cast<double>(k);
    }
  }
  dg->set_channel_energy(energy);
  std::map<int32_t, std::vector<float>> fixed_grads;
  double fixed_loss = 0;
  ASSERT_TRUE(dg->add(g, image, targets, &fixed_loss, &fixed_grads).ok());
  EXPECT_GT(std::fabs(fixed_loss - loss), 0.01 * loss) << "the energies were not used";
  check_gradients(g, image, targets, dg.get(), fixed_grads);

  // And with rows weighted: out2 ([1, 4, H, W] after a sigmoid) by its own channel 0, out3 by
  // channel 2 of itself; out1 alike.
  dg->set_row_weighting({RowWeighting{}, RowWeighting{1, 0}, RowWeighting{2, 2}}, 0.05);
  std::map<int32_t, std::vector<float>> weighted_grads;
  double weighted_loss = 0;
  ASSERT_TRUE(dg->add(g, image, targets, &weighted_loss, &weighted_grads).ok());
  EXPECT_GT(std::fabs(weighted_loss - fixed_loss), 0.01 * fixed_loss) << "the row weights were not used";
  check_gradients(g, image, targets, dg.get(), weighted_grads);
}

TEST(Int4Finetune, RowWeightsComeFromTheSourceChannel) {
  // Output 0: 3 rows of 2 channels; output 1: 3 rows of 4 (its channel 1 the weight source);
  // output 2: 2 rows.
  const std::vector<Shape> shapes = {{1, 3, 2}, {1, 3, 4}, {1, 2, 3}};
  const std::vector<std::vector<float>> t = {
      {0, 0, 0, 0, 0, 0}, {9, 0.5f, 9, 9, 9, -2.0f, 9, 9, 9, 4.0f, 9, 9}, {0, 0, 0, 0, 0, 0}};
  std::vector<double> rows;
  ASSERT_TRUE(row_weights({RowWeighting{1, 1}}, 0.1, t, shapes, 0, &rows).ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_DOUBLE_EQ(rows[0], 0.6);
  EXPECT_DOUBLE_EQ(rows[1], 0.1);  // clamped to [0, 1]
  EXPECT_DOUBLE_EQ(rows[2], 1.1);
  ASSERT_TRUE(row_weights({RowWeighting{1, 1}}, 0.1, t, shapes, 1, &rows).ok());
  EXPECT_TRUE(rows.empty());  // no weighting given for output 1
  const std::vector<RowWeighting> bad = {RowWeighting{}, RowWeighting{}, RowWeighting{1, 1}};
  Status st = row_weights(bad, 0.1, t, shapes, 2, &rows);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("2 rows"), std::string::npos) << st.message();
  st = row_weights({RowWeighting{1, 4}}, 0.1, t, shapes, 0, &rows);
  EXPECT_FALSE(st.ok());
  st = row_weights({RowWeighting{5, 0}}, 0.1, t, shapes, 0, &rows);
  EXPECT_FALSE(st.ok());
}

// A graph with no nodes whose outputs are tensors named and shaped as given (what
// preset_row_weighting reads).
Graph outputs_only(const std::vector<std::pair<std::string, Shape>>& outputs) {
  FloatGraphBuilder b;
  for (const auto& o : outputs) b.g.outputs.push_back(b.tensor(o.first, o.second));
  return b.g;
}

TEST(Int4Finetune, PresetsWeighRowsByTheirObjectness) {
  Preset p;
  ASSERT_TRUE(find_preset("yolox", &p).ok());
  p.outputs = {{"reg", {"r8", "r16", "r32"}}, {"obj", {"o8", "o16", "o32"}}, {"cls", {"c8", "c16", "c32"}}};
  // Outputs in another order than the roles.
  const Graph yolox = outputs_only({{"c8", {1, 4, 4, 80}}, {"o8", {1, 4, 4, 1}}, {"r8", {1, 4, 4, 4}},
                                    {"r16", {1, 2, 2, 4}}, {"o16", {1, 2, 2, 1}}, {"c16", {1, 2, 2, 80}},
                                    {"r32", {1, 1, 1, 4}}, {"o32", {1, 1, 1, 1}}, {"c32", {1, 1, 1, 80}}});
  const std::vector<RowWeighting> w = preset_row_weighting(p, yolox);
  ASSERT_EQ(w.size(), 9u);
  const int source[9] = {1, 1, 1, 4, 4, 4, 7, 7, 7};
  for (size_t o = 0; o < 9; ++o) {
    EXPECT_EQ(w[o].source, source[o]) << o;
    EXPECT_EQ(w[o].channel, 0) << o;
  }
  // Before the head is cut (one concatenated output), nothing to weigh by.
  Preset uncut;
  ASSERT_TRUE(find_preset("yolox", &uncut).ok());
  EXPECT_TRUE(preset_row_weighting(uncut, outputs_only({{"output", {1, 21, 85}}})).empty());

  ASSERT_TRUE(find_preset("fastestdet", &p).ok());
  const std::vector<RowWeighting> f = preset_row_weighting(p, outputs_only({{"758", {1, 22, 22, 85}}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].source, 0);
  EXPECT_EQ(f[0].channel, 0);
  EXPECT_TRUE(preset_row_weighting(p, outputs_only({{"758", {1, 85, 22, 4}}})).empty());  // NCHW

  ASSERT_TRUE(find_preset("nanodet", &p).ok());
  EXPECT_TRUE(preset_row_weighting(p, outputs_only({{"792", {1, 52, 52, 80}}})).empty());
}

TEST(Int4Finetune, NamesAnOpWithoutReversePass) {
  FloatGraphBuilder b;
  const int in = b.tensor("in", {1, 2, 2, 1}), out = b.tensor("out", {});
  b.node(OpCode::kSqrt, {in}, {out});
  b.g.inputs = {in};
  b.g.outputs = {out};
  std::unique_ptr<DistillationGradients> dg;
  const Status st = DistillationGradients::create(b.g, &dg);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("SQRT"), std::string::npos) << st.message();
}

class Int4FinetuneTraining : public ::testing::TestWithParam<bool> {};

// On random variants of the images (the default) and on the images as they are.
TEST_P(Int4FinetuneTraining, LowersTheInt4OutputError) {
  Graph g = every_op_graph();
  std::vector<std::vector<uint8_t>> images;
  for (uint32_t s = 0; s < 8; ++s) images.push_back(test_image(100 + s));
  const std::vector<std::vector<float>> reference = outputs_of(g, images[0]);
  Int4FinetuneOptions opt;
  opt.epochs = 20;
  opt.batch = 2;
  opt.augment = GetParam();
  std::map<int, Int4Rounding> rounded;
  double before = 0, after = 0;
  const std::vector<int> int4_nodes = {1, 10, 11};  // depthwise, both 1x1 convs
  ASSERT_TRUE(finetune_int4(&g, images, int4_nodes, opt, &rounded, &before, &after).ok());
  EXPECT_GT(before, 0.0);
  EXPECT_LT(after, 0.8 * before) << before << " -> " << after;
  ASSERT_EQ(rounded.size(), 3u);
  for (int n : int4_nodes) {
    const Int4Rounding& r = rounded.at(n);
    const TensorDesc& w = g.tensors[g.nodes[n].inputs[1]];
    EXPECT_EQ(r.weight_tensor, g.nodes[n].inputs[1]);
    EXPECT_TRUE(r.bias_correction.empty());
    const std::vector<float> q = r.dequantized(w.shape);
    EXPECT_EQ(q, float_data(w));  // the graph holds exactly what INT4 stores
    for (int8_t v : r.values) EXPECT_LE(std::abs(v), 7);
  }
  EXPECT_EQ(outputs_of(g, images[0]).size(), reference.size());
}

INSTANTIATE_TEST_SUITE_P(Variants, Int4FinetuneTraining, ::testing::Bool());

// A depthwise layer whose INT4 scales start at four times max|w| / 7 (its weights on -2..2 of the
// grid): training the scales too brings them down and the error below what training the weights
// alone reaches on those scales.
TEST(Int4Finetune, TrainsScalesThatStartTooLarge) {
  const Graph original = every_op_graph();
  std::vector<std::vector<uint8_t>> images;
  for (uint32_t s = 0; s < 8; ++s) images.push_back(test_image(300 + s));
  const int node = 1;
  const TensorDesc& wd = original.tensors[original.nodes[node].inputs[1]];
  const std::vector<float> w = float_data(wd);
  const size_t channels = static_cast<size_t>(wd.shape.back());
  Int4Rounding start;
  start.weight_tensor = original.nodes[node].inputs[1];
  start.axis = 3;
  start.scales.assign(channels, 0.0f);
  for (size_t i = 0; i < w.size(); ++i) start.scales[i % channels] = std::max(start.scales[i % channels], std::fabs(w[i]) * 4 / 7);
  for (size_t i = 0; i < w.size(); ++i) {
    start.values.push_back(static_cast<int8_t>(std::nearbyint(w[i] / start.scales[i % channels])));
  }
  double after[2] = {0, 0};
  std::vector<float> scales;
  for (bool train : {false, true}) {
    Graph g = original;
    std::map<int, Int4Rounding> rounded = {{node, start}};
    Int4FinetuneOptions opt;
    opt.epochs = 40;
    opt.batch = 2;
    opt.step = 0.1f;  // 120 steps: the scales may move by up to 60 %
    opt.train_scales = train;
    double before = 0;
    ASSERT_TRUE(finetune_int4(&g, images, {node}, opt, &rounded, &before, &after[train]).ok());
    if (train) {
      scales = rounded.at(node).scales;
    } else {
      EXPECT_EQ(rounded.at(node).scales, start.scales);
    }
  }
  double ratio = 0;
  for (size_t c = 0; c < channels; ++c) ratio += scales[c] / start.scales[c] / static_cast<double>(channels);
  EXPECT_LT(ratio, 0.98);  // measured 0.95
  EXPECT_LT(after[1], 0.9 * after[0]) << "fixed scales " << after[0] << ", trained " << after[1];  // 0.191, 0.147
}

TEST(Int4Finetune, AStepTooLargeKeepsTheStartingWeights) {
  const Graph original = every_op_graph();
  Graph g = original;
  std::vector<std::vector<uint8_t>> images = {test_image(200), test_image(201)};
  Int4FinetuneOptions opt;
  opt.epochs = 3;
  opt.step = 500.0f;
  std::map<int, Int4Rounding> rounded;
  double before = 0, after = 0;
  ASSERT_TRUE(finetune_int4(&g, images, {1}, opt, &rounded, &before, &after).ok());
  EXPECT_EQ(after, before);  // no epoch did better
  // Every layer as it was, the INT4 one at its nearest INT4 values (no rounding was given).
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (!g.tensors[t].is_constant() || g.tensors[t].dtype != DType::kFloat32) continue;
    std::vector<float> want = float_data(original.tensors[t]);
    if (static_cast<int32_t>(t) == g.nodes[1].inputs[1]) want = rounded.at(1).dequantized(g.tensors[t].shape);
    EXPECT_EQ(float_data(g.tensors[t]), want) << g.tensors[t].name;
  }
  const std::vector<float> w = float_data(original.tensors[g.nodes[1].inputs[1]]);
  const Int4Rounding& r = rounded.at(1);
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(r.values[i], static_cast<int8_t>(std::nearbyint(w[i] / r.scales[i % r.scales.size()]))) << i;
  }
}

}  // namespace
}  // namespace fd
