// Scalar float, int8, uint8 and int32 arg max along the middle axis, first maximum wins (the
// contract lives in kernels/pooling.h).
#include <cstdint>

#include "kernels/pooling.h"

namespace fd {
namespace ref_impl {

template <typename T>
void argmax(const T* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  for (size_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inner; ++i) {
      const T* row = input + o * axis * inner + i;
      T best = row[0];
      int32_t best_index = 0;
      for (size_t a = 1; a < axis; ++a) {
        if (row[a * inner] > best) {
          best = row[a * inner];
          best_index = static_cast<int32_t>(a);
        }
      }
      output[o * inner + i] = best_index;
    }
  }
}

}  // namespace ref_impl

void f32_argmax_ref(const float* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<float>(input, outer, axis, inner, output);
}

void s8_argmax_ref(const int8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<int8_t>(input, outer, axis, inner, output);
}

void u8_argmax_ref(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<uint8_t>(input, outer, axis, inner, output);
}

void s32_argmax_ref(const int32_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) {
  ref_impl::argmax<int32_t>(input, outer, axis, inner, output);
}

}  // namespace fd
