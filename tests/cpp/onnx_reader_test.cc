// ONNX reading and import: protobuf wire parsing, hand-built tiny models run through the
// interpreter against naive expectations, malformed and unsupported inputs, the upstream files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "model/graph_transforms.h"
#include "model/onnx_fold.h"
#include "model/onnx_reader.h"
#include "model/protobuf_wire.h"
#include "onnx_test_models.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

// Conv 3x3 (2 -> 2 channels, pads 1, stride 1) + Relu on a [1, 2, 4, 5] input.
const std::vector<float> kWeights = [] {
  std::vector<float> w(2 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i) * 0.7f);
  return w;
}();
const std::vector<float> kBias = {0.25f, -0.5f};

Bytes conv_relu_model(const std::string& act = "Relu") {
  Bytes g;
  put_bytes(&g, 1, node("Conv", {"x", "w", "b"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1}), ints_attr("kernel_shape", {3, 3})}));
  put_bytes(&g, 1, node(act, {"c"}, {"y"}));
  put_str(&g, 2, "tiny");
  put_bytes(&g, 5, float_tensor("w", {2, 2, 3, 3}, kWeights));
  put_bytes(&g, 5, float_tensor("b", {2}, kBias));
  put_bytes(&g, 11, value_info("x", {1, 2, 4, 5}));
  put_bytes(&g, 12, value_info("y", {1, 2, 4, 5}));
  return model(g);
}

// Naive NCHW conv + relu reference at (o, y, x).
float conv_ref(const std::vector<float>& in, int o, int y, int x) {
  float acc = kBias[o];
  for (int i = 0; i < 2; ++i)
    for (int ky = 0; ky < 3; ++ky)
      for (int kx = 0; kx < 3; ++kx) {
        const int iy = y + ky - 1, ix = x + kx - 1;
        if (iy < 0 || iy >= 4 || ix < 0 || ix >= 5) continue;
        acc += in[(i * 4 + iy) * 5 + ix] * kWeights[((o * 2 + i) * 3 + ky) * 3 + kx];
      }
  return std::max(acc, 0.0f);
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

std::string upstream(const std::string& name) { return std::string(FD_SHARED_DIR) + "/models/upstream/" + name; }

TEST(ProtobufWire, ReadsVarintsFixedAndLengths) {
  const Bytes b = {0x96, 0x01, 0x0d, 0x00, 0x00, 0x80, 0x3f, 0x12, 0x02, 'h', 'i'};
  pb::WireReader r(b.data(), b.size());
  uint64_t v = 0;
  ASSERT_TRUE(r.read_varint(&v).ok());
  EXPECT_EQ(v, 150u);
  uint32_t field = 0;
  pb::WireType wt;
  ASSERT_TRUE(r.next_field(&field, &wt).ok());
  EXPECT_EQ(field, 1u);
  EXPECT_EQ(wt, pb::WireType::kFixed32);
  std::vector<float> f;
  ASSERT_TRUE(pb::read_floats(r, wt, &f).ok());
  EXPECT_EQ(f, std::vector<float>{1.0f});
  ASSERT_TRUE(r.next_field(&field, &wt).ok());
  EXPECT_EQ(field, 2u);
  std::string s;
  ASSERT_TRUE(r.read_string(&s).ok());
  EXPECT_EQ(s, "hi");
  EXPECT_TRUE(r.done());
}

TEST(ProtobufWire, RejectsBadVarintsAndLengths) {
  const Bytes overlong(11, 0xff);
  pb::WireReader r(overlong.data(), overlong.size());
  uint64_t v = 0;
  Status s = r.read_varint(&v);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("varint"), std::string::npos) << s.message();
  const Bytes past = {0x0a, 0x05, 'a', 'b'};  // field 1, length 5, only 2 bytes
  pb::WireReader r2(past.data(), past.size());
  uint32_t field;
  pb::WireType wt;
  ASSERT_TRUE(r2.next_field(&field, &wt).ok());
  s = r2.skip(wt);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("runs past the end"), std::string::npos) << s.message();
  const Bytes group = {0x0b};  // wire type 3 (start group)
  pb::WireReader r3(group.data(), group.size());
  EXPECT_FALSE(r3.next_field(&field, &wt).ok());
}

TEST(OnnxReader, ParsesHandBuiltModel) {
  const Bytes m = conv_relu_model();
  OnnxModel om;
  Status s = parse_onnx(m.data(), m.size(), &om);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(om.ir_version, 7);
  EXPECT_EQ(om.opset, 13);
  EXPECT_EQ(om.graph.name, "tiny");
  ASSERT_EQ(om.graph.nodes.size(), 2u);
  EXPECT_EQ(om.graph.nodes[0].op_type, "Conv");
  EXPECT_EQ(om.graph.nodes[0].attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  ASSERT_EQ(om.graph.initializers.size(), 2u);
  EXPECT_EQ(om.graph.initializers[0]->dims, (std::vector<int64_t>{2, 2, 3, 3}));
  EXPECT_EQ(om.graph.initializers[0]->f, kWeights);
  ASSERT_EQ(om.graph.inputs.size(), 1u);
  EXPECT_EQ(om.graph.inputs[0].dims, (std::vector<int64_t>{1, 2, 4, 5}));
}

TEST(OnnxImport, ConvReluMatchesNaiveReference) {
  const Bytes m = conv_relu_model();
  Graph g;
  Status s = import_onnx(m.data(), m.size(), OnnxImportOptions(), &g);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.tensors[g.inputs[0]].shape, (Shape{1, 4, 5, 2}));
  std::unique_ptr<Interpreter> interp;
  s = Interpreter::create(std::move(g), &interp);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<float> nchw(2 * 4 * 5);
  for (size_t i = 0; i < nchw.size(); ++i) nchw[i] = std::cos(static_cast<float>(i)) * 2.0f;
  float* in = interp->input(0).as<float>();
  for (int c = 0; c < 2; ++c)
    for (int p = 0; p < 20; ++p) in[p * 2 + c] = nchw[c * 20 + p];
  ASSERT_TRUE(interp->invoke().ok());
  EXPECT_EQ(interp->output_name(0), "y");
  EXPECT_EQ(interp->output(0).shape, (Shape{1, 4, 5, 2}));
  const float* out = interp->output(0).as<float>();
  int positive = 0;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x)
      for (int o = 0; o < 2; ++o) {
        const float want = conv_ref(nchw, o, y, x);
        positive += want > 0;
        EXPECT_NEAR(out[(y * 5 + x) * 2 + o], want, 1e-5f) << y << "," << x << "," << o;
      }
  EXPECT_GT(positive, 5);
}

TEST(OnnxImport, UnsupportedOpIsNamed) {
  const Bytes m = conv_relu_model("Frobnicate");
  Graph g;
  Status s = import_onnx(m.data(), m.size(), OnnxImportOptions(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ONNX node 'Frobnicate_0' (op Frobnicate, node #1) is not supported by featherdet"), std::string::npos)
      << s.message();
}

// The import error of a graph of `node` with `inits` on an x [1, 2, 4, 5] input ("" on success).
std::string one_node_import_error(const Bytes& node, const std::vector<Bytes>& inits) {
  Bytes g;
  put_bytes(&g, 1, node);
  put_str(&g, 2, "one-node");
  for (const Bytes& t : inits) put_bytes(&g, 5, t);
  put_bytes(&g, 11, value_info("x", {1, 2, 4, 5}));
  put_bytes(&g, 12, value_info("y", {1, 2, 4, 5}));
  const Bytes m = model(g);
  Graph out;
  const Status s = import_onnx(m.data(), m.size(), OnnxImportOptions(), &out);
  return s.ok() ? std::string() : s.message();
}

// Fuzzing found nodes with no inputs read as if they had one: every op's arity is checked first.
TEST(OnnxImport, NodesWithTooFewInputsOrOutputsAreRejected) {
  struct Case {
    Bytes node;
    const char* error;
  };
  const Case cases[] = {
      {node("Relu", {}, {"y"}), "(op Relu, node #0) is not supported by featherdet: has 0 inputs, needs 1"},
      {node("Shape", {}, {"y"}), "(op Shape, node #0) is not supported by featherdet: has 0 inputs, needs 1"},
      {node("Conv", {"x"}, {"y"}), "has 1 inputs, needs 2 to 3"},
      {node("Conv", {"x", ""}, {"y"}), "required input 1 is omitted"},
      {node("Relu", {"x"}, {}), "has 0 outputs, needs 1"},
      {node("Split", {"x"}, {""}), "output 0 is unnamed"},
  };
  for (const Case& c : cases) {
    const std::string error = one_node_import_error(c.node, {});
    EXPECT_NE(error.find(c.error), std::string::npos) << c.error << " / " << error;
  }
}

// Fuzzing found a Clip whose data input is an initializer read as a computed tensor (index -1),
// and a Resize scale of 1e32 converted to int64.
TEST(OnnxImport, ConstantDataInputsAndHugeResizeScalesAreRejected) {
  struct Case {
    Bytes node;
    Bytes init;
    const char* error;
  };
  const Case cases[] = {
      {node("Clip", {"c"}, {"y"}), float_tensor("c", {1, 2, 4, 5}, std::vector<float>(40, 1.0f)),
       "input 0 ('c') is a constant; this op is imported on computed tensors only"},
      {node("Resize", {"x", "", "c"}, {"y"}), float_tensor("c", {4}, {1.0f, 1.0f, 1e32f, 1.0f}), "scale out of range"},
      {node("Resize", {"x", "", "c"}, {"y"}), float_tensor("c", {4}, {1.0f, 1.0f, 4096.0f, 4096.0f}),
       "output size 16384x20480 is too large"},
  };
  for (const Case& c : cases) {
    const std::string error = one_node_import_error(c.node, {c.init});
    EXPECT_NE(error.find(c.error), std::string::npos) << c.error << " / " << error;
  }
}

// Fuzzing found Reshape targets multiplied without range checks (signed overflow).
TEST(OnnxImport, ReshapeTargetsAreResolvedWithoutOverflow) {
  std::vector<int64_t> out;
  ASSERT_TRUE(resolve_reshape({1, 2, 4, 5}, {0, -1, 5}, &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 8, 5}));
  EXPECT_EQ(resolve_reshape({1, 2, 4, 5}, {int64_t{1} << 62, 4}, &out).message(), "shape entry 4611686018427387904 out of range");
  EXPECT_EQ(resolve_reshape({1, 2, 4, 5}, {-1, -1}, &out).message(), "shape has more than one -1");
  EXPECT_EQ(resolve_reshape({1, 2, 4, 5}, {-5, 8}, &out).message(), "shape entry -5 out of range");
  EXPECT_EQ(resolve_reshape({4}, {0, 0}, &out).message(), "shape entry 1 copies a dimension the input lacks");
  EXPECT_EQ(resolve_reshape({1, 2, 4, 5}, {3, -1}, &out).message(), "cannot reshape");

  // The same through the importer, with a constant target of 2^62 x 4 (product wraps to 0).
  Bytes g;
  put_bytes(&g, 1, node("Reshape", {"x", "s"}, {"y"}));
  put_str(&g, 2, "reshape");
  Bytes shape;
  put_int(&shape, 1, 2);
  put_int(&shape, 2, 7);
  put_str(&shape, 8, "s");
  put_int(&shape, 7, int64_t{1} << 62);
  put_int(&shape, 7, 4);
  put_bytes(&g, 5, shape);
  put_bytes(&g, 11, value_info("x", {1, 2, 4, 5}));
  put_bytes(&g, 12, value_info("y", {40}));
  const Bytes m = model(g);
  Graph imported;
  Status s = import_onnx(m.data(), m.size(), OnnxImportOptions(), &imported);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("shape entry 4611686018427387904 out of range"), std::string::npos) << s.message();
}

TEST(OnnxReader, RejectsEmptyJunkAndMissingGraph) {
  Graph g;
  Status s = import_onnx(nullptr, 0, OnnxImportOptions(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
  Bytes no_graph;
  put_int(&no_graph, 1, 7);
  s = import_onnx(no_graph.data(), no_graph.size(), OnnxImportOptions(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no graph"), std::string::npos) << s.message();
  const Bytes junk(64, 0xff);
  s = import_onnx(junk.data(), junk.size(), OnnxImportOptions(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("malformed protobuf"), std::string::npos) << s.message();
}

TEST(OnnxReader, RejectsRawDataOfTheWrongSize) {
  Bytes t;
  put_int(&t, 1, 4);
  put_int(&t, 2, 1);
  put_str(&t, 8, "w");
  put_bytes(&t, 9, Bytes(12, 0));
  Bytes gr;
  put_bytes(&gr, 5, t);
  const Bytes m = model(gr);
  OnnxModel om;
  Status s = parse_onnx(m.data(), m.size(), &om);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ONNX tensor 'w' has 12 bytes of raw data for 4 elements"), std::string::npos) << s.message();
}

TEST(OnnxReader, TruncationsAndCorruptionsOfARealFileFailCleanly) {
  const Bytes bytes = read_file(upstream("yunet_n_320_320.onnx"));
  ASSERT_GT(bytes.size(), 100000u);
  int failures = 0, cases = 0;
  for (size_t cut = 0; cut < bytes.size(); cut += 1009) {
    Graph g;
    Status s = import_onnx(bytes.data(), cut, OnnxImportOptions(), &g);
    ++cases;
    if (!s.ok()) {
      ++failures;
      EXPECT_FALSE(s.message().empty());
    }
  }
  EXPECT_EQ(failures, cases);  // the graph is the last big field: every cut breaks it
  for (size_t pos = 0; pos < bytes.size(); pos += 1013) {
    Bytes bad = bytes;
    bad[pos] ^= 0xa5;
    if (pos + 1 < bad.size()) bad[pos + 1] = 0xff;
    Graph g;
    Status s = import_onnx(bad.data(), bad.size(), OnnxImportOptions(), &g);
    if (!s.ok()) EXPECT_FALSE(s.message().empty());
  }
}

struct UpstreamCase {
  const char* file;
  int width, height;
  size_t outputs;
  Shape first_output;
};

TEST(OnnxImport, UpstreamModelsImportAndRun) {
  const UpstreamCase cases[] = {
      {"yunet_n_320_320.onnx", 0, 0, 12, {1, 1600, 1}},
      {"yunet_n_dynamic.onnx", 320, 320, 12, {1, 1600, 1}},
      {"nanodet_m_416.onnx", 0, 0, 6, {1, 2704, 80}},
      {"fastestdet_352.onnx", 0, 0, 1, {1, 22, 22, 85}},
  };
  for (const UpstreamCase& c : cases) {
    SCOPED_TRACE(c.file);
    const Bytes bytes = read_file(upstream(c.file));
    ASSERT_FALSE(bytes.empty());
    OnnxImportOptions opts;
    opts.input_width = c.width;
    opts.input_height = c.height;
    Graph g;
    Status s = import_onnx(bytes.data(), bytes.size(), opts, &g);
    ASSERT_TRUE(s.ok()) << s.message();
    std::unique_ptr<Interpreter> interp;
    s = Interpreter::create(std::move(g), &interp);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(interp->num_outputs(), static_cast<int>(c.outputs));
    EXPECT_EQ(interp->output(0).shape, c.first_output);
    RTensor& in = interp->input(0);
    for (int64_t k = 0; k < num_elements(in.shape); ++k) in.as<float>()[k] = static_cast<float>((k * 37) % 255) / 64.0f - 1.0f;
    ASSERT_TRUE(interp->invoke().ok());
    for (int o = 0; o < interp->num_outputs(); ++o) {
      const RTensor& t = interp->output(o);
      for (int64_t k = 0; k < num_elements(t.shape); ++k) ASSERT_TRUE(std::isfinite(t.as<float>()[k])) << interp->output_name(o);
    }
  }
}

TEST(OnnxImport, DynamicModelNeedsAnInputSize) {
  const Bytes bytes = read_file(upstream("yunet_n_dynamic.onnx"));
  Graph g;
  Status s = import_onnx(bytes.data(), bytes.size(), OnnxImportOptions(), &g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--input-size"), std::string::npos) << s.message();
}

TEST(GraphTransforms, FoldInputNormalizationMatchesHostNormalization) {
  // A 3-channel VALID conv: folding (x - mean) / std and BGR order must match exactly inside.
  Bytes g;
  std::vector<float> w(4 * 3 * 2 * 2);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i) * 1.3f);
  put_bytes(&g, 1, node("Conv", {"x", "w", "b"}, {"y"}, {ints_attr("kernel_shape", {2, 2})}));
  put_bytes(&g, 5, float_tensor("w", {4, 3, 2, 2}, w));
  put_bytes(&g, 5, float_tensor("b", {4}, {0.1f, 0.2f, -0.3f, 0.0f}));
  put_bytes(&g, 11, value_info("x", {1, 3, 3, 3}));
  put_bytes(&g, 12, value_info("y", {1, 4, 2, 2}));
  const Bytes m = model(g);
  const float mean[3] = {103.5f, 116.3f, 123.7f}, stdv[3] = {57.4f, 57.1f, 58.4f};
  std::vector<uint8_t> rgb(27);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>((i * 53) % 256);
  std::vector<float> outs[2];
  for (int folded = 0; folded < 2; ++folded) {
    Graph graph;
    ASSERT_TRUE(import_onnx(m.data(), m.size(), OnnxImportOptions(), &graph).ok());
    if (folded) ASSERT_TRUE(fold_input_normalization(&graph, mean, stdv, true).ok());
    std::unique_ptr<Interpreter> interp;
    ASSERT_TRUE(Interpreter::create(std::move(graph), &interp).ok());
    float* in = interp->input(0).as<float>();
    for (int p = 0; p < 9; ++p)
      for (int c = 0; c < 3; ++c) {
        in[p * 3 + c] = folded ? rgb[p * 3 + c] : (rgb[p * 3 + (2 - c)] - mean[c]) / stdv[c];
      }
    ASSERT_TRUE(interp->invoke().ok());
    const RTensor& o = interp->output(0);
    outs[folded].assign(o.as<float>(), o.as<float>() + num_elements(o.shape));
  }
  ASSERT_EQ(outs[0].size(), 16u);
  for (size_t k = 0; k < 16; ++k) EXPECT_NEAR(outs[1][k], outs[0][k], 1e-4f * (1 + std::fabs(outs[0][k])));
}

}  // namespace
}  // namespace fd
