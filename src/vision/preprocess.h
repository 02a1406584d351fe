// Preprocessing: 8-bit RGBA/RGB pixels of any size, oriented by a Transform, resized bilinearly
// (stretch or letterbox) straight into the model's input tensor, with the geometry kept so
// results map back to source pixels.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "core/quant.h"
#include "core/status.h"
#include "vision/decoder_config.h"

namespace fd {

// Orientation applied to the source before detection: first rotate clockwise by `rotation`
// degrees (0, 90, 180, 270), then mirror horizontally when `mirror` is set. Results are reported
// in this oriented ("displayed") image's pixels.
struct Transform {
  bool mirror = false;
  int rotation = 0;
};

// Interleaved 8-bit pixels: [height, width, channels] with rows `stride_bytes` apart.
struct PixelSource {
  const uint8_t* data = nullptr;
  int width = 0, height = 0;
  int channels = 4;  // 4 = RGBA (alpha ignored), 3 = RGB
  int stride_bytes = 0;
};

// Where the oriented image landed in the model input: model = view * scale + pad.
struct Geometry {
  int view_width = 0, view_height = 0;  // oriented image size (source size, swapped for 90/270)
  float scale_x = 1, scale_y = 1;       // model pixels per view pixel
  float pad_x = 0, pad_y = 0;           // model pixels before the image content (letterbox)
  // View x of model x (inverse of the mapping above); same for y.
  float to_view_x(float mx) const { return (mx - pad_x) / scale_x; }
  float to_view_y(float my) const { return (my - pad_y) / scale_y; }
};

// Largest source width or height accepted (matches image decoding's guard).
constexpr int kMaxSourceSide = 16384;

// Fills a model input [1, H, W, 3] (RGB or BGR) from pixels. Configure once; run per frame without
// allocating.
class Preprocessor {
 public:
  // Input tensor size, dtype (INT8, UINT8 or FLOAT32) and quantization (quantized inputs:
  // q = round(value / scale) + zero_point of value = pixel mapped by `pixels`), resize mode, the
  // letterbox fill pixel value (mapped like the image's pixels) and where the letterboxed image
  // sits (`align`; ignored when stretching).
  Status configure(int width, int height, DType dtype, const QuantParams& quant, const PixelMapping& pixels,
                   ResizeMode resize, int pad_value, LetterboxAlign align);

  // Writes the oriented, resized `src` into `dst` ([height, width, 3] of the configured dtype)
  // and reports the geometry. Fails with a clear message on bad sizes, strides or rotations.
  Status run(const PixelSource& src, const Transform& t, uint8_t* dst, Geometry* geometry);

  // The geometry `run` would report for a view of view_width x view_height.
  Geometry plan(int view_width, int view_height) const;

 private:
  // One output column or row: two source taps (byte offsets) and the weight of the second, or
  // outside the letterboxed content.
  struct Tap {
    int64_t off0 = 0, off1 = 0;
    float w = 0;
    bool outside = false;
  };

  void fill_taps(int out_size, float pad, float scale, int view_size, int64_t step, int64_t base, bool reverse,
                 std::vector<Tap>* taps) const;

  int width_ = 0, height_ = 0;
  DType dtype_ = DType::kInt8;
  ResizeMode resize_ = ResizeMode::kStretch;
  LetterboxAlign align_ = LetterboxAlign::kCenter;
  bool bgr_ = false;
  uint8_t lut_[3][256] = {};            // model channel, pixel -> quantized value (INT8 bytes / UINT8)
  float fa_[3] = {1, 1, 1}, fb_[3] = {};  // model channel, pixel -> float value: a * p + b
  int pad_value_ = 0;
  std::vector<Tap> cols_, rows_;
};

}  // namespace fd
