#include "kernels/ref/qx8_elementwise_ref_impl.h"

namespace fd {

void qu8_vadd_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) {
  ref_impl::qvadd(n, a, b, out, p);
}

}  // namespace fd
