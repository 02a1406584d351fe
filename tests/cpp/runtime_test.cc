// Loads the real TFLite files from ../shared and checks the reader, registry and planner.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "float_graph_builder.h"
#include "model/tflite_reader.h"
#include "runtime/interpreter.h"
#include "runtime/memory_planner.h"

namespace fd {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

TEST(TfliteReader, ReadsMobilenetV1Quant) {
  auto bytes = read_file(std::string(FD_SHARED_DIR) + "/conformance/tflite/mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_FALSE(bytes.empty());
  Graph g;
  Status s = read_tflite(bytes.data(), bytes.size(), &g);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(g.nodes.size(), 31u);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.tensors[g.inputs[0]].shape, (Shape{1, 128, 128, 3}));
  EXPECT_EQ(g.tensors[g.inputs[0]].dtype, DType::kUInt8);
  EXPECT_EQ(g.nodes[0].code, static_cast<int32_t>(OpCode::kConv2D));
  EXPECT_EQ(g.nodes[0].options.stride_w, 2);
}

TEST(TfliteReader, RejectsNonTflite) {
  std::vector<uint8_t> junk(100, 0x41);
  Graph g;
  Status s = read_tflite(junk.data(), junk.size(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a TFLite model"), std::string::npos) << s.message();
}

TEST(TfliteReader, RejectsTruncated) {
  auto bytes = read_file(std::string(FD_SHARED_DIR) + "/conformance/tflite/mobilenet_v1_0.25_128_quant.tflite");
  bytes.resize(bytes.size() / 3);
  Graph g;
  Status s = read_tflite(bytes.data(), bytes.size(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("corrupt or truncated"), std::string::npos) << s.message();
}

TEST(MemoryPlanner, ReusesMemoryOfDeadBuffers) {
  std::vector<BufferRequest> req = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
  std::vector<size_t> off;
  size_t total = plan_memory(req, &off);
  EXPECT_EQ(off[0] == off[1], false);
  EXPECT_EQ(off[1] == off[2], false);
  EXPECT_EQ(off[0], off[2]);
  EXPECT_EQ(total, 2 * 1024u);
}

TEST(Interpreter, NodesWithOnlyEmptyOutputsAreNotRun) {
  // A 3x3 CONV_2D with zero output channels over a [1, 64, 64, 8] input (fuzz_tflite: a file of
  // 800 bytes kept one core busy for 15 s building im2col rows for an output of zero elements).
  // Run, it would request im2col scratch; skipped, the arena holds the input and nothing else.
  FloatGraphBuilder b;
  static const uint8_t kNoBytes = 0;
  const int x = b.tensor("x", {1, 64, 64, 8});
  const int w = b.tensor("w", {0, 3, 3, 8});
  b.g.tensors[w].data = &kNoBytes;  // a constant of zero elements
  const int bias = b.tensor("b", {0});
  b.g.tensors[bias].data = &kNoBytes;
  const int y = b.tensor("y", {1, 64, 64, 0});
  b.node(OpCode::kConv2D, {x, w, bias}, {y});
  b.g.inputs = {x};
  b.g.outputs = {y};
  std::unique_ptr<Interpreter> interp;
  Status s = Interpreter::create(std::move(b.g), &interp);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(interp->output(0).shape, (Shape{1, 64, 64, 0}));
  const size_t input_bytes = 64 * 64 * 8 * sizeof(float);
  EXPECT_GE(interp->arena_bytes(), input_bytes);
  EXPECT_LT(interp->arena_bytes(), input_bytes + 256);
  EXPECT_TRUE(interp->invoke().ok());
}

}  // namespace
}  // namespace fd
