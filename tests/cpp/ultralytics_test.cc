// Ultralytics exports: the Python-literal metadata parser, the family an output shape implies, and
// detectors created from hand-built TFLite files with an Ultralytics-style zip appended (both
// metadata forms, both heads), with no decoder option; malformed metadata and other tasks fail
// with messages that say what is wrong.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <memory>
#include <string>
#include <vector>

#include "api/detector.h"
#include "detector_options.h"
#include "tflite_test_models.h"
#include "vision/ultralytics.h"

namespace fd {
namespace {

uint32_t crc32(const std::string& s) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : s) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

void put16(std::vector<uint8_t>* v, uint32_t x) {
  v->push_back(static_cast<uint8_t>(x));
  v->push_back(static_cast<uint8_t>(x >> 8));
}
void put32(std::vector<uint8_t>* v, uint32_t x) {
  put16(v, x & 0xFFFF);
  put16(v, x >> 16);
}

// `file` with a one-entry zip (stored) appended, as Ultralytics appends its metadata; offsets are
// relative to the archive's start.
std::vector<uint8_t> with_zip(std::vector<uint8_t> file, const std::string& name, const std::string& data) {
  std::vector<uint8_t> z;
  const uint32_t crc = crc32(data);
  put32(&z, 0x04034b50);
  put16(&z, 20);
  put16(&z, 0);
  put16(&z, 0);  // stored
  put32(&z, 0);
  put32(&z, crc);
  put32(&z, static_cast<uint32_t>(data.size()));
  put32(&z, static_cast<uint32_t>(data.size()));
  put16(&z, static_cast<uint32_t>(name.size()));
  put16(&z, 0);
  z.insert(z.end(), name.begin(), name.end());
  z.insert(z.end(), data.begin(), data.end());
  const uint32_t cd = static_cast<uint32_t>(z.size());
  put32(&z, 0x02014b50);
  put16(&z, 20);
  put16(&z, 20);
  put16(&z, 0);
  put16(&z, 0);
  put32(&z, 0);
  put32(&z, crc);
  put32(&z, static_cast<uint32_t>(data.size()));
  put32(&z, static_cast<uint32_t>(data.size()));
  put16(&z, static_cast<uint32_t>(name.size()));
  put16(&z, 0);
  put16(&z, 0);
  put16(&z, 0);
  put16(&z, 0);
  put32(&z, 0);
  put32(&z, 0);  // local header offset
  z.insert(z.end(), name.begin(), name.end());
  const uint32_t cd_size = static_cast<uint32_t>(z.size()) - cd;
  put32(&z, 0x06054b50);
  put16(&z, 0);
  put16(&z, 0);
  put16(&z, 1);
  put16(&z, 1);
  put32(&z, cd_size);
  put32(&z, cd);
  put16(&z, 0);
  file.insert(file.end(), z.begin(), z.end());
  return file;
}

const char* kJsonMeta = R"({"description": "Ultralytics YOLOv8n model trained on custom.yaml", "version": "8.3.172",
  "stride": 32, "task": "detect", "batch": 1, "imgsz": [4, 4], "names": {"0": "cat", "1": "dog"}})";
const char* kPythonMeta =
    "{'description': 'Ultralytics YOLOv8n model trained on custom.yaml', 'author': 'Ultralytics', "
    "'version': '8.1.0', 'stride': 32, 'task': 'detect', 'batch': 1, 'imgsz': [4, 4], 'names': {0: 'cat', 1: \"dog's\"}}";

Status create(const std::vector<uint8_t>& model, const DetectorOptions& options, std::unique_ptr<Detector>* d) {
  return Detector::create(model.data(), model.size(), options, d);
}

TEST(PythonLiteral, ParsesUltralyticsMetadataDicts) {
  JsonValue v;
  Status s = parse_python_literal(kPythonMeta, &v);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(v.find("task")->as_string(), "detect");
  EXPECT_EQ(v.find("stride")->as_number(), 32);
  EXPECT_EQ(v.find("names")->find("0")->as_string(), "cat");
  EXPECT_EQ(v.find("names")->find("1")->as_string(), "dog's");
  ASSERT_TRUE(parse_python_literal("{'a': (1, 2.5, -3e2,), 'b': [True, False, None], 'c': 'x\\ty\\u00e9\\x41', 7: {}}", &v).ok());
  EXPECT_EQ(v.find("a")->items().size(), 3u);
  EXPECT_EQ(v.find("a")->items()[2].as_number(), -300);
  EXPECT_TRUE(v.find("b")->items()[0].as_bool());
  EXPECT_TRUE(v.find("b")->items()[2].is_null());
  EXPECT_EQ(v.find("c")->as_string(), "x\ty\xc3\xa9" "A");
  EXPECT_TRUE(v.find("7")->is_object());
  for (const char* bad : {"{'a': 1", "{'a' 1}", "__import__('os').system('x')", "{'a': 'unterminated}", "[1, 2] 3",
                          "{[1]: 2}", "{'a': 1e999}", ""}) {
    s = parse_python_literal(bad, &v);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("Python literal: "), std::string::npos) << s.message();
  }
  std::string deep(100, '[');
  EXPECT_NE(parse_python_literal(deep, &v).message().find("nesting deeper than"), std::string::npos);
}

TEST(Ultralytics, FamilyFromTheOutputShape) {
  EXPECT_EQ(yolo_family_for_shape({1, 84, 8400}, 80), "yolov8");
  EXPECT_EQ(yolo_family_for_shape({1, 8400, 84}, 80), "yolov8");
  EXPECT_EQ(yolo_family_for_shape({1, 25200, 85}, 80), "yolov5");
  EXPECT_EQ(yolo_family_for_shape({1, 84, 8400}, 0), "yolov8");
  EXPECT_EQ(yolo_family_for_shape({1, 25200, 85}, 0), "yolov5");
  EXPECT_EQ(yolo_family_for_shape({1, 116, 8400}, 80), "");  // a segmentation head
  EXPECT_EQ(yolo_family_for_shape({1, 8400}, 80), "");
  EXPECT_EQ(yolo_family_for_shape({2, 84, 8400}, 80), "");
}

TEST(Ultralytics, BothMetadataFormsConfigureTheDetectorWithNoOptions) {
  for (const auto& entry : {std::make_pair(std::string("metadata.json"), std::string(kJsonMeta)),
                            std::make_pair(std::string("temp_meta.txt"), std::string(kPythonMeta))}) {
    std::unique_ptr<Detector> d;
    Status s = create(with_zip(reshape_model("output0", {1, 6, 8}), entry.first, entry.second), DetectorOptions(), &d);
    ASSERT_TRUE(s.ok()) << entry.first << ": " << s.message();
    const DetectorInfo info = d->info();
    EXPECT_EQ(info.family, "yolov8");
    ASSERT_EQ(info.labels.size(), 2u);
    EXPECT_EQ(info.labels[0], "cat");
    EXPECT_FLOAT_EQ(info.score_threshold, 0.25f);
    EXPECT_FLOAT_EQ(info.iou_threshold, 0.45f);
  }
  // YOLOv5 head [1, N, 5+C], and an explicit decoder option still overriding the file's.
  std::unique_ptr<Detector> d;
  const std::vector<uint8_t> v5 = with_zip(reshape_model("output0", {1, 8, 6}), "metadata.json",
                                           R"({"task": "detect", "imgsz": [4, 4], "names": {"0": "car"}})");
  ASSERT_TRUE(create(v5, DetectorOptions(), &d).ok());
  EXPECT_EQ(d->info().family, "yolov5");
  EXPECT_EQ(d->info().labels, std::vector<std::string>{"car"});
  ASSERT_TRUE(create(v5, decoder_options(R"({"labels": ["truck"], "score_threshold": 0.6})"), &d).ok());
  EXPECT_EQ(d->info().labels, std::vector<std::string>{"truck"});
  EXPECT_FLOAT_EQ(d->info().score_threshold, 0.6f);
}

TEST(Ultralytics, MetadataErrorsSayWhatIsWrong) {
  std::unique_ptr<Detector> d;
  const std::vector<uint8_t> model = reshape_model("output0", {1, 6, 8});
  Status s = create(with_zip(model, "metadata.json", R"({"task": "segment", "names": {"0": "a", "1": "b"}})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("task is 'segment'"), std::string::npos) << s.message();
  s = create(with_zip(model, "metadata.json", "{\"task\": \"detect\", "), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("Ultralytics metadata (metadata.json) is not readable"), std::string::npos) << s.message();
  s = create(with_zip(model, "temp_meta.txt", "{'task': 'detect', 'names': {0: 'a', 2: 'b'}}"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("'names' skips class id 1"), std::string::npos) << s.message();
  s = create(with_zip(model, "metadata.json", R"({"task": "detect", "names": ["a", "b", "c", "d", "e"]})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("fits neither [1, 4+C, N]"), std::string::npos) << s.message();
  s = create(with_zip(model, "metadata.json", R"({"task": "detect", "imgsz": [640, 640], "names": {"0": "a", "1": "b"}})"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("does not match the model input"), std::string::npos) << s.message();
  // An archive without metadata, or a damaged one: the file counts as having no metadata, and the
  // error names the outputs and the option to pass.
  s = create(with_zip(model, "weights.bin", "xyz"), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("neither metadata.json nor temp_meta.txt"), std::string::npos) << s.message();
  std::vector<uint8_t> damaged = with_zip(model, "metadata.json", kJsonMeta);
  damaged[damaged.size() - 6] ^= 0x40;  // central directory offset
  s = create(damaged, DetectorOptions(), &d);
  EXPECT_NE(s.message().find("could not be read"), std::string::npos) << s.message();
  s = create(model, DetectorOptions(), &d);
  EXPECT_NE(s.message().find("model has neither featherdet nor Ultralytics metadata; its outputs are 'output0' [1, 6, 8]"),
            std::string::npos) << s.message();
  EXPECT_NE(s.message().find("{\"decoder\": {\"family\": \"yolov8\""), std::string::npos) << s.message();
  s = create(reshape_model("output0", {1, 8, 6}), DetectorOptions(), &d);
  EXPECT_NE(s.message().find("{\"decoder\": {\"family\": \"yolov5\""), std::string::npos) << s.message();
}

// Mutated metadata (flipped, inserted and deleted bytes, truncations) through the parser and the
// whole reader: an error or a result, never a crash (run under ASan by the sanitizer build).
TEST(Ultralytics, SurvivesMutatedMetadataAndArchives) {
  std::mt19937 rng(99);
  const std::vector<uint8_t> model = reshape_model("output0", {1, 6, 8});
  const std::vector<Shape> shapes = {{1, 6, 8}};
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = i % 2 ? kPythonMeta : kJsonMeta;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text[at] = static_cast<char>(rng()); break;
        case 1: text.insert(at, 1, "{}[](),:'\"x0-eT"[rng() % 16]); break;
        case 2: text.erase(at, 1 + rng() % 8); break;
        default: text.resize(at); break;
      }
    }
    JsonValue v;
    if (parse_python_literal(text, &v).ok()) ++parsed;
    std::vector<uint8_t> file = with_zip(model, i % 2 ? "temp_meta.txt" : "metadata.json", text);
    if (i % 3 == 0) file[model.size() + rng() % (file.size() - model.size())] ^= static_cast<uint8_t>(1 + rng() % 255);
    bool found = false;
    JsonValue meta;
    std::string note;
    Status s = ultralytics_decoder_metadata(file.data(), file.size(), shapes, &found, &meta, &note);
    if (s.ok() && found) {
      EXPECT_TRUE(meta.find("family") != nullptr);
    }
    if (!s.ok()) {
      EXPECT_FALSE(s.message().empty());
    }
  }
  EXPECT_GT(parsed, 0);  // some mutations still parse (the loop reaches the success paths too)
}

}  // namespace
}  // namespace fd
