// Scalar float32 out[i] = clamp(a[i] op b[i]) (the contract lives in kernels/elementwise.h); the op
// bodies and their dispatch come from ref/f32_binary_apply.h, which f32_vbinaryc_ref.cc and
// wasmsimd/f32_vbinary_wasmsimd.cc share.
#include "kernels/ref/f32_binary_apply.h"

namespace fd {

void f32_vbinary_ref(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                     const F32MinMaxParams& p) {
  f32_binary::dispatch(op, [&](auto op_constant) {
    constexpr BinaryOp kOp = decltype(op_constant)::value;
    for (size_t i = 0; i < n; ++i) out[i] = f32_binary::clamp(f32_binary::apply<kOp>(a[i], b[i]), p);
  });
}

}  // namespace fd
