// Detector on real models and images: the bundled models (models/dist/*.tflite, built by `npm run
// models`; skipped until they exist) on the conformance face photo, WIDER FACE and COCO images,
// and the upstream float BlazeFace through the `decoder` option.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "api/detector.h"
#include "detector_options.h"
#include "vision/image_io.h"
#include "vision/nms.h"

namespace fd {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Built models: $FEATHERDET_MODELS_DIR, else models/dist of the source tree.
std::string models_dir() {
  const char* env = std::getenv("FEATHERDET_MODELS_DIR");
  return env != nullptr ? std::string(env) : std::string(FD_SOURCE_DIR) + "/models/dist";
}

// Decodes an image file into RGBA.
Image load_rgba(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  Image rgb;
  Status s = decode_image(bytes.data(), bytes.size(), &rgb);
  EXPECT_TRUE(s.ok()) << path << ": " << s.message();
  Image rgba;
  rgba.width = rgb.width;
  rgba.height = rgb.height;
  rgba.channels = 4;
  rgba.pixels.resize(static_cast<size_t>(rgb.width) * rgb.height * 4);
  for (size_t i = 0; i < static_cast<size_t>(rgb.width) * rgb.height; ++i) {
    for (int c = 0; c < 3; ++c) rgba.pixels[i * 4 + c] = rgb.pixels[i * 3 + c];
    rgba.pixels[i * 4 + 3] = 255;
  }
  return rgba;
}

std::string describe(const std::vector<Detection>& ds) {
  std::string s;
  for (const Detection& d : ds) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "[%.1f %.1f %.1f %.1f %.3f] ", d.x, d.y, d.width, d.height, d.score);
    s += buf;
  }
  return s;
}

// Ground-truth face boxes [x0, y0, x1, y1] of one image in data/widerface-val/labels.txt.
std::vector<Candidate> wider_faces(const std::string& image) {
  std::ifstream f(std::string(FD_SHARED_DIR) + "/data/widerface-val/labels.txt");
  std::vector<Candidate> faces;
  std::string line;
  bool in = false;
  while (std::getline(f, line)) {
    if (!line.empty() && line[0] == '#') {
      in = line.find("/" + image + " ") != std::string::npos;
      continue;
    }
    Candidate c;
    if (in && std::sscanf(line.c_str(), "%f %f %f %f", &c.x0, &c.y0, &c.x1, &c.y1) == 4) faces.push_back(c);
  }
  return faces;
}

Candidate as_box(const Detection& d) {
  Candidate c;
  c.x0 = d.x, c.y0 = d.y, c.x1 = d.x + d.width, c.y1 = d.y + d.height;
  return c;
}

// Facial keypoints that make sense for an upright face: inside the (slightly grown) box, eyes
// above the mouth, the subject's right eye on the image's left.
void expect_plausible_face(const Detection& d, const char* mouth) {
  ASSERT_GE(d.keypoints.size(), 4u);
  const float gx = 0.15f * d.width, gy = 0.15f * d.height;
  for (const Keypoint& k : d.keypoints) {
    EXPECT_GT(k.x, d.x - gx) << k.name;
    EXPECT_LT(k.x, d.x + d.width + gx) << k.name;
    EXPECT_GT(k.y, d.y - gy) << k.name;
    EXPECT_LT(k.y, d.y + d.height + gy) << k.name;
  }
  const Keypoint* re = nullptr;
  const Keypoint* le = nullptr;
  const Keypoint* m = nullptr;
  for (const Keypoint& k : d.keypoints) {
    if (k.name == "right_eye") re = &k;
    if (k.name == "left_eye") le = &k;
    if (k.name == mouth) m = &k;
  }
  ASSERT_TRUE(re && le && m);
  EXPECT_LT(re->x, le->x);
  EXPECT_LT(re->y, m->y);
  EXPECT_LT(le->y, m->y);
  EXPECT_GT(le->x - re->x, 0.15f * d.width);
}

std::unique_ptr<Detector> load_detector(const std::vector<uint8_t>& model, const DetectorOptions& options = DetectorOptions()) {
  std::unique_ptr<Detector> d;
  Status s = Detector::create(model.data(), model.size(), options, &d);
  EXPECT_TRUE(s.ok()) << s.message();
  return d;
}

std::vector<Detection> detect(Detector& d, const Image& img, Transform t = Transform()) {
  std::vector<Detection> out;
  Status s = d.detect(img.pixels.data(), img.width, img.height, img.width * 4, t, &out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(DetectorModels, YunetFindsTheFacesOfThePhotoAndWiderImages) {
  std::vector<uint8_t> model = read_file(models_dir() + "/face.tflite");
  if (model.empty()) GTEST_SKIP() << "no " << models_dir() << "/face.tflite: run `npm run models`";
  std::unique_ptr<Detector> d = load_detector(model);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->info().family, "yunet");
  // face.jpg (512x355): four people facing the camera.
  Image photo = load_rgba(std::string(FD_SHARED_DIR) + "/conformance/images/face.jpg");
  std::vector<Detection> faces = detect(*d, photo);
  ASSERT_EQ(faces.size(), 4u) << describe(faces);
  for (const Detection& f : faces) {
    EXPECT_GT(f.score, 0.8f);
    EXPECT_EQ(f.label, "face");
    EXPECT_GE(f.x, 0.0f);
    EXPECT_LE(f.x + f.width, 512.0f);
    EXPECT_GT(f.height, 40.0f);
    EXPECT_LT(f.height, 200.0f);
    expect_plausible_face(f, "right_mouth");
  }
  // WIDER FACE evaluation images (not in the calibration split): at least 3 in 4 labelled faces
  // are found. The labels were rescaled with the stretched 416x416 images, so boxes are taller
  // than YuNet's: a match is IoU >= 0.4.
  for (const char* name : {"1_Handshaking_Handshaking_1_827.jpg", "2_Demonstration_Demonstrators_2_330.jpg",
                           "3_Riot_Riot_3_405.jpg"}) {
    Image img = load_rgba(std::string(FD_SHARED_DIR) + "/data/widerface-val/images/" + name);
    std::vector<Candidate> truth = wider_faces(name);
    ASSERT_GE(truth.size(), 3u) << name;
    std::vector<Detection> found = detect(*d, img);
    size_t matched = 0;
    for (const Candidate& t : truth) {
      float best = 0.0f;
      for (const Detection& f : found) best = std::max(best, box_iou(t, as_box(f)));
      matched += best >= 0.4f ? 1 : 0;
    }
    EXPECT_GE(4 * matched, 3 * truth.size()) << name << ": " << describe(found);
    EXPECT_LE(found.size(), truth.size() + 1) << name << ": " << describe(found);
  }
}

TEST(DetectorModels, OrientedFramesGiveTheSameFacesAsTheUprightImage) {
  std::vector<uint8_t> model = read_file(models_dir() + "/face.tflite");
  if (model.empty()) GTEST_SKIP() << "no " << models_dir() << "/face.tflite: run `npm run models`";
  std::unique_ptr<Detector> d = load_detector(model);
  ASSERT_NE(d, nullptr);
  Image photo = load_rgba(std::string(FD_SHARED_DIR) + "/conformance/images/face.jpg");
  const std::vector<Detection> upright = detect(*d, photo);
  ASSERT_FALSE(upright.empty());
  // A camera frame that shows the photo once rotated 90 degrees clockwise and mirrored: the
  // detector sees exactly the photo's pixels, so detections match exactly.
  const int W = photo.width, H = photo.height;
  Image frame;
  frame.width = H;
  frame.height = W;
  frame.pixels.resize(photo.pixels.size());
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      // mirror(rotate_cw(frame)) is the transpose of the frame: frame (y, x) = photo (x, y).
      for (int c = 0; c < 4; ++c) {
        frame.pixels[(static_cast<size_t>(x) * H + y) * 4 + c] = photo.pixels[(static_cast<size_t>(y) * W + x) * 4 + c];
      }
    }
  }
  Transform t;
  t.rotation = 90;
  t.mirror = true;
  std::vector<Detection> oriented = detect(*d, frame, t);
  ASSERT_EQ(oriented.size(), upright.size());
  for (size_t i = 0; i < upright.size(); ++i) {
    EXPECT_FLOAT_EQ(oriented[i].x, upright[i].x);
    EXPECT_FLOAT_EQ(oriented[i].y, upright[i].y);
    EXPECT_FLOAT_EQ(oriented[i].width, upright[i].width);
    EXPECT_FLOAT_EQ(oriented[i].keypoints[0].x, upright[i].keypoints[0].x);
  }
}

TEST(DetectorModels, UpstreamBlazefaceThroughTheDecoderOption) {
  std::vector<uint8_t> model = read_file(std::string(FD_SHARED_DIR) + "/models/upstream/blazeface_short_range.tflite");
  ASSERT_FALSE(model.empty());
  std::unique_ptr<Detector> d = load_detector(model, decoder_options(R"({"family": "blazeface"})"));
  ASSERT_NE(d, nullptr);
  DetectorInfo info = d->info();
  EXPECT_EQ(info.input_type, "FLOAT32");
  EXPECT_EQ(info.input_width, 128);
  ASSERT_EQ(info.keypoints.size(), 6u);
  Image photo = load_rgba(std::string(FD_SHARED_DIR) + "/conformance/images/face.jpg");
  std::vector<Detection> faces = detect(*d, photo);
  // The short-range model finds the two large, close faces of the photo.
  ASSERT_GE(faces.size(), 1u);
  EXPECT_GT(faces[0].score, 0.9f);
  EXPECT_GT(faces[0].width, 60.0f);
  EXPECT_LT(faces[0].width, 160.0f);
  for (const Detection& f : faces) expect_plausible_face(f, "mouth_center");
  // It is the face YuNet finds at about (253, 50, 97, 120) in the same photo.
  Candidate yunet_face;
  yunet_face.x0 = 253, yunet_face.y0 = 50, yunet_face.x1 = 350, yunet_face.y1 = 170;
  EXPECT_GT(box_iou(as_box(faces[0]), yunet_face), 0.6f) << describe(faces);
}

// COCO class ids of coco128 val image 000000000139.jpg (640x426, YOLO labels): a tv at the left
// and chairs in the middle.
constexpr int kCocoTv = 62, kCocoChair = 56;

TEST(DetectorModels, ObjectModelsFindTheTvAndChairs) {
  Image img = load_rgba(std::string(FD_SHARED_DIR) + "/data/coco128/val2017/images/000000000139.jpg");
  Candidate tv;  // label "62 0.127641 0.505153 0.233312 0.2227" in pixels
  tv.x0 = (0.127641f - 0.233312f / 2) * 640, tv.x1 = (0.127641f + 0.233312f / 2) * 640;
  tv.y0 = (0.505153f - 0.2227f / 2) * 426, tv.y1 = (0.505153f + 0.2227f / 2) * 426;
  int ran = 0;
  for (const char* file : {"objects.tflite", "nanodet-m.tflite", "objects-320.tflite", "objects-tiny.tflite"}) {
    std::vector<uint8_t> model = read_file(models_dir() + "/" + file);
    if (model.empty()) continue;
    ++ran;
    std::unique_ptr<Detector> d = load_detector(model);
    ASSERT_NE(d, nullptr) << file;
    ASSERT_EQ(d->info().labels.size(), 80u) << file;
    std::vector<Detection> found = detect(*d, img);
    float tv_iou = 0.0f;
    int chairs = 0;
    for (const Detection& f : found) {
      if (f.label_id == kCocoTv) tv_iou = std::max(tv_iou, box_iou(tv, as_box(f)));
      chairs += f.label_id == kCocoChair ? 1 : 0;
    }
    EXPECT_GT(tv_iou, 0.8f) << file << ": " << describe(found);
    EXPECT_GE(chairs, 2) << file << ": " << describe(found);
    // Only the allowed category comes back.
    DetectorOptions chairs_only;
    chairs_only.category_allowlist = std::vector<std::string>{d->label(kCocoChair)};
    ASSERT_TRUE(d->set_options(chairs_only).ok());
    for (const Detection& f : detect(*d, img)) EXPECT_EQ(f.label_id, kCocoChair) << file;
  }
  if (ran == 0) GTEST_SKIP() << "no objects models in " << models_dir() << ": run `npm run models`";
}

}  // namespace
}  // namespace fd
