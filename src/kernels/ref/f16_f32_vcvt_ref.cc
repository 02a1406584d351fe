#include <cstring>

#include "kernels/elementwise.h"

namespace fd {

void f16_f32_vcvt_ref(size_t n, const uint16_t* x, float* y) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t h = x[i];
    const uint32_t sign = (h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0x1Fu) {
      bits = sign | 0x7F800000u | (mant << 13);  // inf / NaN (payload kept)
    } else if (exp != 0) {
      bits = sign | ((exp + 112u) << 23) | (mant << 13);  // rebias 15 -> 127
    } else if (mant == 0) {
      bits = sign;  // +-0
    } else {
      // Subnormal half: normalize the mantissa into a float32 normal number.
      uint32_t e = 113;  // exponent of 2^-14 in float32 bias terms (127 - 14)
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --e;
      }
      bits = sign | (e << 23) | ((mant & 0x3FFu) << 13);
    }
    std::memcpy(&y[i], &bits, sizeof(bits));
  }
}

}  // namespace fd
