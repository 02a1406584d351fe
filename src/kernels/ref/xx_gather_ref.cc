// xx_gather_ref: picks slices along one axis by index (GATHER).
#include <cstring>

#include "kernels/movement.h"

namespace fd {

void xx_gather_ref(size_t elem_size, const void* in, const int32_t* indices, void* out,
                   const GatherParams& p) {
  const size_t row = static_cast<size_t>(p.inner) * elem_size;  // bytes of one gathered slice
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t b = 0; b < p.batch; ++b) {
    const int32_t* idx = indices + b * p.num_indices;
    for (int64_t o = 0; o < p.outer; ++o) {
      const uint8_t* plane = src + static_cast<size_t>((b * p.outer + o) * p.axis_size) * row;
      for (int64_t i = 0; i < p.num_indices; ++i) {
        if (row) std::memcpy(dst, plane + static_cast<size_t>(idx[i]) * row, row);
        dst += row;
      }
    }
  }
}

}  // namespace fd
