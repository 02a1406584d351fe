// SIMD128 int8 -> int32 sum over the middle axis; bit-exact with qs8_rsum_ref (body in rsum_impl.h).
#include "kernels/wasmsimd/rsum_impl.h"

namespace fd {

void qs8_rsum_wasmsimd(const int8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  wasmsimd_impl::rsum(input, outer, reduce, inner, output);
}

}  // namespace fd
