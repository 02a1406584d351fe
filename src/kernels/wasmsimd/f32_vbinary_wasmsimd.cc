#include "kernels/wasmsimd/f32_vbinary_impl.h"

namespace fd {

void f32_vbinary_wasmsimd(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                          const F32MinMaxParams& p) {
  wasmsimd_impl::f32_vbinary<false>(op, n, a, b, out, p, f32_vbinary_ref);
}

}  // namespace fd
