#include "kernels/ref/f32_binary_apply.h"

namespace fd {

void f32_vbinaryc_ref(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                      const F32MinMaxParams& p) {
  const float bv = b[0];
  f32_binary::dispatch(op, [&](auto op_constant) {
    constexpr BinaryOp kOp = decltype(op_constant)::value;
    for (size_t i = 0; i < n; ++i) out[i] = f32_binary::clamp(f32_binary::apply<kOp>(a[i], bv), p);
  });
}

}  // namespace fd
