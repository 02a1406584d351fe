// TFLite's SAME/VALID padding rule, the one definition convolutions and pooling use.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/graph.h"

namespace fd {

// Output size and leading padding of one spatial axis of `in` values under a window of `kernel`
// taps `dilation` apart moved by `stride`: SAME gives ceil(in / stride) outputs and splits the
// padding it needs (the smaller half first), VALID keeps windows inside the input. False (and
// nothing written) when no output fits.
inline bool same_valid_window(Padding padding, int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                              int64_t* out, int64_t* pad_before) {
  const int64_t effective = (kernel - 1) * dilation + 1;
  const int64_t o = padding == Padding::kSame ? (in + stride - 1) / stride
                                              : (in >= effective ? (in - effective) / stride + 1 : 0);
  if (o <= 0) return false;
  *out = o;
  *pad_before = padding == Padding::kSame ? std::max<int64_t>((o - 1) * stride + effective - in, 0) / 2 : 0;
  return true;
}

}  // namespace fd
