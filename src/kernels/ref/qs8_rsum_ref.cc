// Scalar int8 -> int32 sum over the middle axis (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qs8_rsum_ref(const int8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  ref_impl::rsum<int8_t, int32_t>(input, outer, reduce, inner, output);
}

}  // namespace fd
