// x8_xor_rows_ref: rows copied with every byte XORed, padded with zeros (the contract lives in
// kernels/conv.h). A plain loop: the compiler vectorizes it for SIMD128.
#include "kernels/conv.h"

namespace fd {

void x8_xor_rows_ref(size_t rows, size_t cols, const uint8_t* src, size_t src_stride, uint8_t xor_mask,
                     uint8_t* dst, size_t dst_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* s = src + r * src_stride;
    uint8_t* d = dst + r * dst_stride;
    for (size_t c = 0; c < cols; ++c) d[c] = static_cast<uint8_t>(s[c] ^ xor_mask);
    for (size_t c = cols; c < dst_stride; ++c) d[c] = 0;
  }
}

}  // namespace fd
