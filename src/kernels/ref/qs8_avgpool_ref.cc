// Scalar int8 average pooling with TFLite rounding (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qs8_avgpool_ref(const int8_t* input, int8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  ref_impl::avgpool_quant<int8_t>(input, output, p, qmin, qmax);
}

}  // namespace fd
