// Prepare-time packing of depthwise weights into int8 tap quads (the layout lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {

size_t qx8_dwconv_c16q4_packed_bytes(size_t channels, size_t taps) {
  const size_t blocks = round_up_multiple(channels, kDwQuadBlock) / kDwQuadBlock +
                        (channels > kDwQuadBlock && channels % kDwQuadBlock != 0 ? 1 : 0);
  return blocks * kDwQuadBlock * round_up_multiple(taps, 4);
}

bool qx8_dwconv_c16q4_pack(size_t channels, size_t taps, const int16_t* w, const int32_t* bias,
                           int32_t input_zp, int8_t* packed, int32_t* bias_out) {
  const size_t cw = round_up_multiple(channels, kDwChannelBlock);  // row stride of w
  const size_t cp = round_up_multiple(channels, kDwQuadBlock);
  const size_t quads = (taps + 3) / 4;
  // The aligned blocks, then (channels > 16, not a multiple of 16) the block of the last 16 channels.
  const size_t tail = channels > kDwQuadBlock && channels % kDwQuadBlock != 0 ? channels - kDwQuadBlock : cp;
  for (size_t b = 0; b <= cp; b += kDwQuadBlock) {
    const size_t first = b < cp ? b : tail;
    if (first == cp) break;
    for (size_t q = 0; q < quads; ++q) {
      for (size_t c = 0; c < kDwQuadBlock; ++c) {
        for (size_t j = 0; j < 4; ++j) {
          const size_t t = 4 * q + j;
          const int32_t v = t < taps && first + c < channels ? w[t * cw + first + c] : 0;
          if (v < -128 || v > 127) return false;
          *packed++ = static_cast<int8_t>(v);
        }
      }
    }
  }
  for (size_t c = 0; c < cp; ++c) {
    int32_t sum = 0;
    for (size_t t = 0; t < taps && c < channels; ++t) sum += w[t * cw + c];
    bias_out[c] = c < channels ? bias[c] - input_zp * sum : 0;
  }
  return true;
}

}  // namespace fd
