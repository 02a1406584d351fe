#include "kernels/wasmsimd/f32_vbinary_impl.h"

namespace fd {

void f32_vbinaryc_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                           const F32MinMaxParams& p) {
  wasmsimd_impl::f32_vbinary<true>(op, n, a, b, out, p, f32_vbinaryc_ref);
}

}  // namespace fd
