// Scalar uint8 average pooling with TFLite rounding (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qu8_avgpool_ref(const uint8_t* input, uint8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  ref_impl::avgpool_quant<uint8_t>(input, output, p, qmin, qmax);
}

}  // namespace fd
