// The profiler's peak loop for relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add_s (16 MACs
// each), 16 independent accumulators as in the 2x16c4 GEMM tile (see kernel_table.h).
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace fd {

uint64_t qs8_dot_peak_wasmrelaxed(size_t iters, int32_t* sink) {
  volatile int8_t seed = 3;
  v128_t x[4], w[4], acc[16];
  for (int i = 0; i < 4; ++i) {
    x[i] = wasm_i8x16_splat(static_cast<int8_t>(seed + i));
    w[i] = wasm_i8x16_splat(static_cast<int8_t>(seed - i));
  }
  for (v128_t& a : acc) a = wasm_i32x4_splat(0);
  for (size_t it = 0; it < iters; ++it) {
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) acc[r * 4 + c] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(w[c], x[r], acc[r * 4 + c]);
    }
    x[0] = wasm_v128_xor(x[0], w[3]);
  }
  v128_t sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = wasm_i32x4_add(sum, acc[i]);
  *sink = wasm_i32x4_extract_lane(sum, 0);
  return static_cast<uint64_t>(iters) * 16 * 16;
}

}  // namespace fd
