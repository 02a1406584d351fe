// Fuzz target: metadata and options text. The same bytes go through the JSON reader and the
// decoder-metadata parser (featherdet metadata), the Python-literal reader (Ultralytics'
// temp_meta.txt), and a detector's options (read as the JavaScript API reads an options object,
// fuzz_options.h: at create and through set_options, then one frame).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/detector.h"
#include "vision/json.h"
#include "fuzz_options.h"
#include "tflite_test_models.h"
#include "vision/decoder_config.h"
#include "vision/ultralytics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fd::JsonValue v;
  if (fd::parse_json(text, &v).ok() && v.is_object()) {
    fd::DecoderConfig cfg;
    (void)fd::parse_decoder_config(v, 320, 320, &cfg);
    (void)fd::merge_json_objects(v, v);
  }
  fd::JsonValue py;
  if (fd::parse_python_literal(text, &py).ok() && py.is_object()) {
    fd::DecoderConfig cfg;
    (void)fd::parse_decoder_config(py, 320, 320, &cfg);
  }

  // A 4x4 float model whose output a yolov5 decoder reads; its metadata is valid, so options
  // decide whether create succeeds.
  static const std::vector<uint8_t> model = fd::reshape_model(
      "pred", {1, 8, 6},
      R"({"family": "yolov5", "input": {"resize": "stretch", "range": "0,1"}, "normalized": true, "labels": ["thing"]})");
  const fd::DetectorOptions options = fd::fuzz_options(text);
  std::unique_ptr<fd::Detector> det;
  if (!fd::Detector::create(model.data(), model.size(), options, &det).ok()) {
    if (!fd::Detector::create(model.data(), model.size(), fd::DetectorOptions(), &det).ok()) __builtin_trap();
    (void)det->set_options(options);
  }
  std::vector<uint8_t> frame(12 * 10 * 4, 0x80);
  (void)det->run(frame.data(), 12, 10, 4, 12 * 4, fd::Transform(), frame.size());
  (void)det->info();
  return 0;
}
