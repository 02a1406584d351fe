// xx_split_ref: splits a tensor along one axis into consecutive pieces (SPLIT, UNPACK).
#include "kernels/movement.h"
#include "kernels/small_copy.h"

namespace fd {

void xx_split_ref(size_t elem_size, const void* in, int num_outputs, void* const* outputs,
                  const int64_t* blocks, int64_t outer) {
  const uint8_t* src = static_cast<const uint8_t*>(in);
  for (int64_t o = 0; o < outer; ++o) {
    for (int i = 0; i < num_outputs; ++i) {
      const size_t n = static_cast<size_t>(blocks[i]) * elem_size;
      copy_small(static_cast<uint8_t*>(outputs[i]) + static_cast<size_t>(o) * n, src, n);
      src += n;
    }
  }
}

}  // namespace fd
