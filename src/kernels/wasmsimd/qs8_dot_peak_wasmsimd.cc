// The profiler's peak loop for SIMD128: i32x4.dot_i16x8_s (8 MACs each) in the 2x4c8 GEMM's
// tile shape (see kernel_table.h).
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace fd {

uint64_t qs8_dot_peak_wasmsimd(size_t iters, int32_t* sink) {
  volatile int16_t seed = 3;
  // 2 rows x 4 weight vectors, as the GEMM tile: 8 accumulators, 2 activation and 4 weight vectors
  // fit x86's 16 vector registers. The weights cycle through 4 blocks in memory (in cache), as the
  // GEMM streams them.
  constexpr int kBlocks = 4, kVectors = 4;
  int16_t weights[kBlocks * kVectors * 8];
  for (int i = 0; i < kBlocks * kVectors * 8; ++i) weights[i] = static_cast<int16_t>(seed - i);
  v128_t x0 = wasm_i16x8_splat(seed), x1 = wasm_i16x8_splat(static_cast<int16_t>(seed + 1));
  v128_t acc[2 * kVectors];
  for (v128_t& a : acc) a = wasm_i32x4_splat(0);
  for (size_t it = 0; it < iters; ++it) {
    const int16_t* w = weights + (it % kBlocks) * kVectors * 8;
    for (int c = 0; c < kVectors; ++c) {
      const v128_t wc = wasm_v128_load(w + 8 * c);
      acc[c] = wasm_i32x4_add(acc[c], wasm_i32x4_dot_i16x8(x0, wc));
      acc[kVectors + c] = wasm_i32x4_add(acc[kVectors + c], wasm_i32x4_dot_i16x8(x1, wc));
    }
    x0 = wasm_v128_xor(x0, x1);
  }
  v128_t sum = acc[0];
  for (int i = 1; i < 2 * kVectors; ++i) sum = wasm_i32x4_add(sum, acc[i]);
  *sink = wasm_i32x4_extract_lane(sum, 0);
  return static_cast<uint64_t>(iters) * 2 * kVectors * 8;
}

}  // namespace fd
