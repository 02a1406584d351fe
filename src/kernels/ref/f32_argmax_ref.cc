// Scalar float arg max, first maximum wins (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void f32_argmax_ref(const float* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<float>(input, outer, axis, inner, output);
}

}  // namespace fd
