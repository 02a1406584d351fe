// xx_strided_copy_ref: gathers a strided view of a tensor into a contiguous buffer (TRANSPOSE,
// STRIDED_SLICE).
#include <cstring>

#include "kernels/movement.h"

namespace fd {
namespace {

// Copies with a compile-time element width so each element moves as one load and one store.
template <size_t N>
void strided_copy(const uint8_t* in, uint8_t* out, const StridedCopyParams& p) {
  const int last = p.rank - 1;
  const int32_t run = p.out_dims[last];
  const int64_t step = p.in_strides[last] * static_cast<int64_t>(N);
  int64_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= p.out_dims[d];
  int32_t idx[kMaxMovementDims] = {};
  int64_t base = p.in_offset * static_cast<int64_t>(N);  // byte offset of the current row
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* src = in + base;
    if (step == static_cast<int64_t>(N)) {
      std::memcpy(out, src, static_cast<size_t>(run) * N);
      out += static_cast<size_t>(run) * N;
    } else {
      for (int32_t i = 0; i < run; ++i) {
        std::memcpy(out, src, N);
        out += N;
        src += step;
      }
    }
    for (int d = last - 1; d >= 0; --d) {
      base += p.in_strides[d] * static_cast<int64_t>(N);
      if (++idx[d] < p.out_dims[d]) break;
      base -= p.in_strides[d] * static_cast<int64_t>(N) * p.out_dims[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void xx_strided_copy_ref(size_t elem_size, const void* in, void* out, const StridedCopyParams& p) {
  for (int d = 0; d < p.rank; ++d) {
    if (p.out_dims[d] == 0) return;
  }
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  switch (elem_size) {
    case 1: strided_copy<1>(src, dst, p); break;
    case 2: strided_copy<2>(src, dst, p); break;
    case 4: strided_copy<4>(src, dst, p); break;
    case 8: strided_copy<8>(src, dst, p); break;
    default: break;
  }
}

}  // namespace fd
