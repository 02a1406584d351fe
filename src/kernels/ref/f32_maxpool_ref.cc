// Scalar float max pooling (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void f32_maxpool_ref(const float* input, float* output, const Pool2DParams& p, float out_min, float out_max) {
  ref_impl::maxpool<float>(input, output, p, out_min, out_max, -INFINITY);
}

}  // namespace fd
