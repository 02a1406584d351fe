// xx_concat_ref: concatenation along one axis, with optional 8-bit requantization tables
// (CONCATENATION, PACK).
#include "kernels/movement.h"
#include "kernels/small_copy.h"

namespace fd {

void xx_concat_ref(size_t elem_size, int num_inputs, const void* const* inputs, const int64_t* blocks,
                   const uint8_t* const* tables, int64_t outer, void* out) {
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t o = 0; o < outer; ++o) {
    for (int i = 0; i < num_inputs; ++i) {
      const size_t n = static_cast<size_t>(blocks[i]) * elem_size;
      if (!inputs[i]) {
        dst += n;
        continue;
      }
      const uint8_t* src = static_cast<const uint8_t*>(inputs[i]) + static_cast<size_t>(o) * n;
      const uint8_t* table = tables ? tables[i] : nullptr;
      if (table) {
        for (size_t k = 0; k < n; ++k) dst[k] = table[src[k]];
      } else if (n) {
        copy_small(dst, src, n);
      }
      dst += n;
    }
  }
}

}  // namespace fd
