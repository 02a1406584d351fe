// Scalar int8 softmax through a 256-entry exp table (see kernels/pooling.h).
#include "kernels/ref/pooling_ref_impl.h"

namespace fd {

void qs8_softmax_ref(const int8_t* input, size_t rows, size_t cols, const QuantSoftmaxParams& p, int8_t* output) {
  ref_impl::softmax_quant<int8_t>(input, rows, cols, p, output);
}

}  // namespace fd
