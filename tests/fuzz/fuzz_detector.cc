// Fuzz target: the Detector facade. Input layout: byte 0 picks the frame (size, channels,
// rotation, mirror), bytes 1-2 (little endian) the length of the options JSON that follows (read
// as the JavaScript API reads an options object, fuzz_options.h), the rest is the model file.
// Create, detect on a synthetic frame, then re-detect after set_options.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/detector.h"
#include "fuzz_budget.h"
#include "fuzz_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t frame = data[0];
  const size_t options_len = static_cast<size_t>(data[1]) | static_cast<size_t>(data[2]) << 8;
  data += 3;
  size -= 3;
  if (options_len > size) return 0;
  const fd::DetectorOptions options = fd::fuzz_options(std::string(reinterpret_cast<const char*>(data), options_len));
  data += options_len;
  size -= options_len;

  std::unique_ptr<fd::Detector> det;
  if (!fd::Detector::create(data, size, options, &det).ok()) return 0;
  if (det->info().arena_bytes > fd::kFuzzMaxArena) return 0;

  const int width = 1 + (frame & 0x0f) * 13, height = 1 + (frame >> 4) * 11;
  const int channels = (frame & 1) ? 3 : 4;
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * channels);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 31 + (i >> 7));
  fd::Transform t;
  t.mirror = (frame & 2) != 0;
  t.rotation = 90 * ((frame >> 2) & 3);
  if (!det->run(pixels.data(), width, height, channels, width * channels, t, pixels.size()).ok()) return 0;
  for (const fd::Candidate& c : det->results()) (void)det->label(c.label);
  if (det->set_options(options).ok()) (void)det->run(pixels.data(), width, height, channels, width * channels, t);
  (void)det->info();
  return 0;
}
