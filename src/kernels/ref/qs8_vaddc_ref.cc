#include "kernels/ref/qx8_elementwise_ref_impl.h"

namespace fd {

void qs8_vaddc_ref(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) {
  ref_impl::qvaddc(n, a, b, out, p);
}

}  // namespace fd
