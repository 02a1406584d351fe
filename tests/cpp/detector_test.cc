// Detector (the C++ detection facade, api/detector.h) end to end on hand-built TFLite models: a single RESHAPE turns the
// preprocessed pixels into a YOLOv5 prediction tensor, so chosen pixel values are a known
// detection. Also the load-time errors (metadata, family, outputs, labels, options).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "api/detector.h"
#include "detector_options.h"
#include "tflite_test_models.h"
#include "vision/image_io.h"

// Counts heap allocations while `g_counting` is set (this binary's global operator new).
// GCC flags free() in a replaced operator delete as mismatched; here malloc/free pair by design.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static std::atomic<bool> g_counting{false};
static std::atomic<long> g_allocations{0};

void* operator new(std::size_t n) {
  if (g_counting) ++g_allocations;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace fd {
namespace {

const char* kYoloDecoder =
    R"({"family": "yolov5", "input": {"resize": "stretch", "range": "0,1"}, "normalized": true, "labels": ["thing"]})";

// A 16x8 RGBA frame of 4x2 blocks; the stretch to 4x4 samples block (bx, by) exactly, so model
// pixel (bx, by) = block color. Row 0 of the [1, 8, 6] prediction is model pixels (0,0), (1,0):
// cx, cy, w = 128, 64, 64 and h, obj, cls = 32, 255, 230 (/255).
std::vector<uint8_t> yolo_frame() {
  std::vector<uint8_t> px(16 * 8 * 4, 0);
  const uint8_t block[2][3] = {{128, 64, 64}, {32, 255, 230}};
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 16; ++x) {
      uint8_t* p = &px[(y * 16 + x) * 4];
      p[3] = 255;
      const int bx = x / 4, by = y / 2;
      if (by == 0 && bx < 2) {
        for (int c = 0; c < 3; ++c) p[c] = block[bx][c];
      }
    }
  }
  return px;
}

Status create(const std::vector<uint8_t>& model, const DetectorOptions& options, std::unique_ptr<Detector>* d) {
  return Detector::create(model.data(), model.size(), options, d);
}

TEST(Detector, DecodesAHandBuiltYoloModelIntoSourcePixels) {
  std::vector<uint8_t> model = reshape_model("pred", {1, 8, 6}, "");
  std::unique_ptr<Detector> d;
  Status s = create(model, decoder_options(kYoloDecoder), &d);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<uint8_t> frame = yolo_frame();
  std::vector<Detection> out;
  s = d->detect(frame.data(), 16, 8, 16 * 4, Transform(), &out);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out.size(), 1u);
  // Model box (normalized * 4): cx 128/255, w 64/255 -> x in [96, 160]/255 * 4; source x = model x * 4.
  EXPECT_NEAR(out[0].x, 96.0f / 255 * 16, 1e-3);
  EXPECT_NEAR(out[0].width, 64.0f / 255 * 16, 1e-3);
  // cy 64/255, h 32/255 -> y in [48, 80]/255 * 4; source y = model y * 2.
  EXPECT_NEAR(out[0].y, 48.0f / 255 * 8, 1e-3);
  EXPECT_NEAR(out[0].height, 32.0f / 255 * 8, 1e-3);
  EXPECT_NEAR(out[0].score, 230.0f / 255, 1e-5);
  EXPECT_EQ(out[0].label, "thing");
  EXPECT_EQ(out[0].label_id, 0);
  EXPECT_TRUE(out[0].keypoints.empty());

  // Mirrored display: the model must see the same pixels, so feed the mirrored frame; the box is
  // reported in the displayed (mirrored) image's pixels.
  std::vector<uint8_t> mirrored(frame.size());
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 16; ++x) {
      for (int c = 0; c < 4; ++c) mirrored[(y * 16 + x) * 4 + c] = frame[(y * 16 + (15 - x)) * 4 + c];
    }
  }
  Transform t;
  t.mirror = true;
  ASSERT_TRUE(d->detect(mirrored.data(), 16, 8, 64, t, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].x, 96.0f / 255 * 16, 1e-3);

  // Thresholds and category filters.
  DetectorOptions o;
  o.score_threshold = 0.95f;
  ASSERT_TRUE(d->set_options(o).ok());
  ASSERT_TRUE(d->detect(frame.data(), 16, 8, 64, Transform(), &out).ok());
  EXPECT_TRUE(out.empty());
  o.score_threshold = 0.5f;
  o.category_denylist = std::vector<std::string>{"thing"};
  ASSERT_TRUE(d->set_options(o).ok());
  ASSERT_TRUE(d->detect(frame.data(), 16, 8, 64, Transform(), &out).ok());
  EXPECT_TRUE(out.empty());
  o = DetectorOptions();
  o.category_denylist = std::vector<std::string>();
  o.category_allowlist = std::vector<std::string>{"thing"};
  ASSERT_TRUE(d->set_options(o).ok());
  ASSERT_TRUE(d->detect(frame.data(), 16, 8, 64, Transform(), &out).ok());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_FLOAT_EQ(d->info().score_threshold, 0.5f);
  // Options not given keep their values.
  ASSERT_TRUE(d->set_options(DetectorOptions()).ok());
  ASSERT_TRUE(d->detect(frame.data(), 16, 8, 64, Transform(), &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(Detector, ReadsFeatherdetMetadataAndReportsInfo) {
  std::vector<uint8_t> model = reshape_model("pred", {1, 8, 6}, kYoloDecoder);
  std::unique_ptr<Detector> d;
  Status s = create(model, DetectorOptions(), &d);
  ASSERT_TRUE(s.ok()) << s.message();
  DetectorInfo info = d->info();
  EXPECT_EQ(info.family, "yolov5");
  EXPECT_EQ(info.input_width, 4);
  EXPECT_EQ(info.labels, std::vector<std::string>{"thing"});
  EXPECT_EQ(info.input_type, "FLOAT32");
  EXPECT_EQ(info.model_bytes, model.size());
  EXPECT_FLOAT_EQ(info.score_threshold, 0.25f);
  EXPECT_EQ(info.input_height, 4);
  EXPECT_TRUE(info.keypoints.empty());
  EXPECT_FLOAT_EQ(info.iou_threshold, 0.45f);
  EXPECT_EQ(info.max_results, 100);
  EXPECT_GT(info.arena_bytes, 0u);
  std::vector<uint8_t> frame = yolo_frame();
  ASSERT_TRUE(d->run(frame.data(), 16, 8, 4, 64, Transform(), frame.size()).ok());
  EXPECT_EQ(d->results().size(), 1u);
  // The decoder option overrides the metadata member by member.
  DetectorOptions o = decoder_options(R"({"labels": ["other"]})");
  o.max_results = -1;
  ASSERT_TRUE(d->set_options(o).ok());
  EXPECT_EQ(d->label(0), "other");
  EXPECT_EQ(d->info().max_results, -1);
}

TEST(Detector, YoloxReadsItsOutputAndLetterboxesTopLeft) {
  // The RESHAPE makes the 4x4 BGR input a YOLOX output [1, 4, 12]: stride 2 (a 2x2 grid), 7
  // classes; cell i holds model row i. Pixels map to p / 200, the letterbox fill is 0.
  std::vector<uint8_t> model = reshape_model("output", {1, 4, 12}, "");
  std::unique_ptr<Detector> d;
  Status s = create(model, decoder_options(R"({"family": "yolox", "strides": [2],
                                               "input": {"pad_value": 0, "mean": 0, "std": 200}})"), &d);
  ASSERT_TRUE(s.ok()) << s.message();
  // A 4x2 frame fits the 4x4 input at scale 1. Its row 1, in BGR: x 80, y 100, w 0 | h 0, obj 200,
  // class 0 160 -> x 0.4, y 0.5, w 0, h 0, obj 1, class 0 = 0.8.
  std::vector<uint8_t> frame(4 * 2 * 4, 0);
  for (int i = 0; i < 8; ++i) frame[i * 4 + 3] = 255;
  const uint8_t p0[3] = {0, 100, 80}, p1[3] = {160, 200, 0};  // RGB
  for (int c = 0; c < 3; ++c) frame[(4 + 0) * 4 + c] = p0[c], frame[(4 + 1) * 4 + c] = p1[c];
  std::vector<Detection> out;
  ASSERT_TRUE(d->detect(frame.data(), 4, 2, 16, Transform(), &out).ok());
  // Top-left: frame row 1 is model row 1 = cell (row 0, col 1): center ((0.4 + 1) * 2,
  // (0.5 + 0) * 2) = (2.8, 1), size exp(0) * 2 = 2.
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].x, 1.8f, 1e-4);
  EXPECT_NEAR(out[0].y, 0.0f, 1e-4);
  EXPECT_NEAR(out[0].width, 2.0f, 1e-4);
  EXPECT_NEAR(out[0].height, 2.0f, 1e-4);
  EXPECT_NEAR(out[0].score, 0.8f, 1e-5);
  EXPECT_EQ(out[0].label, "class_0");
  // Centered, one fill row above: frame row 1 is model row 2 = cell (row 1, col 0): center (0.8, 3)
  // -> model box [-0.2, 2, 1.8, 4] -> frame [0, 1, 1.8, 2] after removing the pad and clamping.
  ASSERT_TRUE(d->set_options(decoder_options(R"({"input": {"align": "center"}})")).ok());
  ASSERT_TRUE(d->detect(frame.data(), 4, 2, 16, Transform(), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].x, 0.0f, 1e-4);
  EXPECT_NEAR(out[0].y, 1.0f, 1e-4);
  EXPECT_NEAR(out[0].width, 1.8f, 1e-4);
  EXPECT_NEAR(out[0].height, 1.0f, 1e-4);
  // Listing the split head's roles makes the detector look for those tensors.
  s = create(model, decoder_options(R"({"family": "yolox", "strides": [2],
                                        "outputs": {"reg": "reg_2", "obj": "obj_2", "cls": "cls_2"}})"), &d);
  EXPECT_NE(s.message().find("model output 'reg_2' not found (model outputs: 'output')"), std::string::npos)
      << s.message();
}

TEST(Detector, LoadErrorsSayWhatIsWrong) {
  std::unique_ptr<Detector> d;
  std::vector<uint8_t> bare = reshape_model("pred", {1, 8, 6}, "");
  Status s = create(bare, DetectorOptions(), &d);
  EXPECT_NE(s.message().find("model has neither featherdet nor Ultralytics metadata"), std::string::npos) << s.message();
  s = create(reshape_model("pred", {1, 8, 6}, R"({"family": "ssd"})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("decoder family 'ssd' is not supported"), std::string::npos) << s.message();
  s = create(reshape_model("pred", {1, 8, 6}, R"({"family": "yunet"})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("model output 'cls_8' not found (model outputs: 'pred')"), std::string::npos) << s.message();
  s = create(reshape_model("pred", {1, 8, 6}, R"({"family": "yolov5", "labels": ["a", "b"]})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("lists 2 labels but the model scores 1 classes"), std::string::npos) << s.message();
  s = create(reshape_model("pred", {1, 48}, R"({"family": "yolov5"})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("model output 'pred' (role pred) has shape [1, 48]"), std::string::npos) << s.message();
  s = create(reshape_model("pred", {1, 8, 6}, "{not json"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("metadata 'featherdet' is not valid JSON"), std::string::npos) << s.message();
  s = create(bare, decoder_options(R"({"family": "yolov5", "outputs": {"pred": "scores"}})"), &d);
  EXPECT_NE(s.message().find("model output 'scores' not found"), std::string::npos) << s.message();
  DetectorOptions o = decoder_options(R"({"family": "yolov5"})");
  o.score_threshold = 1.5f;
  s = create(bare, o, &d);
  EXPECT_NE(s.message().find("option 'scoreThreshold' must be a number in [0, 1]"), std::string::npos) << s.message();
  o = decoder_options(R"({"family": "yolov5"})");
  o.category_allowlist = std::vector<std::string>{"a"};
  o.category_denylist = std::vector<std::string>{"b"};
  s = create(bare, o, &d);
  EXPECT_NE(s.message().find("mutually exclusive"), std::string::npos) << s.message();
  o = decoder_options(R"({"family": "yolov5"})");
  o.max_results = 0;
  s = create(bare, o, &d);
  EXPECT_NE(s.message().find("'maxResults' must be a positive integer"), std::string::npos) << s.message();
  s = create(bare, decoder_options("[1]"), &d);
  EXPECT_NE(s.message().find("option 'decoder' must be an object"), std::string::npos) << s.message();
  s = Detector::create(nullptr, 0, DetectorOptions(), &d);
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
  EXPECT_EQ(d, nullptr);
}

TEST(Detector, LoadErrorsCarryTheirKind) {
  std::unique_ptr<Detector> d;
  const std::vector<uint8_t> bare = reshape_model("pred", {1, 8, 6}, "");
  // The caller's options: invalid argument; the model and its metadata: failed (even where the
  // message says "not supported"); an operator featherdet lacks: unsupported.
  EXPECT_EQ(create(bare, decoder_options("[1]"), &d).code(), StatusCode::kInvalidArgument);
  DetectorOptions zero = decoder_options(R"({"family": "yolov5"})");
  zero.max_results = 0;
  EXPECT_EQ(create(bare, zero, &d).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create(bare, DetectorOptions(), &d).code(), StatusCode::kFailed);
  const Status family = create(reshape_model("pred", {1, 8, 6}, R"({"family": "ssd"})"), DetectorOptions(), &d);
  EXPECT_EQ(family.code(), StatusCode::kFailed) << family.message();
  EXPECT_EQ(Detector::create(nullptr, 0, DetectorOptions(), &d).code(), StatusCode::kFailed);
  EXPECT_STREQ(status_code_name(StatusCode::kUnsupported), "unsupported");
  EXPECT_STREQ(status_code_name(StatusCode::kOk), "");
  EXPECT_EQ(Status().with_code(StatusCode::kUnsupported).code(), StatusCode::kOk);
  EXPECT_EQ(Status::error("x").with_code(StatusCode::kInvalidImage).message(), "x");
}

TEST(Detector, RejectsBadFramesAndKeepsOptionsOnError) {
  std::unique_ptr<Detector> d;
  ASSERT_TRUE(create(reshape_model("pred", {1, 8, 6}, kYoloDecoder), DetectorOptions(), &d).ok());
  std::vector<uint8_t> frame = yolo_frame();
  std::vector<Detection> out;
  Status s = d->detect(frame.data(), 0, 8, 64, Transform(), &out);
  EXPECT_NE(s.message().find("image size 0x8 is invalid"), std::string::npos) << s.message();
  s = d->detect(frame.data(), 16, -1, 64, Transform(), &out);
  EXPECT_FALSE(s.ok());
  s = d->detect(frame.data(), 20000, 8, 80000, Transform(), &out);
  EXPECT_FALSE(s.ok());
  s = d->run(frame.data(), 16, 16, 4, 64, Transform(), frame.size());
  EXPECT_NE(s.message().find("pixel buffer holds 512 bytes but a 16x16 image needs 1024"), std::string::npos) << s.message();
  Transform t;
  t.rotation = 30;
  EXPECT_FALSE(d->detect(frame.data(), 16, 8, 64, t, &out).ok());
  DetectorOptions bad;
  bad.score_threshold = 0.1f;
  bad.iou_threshold = 7.0f;
  EXPECT_FALSE(d->set_options(bad).ok());
  EXPECT_FLOAT_EQ(d->info().score_threshold, 0.25f);  // unchanged by the failed call
  EXPECT_FALSE(d->set_options(decoder_options(R"({"family": "nanodet"})")).ok());
  EXPECT_EQ(d->info().family, "yolov5");
  ASSERT_TRUE(d->detect(frame.data(), 16, 8, 64, Transform(), &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

// Heap allocations made by the first and by the second run() of `d` on the same frame.
std::pair<long, long> allocations_per_frame(Detector& d, const uint8_t* frame, int w, int h, Transform t) {
  long counts[2];
  for (long& c : counts) {
    g_allocations = 0;
    g_counting = true;
    Status s = d.run(frame, w, h, 4, w * 4, t);
    g_counting = false;
    EXPECT_TRUE(s.ok()) << s.message();
    c = g_allocations;
  }
  return {counts[0], counts[1]};
}

TEST(Detector, FramesAfterTheFirstAllocateNothing) {
  std::unique_ptr<Detector> d;
  ASSERT_TRUE(create(reshape_model("pred", {1, 8, 6}, kYoloDecoder), DetectorOptions(), &d).ok());
  std::vector<uint8_t> frame = yolo_frame();
  Transform t;
  t.rotation = 180;
  t.mirror = true;
  std::pair<long, long> n = allocations_per_frame(*d, frame.data(), 16, 8, t);
  EXPECT_GT(n.first, 0);  // the first frame grows the candidate and result buffers
  EXPECT_EQ(n.second, 0);
  EXPECT_EQ(d->results().size(), 1u);
}

TEST(Detector, FramesAfterTheFirstAllocateNothingWithTheBundledFaceModel) {
  const std::string path = std::string(FD_SOURCE_DIR) + "/models/dist/face.tflite";
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> model((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (model.empty()) GTEST_SKIP() << path << " is not built (npm run models)";
  std::unique_ptr<Detector> d;
  ASSERT_TRUE(create(model, DetectorOptions(), &d).ok());
  std::vector<uint8_t> camera(640 * 480 * 4, 90);
  EXPECT_EQ(allocations_per_frame(*d, camera.data(), 640, 480, Transform()).second, 0);
}

}  // namespace
}  // namespace fd
