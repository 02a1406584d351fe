#include "kernels/ref/qx8_elementwise_ref_impl.h"

namespace fd {

void qu8_vmulc_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) {
  ref_impl::qvmulc(n, a, b, out, p);
}

}  // namespace fd
