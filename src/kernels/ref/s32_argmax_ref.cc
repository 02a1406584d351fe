// Scalar int32 arg max, first maximum wins (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void s32_argmax_ref(const int32_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<int32_t>(input, outer, axis, inner, output);
}

}  // namespace fd
