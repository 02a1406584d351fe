// SIMD128 uint8 max pooling; bit-exact with u8_maxpool_ref (body in maxpool_impl.h).
#include "kernels/wasmsimd/maxpool_impl.h"

namespace fd {

void u8_maxpool_wasmsimd(const uint8_t* input, uint8_t* output, const Pool2DParams& p, uint8_t out_min, uint8_t out_max) {
  wasmsimd_impl::maxpool(input, output, p, out_min, out_max);
}

}  // namespace fd
