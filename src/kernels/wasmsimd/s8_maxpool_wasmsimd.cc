// SIMD128 int8 max pooling; bit-exact with s8_maxpool_ref (body in maxpool_impl.h).
#include "kernels/wasmsimd/maxpool_impl.h"

namespace fd {

void s8_maxpool_wasmsimd(const int8_t* input, int8_t* output, const Pool2DParams& p, int8_t out_min, int8_t out_max) {
  wasmsimd_impl::maxpool(input, output, p, out_min, out_max);
}

}  // namespace fd
