// Scalar float sum over the middle axis (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void f32_rsum_ref(const float* input, size_t outer, size_t reduce, size_t inner, float* output) {
  ref_impl::rsum<float, float>(input, outer, reduce, inner, output);
}

}  // namespace fd
