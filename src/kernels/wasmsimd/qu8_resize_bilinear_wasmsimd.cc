// SIMD128 uint8 bilinear resize; bit-exact with qu8_resize_bilinear_ref (body in resize_bilinear_impl.h).
#include "kernels/wasmsimd/resize_bilinear_impl.h"

namespace fd {

void qu8_resize_bilinear_wasmsimd(const uint8_t* input, uint8_t* output, const ResizeBilinearParams& p) {
  wasmsimd_impl::resize_bilinear(input, output, p);
}

}  // namespace fd
