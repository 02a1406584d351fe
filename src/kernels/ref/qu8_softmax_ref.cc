// Scalar uint8 softmax through a 256-entry exp table (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qu8_softmax_ref(const uint8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* output) {
  ref_impl::softmax_quant<uint8_t>(input, rows, cols, p, output);
}

}  // namespace fd
