// Scalar uint8 -> int32 sum over the middle axis (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qu8_rsum_ref(const uint8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  ref_impl::rsum<uint8_t, int32_t>(input, outer, reduce, inner, output);
}

}  // namespace fd
