// Scalar float bilinear resize (see kernels/resize.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void f32_resize_bilinear_ref(const float* input, float* output, const ResizeBilinearParams& p) {
  ref_impl::resize_bilinear<float>(input, output, p, false, 0.0f, 0.0f);
}

}  // namespace fd
