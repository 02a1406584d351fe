// Scalar int32 out[i] = clamp(a[i] op b[0]) (the contract lives in kernels/elementwise.h); the op
// bodies come from ref/s32_binary_apply.h, which s32_vbinary_ref.cc shares.
#include "kernels/ref/s32_binary_apply.h"

namespace fd {

using s32_binary::apply;
using s32_binary::clamp;

void s32_vbinaryc_ref(BinaryOp op, size_t n, const int32_t* a, const int32_t* b, int32_t* out,
                      const S32MinMaxParams& p) {
  const int32_t bv = b[0];
  for (size_t i = 0; i < n; ++i) out[i] = clamp(apply(op, a[i], bv), p);
}

}  // namespace fd
