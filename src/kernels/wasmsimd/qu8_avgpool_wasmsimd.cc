// SIMD128 uint8 average pooling; bit-exact with qu8_avgpool_ref (body in avgpool_impl.h).
#include "kernels/wasmsimd/avgpool_impl.h"

namespace fd {

void qu8_avgpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, int32_t qmin, int32_t qmax) {
  wasmsimd_impl::avgpool(input, output, p, qmin, qmax, qu8_avgpool_ref);
}

}  // namespace fd
