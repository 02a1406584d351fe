// Scalar uint8 bilinear resize (see kernels/resize.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qu8_resize_bilinear_ref(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p) {
  ref_impl::resize_bilinear<uint8_t>(input, output, p, true, 0.0f, 255.0f);
}

}  // namespace fd
