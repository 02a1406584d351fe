// SIMD128 int8 average pooling; bit-exact with qs8_avgpool_ref (body in avgpool_impl.h).
#include "kernels/wasmsimd/avgpool_impl.h"

namespace fd {

void qs8_avgpool_wasmsimd(const int8_t* input, int8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  wasmsimd_impl::avgpool(input, output, p, qmin, qmax, qs8_avgpool_ref);
}

}  // namespace fd
