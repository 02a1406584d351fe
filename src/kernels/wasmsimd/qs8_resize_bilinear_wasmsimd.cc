// SIMD128 int8 bilinear resize; bit-exact with qs8_resize_bilinear_ref (body in resize_bilinear_impl.h).
#include "kernels/wasmsimd/resize_bilinear_impl.h"

namespace fd {

void qs8_resize_bilinear_wasmsimd(const int8_t* input, int8_t* output, const ResizeBilinearParams& p) {
  wasmsimd_impl::resize_bilinear(input, output, p);
}

}  // namespace fd
