// Scalar int8 arg max, first maximum wins (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void s8_argmax_ref(const int8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<int8_t>(input, outer, axis, inner, output);
}

}  // namespace fd
