// Fusions that change where ops write, checked against the unfused run bit for bit (int8, uint8,
// float): convolution groups (make_conv_2d_group, find_conv_2d_groups: CONV_2D nodes reading one
// input through the same im2col rows build each block once) and concatenation inputs written in
// place (runtime/concat_elision.h).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "float_graph_builder.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

// Typed activations and convolutions on top of the float builder's graph and node().
struct Builder : FloatGraphBuilder {
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
  std::vector<const uint8_t*> data;  // every tensor's data pointer
};

Outputs run(const Graph& g, bool fuse) {
  InterpreterOptions o;
  o.fuse = fuse;
  std::unique_ptr<Interpreter> interp;
  const Status s = Interpreter::create(g, &interp, o);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  // Twice, the input written before each run (its memory may serve later nodes once read): the
  // second run must not depend on what the first left in the arena.
  for (int run = 0; run < 2; ++run) {
    RTensor& in = interp->input(0);
    std::mt19937 rng(11);
    if (in.dtype == DType::kFloat32) {
      std::uniform_real_distribution<float> u(-1.0f, 1.0f);
      for (size_t i = 0; i < in.bytes() / 4; ++i) in.as<float>()[i] = u(rng);
    } else {
      for (size_t i = 0; i < in.bytes(); ++i) in.data[i] = static_cast<uint8_t>(rng());
    }
    EXPECT_TRUE(interp->invoke().ok());
  }
  Outputs r;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const RTensor& out = interp->output(static_cast<int>(i));
    r.outputs.emplace_back(out.data, out.data + out.bytes());
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    r.fused_with.push_back(interp->fused_with(static_cast<int>(n)));
    r.fused_away.push_back(interp->fused_away(static_cast<int>(n)));
  }
  for (size_t t = 0; t < g.tensors.size(); ++t) r.data.push_back(interp->tensor(static_cast<int>(t)).data);
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

// x [1, 6, 7, 5] feeds a CONCATENATION along channels of: conv A 3x3 (same quantization as the
// output: in place), conv B 1x1 (direct GEMM: in place), conv C 1x3 with another quantization
// (requantized by the concatenation: copied; float has no quantization: in place), SiLU of x
// (LOGISTIC, MUL: one fused table when quantized; rows of 5, below kMinStridedRow: copied), conv D
// 3x1 also read by an ADD (copied), ADD x + x (rows of 5: copied), ADD G + G of a 64-channel 1x1
// conv G (in place), SiLU of G (in place), QUANTIZE of C and of G to the output's quantization
// (8-bit only: rows of 2 copied, rows of 64 in place); with `twice`, A again at the end (read
// twice: A keeps its own memory).
struct Cat {
  Graph g;
  int a, b, c, m, d, short_sum, sum, wide_silu, short_requant = -1, requant = -1, y;
  std::vector<int32_t> parts;
};

// SiLU of `x` (shape [1, 6, 7, channels]) as LOGISTIC then MUL.
int silu(Builder& q, int x, int channels) {
  const Shape shape{1, 6, 7, channels};
  const int s = q.quantized() ? q.tensor(shape, q.t, q.act(1.0f / 256, -128)) : q.activation(shape, 0, 0);
  q.node(OpCode::kLogistic, {x}, {s});
  const int m = q.activation(shape, 0.1f, -4);
  q.node(OpCode::kMul, {x, s}, {m});
  return m;
}

Cat concat_graph(DType t, bool twice) {
  Builder q(t);
  const bool quant = q.quantized();
  const int x = q.activation({1, 6, 7, 5}, 0.05f, -3);
  Cat r;
  r.a = q.conv(x, 4, 3, 3, 1, Padding::kSame, 0.1f, -4);
  r.b = q.conv(x, 3, 1, 1, 1, Padding::kValid, 0.1f, -4);
  r.c = q.conv(x, 2, 1, 3, 1, Padding::kSame, 0.2f, 9);
  r.m = silu(q, x, 5);
  r.d = q.conv(x, 2, 3, 1, 1, Padding::kSame, 0.1f, -4);
  const int e = q.activation({1, 6, 7, 2}, 0.2f, 0);
  q.node(OpCode::kAdd, {r.d, r.d}, {e});
  r.short_sum = q.activation({1, 6, 7, 5}, 0.1f, -4);
  q.node(OpCode::kAdd, {x, x}, {r.short_sum});
  const int wide = q.conv(x, 64, 1, 1, 1, Padding::kValid, 0.2f, 9);
  r.sum = q.activation({1, 6, 7, 64}, 0.1f, -4);
  q.node(OpCode::kAdd, {wide, wide}, {r.sum});
  r.wide_silu = silu(q, wide, 64);
  r.parts = {r.a, r.b, r.c, r.m, r.d, r.short_sum, r.sum, r.wide_silu};
  if (quant) {
    r.short_requant = q.activation({1, 6, 7, 2}, 0.1f, -4);
    q.node(OpCode::kQuantize, {r.c}, {r.short_requant});
    r.requant = q.activation({1, 6, 7, 64}, 0.1f, -4);
    q.node(OpCode::kQuantize, {wide}, {r.requant});
    r.parts.push_back(r.short_requant);
    r.parts.push_back(r.requant);
  }
  if (twice) r.parts.push_back(r.a);
  int channels = 0;
  for (int32_t p : r.parts) channels += q.g.tensors[p].shape[3];
  r.y = q.activation({1, 6, 7, channels}, 0.1f, -4);
  OpOptions o;
  o.axis = 3;
  q.node(OpCode::kConcatenation, r.parts, {r.y}, o);
  q.g.inputs = {x};
  q.g.outputs = {r.y, e};
  r.g = q.g;
  return r;
}

TEST(ConcatElision, InputsWrittenInPlaceGiveTheSameOutput) {
  for (DType t : {DType::kInt8, DType::kUInt8, DType::kFloat32}) {
    for (bool twice : {false, true}) {
      SCOPED_TRACE(std::string(dtype_name(t)) + (twice ? " A twice" : ""));
      const Cat cat = concat_graph(t, twice);
      const Outputs plain = run(cat.g, false);
      const Outputs fused = run(cat.g, true);
      ASSERT_EQ(fused.data.size(), cat.g.tensors.size());
      const size_t es = t == DType::kFloat32 ? 4 : 1;
      const bool quant = t != DType::kFloat32;
      // Where each part starts in the output, and which ones are written there.
      std::vector<const uint8_t*> slot;
      size_t offset = 0;
      for (int32_t p : cat.parts) {
        slot.push_back(fused.data[cat.y] + offset * es);
        offset += cat.g.tensors[p].shape[3];
      }
      EXPECT_EQ(fused.data[cat.a] == slot[0], !twice);
      EXPECT_EQ(fused.data[cat.b], slot[1]);
      EXPECT_EQ(fused.data[cat.c] == slot[2], !quant);
      EXPECT_NE(fused.data[cat.m], slot[3]);
      EXPECT_NE(fused.data[cat.d], slot[4]);
      EXPECT_NE(fused.data[cat.short_sum], slot[5]);
      EXPECT_EQ(fused.data[cat.sum], slot[6]);
      EXPECT_EQ(fused.data[cat.wide_silu], slot[7]);
      if (quant) {
        EXPECT_NE(fused.data[cat.short_requant], slot[8]);
        EXPECT_EQ(fused.data[cat.requant], slot[9]);
      }
      EXPECT_NE(plain.data[cat.b], plain.data[cat.y] + 4 * es);  // unfused: every input copied
      for (size_t i = 0; i < plain.outputs.size(); ++i) {
        EXPECT_FALSE(plain.outputs[i].empty());
        EXPECT_EQ(fused.outputs[i], plain.outputs[i]) << "output " << i;
      }
    }
  }
}

}  // namespace
}  // namespace fd
