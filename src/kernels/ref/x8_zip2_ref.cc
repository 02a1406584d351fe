// x8_zip2_ref: interleaves two byte rows (the contract lives in kernels/movement.h).
#include "kernels/movement.h"

namespace fd {

void x8_zip2_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = a[i];
    out[2 * i + 1] = b[i];
  }
}

}  // namespace fd
