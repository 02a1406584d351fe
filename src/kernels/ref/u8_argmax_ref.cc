// Scalar uint8 arg max, first maximum wins (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void u8_argmax_ref(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<uint8_t>(input, outer, axis, inner, output);
}

}  // namespace fd
