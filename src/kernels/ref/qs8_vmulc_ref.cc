#include "kernels/ref/qx8_elementwise_ref_impl.h"

namespace fd {

void qs8_vmulc_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) {
  ref_impl::qvmulc(n, a, b, out, p);
}

}  // namespace fd
