// The profiler's peak loop for the scalar build: int32 multiply-accumulates (see kernel_table.h).
#include <cstddef>
#include <cstdint>

namespace fd {

uint64_t qs8_dot_peak_ref(size_t iters, int32_t* sink) {
  int32_t acc[16] = {};
  volatile int32_t seed = 3;
  int32_t x = seed, w = seed + 1;
  for (size_t i = 0; i < iters; ++i) {
    for (int j = 0; j < 16; ++j) acc[j] += x * (w + j);
    x ^= static_cast<int32_t>(i & 1);
  }
  int32_t sum = 0;
  for (int32_t a : acc) sum += a;
  *sink = sum;
  return static_cast<uint64_t>(iters) * 16;
}

}  // namespace fd
