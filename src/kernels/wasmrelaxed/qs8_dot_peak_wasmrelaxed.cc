// The profiler's peak loop for relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add_s (16 MACs
// each), 12 independent accumulators, weights read from memory (see kernel_table.h).
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace fd {

uint64_t qs8_dot_peak_wasmrelaxed(size_t iters, int32_t* sink) {
  volatile int8_t seed = 3;
  // Weights from memory (in cache), as the GEMM kernels read them; 3 rows x 4 accumulators stay
  // in registers.
  v128_t w[4], x[3], acc[12];
  for (int c = 0; c < 4; ++c) w[c] = wasm_i8x16_splat(static_cast<int8_t>(seed - c));
  for (int r = 0; r < 3; ++r) x[r] = wasm_i8x16_splat(static_cast<int8_t>(seed + r));
  for (v128_t& a : acc) a = wasm_i32x4_splat(0);
  for (size_t it = 0; it < iters; ++it) {
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 4; ++c) acc[r * 4 + c] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(w + c), x[r], acc[r * 4 + c]);
    }
    x[0] = wasm_v128_xor(x[0], x[2]);
  }
  v128_t sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = wasm_i32x4_add(sum, acc[i]);
  *sink = wasm_i32x4_extract_lane(sum, 0);
  return static_cast<uint64_t>(iters) * 12 * 16;
}

}  // namespace fd
