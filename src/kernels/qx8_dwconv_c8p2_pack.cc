// Prepare-time packing of depthwise weights into tap pairs (the layout lives in kernels/conv.h).
#include "kernels/conv.h"

namespace fd {

size_t qx8_dwconv_c8p2_packed_size(size_t channels, size_t taps) {
  const size_t blocks = round_up_multiple(channels, kDwChannelBlock) / kDwChannelBlock +
                        (channels > kDwChannelBlock && channels % kDwChannelBlock != 0 ? 1 : 0);
  return blocks * kDwChannelBlock * round_up_multiple(taps, 2);
}

void qx8_dwconv_c8p2_pack(size_t channels, size_t taps, const int16_t* w, const int32_t* bias,
                          int32_t input_zp, int16_t* packed, int32_t* bias_out) {
  const size_t cp = round_up_multiple(channels, kDwChannelBlock);
  const size_t pairs = (taps + 1) / 2;
  // The aligned blocks, then (channels > 8, not a multiple of 8) the block of the last 8 channels.
  const size_t tail = channels > kDwChannelBlock && channels % kDwChannelBlock != 0 ? channels - kDwChannelBlock : cp;
  for (size_t b = 0; b <= cp; b += kDwChannelBlock) {
    const size_t first = b < cp ? b : tail;
    if (first == cp) break;
    for (size_t p = 0; p < pairs; ++p) {
      for (size_t c = 0; c < kDwChannelBlock; ++c) {
        for (size_t j = 0; j < 2; ++j) {
          const size_t t = 2 * p + j;
          *packed++ = t < taps && first + c < channels ? w[t * cp + first + c] : 0;
        }
      }
    }
  }
  for (size_t c = 0; c < cp; ++c) {
    int32_t sum = 0;
    for (size_t t = 0; t < taps && c < channels; ++t) sum += w[t * cp + c];
    bias_out[c] = c < channels ? bias[c] - input_zp * sum : 0;
  }
}

}  // namespace fd
