// Shared scalar bodies of the ref pooling, reduction and resize kernels; each
// <dtype>_<op>_ref.cc instantiates one of these for its element type.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/pooling.h"
#include "kernels/resize.h"

namespace fd {
namespace ref_impl {

// In-bounds tap range [start, end) of a window starting at `origin` over an axis of `size`.
inline void window_range(ptrdiff_t origin, size_t filter, size_t size, size_t* start, size_t* end) {
  ptrdiff_t s = origin < 0 ? -origin : 0;
  ptrdiff_t e = static_cast<ptrdiff_t>(size) - origin;
  if (e > static_cast<ptrdiff_t>(filter)) e = static_cast<ptrdiff_t>(filter);
  *start = static_cast<size_t>(s);
  *end = e > s ? static_cast<size_t>(e) : static_cast<size_t>(s);
}

// Visits every output pixel: body(out_pixel, base, fy0, fy1, fx0, fx1) gets the output pixel
// index, the input pixel index of window tap (0, 0) and the in-bounds tap ranges.
template <typename Body>
void for_each_window(const Pool2DParams& p, Body body) {
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t oy = 0; oy < p.out_h; ++oy) {
      const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * p.stride_h) - static_cast<ptrdiff_t>(p.pad_top);
      size_t fy0, fy1;
      window_range(iy0, p.filter_h, p.in_h, &fy0, &fy1);
      for (size_t ox = 0; ox < p.out_w; ++ox) {
        const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * p.stride_w) - static_cast<ptrdiff_t>(p.pad_left);
        size_t fx0, fx1;
        window_range(ix0, p.filter_w, p.in_w, &fx0, &fx1);
        const size_t out_pixel = (b * p.out_h + oy) * p.out_w + ox;
        // Input pixel index of tap (fy, fx) = base + fy * in_w + fx.
        const ptrdiff_t base = (static_cast<ptrdiff_t>(b * p.in_h) + iy0) * static_cast<ptrdiff_t>(p.in_w) + ix0;
        body(out_pixel, base, fy0, fy1, fx0, fx1);
      }
    }
  }
}

template <typename T>
void maxpool(const T* input, T* output, const Pool2DParams& p, T out_min, T out_max, T lowest) {
  const size_t c_n = p.channels;
  for_each_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    for (size_t c = 0; c < c_n; ++c) {
      T m = lowest;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          const T v = input[(base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c)];
          m = m < v ? v : m;
        }
      }
      m = m < out_min ? out_min : m;
      m = m > out_max ? out_max : m;
      output[out_pixel * c_n + c] = m;
    }
  });
}

template <typename T>
void avgpool_quant(const T* input, T* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  const size_t c_n = p.channels;
  for_each_window(p, [&](size_t out_pixel, ptrdiff_t base, size_t fy0, size_t fy1, size_t fx0, size_t fx1) {
    const int32_t count = static_cast<int32_t>((fy1 - fy0) * (fx1 - fx0));
    for (size_t c = 0; c < c_n; ++c) {
      int32_t acc = 0;
      for (size_t fy = fy0; fy < fy1; ++fy) {
        for (size_t fx = fx0; fx < fx1; ++fx) {
          acc += input[(base + static_cast<ptrdiff_t>(fy * p.in_w + fx)) * static_cast<ptrdiff_t>(c_n) + static_cast<ptrdiff_t>(c)];
        }
      }
      acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
      acc = acc < qmin ? qmin : acc;
      acc = acc > qmax ? qmax : acc;
      output[out_pixel * c_n + c] = static_cast<T>(acc);
    }
  });
}

template <typename T, typename Acc>
void rsum(const T* input, size_t outer, size_t reduce, size_t inner, Acc* output) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inner; ++i) {
      Acc acc = 0;
      for (size_t r = 0; r < reduce; ++r) acc += input[(o * reduce + r) * inner + i];
      output[o * inner + i] = acc;
    }
  }
}

template <typename T>
void argmax(const T* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inner; ++i) {
      const T* row = input + o * axis * inner + i;
      T best = row[0];
      int32_t best_index = 0;
      for (size_t a = 1; a < axis; ++a) {
        if (row[a * inner] > best) {
          best = row[a * inner];
          best_index = static_cast<int32_t>(a);
        }
      }
      output[o * inner + i] = best_index;
    }
  }
}

template <typename T>
void softmax_quant(const T* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, T* output) {
  for (size_t r = 0; r < rows; ++r) {
    const T* x = input + r * cols;
    T* y = output + r * cols;
    int32_t mx = x[0];
    for (size_t c = 1; c < cols; ++c) mx = x[c] > mx ? x[c] : mx;
    float sum = 0.0f;
    for (size_t c = 0; c < cols; ++c) sum += p.exp_table[mx - x[c]];
    const float inv = 1.0f / (sum * p.output_scale);
    // Clamped in float before the integer conversion: a tiny output scale makes the quotient
    // huge, and an overflowing table (inf / inf) NaN, which goes to qmin.
    const float lo = static_cast<float>(p.qmin - p.output_zero_point);
    const float hi = static_cast<float>(p.qmax - p.output_zero_point);
    for (size_t c = 0; c < cols; ++c) {
      float v = std::nearbyint(p.exp_table[mx - x[c]] * inv);
      v = v >= lo ? v : lo;
      v = v <= hi ? v : hi;
      y[c] = static_cast<T>(static_cast<int32_t>(v) + p.output_zero_point);
    }
  }
}

// The float blend of one channel: a, b, c, d are taps (y0,x0), (y1,x0), (y0,x1), (y1,x1).
inline float bilinear_blend(float a, float b, float c, float d, float fy, float ny, float fx, float nx) {
  return a * ny * nx + b * fy * nx + c * ny * fx + d * fy * fx;
}

template <typename T>
void resize_bilinear(const T* input, T* output, const ResizeBilinearParams& p, bool quantized, float qmin, float qmax) {
  const size_t c_n = p.channels;
  for (size_t b = 0; b < p.batches; ++b) {
    for (size_t y = 0; y < p.out_h; ++y) {
      const float fy = p.fy[y];
      const float ny = 1.0f - fy;
      const T* row0 = input + (b * p.in_h + static_cast<size_t>(p.y0[y])) * p.in_w * c_n;
      const T* row1 = input + (b * p.in_h + static_cast<size_t>(p.y1[y])) * p.in_w * c_n;
      for (size_t x = 0; x < p.out_w; ++x) {
        const float fx = p.fx[x];
        const float nx = 1.0f - fx;
        const size_t x0 = static_cast<size_t>(p.x0[x]) * c_n, x1 = static_cast<size_t>(p.x1[x]) * c_n;
        T* out = output + ((b * p.out_h + y) * p.out_w + x) * c_n;
        for (size_t c = 0; c < c_n; ++c) {
          float v = bilinear_blend(static_cast<float>(row0[x0 + c]), static_cast<float>(row1[x0 + c]),
                                   static_cast<float>(row0[x1 + c]), static_cast<float>(row1[x1 + c]), fy, ny, fx, nx);
          if (quantized) {
            v = std::floor(v + 0.5f);
            v = v < qmin ? qmin : v;
            v = v > qmax ? qmax : v;
          }
          out[c] = static_cast<T>(v);
        }
      }
    }
  }
}

}  // namespace ref_impl
}  // namespace fd
