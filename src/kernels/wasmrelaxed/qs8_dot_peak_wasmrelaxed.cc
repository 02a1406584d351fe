// The profiler's peak loop for relaxed SIMD: i32x4.relaxed_dot_i8x16_i7x16_add_s (16 MACs
// each) in the 2x16c4 GEMM's tile shape (see kernel_table.h).
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace fd {

uint64_t qs8_dot_peak_wasmrelaxed(size_t iters, int32_t* sink) {
  volatile int8_t seed = 3;
  // 2 rows x 4 weight vectors, as the GEMM tile: 8 accumulators, 2 activation and 4 weight vectors
  // fit x86's 16 vector registers (the earlier 3 x 4 loop read 80 GMAC/s in Chromium 156 where
  // this one reads 99 and the relaxed GEMM's 3x3 convolutions ran at 85-90). The weights cycle
  // through 4 blocks in memory (in cache), as the GEMM streams them.
  constexpr int kBlocks = 4, kVectors = 4;
  int8_t weights[kBlocks * kVectors * 16];
  for (int i = 0; i < kBlocks * kVectors * 16; ++i) weights[i] = static_cast<int8_t>(seed - i);
  v128_t x0 = wasm_i8x16_splat(seed), x1 = wasm_i8x16_splat(static_cast<int8_t>(seed + 1));
  v128_t acc[2 * kVectors];
  for (v128_t& a : acc) a = wasm_i32x4_splat(0);
  for (size_t it = 0; it < iters; ++it) {
    const int8_t* w = weights + (it % kBlocks) * kVectors * 16;
    for (int c = 0; c < kVectors; ++c) {
      const v128_t wc = wasm_v128_load(w + 16 * c);
      acc[c] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wc, x0, acc[c]);
      acc[kVectors + c] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wc, x1, acc[kVectors + c]);
    }
    x0 = wasm_v128_xor(x0, x1);
  }
  v128_t sum = acc[0];
  for (int i = 1; i < 2 * kVectors; ++i) sum = wasm_i32x4_add(sum, acc[i]);
  *sink = wasm_i32x4_extract_lane(sum, 0);
  return static_cast<uint64_t>(iters) * 2 * kVectors * 16;
}

}  // namespace fd
