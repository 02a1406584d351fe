// Scalar uint8 max pooling (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void u8_maxpool_ref(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max) {
  ref_impl::maxpool<uint8_t>(input, output, p, out_min, out_max, 0);
}

}  // namespace fd
