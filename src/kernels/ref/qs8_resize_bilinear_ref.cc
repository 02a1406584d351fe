// Scalar int8 bilinear resize (see kernels/resize.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qs8_resize_bilinear_ref(const int8_t* input, int8_t* output, const ResizeBilinearParams& p) {
  ref_impl::resize_bilinear<int8_t>(input, output, p, true, -128.0f, 127.0f);
}

}  // namespace fd
