// The profiler's peak loop for SIMD128: i32x4.dot_i16x8_s (8 MACs each) as the 2x4c8 GEMM's K
// loop issues it (see kernel_table.h).
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace fd {

uint64_t qs8_dot_peak_wasmsimd(size_t iters, int32_t* sink) {
  volatile int16_t seed = 3;
  // The 2x4c8 GEMM's K step on 2 rows x 3 weight vectors: two rows of 8 activations widened from
  // memory, 6 dot products into 6 accumulators, weights and activations cycling through 4 blocks
  // in memory (in cache), as the GEMM streams them. With 4 vectors (8 accumulators) V8 (Node 20)
  // kept one accumulator on the stack, a store-to-load chain on every iteration: 21 GMAC/s, while
  // the GEMM's own K loop, allocated without spills, runs its 1x1 convolutions at 33-42. This
  // loop reads 43.
  constexpr int kBlocks = 4, kVectors = 3;
  int16_t weights[kBlocks * kVectors * 8];
  int8_t rows[kBlocks * 2 * 8];
  for (int i = 0; i < kBlocks * kVectors * 8; ++i) weights[i] = static_cast<int16_t>(seed - i);
  for (int i = 0; i < kBlocks * 2 * 8; ++i) rows[i] = static_cast<int8_t>(seed + i);
  v128_t acc[2 * kVectors];
  for (v128_t& a : acc) a = wasm_i32x4_splat(0);
  for (size_t it = 0; it < iters; ++it) {
    const int16_t* w = weights + (it % kBlocks) * kVectors * 8;
    const int8_t* a = rows + (it % kBlocks) * 2 * 8;
    const v128_t x0 = wasm_i16x8_load8x8(a), x1 = wasm_i16x8_load8x8(a + 8);
    for (int c = 0; c < kVectors; ++c) {
      const v128_t wc = wasm_v128_load(w + 8 * c);
      acc[c] = wasm_i32x4_add(acc[c], wasm_i32x4_dot_i16x8(x0, wc));
      acc[kVectors + c] = wasm_i32x4_add(acc[kVectors + c], wasm_i32x4_dot_i16x8(x1, wc));
    }
  }
  v128_t sum = acc[0];
  for (int i = 1; i < 2 * kVectors; ++i) sum = wasm_i32x4_add(sum, acc[i]);
  *sink = wasm_i32x4_extract_lane(sum, 0);
  return static_cast<uint64_t>(iters) * 2 * kVectors * 8;
}

}  // namespace fd
