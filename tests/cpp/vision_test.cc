// Detection pipeline pieces checked against hand-computed values: JSON, preprocess (exact
// pixels, orientation, letterbox geometry), NMS (hard and weighted) and SSD anchors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "vision/json.h"
#include "vision/anchors.h"
#include "vision/decoder_config.h"
#include "vision/nms.h"
#include "vision/preprocess.h"

namespace fd {
namespace {

QuantParams quant(float scale, int32_t zp) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

// A W x H RGBA image where pixel (x, y) = (10 * x + y, 100 + y, 200 - x, 255).
std::vector<uint8_t> coded_rgba(int w, int h) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * 4);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 4];
      p[0] = static_cast<uint8_t>(10 * x + y);
      p[1] = static_cast<uint8_t>(100 + y);
      p[2] = static_cast<uint8_t>(200 - x);
      p[3] = 255;
    }
  }
  return px;
}

// Runs an INT8 (scale 1, zero point -128) stretch preprocess of a coded image; returns pixels + 128.
std::vector<int> run_int8(int sw, int sh, int mw, int mh, Transform t, Geometry* g = nullptr) {
  std::vector<uint8_t> src = coded_rgba(sw, sh);
  Preprocessor pre;
  EXPECT_TRUE(pre.configure(mw, mh, DType::kInt8, quant(1.0f, -128), PixelMapping(),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  std::vector<int8_t> dst(static_cast<size_t>(mw) * mh * 3);
  PixelSource ps{src.data(), sw, sh, 4, sw * 4};
  Status s = pre.run(ps, t, reinterpret_cast<uint8_t*>(dst.data()), g);
  EXPECT_TRUE(s.ok()) << s.message();
  std::vector<int> out;
  for (int8_t v : dst) out.push_back(v + 128);
  return out;
}

// Source pixel channel of the coded image.
int coded(int x, int y, int ch) { return ch == 0 ? 10 * x + y : (ch == 1 ? 100 + y : 200 - x); }

TEST(Json, ParsesNestedValuesAndReportsErrors) {
  JsonValue v;
  ASSERT_TRUE(parse_json(R"({"a": [1, 2.5e1, -3], "b": {"c": "x\"\u00e9"}, "d": true, "e": null})", &v).ok());
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.find("a")->items().size(), 3u);
  EXPECT_EQ(v.find("a")->items()[1].as_number(), 25.0);
  EXPECT_EQ(v.find("a")->items()[2].as_number(), -3.0);
  EXPECT_EQ(v.find("b")->find("c")->as_string(), "x\"\xc3\xa9");
  EXPECT_TRUE(v.find("d")->as_bool());
  EXPECT_TRUE(v.find("e")->is_null());
  EXPECT_EQ(v.find("zz"), nullptr);
  Status s = parse_json("{\"a\": [1, 2}", &v);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("byte 11"), std::string::npos) << s.message();
  EXPECT_FALSE(parse_json("{} x", &v).ok());
  EXPECT_FALSE(parse_json("\"abc", &v).ok());
  std::string out;
  append_json_string(&out, "a\"b\n");
  EXPECT_EQ(out, "\"a\\\"b\\u000a\"");
}

TEST(Preprocess, IdentityCopiesRgbAndDropsAlpha) {
  std::vector<int> out = run_int8(3, 2, 3, 2, Transform());
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) {
      for (int ch = 0; ch < 3; ++ch) EXPECT_EQ(out[(y * 3 + x) * 3 + ch], coded(x, y, ch)) << x << "," << y;
    }
  }
}

TEST(Preprocess, MirrorFlipsColumns) {
  Transform t;
  t.mirror = true;
  std::vector<int> out = run_int8(3, 2, 3, 2, t);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) EXPECT_EQ(out[(y * 3 + x) * 3 + 0], coded(2 - x, y, 0));
  }
}

TEST(Preprocess, RotationsMapViewPixelsToSource) {
  const int W = 3, H = 2;
  // Expected source (x, y) for view pixel (u, v); view is H x W for 90/270.
  struct Case {
    int rotation;
    bool mirror;
  };
  for (Case c : {Case{90, false}, Case{180, false}, Case{270, false}, Case{90, true}, Case{180, true}, Case{270, true}}) {
    Transform t;
    t.rotation = c.rotation;
    t.mirror = c.mirror;
    const bool swap = c.rotation != 180;
    const int vw = swap ? H : W, vh = swap ? W : H;
    Geometry g;
    std::vector<int> out = run_int8(W, H, vw, vh, t, &g);
    EXPECT_EQ(g.view_width, vw);
    EXPECT_EQ(g.view_height, vh);
    for (int v = 0; v < vh; ++v) {
      for (int u = 0; u < vw; ++u) {
        const int ur = c.mirror ? vw - 1 - u : u;  // un-mirror, then un-rotate (clockwise rotation)
        int x = 0, y = 0;
        if (c.rotation == 90) x = v, y = H - 1 - ur;
        if (c.rotation == 180) x = W - 1 - ur, y = H - 1 - v;
        if (c.rotation == 270) x = W - 1 - v, y = ur;
        for (int ch = 0; ch < 3; ++ch) {
          EXPECT_EQ(out[(v * vw + u) * 3 + ch], coded(x, y, ch)) << "rot " << c.rotation << " mirror " << c.mirror;
        }
      }
    }
  }
  // Rotating 90 degrees clockwise puts the source's top-left pixel at the view's top-right.
  Transform t90;
  t90.rotation = 90;
  std::vector<int> out = run_int8(W, H, H, W, t90);
  EXPECT_EQ(out[(0 * H + (H - 1)) * 3 + 0], coded(0, 0, 0));
}

TEST(Preprocess, BilinearUpscaleWithHalfPixelCenters) {
  // A 2x1 source [0, 100] stretched to 4x1: source x = (d + 0.5) / 2 - 0.5 = -0.25 (clamped to
  // 0), 0.25, 0.75, 1.25 (clamped to 1) -> 0, 25, 75, 100.
  std::vector<uint8_t> src = {0, 0, 0, 255, 100, 100, 100, 255};
  Preprocessor pre;
  ASSERT_TRUE(pre.configure(4, 1, DType::kFloat32, QuantParams(), PixelMapping(),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  std::vector<float> dst(12);
  PixelSource ps{src.data(), 2, 1, 4, 8};
  ASSERT_TRUE(pre.run(ps, Transform(), reinterpret_cast<uint8_t*>(dst.data()), nullptr).ok());
  EXPECT_FLOAT_EQ(dst[0], 0.0f);
  EXPECT_FLOAT_EQ(dst[3], 25.0f);
  EXPECT_FLOAT_EQ(dst[6], 75.0f);
  EXPECT_FLOAT_EQ(dst[9], 100.0f);
}

TEST(Preprocess, LetterboxPadsAndReportsGeometry) {
  // 4x2 RGB (3 channels, rows padded to 16 bytes) into a 4x4 UINT8 input: scale 1, one padded
  // row above and below.
  std::vector<uint8_t> src(32, 0);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 4; ++x) {
      for (int ch = 0; ch < 3; ++ch) src[y * 16 + x * 3 + ch] = static_cast<uint8_t>(coded(x, y, ch));
    }
  }
  Preprocessor pre;
  ASSERT_TRUE(pre.configure(4, 4, DType::kUInt8, quant(1.0f, 0), PixelMapping(),
                            ResizeMode::kLetterbox, 7, LetterboxAlign::kCenter).ok());
  std::vector<uint8_t> dst(48);
  Geometry g;
  PixelSource ps{src.data(), 4, 2, 3, 16};
  ASSERT_TRUE(pre.run(ps, Transform(), dst.data(), &g).ok());
  EXPECT_EQ(g.pad_x, 0.0f);
  EXPECT_EQ(g.pad_y, 1.0f);
  EXPECT_EQ(g.scale_x, 1.0f);
  EXPECT_EQ(g.scale_y, 1.0f);
  for (int x = 0; x < 4; ++x) {
    for (int ch = 0; ch < 3; ++ch) {
      EXPECT_EQ(dst[(0 * 4 + x) * 3 + ch], 7);
      EXPECT_EQ(dst[(3 * 4 + x) * 3 + ch], 7);
      EXPECT_EQ(dst[(1 * 4 + x) * 3 + ch], coded(x, 0, ch));
      EXPECT_EQ(dst[(2 * 4 + x) * 3 + ch], coded(x, 1, ch));
    }
  }
  EXPECT_FLOAT_EQ(g.to_view_y(1.0f), 0.0f);
  EXPECT_FLOAT_EQ(g.to_view_y(3.0f), 2.0f);
}

TEST(Preprocess, LetterboxGeometryOfAWideFrame) {
  Preprocessor pre;
  ASSERT_TRUE(pre.configure(320, 320, DType::kInt8, quant(1.0f, -128), PixelMapping(),
                            ResizeMode::kLetterbox, 0, LetterboxAlign::kCenter).ok());
  Geometry g = pre.plan(640, 480);
  EXPECT_FLOAT_EQ(g.scale_x, 0.5f);
  EXPECT_FLOAT_EQ(g.scale_y, 0.5f);
  EXPECT_FLOAT_EQ(g.pad_x, 0.0f);
  EXPECT_FLOAT_EQ(g.pad_y, 40.0f);
  EXPECT_FLOAT_EQ(g.to_view_x(160.0f), 320.0f);
  EXPECT_FLOAT_EQ(g.to_view_y(280.0f), 480.0f);
  ASSERT_TRUE(pre.configure(320, 320, DType::kInt8, quant(1.0f, -128), PixelMapping(),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  g = pre.plan(640, 480);
  EXPECT_FLOAT_EQ(g.scale_x, 0.5f);
  EXPECT_FLOAT_EQ(g.scale_y, 320.0f / 480.0f);
  EXPECT_FLOAT_EQ(g.pad_y, 0.0f);
}

TEST(Preprocess, TopLeftLetterboxPutsContentAtTheOrigin) {
  // YOLOX-style: the wide frame scales by 0.5 into the top 240 rows, all padding below.
  Preprocessor pre;
  ASSERT_TRUE(pre.configure(320, 320, DType::kInt8, quant(1.0f, -128), PixelMapping(),
                            ResizeMode::kLetterbox, 114, LetterboxAlign::kTopLeft).ok());
  Geometry g = pre.plan(640, 480);
  EXPECT_FLOAT_EQ(g.scale_x, 0.5f);
  EXPECT_FLOAT_EQ(g.scale_y, 0.5f);
  EXPECT_FLOAT_EQ(g.pad_x, 0.0f);
  EXPECT_FLOAT_EQ(g.pad_y, 0.0f);
  EXPECT_FLOAT_EQ(g.to_view_x(160.0f), 320.0f);
  EXPECT_FLOAT_EQ(g.to_view_y(240.0f), 480.0f);
  // A tall frame: padding only on the right (a centered letterbox would put 40 columns left).
  g = pre.plan(480, 640);
  EXPECT_FLOAT_EQ(g.pad_x, 0.0f);
  EXPECT_FLOAT_EQ(g.pad_y, 0.0f);
  EXPECT_FLOAT_EQ(g.to_view_x(240.0f), 480.0f);

  // The 4x2 coded frame into a 4x4 UINT8 input: rows 0 and 1 are the frame, rows 2 and 3 the fill.
  std::vector<uint8_t> src = coded_rgba(4, 2);
  ASSERT_TRUE(pre.configure(4, 4, DType::kUInt8, quant(1.0f, 0), PixelMapping(),
                            ResizeMode::kLetterbox, 7, LetterboxAlign::kTopLeft).ok());
  std::vector<uint8_t> dst(48);
  PixelSource ps{src.data(), 4, 2, 4, 16};
  ASSERT_TRUE(pre.run(ps, Transform(), dst.data(), &g).ok());
  EXPECT_EQ(g.pad_y, 0.0f);
  EXPECT_EQ(g.scale_y, 1.0f);
  for (int x = 0; x < 4; ++x) {
    for (int ch = 0; ch < 3; ++ch) {
      EXPECT_EQ(dst[(0 * 4 + x) * 3 + ch], coded(x, 0, ch));
      EXPECT_EQ(dst[(1 * 4 + x) * 3 + ch], coded(x, 1, ch));
      EXPECT_EQ(dst[(2 * 4 + x) * 3 + ch], 7);
      EXPECT_EQ(dst[(3 * 4 + x) * 3 + ch], 7);
    }
  }
  EXPECT_FLOAT_EQ(g.to_view_y(2.0f), 2.0f);
  // Stretching ignores the alignment.
  ASSERT_TRUE(pre.configure(320, 320, DType::kInt8, quant(1.0f, -128), PixelMapping(),
                            ResizeMode::kStretch, 0, LetterboxAlign::kTopLeft).ok());
  g = pre.plan(640, 480);
  EXPECT_FLOAT_EQ(g.scale_y, 320.0f / 480.0f);
  EXPECT_FLOAT_EQ(g.pad_y, 0.0f);
}

TEST(DecoderConfig, LetterboxAlignFieldAndYoloxDefaults) {
  JsonValue meta;
  DecoderConfig cfg;
  // YOLOX preproc: top-left letterbox of 114, raw BGR pixels.
  ASSERT_TRUE(parse_json(R"({"family": "yolox"})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 416, 416, &cfg).ok());
  EXPECT_EQ(cfg.resize, ResizeMode::kLetterbox);
  EXPECT_EQ(cfg.align, LetterboxAlign::kTopLeft);
  EXPECT_EQ(cfg.pad_value, 114);
  EXPECT_TRUE(cfg.pixels.bgr);
  for (int c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(cfg.pixels.mean[c], 0.0f);
    EXPECT_FLOAT_EQ(cfg.pixels.std[c], 1.0f);
  }
  // Every other family centers its letterbox.
  for (const char* f : {"yunet", "nanodet", "fastestdet", "blazeface", "yolov5", "yolov8"}) {
    ASSERT_TRUE(parse_json(std::string("{\"family\": \"") + f + "\"}", &meta).ok());
    ASSERT_TRUE(parse_decoder_config(meta, 416, 416, &cfg).ok());
    EXPECT_EQ(cfg.align, LetterboxAlign::kCenter) << f;
  }
  // The metadata field overrides the family default both ways.
  ASSERT_TRUE(parse_json(R"({"family": "yolov8", "input": {"align": "top-left"}})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 416, 416, &cfg).ok());
  EXPECT_EQ(cfg.align, LetterboxAlign::kTopLeft);
  ASSERT_TRUE(parse_json(R"({"family": "yolox", "input": {"align": "center"}})", &meta).ok());
  ASSERT_TRUE(parse_decoder_config(meta, 416, 416, &cfg).ok());
  EXPECT_EQ(cfg.align, LetterboxAlign::kCenter);
  for (const char* bad : {R"({"family": "yolox", "input": {"align": "topleft"}})",
                          R"({"family": "yolox", "input": {"align": 1}})"}) {
    ASSERT_TRUE(parse_json(bad, &meta).ok()) << bad;
    Status s = parse_decoder_config(meta, 416, 416, &cfg);
    EXPECT_NE(s.message().find("decoder field 'input.align' must be \"center\" or \"top-left\""), std::string::npos)
        << s.message();
  }
}

PixelMapping mapping(bool bgr, float mean, float std) {
  PixelMapping m;
  m.bgr = bgr;
  for (int c = 0; c < 3; ++c) m.mean[c] = mean, m.std[c] = std;
  return m;
}

TEST(Preprocess, PixelRangesAndInputQuantization) {
  std::vector<uint8_t> src = {0, 128, 255, 255};
  PixelSource ps{src.data(), 1, 1, 4, 4};
  Preprocessor pre;
  std::vector<float> f(3);
  ASSERT_TRUE(pre.configure(1, 1, DType::kFloat32, QuantParams(), mapping(false, 127.5f, 127.5f),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  ASSERT_TRUE(pre.run(ps, Transform(), reinterpret_cast<uint8_t*>(f.data()), nullptr).ok());
  EXPECT_FLOAT_EQ(f[0], -1.0f);
  EXPECT_NEAR(f[1], 128.0f / 127.5f - 1.0f, 1e-6);
  EXPECT_FLOAT_EQ(f[2], 1.0f);
  ASSERT_TRUE(pre.configure(1, 1, DType::kFloat32, QuantParams(), mapping(false, 0, 255),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  ASSERT_TRUE(pre.run(ps, Transform(), reinterpret_cast<uint8_t*>(f.data()), nullptr).ok());
  EXPECT_NEAR(f[2], 1.0f, 1e-6);
  // INT8 input quantized with scale 2, zero point -10 over raw pixels: q = round(p / 2) - 10.
  std::vector<int8_t> q(3);
  ASSERT_TRUE(pre.configure(1, 1, DType::kInt8, quant(2.0f, -10), PixelMapping(),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  ASSERT_TRUE(pre.run(ps, Transform(), reinterpret_cast<uint8_t*>(q.data()), nullptr).ok());
  EXPECT_EQ(q[0], -10);
  EXPECT_EQ(q[1], 54);
  EXPECT_EQ(q[2], 118);  // round(127.5) = 128 (nearest even), + -10
}

TEST(Preprocess, BgrOrderAndPerChannelMeanStd) {
  // One RGBA pixel (R 10, G 100, B 200) and a letterbox column of padding: a 1x1 source in a 2x1
  // input leaves x = 0 padded (pad (2 - 1) / 2 = 0 columns before, so the pad is at x = 1).
  std::vector<uint8_t> src = {10, 100, 200, 255};
  PixelSource ps{src.data(), 1, 1, 4, 4};
  PixelMapping m;
  m.bgr = true;
  const float mean[3] = {100, 50, 0}, std[3] = {2, 5, 10};
  for (int c = 0; c < 3; ++c) m.mean[c] = mean[c], m.std[c] = std[c];
  Preprocessor pre;
  std::vector<float> f(6);
  ASSERT_TRUE(pre.configure(2, 1, DType::kFloat32, QuantParams(), m,
                            ResizeMode::kLetterbox, 20, LetterboxAlign::kCenter).ok());
  ASSERT_TRUE(pre.run(ps, Transform(), reinterpret_cast<uint8_t*>(f.data()), nullptr).ok());
  // Model channels are B, G, R; the padding pixel (20, 20, 20) is mapped the same way.
  EXPECT_FLOAT_EQ(f[0], (200 - 100) / 2.0f);
  EXPECT_FLOAT_EQ(f[1], (100 - 50) / 5.0f);
  EXPECT_FLOAT_EQ(f[2], (10 - 0) / 10.0f);
  EXPECT_FLOAT_EQ(f[3], (20 - 100) / 2.0f);
  EXPECT_FLOAT_EQ(f[4], (20 - 50) / 5.0f);
  EXPECT_FLOAT_EQ(f[5], (20 - 0) / 10.0f);
  // UINT8 input, scale 1 / 4, zero point 128: q = round(value * 4) + 128 per channel.
  std::vector<uint8_t> q(6);
  ASSERT_TRUE(pre.configure(2, 1, DType::kUInt8, quant(0.25f, 128), m,
                            ResizeMode::kLetterbox, 20, LetterboxAlign::kCenter).ok());
  ASSERT_TRUE(pre.run(ps, Transform(), q.data(), nullptr).ok());
  EXPECT_EQ(q[0], 255);  // 50 * 4 + 128 clamps to 255
  EXPECT_EQ(q[1], 10 * 4 + 128);
  EXPECT_EQ(q[2], 1 * 4 + 128);
  EXPECT_EQ(q[3], 0);  // -40 * 4 + 128 clamps to 0
  EXPECT_EQ(q[4], -6 * 4 + 128);
  EXPECT_EQ(q[5], 2 * 4 + 128);
  m.std[1] = 0;
  Status s = pre.configure(2, 1, DType::kFloat32, QuantParams(), m, ResizeMode::kStretch, 0, LetterboxAlign::kCenter);
  EXPECT_NE(s.message().find("positive std"), std::string::npos) << s.message();
}

// What each family's upstream inference code feeds its network, written down from the upstream
// sources (not from featherdet's defaults): channel order, per-channel mean and std in pixel
// units, letterbox or stretch, the letterbox fill pixel and whether the image sits at the
// top-left corner instead of the center.
struct UpstreamInput {
  const char* family;
  bool bgr;
  float mean[3], std[3];
  bool letterbox;
  int pad;
  bool top_left;
};
const UpstreamInput kUpstream[] = {
    // OpenCV FaceDetectorYN: blobFromImage of the BGR frame, no scaling, frame resized to the input.
    {"yunet", true, {0, 0, 0}, {1, 1, 1}, false, 0, false},
    // NanoDet config (and its ONNX demos): BGR, mean/std below, aspect-kept resize centered, 0 fill.
    {"nanodet", true, {103.53f, 116.28f, 123.675f}, {57.375f, 57.12f, 58.395f}, true, 0, false},
    // FastestDet demos: cv2.resize of the BGR image to the input, / 255.
    {"fastestdet", true, {0, 0, 0}, {255, 255, 255}, false, 0, false},
    // MediaPipe face detection: RGB in [-1, 1], aspect kept, border pixels 0 before scaling.
    {"blazeface", false, {127.5f, 127.5f, 127.5f}, {127.5f, 127.5f, 127.5f}, true, 0, false},
    // Ultralytics LetterBox: RGB / 255, centered, gray 114 fill.
    {"yolov5", false, {0, 0, 0}, {255, 255, 255}, true, 114, false},
    {"yolov8", false, {0, 0, 0}, {255, 255, 255}, true, 114, false},
    // YOLOX preproc: raw BGR (no scaling), resized image pasted at (0, 0) on a 114 canvas.
    {"yolox", true, {0, 0, 0}, {1, 1, 1}, true, 114, true},
};

TEST(Preprocess, FamilyDefaultsMatchUpstreamPreprocessing) {
  // A 4x2 coded frame into a 4x4 float input: letterbox families get one fill row above and below
  // (top-left ones two fill rows below), stretch families the frame's rows each twice (bilinear
  // with half-pixel centers at 2x).
  const int W = 4, H = 2;
  std::vector<uint8_t> src = coded_rgba(W, H);
  PixelSource ps{src.data(), W, H, 4, W * 4};
  for (const UpstreamInput& up : kUpstream) {
    SCOPED_TRACE(up.family);
    JsonValue meta;
    ASSERT_TRUE(parse_json(std::string("{\"family\": \"") + up.family + "\"}", &meta).ok());
    DecoderConfig cfg;
    ASSERT_TRUE(parse_decoder_config(meta, 4, 4, &cfg).ok());
    Preprocessor pre;
    ASSERT_TRUE(pre.configure(4, 4, DType::kFloat32, QuantParams(), cfg.pixels,
                              cfg.resize, cfg.pad_value, cfg.align).ok());
    std::vector<float> f(4 * 4 * 3);
    ASSERT_TRUE(pre.run(ps, Transform(), reinterpret_cast<uint8_t*>(f.data()), nullptr).ok());
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < W; ++x) {
        for (int c = 0; c < 3; ++c) {
          const int sc = up.bgr ? 2 - c : c;
          float pixel;
          if (up.letterbox) {
            const int row = up.top_left ? y : y - 1;  // frame row at model row y
            pixel = (row < 0 || row > 1) ? static_cast<float>(up.pad) : static_cast<float>(coded(x, row, sc));
          } else {
            // Output rows 0..3 sample source rows -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
            const float v = std::min(1.0f, std::max(0.0f, (y + 0.5f) / 2 - 0.5f));
            pixel = coded(x, 0, sc) + (coded(x, 1, sc) - coded(x, 0, sc)) * v;
          }
          EXPECT_NEAR(f[(y * 4 + x) * 3 + c], (pixel - up.mean[c]) / up.std[c], 1e-5) << x << "," << y << "," << c;
        }
      }
    }
  }
}

TEST(Preprocess, RejectsBadImagesWithClearMessages) {
  std::vector<uint8_t> src(64, 0);
  Preprocessor pre;
  std::vector<int8_t> dst(12);
  uint8_t* d = reinterpret_cast<uint8_t*>(dst.data());
  ASSERT_TRUE(pre.configure(2, 2, DType::kInt8, quant(1.0f, -128), PixelMapping(),
                            ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  Transform t;
  Status s = pre.run(PixelSource{src.data(), 0, 2, 4, 8}, t, d, nullptr);
  EXPECT_NE(s.message().find("image size 0x2 is invalid"), std::string::npos) << s.message();
  s = pre.run(PixelSource{src.data(), -3, 2, 4, 8}, t, d, nullptr);
  EXPECT_FALSE(s.ok());
  s = pre.run(PixelSource{src.data(), 20000, 2, 4, 80000}, t, d, nullptr);
  EXPECT_NE(s.message().find("16384"), std::string::npos) << s.message();
  s = pre.run(PixelSource{src.data(), 4, 2, 4, 8}, t, d, nullptr);
  EXPECT_NE(s.message().find("stride"), std::string::npos) << s.message();
  s = pre.run(PixelSource{nullptr, 2, 2, 4, 8}, t, d, nullptr);
  EXPECT_NE(s.message().find("null"), std::string::npos) << s.message();
  t.rotation = 45;
  s = pre.run(PixelSource{src.data(), 2, 2, 4, 8}, t, d, nullptr);
  EXPECT_NE(s.message().find("rotation must be 0, 90, 180 or 270"), std::string::npos) << s.message();
  EXPECT_FALSE(pre.configure(2, 2, DType::kInt32, QuantParams(), PixelMapping(),
                             ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
  EXPECT_FALSE(pre.configure(2, 2, DType::kInt8, QuantParams(), PixelMapping(),
                             ResizeMode::kStretch, 0, LetterboxAlign::kCenter).ok());
}

Candidate box(float x0, float y0, float x1, float y1, float score, int label = 0, int order = 0) {
  Candidate c;
  c.x0 = x0, c.y0 = y0, c.x1 = x1, c.y1 = y1;
  c.score = score;
  c.label = label;
  c.order = order;
  return c;
}

TEST(Nms, IouOfKnownBoxes) {
  EXPECT_FLOAT_EQ(box_iou(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1)), 50.0f / 150.0f);
  EXPECT_FLOAT_EQ(box_iou(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1)), 1.0f);
  EXPECT_EQ(box_iou(box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1)), 0.0f);
  EXPECT_EQ(box_iou(box(0, 0, 0, 10, 1), box(0, 0, 10, 10, 1)), 0.0f);
}

TEST(Nms, HardNmsIsPerClassSortedAndCapped) {
  std::vector<Candidate> c = {
      box(50, 50, 60, 60, 0.7f, 0, 0),   // C: separate
      box(1, 0, 11, 10, 0.8f, 0, 1),     // B: IoU 0.82 with A, same class -> suppressed
      box(0, 0, 10, 10, 0.9f, 0, 2),     // A
      box(0, 0, 10, 10, 0.85f, 1, 3),    // D: same box as A, other class -> kept
      box(5, 0, 15, 10, 0.6f, 0, 4),     // E: IoU 1/3 with A -> kept at threshold 0.4
  };
  std::vector<Candidate> out;
  std::vector<Candidate> work = c;
  nms_hard(&work, 0.4f, 100, &out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].score, 0.9f);
  EXPECT_EQ(out[1].score, 0.85f);
  EXPECT_EQ(out[1].label, 1);
  EXPECT_EQ(out[2].score, 0.7f);
  EXPECT_EQ(out[3].score, 0.6f);
  work = c;
  nms_hard(&work, 0.3f, 100, &out);  // E now overlaps A above the threshold
  EXPECT_EQ(out.size(), 3u);
  work = c;
  nms_hard(&work, 0.4f, 2, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].score, 0.85f);
  // Equal scores keep decode order.
  std::vector<Candidate> tie = {box(0, 0, 1, 1, 0.5f, 0, 1), box(5, 5, 6, 6, 0.5f, 0, 0)};
  nms_hard(&tie, 0.5f, 10, &out);
  EXPECT_EQ(out[0].order, 0);
}

TEST(Nms, WeightedNmsBlendsOverlapsByScore) {
  Candidate a = box(0, 0, 10, 10, 0.9f, 0, 0);
  a.num_keypoints = 1;
  a.kp[0] = 5, a.kp[1] = 5;
  Candidate b = box(2, 0, 12, 10, 0.6f, 0, 1);  // IoU 80 / 120 with a
  b.num_keypoints = 1;
  b.kp[0] = 8, b.kp[1] = 2;
  Candidate far = box(100, 100, 110, 110, 0.5f, 0, 2);
  std::vector<Candidate> c = {far, b, a};
  std::vector<Candidate> out;
  nms_weighted(&c, 0.3f, 10, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].score, 0.9f);
  EXPECT_FLOAT_EQ(out[0].x0, (0.9f * 0 + 0.6f * 2) / 1.5f);
  EXPECT_FLOAT_EQ(out[0].x1, (0.9f * 10 + 0.6f * 12) / 1.5f);
  EXPECT_FLOAT_EQ(out[0].y1, 10.0f);
  EXPECT_FLOAT_EQ(out[0].kp[0], (0.9f * 5 + 0.6f * 8) / 1.5f);
  EXPECT_FLOAT_EQ(out[0].kp[1], (0.9f * 5 + 0.6f * 2) / 1.5f);
  EXPECT_FLOAT_EQ(out[1].x0, 100.0f);
  EXPECT_FLOAT_EQ(out[1].score, 0.5f);
  // Above the IoU threshold nothing merges; max_results caps the output.
  c = {far, b, a};
  nms_weighted(&c, 0.7f, 10, &out);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0].x0, 0.0f);
  c = {far, b, a};
  nms_weighted(&c, 0.3f, 1, &out);
  EXPECT_EQ(out.size(), 1u);
}

TEST(Anchors, BlazeFaceShortRangeLayout) {
  std::vector<AnchorCenter> a = generate_ssd_anchors(SsdAnchorOptions());
  ASSERT_EQ(a.size(), 896u);
  // Stride 8: 16x16 cells, 2 anchors each.
  EXPECT_FLOAT_EQ(a[0].x, 0.5f / 16);
  EXPECT_FLOAT_EQ(a[1].x, 0.5f / 16);
  EXPECT_FLOAT_EQ(a[2].x, 1.5f / 16);
  EXPECT_FLOAT_EQ(a[32].y, 1.5f / 16);
  // Strides 16,16,16 share one 8x8 grid with 6 anchors per cell.
  EXPECT_FLOAT_EQ(a[512].x, 0.5f / 8);
  EXPECT_FLOAT_EQ(a[517].x, 0.5f / 8);
  EXPECT_FLOAT_EQ(a[518].x, 1.5f / 8);
  EXPECT_FLOAT_EQ(a[895].x, 7.5f / 8);
  EXPECT_FLOAT_EQ(a[895].y, 7.5f / 8);
}

}  // namespace
}  // namespace fd
