// Image resize kernels over NHWC tensors: bilinear (float and quantized) and nearest neighbor.
// All coordinate math (scales, align_corners, half_pixel_centers) happens in the op's prepare;
// the kernels read precomputed per-row and per-column taps.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fd {

// Taps of a bilinear resize: output row y blends input rows y0[y] and y1[y] with weight fy[y]
// on y1 and 1 - fy[y] on y0 (same per column with x0, x1, fx).
struct ResizeBilinearParams {
  size_t batches = 1, in_h = 1, in_w = 1, out_h = 1, out_w = 1, channels = 1;
  const int32_t* y0 = nullptr;  // [out_h]
  const int32_t* y1 = nullptr;  // [out_h]
  const float* fy = nullptr;    // [out_h]
  const int32_t* x0 = nullptr;  // [out_w]
  const int32_t* x1 = nullptr;  // [out_w]
  const float* fx = nullptr;    // [out_w]
};

// The float blend of one channel, in the order every bilinear kernel evaluates it: a, b, c, d are
// taps (y0,x0), (y1,x0), (y0,x1), (y1,x1); ny = 1 - fy, nx = 1 - fx.
inline float bilinear_blend(float a, float b, float c, float d, float fy, float ny, float fx, float nx) {
  return a * ny * nx + b * fy * nx + c * ny * fx + d * fy * fx;
}

// Bilinear resize like TFLite's reference: v = a*(1-fy)*(1-fx) + b*fy*(1-fx) + c*(1-fy)*fx + d*fy*fx
// evaluated left to right in float (bilinear_blend). input [N, H, W, C], output [N, OH, OW, C].
void f32_resize_bilinear_ref(const float* input, float* output, const ResizeBilinearParams& p);
void f32_resize_bilinear_wasmsimd(const float* input, float* output, const ResizeBilinearParams& p);
// Bilinear resize of raw int8 values: the float blend above, then floor(v + 0.5), saturated.
void qs8_resize_bilinear_ref(const int8_t* input, int8_t* output, const ResizeBilinearParams& p);
void qs8_resize_bilinear_wasmsimd(const int8_t* input, int8_t* output, const ResizeBilinearParams& p);
// Bilinear resize of raw uint8 values: the float blend above, then floor(v + 0.5), saturated.
void qu8_resize_bilinear_ref(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p);
void qu8_resize_bilinear_wasmsimd(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p);

// Nearest-neighbor resize of any element type: copies input pixel (src_y[y], src_x[x]) of
// `pixel_bytes` bytes (channels * element size) to output pixel (y, x).
// input [N, H, W, pixel_bytes], output [N, OH, OW, pixel_bytes]; src_y [OH], src_x [OW].
void xx_resize_nearest_ref(const uint8_t* input, uint8_t* output, size_t batches, size_t in_h, size_t in_w,
                           size_t out_h, size_t out_w, size_t pixel_bytes, const int32_t* src_y,
                           const int32_t* src_x);

}  // namespace fd
