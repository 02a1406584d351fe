// Channel-shuffle fusion (runtime/shuffle_fusion.h): CONCATENATION -> RESHAPE -> TRANSPOSE of the
// last two axes runs as one interleave of the concatenation's inputs, with the same bytes as the
// three ops; chains that differ in any part stay apart.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/interpreter.h"

namespace fd {
namespace {

struct Chain {
  Graph g;
  int a = -1, b = -1, cat = -1, shaped = -1, y = -1;
};

int add_tensor(Graph* g, DType t, Shape shape, float scale, int32_t zp, const std::vector<int32_t>* data = nullptr) {
  TensorDesc d;
  d.name = "t" + std::to_string(g->tensors.size());
  d.dtype = t;
  d.shape = std::move(shape);
  if (t != DType::kInt32) {
    d.quant.scale = {scale};
    d.quant.zero_point = {zp};
  }
  if (data) {
    auto buf = std::make_shared<std::vector<uint8_t>>(reinterpret_cast<const uint8_t*>(data->data()),
                                                      reinterpret_cast<const uint8_t*>(data->data() + data->size()));
    g->storage.push_back(buf);
    d.data = buf->data();
    d.data_bytes = buf->size();
  }
  g->tensors.push_back(d);
  return static_cast<int>(g->tensors.size()) - 1;
}

void add_node(Graph* g, OpCode code, std::vector<int32_t> in, std::vector<int32_t> out, OpOptions o = {}) {
  Node n;
  n.code = static_cast<int32_t>(code);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.options = std::move(o);
  g->nodes.push_back(n);
}

// a, b [1, 3, 5, n] -> CONCATENATION (axis `axis`) -> [1, 3, 5, 2n] -> RESHAPE [1, 3, 5, 2, n]
// -> TRANSPOSE `perm` -> y. `b_zp` != 9 gives b another zero point than a and the concatenation.
// With `split`: y -> RESHAPE [1, 3, 5, 2n] -> SPLIT (axis `axis`) into two halves, the graph's
// two outputs.
Chain shuffle_chain(DType t, int32_t n, int32_t axis = -1, std::vector<int32_t> perm = {0, 1, 2, 4, 3},
                    int32_t b_zp = 9, bool split = false) {
  Chain c;
  c.a = add_tensor(&c.g, t, {1, 3, 5, n}, 0.1f, 9);
  c.b = add_tensor(&c.g, t, {1, 3, 5, n}, 0.1f, b_zp);
  c.cat = add_tensor(&c.g, t, {1, 3, 5, 2 * n}, 0.1f, 9);
  c.shaped = add_tensor(&c.g, t, {1, 3, 5, 2, n}, 0.1f, 9);
  Shape ys = {1, 3, 5, 2, n};
  Shape permuted(5);
  for (int d = 0; d < 5; ++d) permuted[d] = ys[perm[d]];
  c.y = add_tensor(&c.g, t, permuted, 0.1f, 9);
  const int p = add_tensor(&c.g, DType::kInt32, {5}, 0, 0, &perm);
  OpOptions co;
  co.axis = axis;
  add_node(&c.g, OpCode::kConcatenation, {c.a, c.b}, {c.cat}, co);
  OpOptions ro;
  ro.new_shape = {1, 3, 5, 2, n};
  add_node(&c.g, OpCode::kReshape, {c.cat}, {c.shaped}, ro);
  add_node(&c.g, OpCode::kTranspose, {c.shaped, p}, {c.y});
  c.g.inputs = {c.a, c.b};
  c.g.outputs = {c.y};
  if (split) {
    const int back = add_tensor(&c.g, t, {1, 3, 5, 2 * n}, 0.1f, 9);
    OpOptions bo;
    bo.new_shape = {1, 3, 5, 2 * n};
    add_node(&c.g, OpCode::kReshape, {c.y}, {back}, bo);
    const std::vector<int32_t> split_axis = {axis};
    const int ax = add_tensor(&c.g, DType::kInt32, {}, 0, 0, &split_axis);
    const int h1 = add_tensor(&c.g, t, {1, 3, 5, n}, 0.1f, 9);
    const int h2 = add_tensor(&c.g, t, {1, 3, 5, n}, 0.1f, 9);
    OpOptions so;
    so.num = 2;
    add_node(&c.g, OpCode::kSplit, {ax, back}, {h1, h2}, so);
    c.g.outputs = {h1, h2};
  }
  return c;
}

struct Outcome {
  std::vector<uint8_t> a, b, out;
  bool fused = false;           // concatenation and reshape fused away
  bool intermediates = true;    // the concatenation's and reshape's outputs have memory
};

Outcome run(const Chain& c, bool fuse) {
  InterpreterOptions o;
  o.fuse = fuse;
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(c.g, &interp, o);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok()) return {};
  std::mt19937 rng(5);
  std::vector<uint8_t> ins[2];
  for (int i = 0; i < 2; ++i) {
    RTensor& in = interp->input(i);
    for (size_t k = 0; k < in.bytes(); ++k) in.data[k] = static_cast<uint8_t>(rng());
    ins[i].assign(in.data, in.data + in.bytes());
  }
  EXPECT_TRUE(interp->invoke().ok());
  std::vector<uint8_t> outs;  // every graph output, in order
  for (int i = 0; i < interp->num_outputs(); ++i) {
    const RTensor& out = interp->output(i);
    outs.insert(outs.end(), out.data, out.data + out.bytes());
  }
  return {ins[0], ins[1], outs, interp->fused_away(0) && interp->fused_away(1),
          interp->tensor(c.cat).data != nullptr || interp->tensor(c.shaped).data != nullptr};
}

TEST(ShuffleFusion, ConcatReshapeTransposeRunsAsOneInterleaveWithTheSameBytes) {
  for (DType t : {DType::kInt8, DType::kUInt8}) {
    for (int32_t n : {1, 7, 29, 58}) {
      for (int32_t axis : {-1, 3}) {
        const Chain c = shuffle_chain(t, n, axis);
        const std::string what = std::string(dtype_name(t)) + " n=" + std::to_string(n) + " axis " + std::to_string(axis);
        const Outcome plain = run(c, false);
        const Outcome fused = run(c, true);
        EXPECT_FALSE(plain.fused) << what;
        EXPECT_TRUE(fused.fused) << what;
        EXPECT_FALSE(fused.intermediates) << what;
        EXPECT_EQ(fused.out, plain.out) << what;
        // y[p, j, k] = (k ? b : a)[p, j] over the 15 positions p.
        ASSERT_EQ(fused.out.size(), static_cast<size_t>(30 * n));
        for (size_t q = 0; q < 15; ++q) {
          for (size_t j = 0; j < static_cast<size_t>(n); ++j) {
            ASSERT_EQ(fused.out[(q * n + j) * 2], fused.a[q * n + j]) << what;
            ASSERT_EQ(fused.out[(q * n + j) * 2 + 1], fused.b[q * n + j]) << what;
          }
        }
      }
    }
  }
}

// With the next unit's channel split: the interleave writes the split's halves (even n), or the
// split runs on its own (odd n, a pair of the interleave straddles the halves).
TEST(ShuffleFusion, SplitAfterTheShuffleTakesTheInterleavedHalves) {
  for (DType t : {DType::kInt8, DType::kUInt8}) {
    for (int32_t n : {2, 7, 58, 116}) {
      for (int32_t axis : {-1, 3}) {
        const Chain c = shuffle_chain(t, n, axis, {0, 1, 2, 4, 3}, 9, true);
        const std::string what = std::string(dtype_name(t)) + " n=" + std::to_string(n) + " axis " + std::to_string(axis);
        InterpreterOptions o;
        std::unique_ptr<Interpreter> interp;
        ASSERT_TRUE(Interpreter::create(c.g, &interp, o).ok()) << what;
        const bool split_fused = interp->fused_away(3) && interp->fused_away(4);
        EXPECT_EQ(split_fused, n % 2 == 0) << what;
        EXPECT_EQ(interp->tensor(c.y).data != nullptr, n % 2 != 0) << what;
        const Outcome plain = run(c, false);
        const Outcome fused = run(c, true);
        EXPECT_TRUE(fused.fused) << what;
        ASSERT_EQ(fused.out, plain.out) << what;
        // Half 1 position q: pairs j < n/2 of a and b; half 2: pairs n/2 + j.
        const size_t h = static_cast<size_t>(n) / 2, nn = static_cast<size_t>(n);
        if (n % 2 == 0) {
          for (size_t q = 0; q < 15; ++q) {
            for (size_t j = 0; j < h; ++j) {
              ASSERT_EQ(fused.out[q * nn + 2 * j], fused.a[q * nn + j]) << what;
              ASSERT_EQ(fused.out[q * nn + 2 * j + 1], fused.b[q * nn + j]) << what;
              ASSERT_EQ(fused.out[15 * nn + q * nn + 2 * j], fused.a[q * nn + h + j]) << what;
              ASSERT_EQ(fused.out[15 * nn + q * nn + 2 * j + 1], fused.b[q * nn + h + j]) << what;
            }
          }
        }
      }
    }
  }
}

TEST(ShuffleFusion, ChainsThatMustStayApart) {
  const struct {
    const char* what;
    Chain c;
  } cases[] = {
      {"b requantized by the concatenation", shuffle_chain(DType::kInt8, 7, -1, {0, 1, 2, 4, 3}, 3)},
      {"another permutation", shuffle_chain(DType::kInt8, 7, -1, {0, 2, 1, 3, 4})},
  };
  for (const auto& k : cases) {
    const Outcome fused = run(k.c, true);
    EXPECT_FALSE(fused.fused) << k.what;
    EXPECT_EQ(fused.out, run(k.c, false).out) << k.what;
  }
  {  // the concatenation's output has a second reader
    Chain c = shuffle_chain(DType::kInt8, 7);
    c.g.outputs.push_back(c.cat);
    EXPECT_FALSE(run(c, true).fused);
  }
}

}  // namespace
}  // namespace fd
