// Each model-family decoder against hand-computed boxes, scores and keypoints on small fake
// output tensors (FLOAT32 and quantized), plus their shape checks.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "vision/json.h"
#include "vision/decoders/decoder.h"

namespace fd {
namespace {

TensorView view(const std::string& name, const std::vector<float>& data, Shape shape) {
  TensorView v;
  v.name = name;
  v.dtype = DType::kFloat32;
  v.shape = std::move(shape);
  v.data = reinterpret_cast<const uint8_t*>(data.data());
  return v;
}

DecoderConfig config(const std::string& json) {
  JsonValue meta;
  Status s = parse_json(json, &meta);
  EXPECT_TRUE(s.ok()) << s.message();
  DecoderConfig cfg;
  s = parse_decoder_config(meta, 0, 0, &cfg);
  EXPECT_TRUE(s.ok()) << s.message();
  return cfg;
}

std::vector<Candidate> run(const std::string& family, const DecoderConfig& cfg, const RoleTensors& roles, float threshold) {
  std::unique_ptr<Decoder> d;
  EXPECT_TRUE(make_decoder(family, &d).ok());
  Status s = d->prepare(cfg, roles);
  EXPECT_TRUE(s.ok()) << s.message();
  std::vector<Candidate> out;
  if (s.ok()) d->decode(threshold, &out);
  return out;
}

// YuNet at 32x32: strides 8, 16, 32 -> grids 4x4, 2x2, 1x1.
struct YunetOutputs {
  std::vector<float> cls[3], obj[3], bbox[3], kps[3];
  YunetOutputs() {
    const int n[3] = {16, 4, 1};
    for (int i = 0; i < 3; ++i) {
      cls[i].assign(n[i], 0.0f);
      obj[i].assign(n[i], 0.0f);
      bbox[i].assign(n[i] * 4, 0.0f);
      kps[i].assign(n[i] * 10, 0.0f);
    }
  }
  RoleTensors roles() const {
    RoleTensors r;
    const int n[3] = {16, 4, 1};
    const char* s[3] = {"8", "16", "32"};
    for (int i = 0; i < 3; ++i) {
      r["cls"].push_back(view(std::string("cls_") + s[i], cls[i], {1, n[i], 1}));
      r["obj"].push_back(view(std::string("obj_") + s[i], obj[i], {1, n[i], 1}));
      r["bbox"].push_back(view(std::string("bbox_") + s[i], bbox[i], {1, n[i], 4}));
      r["kps"].push_back(view(std::string("kps_") + s[i], kps[i], {1, n[i], 10}));
    }
    return r;
  }
};

TEST(YunetDecoder, OneCellHandComputed) {
  DecoderConfig cfg = config(R"({"family": "yunet", "input": {"width": 32, "height": 32}})");
  YunetOutputs o;
  // Stride 16, cell index 3 = (col 1, row 1); score sqrt(0.81 * 1.0) = 0.9.
  o.cls[1][3] = 0.81f;
  o.obj[1][3] = 1.2f;  // clamped to 1
  o.bbox[1][12] = 0.5f;
  o.bbox[1][13] = 0.25f;
  o.bbox[1][14] = std::log(2.0f);
  o.bbox[1][15] = 0.0f;
  o.kps[1][30] = 0.1f;
  o.kps[1][31] = 0.2f;
  o.kps[1][38] = -0.5f;
  o.kps[1][39] = 1.0f;
  // Stride 8, cell 5: score sqrt(0.25 * 1) = 0.5, below the 0.6 threshold.
  o.cls[0][5] = 0.25f;
  o.obj[0][5] = 1.0f;
  std::vector<Candidate> c = run("yunet", cfg, o.roles(), 0.6f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].score, 0.9f, 1e-6);
  // center ((1 + 0.5) * 16, (1 + 0.25) * 16) = (24, 20); size (2 * 16, 1 * 16).
  EXPECT_NEAR(c[0].x0, 8.0f, 1e-4);
  EXPECT_NEAR(c[0].y0, 12.0f, 1e-4);
  EXPECT_NEAR(c[0].x1, 40.0f, 1e-4);
  EXPECT_NEAR(c[0].y1, 28.0f, 1e-4);
  ASSERT_EQ(c[0].num_keypoints, 5);
  EXPECT_NEAR(c[0].kp[0], 1.1f * 16, 1e-4);
  EXPECT_NEAR(c[0].kp[1], 1.2f * 16, 1e-4);
  EXPECT_NEAR(c[0].kp[8], 0.5f * 16, 1e-4);
  EXPECT_NEAR(c[0].kp[9], 2.0f * 16, 1e-4);
  EXPECT_EQ(run("yunet", cfg, o.roles(), 0.4f).size(), 2u);
}

TEST(YunetDecoder, DequantizesInt8Outputs) {
  DecoderConfig cfg = config(R"({"family": "yunet", "input": {"width": 32, "height": 32}})");
  YunetOutputs o;
  RoleTensors r = o.roles();
  // cls at stride 32 as INT8 with scale 0.01, zero point -100: q = -19 -> 0.81.
  std::vector<int8_t> q = {-19};
  TensorView& cls = r["cls"][2];
  cls.dtype = DType::kInt8;
  cls.data = reinterpret_cast<const uint8_t*>(q.data());
  cls.scale = 0.01f;
  cls.zero_point = -100;
  o.obj[2][0] = 1.0f;
  std::vector<Candidate> c = run("yunet", cfg, r, 0.6f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].score, 0.9f, 1e-5);
  // bbox zeros at stride 32, cell (0, 0): center (0, 0), size 32 -> [-16, -16, 16, 16].
  EXPECT_NEAR(c[0].x0, -16.0f, 1e-4);
  EXPECT_NEAR(c[0].x1, 16.0f, 1e-4);
}

TEST(YunetDecoder, ShapeErrorsNameTheTensor) {
  DecoderConfig cfg = config(R"({"family": "yunet", "input": {"width": 32, "height": 32}})");
  YunetOutputs o;
  RoleTensors r = o.roles();
  r["bbox"][0].shape = {1, 16, 2};
  std::unique_ptr<Decoder> d;
  ASSERT_TRUE(make_decoder("yunet", &d).ok());
  Status s = d->prepare(cfg, r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("model output 'bbox_8' (role bbox) has shape [1, 16, 2], expected [1, 16, 4]"),
            std::string::npos)
      << s.message();
  r = o.roles();
  r.erase("kps");
  s = d->prepare(cfg, r);
  EXPECT_NE(s.message().find("role 'kps' is missing"), std::string::npos) << s.message();
}

TEST(NanodetDecoder, DistributionRegressionFromCellCenter) {
  // 16x16 input, strides 8 and 16 -> grids 2x2 and 1x1; 2 classes; reg_max 3 (4 bins per side).
  DecoderConfig cfg = config(R"({"family": "nanodet", "input": {"width": 16, "height": 16},
                                 "strides": [8, 16], "reg_max": 3})");
  std::vector<float> cls8(4 * 2, 0.0f), cls16(2, 0.0f), reg8(4 * 16, 0.0f), reg16(16, 0.0f);
  cls8[1 * 2 + 1] = 0.7f;  // cell 1 = (col 1, row 0), class 1
  cls8[1 * 2 + 0] = 0.5f;  // class 0 passes too: same box, second candidate
  float* r = &reg8[1 * 16];
  // left: equal logits -> E = 1.5 bins; top: probs [1,3,1,1]/6 -> E = 8/6; right: all mass on bin 3;
  // bottom: all mass on bin 0.
  r[5] = std::log(3.0f);
  r[8] = r[9] = r[10] = -100.0f;
  r[13] = r[14] = r[15] = -100.0f;
  RoleTensors roles;
  roles["cls"] = {view("792", cls8, {1, 4, 2}), view("814", cls16, {1, 1, 2})};
  roles["reg"] = {view("795", reg8, {1, 4, 16}), view("817", reg16, {1, 1, 16})};
  std::vector<Candidate> c = run("nanodet", cfg, roles, 0.35f);
  ASSERT_EQ(c.size(), 2u);
  // center ((1 + 0.5) * 8, (0 + 0.5) * 8) = (12, 4).
  const float left = 1.5f * 8, top = 8.0f / 6.0f * 8, right = 3.0f * 8, bottom = 0.0f;
  for (const Candidate& d : c) {
    EXPECT_NEAR(d.x0, 12 - left, 1e-3);
    EXPECT_NEAR(d.y0, 4 - top, 1e-3);
    EXPECT_NEAR(d.x1, 12 + right, 1e-3);
    EXPECT_NEAR(d.y1, 4 + bottom, 1e-3);
  }
  EXPECT_EQ(c[0].label, 0);
  EXPECT_FLOAT_EQ(c[0].score, 0.5f);
  EXPECT_EQ(c[1].label, 1);
  EXPECT_FLOAT_EQ(c[1].score, 0.7f);
  EXPECT_EQ(run("nanodet", cfg, roles, 0.6f).size(), 1u);
}

TEST(FastestdetDecoder, PublishedDecodingInBothLayouts) {
  // 2x2 grid, 2 classes, 32x32 input. Cell (col 1, row 0).
  DecoderConfig cfg = config(R"({"family": "fastestdet", "input": {"width": 32, "height": 32}})");
  const float cell[7] = {0.64f, 0.0f, std::atanh(0.5f), 0.0f, std::log(3.0f), 0.2f, 0.9f};
  std::vector<float> nhwc(2 * 2 * 7, 0.0f), nchw(7 * 2 * 2, 0.0f);
  for (int ch = 0; ch < 7; ++ch) {
    nhwc[1 * 7 + ch] = cell[ch];
    nchw[ch * 4 + 1] = cell[ch];
  }
  RoleTensors roles;
  roles["pred"] = {view("758", nhwc, {1, 2, 2, 7})};
  std::vector<Candidate> c = run("fastestdet", cfg, roles, 0.5f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].score, std::pow(0.64f, 0.6f) * std::pow(0.9f, 0.4f), 1e-6);
  EXPECT_EQ(c[0].label, 1);
  // center ((0 + 1) / 2 * 32, (0.5 + 0) / 2 * 32) = (16, 8); size (0.5 * 32, 0.75 * 32).
  EXPECT_NEAR(c[0].x0, 8.0f, 1e-4);
  EXPECT_NEAR(c[0].y0, -4.0f, 1e-4);
  EXPECT_NEAR(c[0].x1, 24.0f, 1e-4);
  EXPECT_NEAR(c[0].y1, 20.0f, 1e-4);
  DecoderConfig cfg_nchw = config(R"({"family": "fastestdet", "layout": "nchw", "input": {"width": 32, "height": 32}})");
  roles["pred"] = {view("758", nchw, {1, 7, 2, 2})};
  std::vector<Candidate> c2 = run("fastestdet", cfg_nchw, roles, 0.5f);
  ASSERT_EQ(c2.size(), 1u);
  EXPECT_NEAR(c2[0].x0, 8.0f, 1e-4);
  EXPECT_NEAR(c2[0].y1, 20.0f, 1e-4);
}

TEST(BlazefaceDecoder, AnchorRelativeBoxesAndKeypoints) {
  DecoderConfig cfg = config(R"({"family": "blazeface"})");
  cfg.input_width = cfg.input_height = 128;
  std::vector<float> reg(896 * 16, 0.0f), cls(896, -200.0f);
  // Anchor 513: first cell of the stride-16 grid, center (0.5 / 8, 0.5 / 8) = 8 px.
  cls[513] = std::log(0.8f / 0.2f);
  float* r = &reg[513 * 16];
  r[0] = 4, r[1] = -2, r[2] = 32, r[3] = 16;
  r[4] = 10, r[5] = 20;  // keypoint 0
  r[14] = -8, r[15] = 0;  // keypoint 5
  cls[0] = 1000.0f;  // clipped to 100 -> score sigmoid(100) = 1; box at anchor 0 (4 px)
  RoleTensors roles;
  roles["regressors"] = {view("regressors", reg, {1, 896, 16})};
  roles["classificators"] = {view("classificators", cls, {1, 896, 1})};
  std::unique_ptr<Decoder> d;
  ASSERT_TRUE(make_decoder("blazeface", &d).ok());
  ASSERT_TRUE(d->prepare(cfg, roles).ok());
  EXPECT_TRUE(d->weighted_nms());
  EXPECT_EQ(d->num_keypoints(), 6);
  std::vector<Candidate> c;
  d->decode(0.5f, &c);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_FLOAT_EQ(c[0].score, 1.0f);
  EXPECT_NEAR(c[0].x0, 4.0f, 1e-4);
  EXPECT_NEAR(c[1].score, 0.8f, 1e-6);
  // center (8 + 4, 8 - 2) = (12, 6); size 32 x 16.
  EXPECT_NEAR(c[1].x0, -4.0f, 1e-4);
  EXPECT_NEAR(c[1].y0, -2.0f, 1e-4);
  EXPECT_NEAR(c[1].x1, 28.0f, 1e-4);
  EXPECT_NEAR(c[1].y1, 14.0f, 1e-4);
  EXPECT_NEAR(c[1].kp[0], 18.0f, 1e-4);
  EXPECT_NEAR(c[1].kp[1], 28.0f, 1e-4);
  EXPECT_NEAR(c[1].kp[10], 0.0f, 1e-4);
  EXPECT_NEAR(c[1].kp[11], 8.0f, 1e-4);
  roles["classificators"] = {view("classificators", cls, {1, 895, 1})};
  Status s = d->prepare(cfg, roles);
  EXPECT_NE(s.message().find("expected [1, 896, 1]"), std::string::npos) << s.message();
}

TEST(YoloDecoder, V5RowsInPixels) {
  DecoderConfig cfg = config(R"({"family": "yolov5", "input": {"width": 320, "height": 320}})");
  std::vector<float> pred = {
      10, 10, 4, 4, 0.1f, 0.9f, 0.9f,       // obj too low
      100, 50, 20, 10, 0.5f, 0.2f, 0.9f,    // score 0.45, class 1
      200, 200, 40, 40, 0.9f, 0.1f, 0.05f,  // score 0.09
  };
  RoleTensors roles;
  roles["pred"] = {view("output0", pred, {1, 3, 7})};
  std::vector<Candidate> c = run("yolov5", cfg, roles, 0.25f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].score, 0.45f, 1e-6);
  EXPECT_EQ(c[0].label, 1);
  EXPECT_FLOAT_EQ(c[0].x0, 90.0f);
  EXPECT_FLOAT_EQ(c[0].y0, 45.0f);
  EXPECT_FLOAT_EQ(c[0].x1, 110.0f);
  EXPECT_FLOAT_EQ(c[0].y1, 55.0f);
}

TEST(YoloDecoder, V8ChannelsFirstNormalizedDetected) {
  DecoderConfig cfg = config(R"({"family": "yolov8", "input": {"width": 64, "height": 32}})");
  // [1, 4 + 2, 3]: channel-major. Anchor 2: center (0.5, 0.25), size (0.25, 0.5), class 0 = 0.8.
  std::vector<float> pred = {
      0.1f, 0.2f, 0.5f,    // cx
      0.1f, 0.2f, 0.25f,   // cy
      0.1f, 0.1f, 0.25f,   // w
      0.1f, 0.1f, 0.5f,    // h
      0.1f, 0.3f, 0.8f,    // class 0
      0.2f, 0.1f, 0.1f,    // class 1
  };
  RoleTensors roles;
  roles["pred"] = {view("output0", pred, {1, 6, 3})};
  std::vector<Candidate> c = run("yolov8", cfg, roles, 0.5f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FLOAT_EQ(c[0].score, 0.8f);
  EXPECT_EQ(c[0].label, 0);
  EXPECT_NEAR(c[0].x0, (0.5f - 0.125f) * 64, 1e-4);
  EXPECT_NEAR(c[0].x1, (0.5f + 0.125f) * 64, 1e-4);
  EXPECT_NEAR(c[0].y0, 0.0f, 1e-4);
  EXPECT_NEAR(c[0].y1, 0.5f * 32, 1e-4);
  // The metadata flag overrides detection: pixels stay pixels.
  DecoderConfig px = config(R"({"family": "yolov8", "normalized": false, "input": {"width": 64, "height": 32}})");
  c = run("yolov8", px, roles, 0.5f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].x0, 0.375f, 1e-5);
}

// YOLOX at 64x32 (width x height): strides 8, 16, 32 -> grids (rows x cols) 4x8, 2x4, 1x2, 42
// cells in all; 2 classes. The same cells in both layouts: fused [1, 42, 7] (strides in order,
// row-major) and split per stride (reg [1, rows, cols, 4], obj [.., 1], cls [.., 2]).
struct YoloxOutputs {
  static constexpr int kRows[3] = {4, 2, 1}, kCols[3] = {8, 4, 2}, kFirst[3] = {0, 32, 40};
  std::vector<float> fused = std::vector<float>(42 * 7, 0.0f);
  std::vector<float> reg[3], obj[3], cls[3];
  YoloxOutputs() {
    for (int i = 0; i < 3; ++i) {
      const int n = kRows[i] * kCols[i];
      reg[i].assign(n * 4, 0.0f);
      obj[i].assign(n, 0.0f);
      cls[i].assign(n * 2, 0.0f);
    }
  }
  // Cell (row, col) of stride level `level` in both layouts: [x, y, w, h, obj, class 0, class 1].
  void set(int level, int row, int col, const std::vector<float>& v) {
    const int cell = row * kCols[level] + col;
    for (int k = 0; k < 7; ++k) fused[(kFirst[level] + cell) * 7 + k] = v[k];
    for (int k = 0; k < 4; ++k) reg[level][cell * 4 + k] = v[k];
    obj[level][cell] = v[4];
    for (int k = 0; k < 2; ++k) cls[level][cell * 2 + k] = v[5 + k];
  }
  RoleTensors fused_roles() const {
    RoleTensors r;
    r["output"] = {view("output", fused, {1, 42, 7})};
    return r;
  }
  RoleTensors split_roles() const {
    RoleTensors r;
    const char* s[3] = {"8", "16", "32"};
    for (int i = 0; i < 3; ++i) {
      r["reg"].push_back(view(std::string("reg_") + s[i], reg[i], {1, kRows[i], kCols[i], 4}));
      r["obj"].push_back(view(std::string("obj_") + s[i], obj[i], {1, kRows[i], kCols[i], 1}));
      r["cls"].push_back(view(std::string("cls_") + s[i], cls[i], {1, kRows[i], kCols[i], 2}));
    }
    return r;
  }
};

const char* kYoloxFused = R"({"family": "yolox", "input": {"width": 64, "height": 32}})";
const char* kYoloxSplit = R"({"family": "yolox", "input": {"width": 64, "height": 32},
    "outputs": {"reg": ["reg_8", "reg_16", "reg_32"], "obj": ["obj_8", "obj_16", "obj_32"],
                "cls": ["cls_8", "cls_16", "cls_32"]}})";

void expect_box(const Candidate& c, float x0, float y0, float x1, float y1) {
  EXPECT_NEAR(c.x0, x0, 1e-4);
  EXPECT_NEAR(c.y0, y0, 1e-4);
  EXPECT_NEAR(c.x1, x1, 1e-4);
  EXPECT_NEAR(c.y1, y1, 1e-4);
}

TEST(YoloxDecoder, BothLayoutsDecodeTheGridHandComputed) {
  YoloxOutputs o;
  // Stride 16, row 1, col 2: center ((0.5 + 2) * 16, (0.25 + 1) * 16) = (40, 20), size
  // (exp(log 2) * 16, exp(0) * 16) = (32, 16); score 0.8 * 0.9 = 0.72, label 1.
  o.set(1, 1, 2, {0.5f, 0.25f, std::log(2.0f), 0.0f, 0.8f, 0.1f, 0.9f});
  // Stride 8, row 3, col 7 (the level's last cell): center (56, 24), size 8; score 0.4, label 0.
  o.set(0, 3, 7, {0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.8f, 0.2f});
  // Stride 32, row 0, col 1: score 0.2 * 1.0 = 0.2.
  o.set(2, 0, 1, {0.5f, 0.5f, 0.0f, 0.0f, 0.2f, 1.0f, 0.0f});
  const DecoderConfig fused = config(kYoloxFused), split = config(kYoloxSplit);
  EXPECT_EQ(decoder_roles(fused), (std::vector<std::string>{"output"}));
  EXPECT_EQ(decoder_roles(split), (std::vector<std::string>{"reg", "obj", "cls"}));
  for (bool is_split : {false, true}) {
    SCOPED_TRACE(is_split ? "split" : "fused");
    const DecoderConfig& cfg = is_split ? split : fused;
    const RoleTensors roles = is_split ? o.split_roles() : o.fused_roles();
    std::vector<Candidate> c = run("yolox", cfg, roles, 0.3f);
    ASSERT_EQ(c.size(), 2u);
    // Strides in order, so the stride-8 cell comes first.
    EXPECT_EQ(c[0].order, 0);
    EXPECT_EQ(c[0].label, 0);
    EXPECT_NEAR(c[0].score, 0.4f, 1e-6);
    expect_box(c[0], 52, 20, 60, 28);
    EXPECT_EQ(c[1].order, 1);
    EXPECT_EQ(c[1].label, 1);
    EXPECT_NEAR(c[1].score, 0.72f, 1e-6);
    expect_box(c[1], 24, 12, 56, 28);
    c = run("yolox", cfg, roles, 0.5f);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_NEAR(c[0].score, 0.72f, 1e-6);
    c = run("yolox", cfg, roles, 0.1f);
    ASSERT_EQ(c.size(), 3u);
    EXPECT_NEAR(c[2].score, 0.2f, 1e-6);
    // Center ((0.5 + 1) * 32, (0.5 + 0) * 32) = (48, 16), size 32.
    expect_box(c[2], 32, 0, 64, 32);
    std::unique_ptr<Decoder> d;
    ASSERT_TRUE(make_decoder("yolox", &d).ok());
    ASSERT_TRUE(d->prepare(cfg, roles).ok());
    EXPECT_EQ(d->num_classes(), 2);
    EXPECT_EQ(d->num_keypoints(), 0);
    EXPECT_FALSE(d->weighted_nms());
  }
}

TEST(YoloxDecoder, SplitHeadDequantizesEachRole) {
  YoloxOutputs o;
  o.set(1, 1, 2, {0.5f, 0.25f, std::log(2.0f), 0.0f, 0.0f, 0.1f, 0.9f});
  RoleTensors roles = o.split_roles();
  // obj at stride 16 as UINT8 with scale 1 / 255, zero point 0: q = 204 -> 0.8 (cell 1 * 4 + 2).
  std::vector<uint8_t> q(8, 0);
  q[6] = 204;
  TensorView& obj = roles["obj"][1];
  obj.dtype = DType::kUInt8;
  obj.data = q.data();
  obj.scale = 1.0f / 255.0f;
  std::vector<Candidate> c = run("yolox", config(kYoloxSplit), roles, 0.3f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].score, 0.72f, 1e-5);
  expect_box(c[0], 24, 12, 56, 28);
}

TEST(YoloxDecoder, DecodedExportsAreUsedAsIs) {
  // decode_in_inference=True: the cell holds the center and size in input pixels.
  YoloxOutputs o;
  o.set(1, 1, 2, {40.0f, 20.0f, 32.0f, 16.0f, 0.8f, 0.1f, 0.9f});
  for (const char* json : {R"({"family": "yolox", "decoded": true, "input": {"width": 64, "height": 32}})",
                           R"({"family": "yolox", "decoded": true, "input": {"width": 64, "height": 32},
                               "outputs": {"reg": ["r8", "r16", "r32"], "obj": ["o8", "o16", "o32"],
                                           "cls": ["c8", "c16", "c32"]}})"}) {
    const DecoderConfig cfg = config(json);
    EXPECT_TRUE(cfg.decoded);
    std::vector<Candidate> c = run("yolox", cfg, cfg.role("reg") ? o.split_roles() : o.fused_roles(), 0.3f);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_NEAR(c[0].score, 0.72f, 1e-6);
    expect_box(c[0], 24, 12, 56, 28);
  }
}

TEST(YoloxDecoder, NonFiniteValuesDoNotPassOrCrash) {
  const float nan = std::nanf(""), inf = INFINITY;
  YoloxOutputs o;
  o.set(0, 0, 0, {0, 0, 0, 0, nan, 1.0f, 1.0f});    // NaN objectness: skipped
  o.set(0, 0, 1, {0, 0, 0, 0, 0.9f, nan, 0.5f});    // a NaN class is never the best: label 1
  o.set(0, 0, 2, {0, 0, 0, 0, 0.9f, nan, nan});     // no finite class: skipped
  o.set(2, 0, 0, {0, 0, inf, 1e30f, 1.0f, 1.0f, 0.0f});  // huge log-sizes clamp to exp(80)
  std::vector<Candidate> c = run("yolox", config(kYoloxFused), o.fused_roles(), 0.3f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].label, 1);
  EXPECT_NEAR(c[0].score, 0.45f, 1e-6);
  expect_box(c[0], 4, -4, 12, 4);
  EXPECT_FLOAT_EQ(c[1].score, 1.0f);
  EXPECT_TRUE(std::isfinite(c[1].x0) && std::isfinite(c[1].x1) && std::isfinite(c[1].y1));
  EXPECT_FLOAT_EQ(c[1].x1 - c[1].x0, std::exp(80.0f) * 32);
}

TEST(YoloxDecoder, ShapeErrorsNameTheExpectedShape) {
  YoloxOutputs o;
  std::unique_ptr<Decoder> d;
  ASSERT_TRUE(make_decoder("yolox", &d).ok());
  const DecoderConfig fused = config(kYoloxFused), split = config(kYoloxSplit);
  auto expect_error = [&](const DecoderConfig& cfg, const RoleTensors& r, const std::string& what) {
    Status s = d->prepare(cfg, r);
    EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
  };
  RoleTensors r = o.fused_roles();
  r["output"][0].shape = {1, 41, 7};
  expect_error(fused, r,
               "model output 'output' (role output) has shape [1, 41, 7], expected [1, 42, 5+C] "
               "(42 cells of strides 8, 16, 32 on the 64x32 input)");
  r["output"][0].shape = {1, 42, 5};
  expect_error(fused, r, "has shape [1, 42, 5], expected [1, 42, 5+C]");
  r["output"][0].shape = {42, 7};
  expect_error(fused, r, "has shape [42, 7], expected [1, 42, 5+C]");
  expect_error(fused, o.split_roles(), "role 'output' is missing");

  r = o.split_roles();
  r["cls"][2].shape = {1, 1, 2, 3};
  expect_error(split, r, "model output 'cls_32' (role cls) has shape [1, 1, 2, 3], expected [1, 1, 2, 2] for stride 32");
  r = o.split_roles();
  r["reg"][1].shape = {1, 4, 2, 4};
  expect_error(split, r, "model output 'reg_16' (role reg) has shape [1, 4, 2, 4], expected [1, 2, 4, 4] for stride 16");
  r = o.split_roles();
  r["obj"][0].shape = {1, 32, 1};
  expect_error(split, r, "expected [1, 4, 8, 1] for stride 8");
  r = o.split_roles();
  r["cls"][0].shape = {1, 4, 8, 0};
  expect_error(split, r, "expected [1, 4, 8, C] for stride 8");
  r = o.split_roles();
  r.erase("cls");
  expect_error(split, r, "decoder output role 'cls' is missing");
  r = o.split_roles();
  r["obj"].pop_back();
  expect_error(split, r, "decoder output role 'obj' lists 2 tensors, expected 3");
  // Listing any split role selects the split head, so a partial list reports what is missing.
  const DecoderConfig partial = config(R"({"family": "yolox", "input": {"width": 64, "height": 32},
                                            "outputs": {"reg": ["reg_8", "reg_16", "reg_32"]}})");
  EXPECT_EQ(decoder_roles(partial), (std::vector<std::string>{"reg", "obj", "cls"}));
  r = o.split_roles();
  r.erase("obj");
  expect_error(partial, r, "decoder output role 'obj' is missing");
  // A stride larger than the input leaves an empty grid.
  const DecoderConfig big = config(R"({"family": "yolox", "strides": [8, 64], "input": {"width": 64, "height": 32}})");
  expect_error(big, o.fused_roles(), "decoder field 'strides': stride 64 leaves no grid cells on the 64x32 input");
}

TEST(DecoderConfig, YoloxDefaultsAndDecodedFlag) {
  JsonValue meta;
  DecoderConfig cfg;
  ASSERT_TRUE(parse_json(R"({"family": "yolox"})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 416, 416, &cfg).ok());
  EXPECT_EQ(cfg.strides, (std::vector<int>{8, 16, 32}));
  ASSERT_NE(cfg.role("output"), nullptr);
  EXPECT_EQ(*cfg.role("output"), (std::vector<std::string>{"output"}));
  EXPECT_FLOAT_EQ(cfg.score_threshold, 0.3f);
  EXPECT_FLOAT_EQ(cfg.iou_threshold, 0.45f);
  EXPECT_FALSE(cfg.decoded);
  EXPECT_NE(std::string(supported_families()).find("yolox"), std::string::npos);
  ASSERT_TRUE(parse_json(R"({"family": "yolox", "decoded": "yes"})", &meta).ok());
  Status s = parse_decoder_config(meta, 416, 416, &cfg);
  EXPECT_NE(s.message().find("decoder field 'decoded' must be true or false"), std::string::npos) << s.message();
}

TEST(DecoderConfig, DefaultsAndErrors) {
  JsonValue meta;
  ASSERT_TRUE(parse_json(R"({"family": "yunet"})", &meta).ok());
  DecoderConfig cfg;
  ASSERT_TRUE(parse_decoder_config(meta, 320, 320, &cfg).ok());
  EXPECT_EQ(cfg.input_width, 320);
  EXPECT_EQ(cfg.strides, (std::vector<int>{8, 16, 32}));
  EXPECT_EQ(cfg.role("cls")->at(1), "cls_16");
  EXPECT_EQ(cfg.keypoints.size(), 5u);
  EXPECT_FLOAT_EQ(cfg.score_threshold, 0.6f);
  ASSERT_TRUE(parse_json(R"({"family": "ssd"})", &meta).ok());
  Status s = parse_decoder_config(meta, 320, 320, &cfg);
  EXPECT_NE(s.message().find("decoder family 'ssd' is not supported"), std::string::npos) << s.message();
  ASSERT_TRUE(parse_json(R"({"family": "yunet", "input": {"width": 416, "height": 416}})", &meta).ok());
  s = parse_decoder_config(meta, 320, 320, &cfg);
  EXPECT_NE(s.message().find("does not match the model input 320x320"), std::string::npos) << s.message();
  ASSERT_TRUE(parse_json(R"({"family": "nanodet", "score_threshold": 2})", &meta).ok());
  s = parse_decoder_config(meta, 320, 320, &cfg);
  EXPECT_NE(s.message().find("'score_threshold' must be in [0, 1]"), std::string::npos) << s.message();
  ASSERT_TRUE(parse_json(R"({"family": "nanodet", "input": {"resize": "crop"}})", &meta).ok());
  EXPECT_FALSE(parse_decoder_config(meta, 320, 320, &cfg).ok());
  // BlazeFace anchors follow the model input unless given; their strides must match num_layers.
  ASSERT_TRUE(parse_json(R"({"family": "blazeface"})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 256, 256, &cfg).ok());
  EXPECT_EQ(cfg.anchors.input_width, 256);
  EXPECT_FLOAT_EQ(cfg.pixels.mean[0], 127.5f);
  EXPECT_FLOAT_EQ(cfg.pixels.std[2], 127.5f);
  ASSERT_TRUE(parse_json(R"({"family": "blazeface", "anchors": {"num_layers": 4, "strides": [8, 16, 16, 16],
                                "input_size": 128, "offset": 0.5}})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 256, 256, &cfg).ok());
  EXPECT_EQ(cfg.anchors.input_width, 128);
  ASSERT_TRUE(parse_json(R"({"family": "blazeface", "anchors": {"num_layers": 3, "strides": [8, 16]}})", &meta).ok());
  s = parse_decoder_config(meta, 128, 128, &cfg);
  EXPECT_NE(s.message().find("'anchors.strides' must have num_layers (3) entries"), std::string::npos) << s.message();
  // Objects merge member by member.
  JsonValue base, over;
  ASSERT_TRUE(parse_json(R"({"family": "yunet", "input": {"width": 320, "resize": "stretch"}})", &base).ok());
  ASSERT_TRUE(parse_json(R"({"input": {"resize": "letterbox"}, "score_threshold": 0.3})", &over).ok());
  JsonValue m = merge_json_objects(base, over);
  EXPECT_EQ(m.find("input")->find("width")->as_number(), 320);
  EXPECT_EQ(m.find("input")->find("resize")->as_string(), "letterbox");
  EXPECT_EQ(m.find("family")->as_string(), "yunet");
}

TEST(DecoderConfig, InputChannelOrderMeanAndStd) {
  JsonValue meta;
  DecoderConfig cfg;
  // A featherdet-converted file says RGB raw; that wins over the family's BGR mean/std.
  ASSERT_TRUE(parse_json(R"({"family": "nanodet", "input": {"pixels": "RGB", "range": "raw"}})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 416, 416, &cfg).ok());
  EXPECT_FALSE(cfg.pixels.bgr);
  EXPECT_FLOAT_EQ(cfg.pixels.mean[0], 0.0f);
  EXPECT_FLOAT_EQ(cfg.pixels.std[2], 1.0f);
  // Explicit mean/std (three values, or one for every channel) win over "range".
  ASSERT_TRUE(parse_json(R"({"family": "yolov8", "input": {"pixels": "BGR", "range": "-1,1",
                                "mean": [1, 2, 3], "std": 4}})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 64, 64, &cfg).ok());
  EXPECT_TRUE(cfg.pixels.bgr);
  EXPECT_FLOAT_EQ(cfg.pixels.mean[2], 3.0f);
  EXPECT_FLOAT_EQ(cfg.pixels.std[0], 4.0f);
  EXPECT_FLOAT_EQ(cfg.pixels.std[2], 4.0f);
  const char* bad[][2] = {
      {R"({"family": "yolov8", "input": {"pixels": "GBR"}})", "'input.pixels' must be \"RGB\" or \"BGR\""},
      {R"({"family": "yolov8", "input": {"mean": [1, 2]}})", "'input.mean' must be a number or an array of 3"},
      {R"({"family": "yolov8", "input": {"std": [1, 0, 1]}})", "'input.std' must hold numbers in"},
      {R"({"family": "yolov8", "input": {"std": "255"}})", "'input.std' must be a number or an array of 3"},
      {R"({"family": "yolov8", "input": {"range": "0,255"}})", "'input.range' must be"},
  };
  for (const auto& b : bad) {
    ASSERT_TRUE(parse_json(b[0], &meta).ok()) << b[0];
    Status s = parse_decoder_config(meta, 64, 64, &cfg);
    EXPECT_NE(s.message().find(b[1]), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace fd
