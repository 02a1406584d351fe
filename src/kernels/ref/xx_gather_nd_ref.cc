// xx_gather_nd_ref: picks slices addressed by index tuples (GATHER_ND).
#include <cstring>

#include "kernels/movement.h"

namespace fd {

void xx_gather_nd_ref(size_t elem_size, const void* in, const int32_t* indices, void* out,
                      const GatherNdParams& p) {
  const size_t row = static_cast<size_t>(p.slice_size) * elem_size;
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t s = 0; s < p.num_slices; ++s) {
    const int32_t* idx = indices + s * p.index_depth;
    int64_t offset = 0;
    for (int32_t k = 0; k < p.index_depth; ++k) offset += idx[k] * p.strides[k];
    if (row) std::memcpy(dst, src + static_cast<size_t>(offset) * elem_size, row);
    dst += row;
  }
}

}  // namespace fd
