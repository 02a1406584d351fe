// Scalar int8 max pooling (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void s8_maxpool_ref(const int8_t* input, int8_t* output, const Pool2DParams& p, int8_t out_min, int8_t out_max) {
  ref_impl::maxpool<int8_t>(input, output, p, out_min, out_max, INT8_MIN);
}

}  // namespace fd
