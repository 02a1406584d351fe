// Convolution groups (make_conv_2d_group, find_conv_2d_groups): CONV_2D nodes reading one input
// through the same im2col rows run as one op that builds each block of rows once. Which nodes
// group, and the same bytes (or floats) on every output as running them one by one.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/interpreter.h"

namespace fd {
namespace {

struct Builder {
  Graph g;
  DType t;
  std::mt19937 rng{7};

  explicit Builder(DType type) : t(type) {}

  bool quantized() const { return t != DType::kFloat32; }

  int tensor(Shape shape, DType dtype, QuantParams q = {}, std::vector<uint8_t> bytes = {}) {
    TensorDesc d;
    d.name = "t" + std::to_string(g.tensors.size());
    d.dtype = dtype;
    d.shape = std::move(shape);
    d.quant = std::move(q);
    if (!bytes.empty()) {
      auto store = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
      d.data = store->data();
      d.data_bytes = store->size();
      g.storage.push_back(store);
    }
    g.tensors.push_back(d);
    return static_cast<int>(g.tensors.size()) - 1;
  }

  QuantParams act(float scale, int32_t zp) const {
    QuantParams q;
    q.scale = {scale};
    q.zero_point = {t == DType::kUInt8 ? zp + 128 : zp};
    return q;
  }

  int activation(Shape shape, float scale, int32_t zp) {
    return tensor(std::move(shape), t, quantized() ? act(scale, zp) : QuantParams{});
  }

  // CONV_2D of `in` (input scale 0.05) with random weights [cout, kh, kw, cin] and bias.
  int conv(int in, int cout, int kh, int kw, int stride, Padding padding, float out_scale, int32_t out_zp) {
    const Shape is = g.tensors[in].shape;  // a copy: adding tensors moves them
    const int cin = is[3];
    const size_t nw = static_cast<size_t>(cout) * kh * kw * cin;
    OpOptions o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    o.activation = Activation::kRelu;
    int w = 0, b = 0;
    if (quantized()) {
      // int8: per-channel symmetric weights; uint8: per-tensor with zero point 128 (as TFLite).
      const bool u8 = t == DType::kUInt8;
      std::vector<uint8_t> wb(nw);
      for (uint8_t& v : wb) v = static_cast<uint8_t>(static_cast<int>(rng() % 255) - 127 + (u8 ? 128 : 0));
      QuantParams wq, bq;
      std::vector<uint8_t> bb(static_cast<size_t>(cout) * 4);
      for (int c = 0; c < cout; ++c) {
        if (c == 0 || !u8) {
          wq.scale.push_back(0.004f + 0.001f * c);
          wq.zero_point.push_back(u8 ? 128 : 0);
          bq.scale.push_back(0.05f * wq.scale.back());
          bq.zero_point.push_back(0);
        }
        const int32_t bias = static_cast<int32_t>(rng() % 4001) - 2000;
        std::memcpy(bb.data() + 4 * c, &bias, 4);
      }
      w = tensor({cout, kh, kw, cin}, u8 ? DType::kUInt8 : DType::kInt8, wq, std::move(wb));
      b = tensor({cout}, DType::kInt32, bq, std::move(bb));
    } else {
      std::vector<uint8_t> wb(nw * 4), bb(static_cast<size_t>(cout) * 4);
      std::uniform_real_distribution<float> u(-0.5f, 0.5f);
      for (size_t i = 0; i < nw; ++i) {
        const float v = u(rng);
        std::memcpy(wb.data() + 4 * i, &v, 4);
      }
      for (int c = 0; c < cout; ++c) {
        const float v = u(rng);
        std::memcpy(bb.data() + 4 * c, &v, 4);
      }
      w = tensor({cout, kh, kw, cin}, DType::kFloat32, {}, std::move(wb));
      b = tensor({cout}, DType::kFloat32, {}, std::move(bb));
    }
    const int oh = padding == Padding::kSame ? (is[1] + stride - 1) / stride : (is[1] - kh) / stride + 1;
    const int ow = padding == Padding::kSame ? (is[2] + stride - 1) / stride : (is[2] - kw) / stride + 1;
    const int out = activation({is[0], oh, ow, cout}, out_scale, out_zp);
    node(OpCode::kConv2D, {in, w, b}, {out}, o);
    return out;
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

// x [2, 13, 17, 5] feeds: conv A 3x3/2 SAME (node 0), a consumer of its output, ADD a + a (node 1,
// between the members), conv B 3x3/2 SAME (node 2, groups with A), conv C 3x3/1 SAME (node 3:
// other rows), conv D 1x1/1 (node 4: builds no rows), conv E 3x3/2 SAME (node 5, groups with A);
// conv F 3x3/2 SAME on A's output (node 6: another input).
Graph siblings(DType t) {
  Builder q(t);
  const int x = q.activation({2, 13, 17, 5}, 0.05f, -3);
  const int a = q.conv(x, 7, 3, 3, 2, Padding::kSame, 0.11f, -20);
  const int a2 = q.activation(q.g.tensors[a].shape, 0.2f, -40);
  q.node(OpCode::kAdd, {a, a}, {a2});
  const int b = q.conv(x, 3, 3, 3, 2, Padding::kSame, 0.09f, 5);
  const int c = q.conv(x, 16, 3, 3, 1, Padding::kSame, 0.13f, -7);
  const int d = q.conv(x, 4, 1, 1, 1, Padding::kValid, 0.07f, 0);
  const int e = q.conv(x, 18, 3, 3, 2, Padding::kSame, 0.1f, 11);
  const int f = q.conv(a, 6, 3, 3, 2, Padding::kSame, 0.12f, -2);
  q.g.inputs = {x};
  q.g.outputs = {a2, b, c, d, e, f};
  return q.g;
}

struct Outputs {
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<int> fused_with;
  std::vector<bool> fused_away;
};

Outputs run(const Graph& g, bool fuse) {
  InterpreterOptions o;
  o.fuse = fuse;
  std::unique_ptr<Interpreter> interp;
  const Status s = Interpreter::create(g, &interp, o);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  RTensor& in = interp->input(0);
  std::mt19937 rng(11);
  if (in.dtype == DType::kFloat32) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (size_t i = 0; i < in.bytes() / 4; ++i) in.as<float>()[i] = u(rng);
  } else {
    for (size_t i = 0; i < in.bytes(); ++i) in.data[i] = static_cast<uint8_t>(rng());
  }
  // Twice: the second run must not depend on what the first left in the arena.
  EXPECT_TRUE(interp->invoke().ok());
  EXPECT_TRUE(interp->invoke().ok());
  Outputs r;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const RTensor& out = interp->output(static_cast<int>(i));
    r.outputs.emplace_back(out.data, out.data + out.bytes());
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    r.fused_with.push_back(interp->fused_with(static_cast<int>(n)));
    r.fused_away.push_back(interp->fused_away(static_cast<int>(n)));
  }
  return r;
}

TEST(ConvGroup, SiblingsWithTheSameRowsRunAsOneOpWithTheSameOutputs) {
  for (DType t : {DType::kInt8, DType::kUInt8, DType::kFloat32}) {
    SCOPED_TRACE(dtype_name(t));
    const Graph g = siblings(t);
    const Outputs plain = run(g, false);
    const Outputs fused = run(g, true);
    ASSERT_EQ(fused.fused_with.size(), g.nodes.size());
    EXPECT_EQ(fused.fused_with[0], 2);  // A leads, B and E run inside it
    EXPECT_FALSE(fused.fused_away[0]);
    EXPECT_EQ(fused.fused_with[2], 0);
    EXPECT_TRUE(fused.fused_away[2]);
    EXPECT_EQ(fused.fused_with[5], 0);
    EXPECT_TRUE(fused.fused_away[5]);
    for (int n : {1, 3, 4, 6}) EXPECT_EQ(fused.fused_with[n], -1) << "node " << n;
    ASSERT_EQ(fused.outputs.size(), plain.outputs.size());
    for (size_t i = 0; i < plain.outputs.size(); ++i) {
      EXPECT_FALSE(plain.outputs[i].empty());
      EXPECT_EQ(fused.outputs[i], plain.outputs[i]) << "output " << i;
    }
  }
}

}  // namespace
}  // namespace fd
