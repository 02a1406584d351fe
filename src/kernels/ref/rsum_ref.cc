// Scalar float, int8 and uint8 sums over the middle axis (the contract lives in kernels/pooling.h).
#include <cstdint>

#include "kernels/pooling.h"

namespace fd {
namespace ref_impl {

// output[o, i] = sum over r of input[o, r, i], in increasing r from 0.
template <typename T, typename Acc>
void rsum(const T* input, size_t outer, size_t reduce, size_t inner, Acc* output) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inner; ++i) {
      Acc acc = 0;
      for (size_t r = 0; r < reduce; ++r) acc += input[(o * reduce + r) * inner + i];
      output[o * inner + i] = acc;
    }
  }
}

}  // namespace ref_impl

void f32_rsum_ref(const float* input, size_t outer, size_t reduce, size_t inner, float* output) {
  ref_impl::rsum<float, float>(input, outer, reduce, inner, output);
}

void qs8_rsum_ref(const int8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  ref_impl::rsum<int8_t, int32_t>(input, outer, reduce, inner, output);
}

void qu8_rsum_ref(const uint8_t* input, size_t outer, size_t reduce, size_t inner, int32_t* output) {
  ref_impl::rsum<uint8_t, int32_t>(input, outer, reduce, inner, output);
}

}  // namespace fd
