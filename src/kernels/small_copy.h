// Short byte copies with fixed-size moves, for kernels that copy many runs of a few to a few
// dozen bytes (im2col rows, concatenation and split slices, nearest-neighbour pixels): in wasm a
// memcpy call costs more than a few 8-byte moves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fd {

// Copies n bytes (n small, typically 1..64) XORed with `mask` (the mask byte in every byte of
// the word) with fixed-size moves; overlapping tails rewrite the same values. Only runs of
// 128 bytes or more without a mask call memcpy.
inline void copy_bytes(uint8_t* dst, const uint8_t* src, size_t n, uint64_t mask) {
  if (n >= 16) {
    if (mask == 0 && n >= 128) {
      std::memcpy(dst, src, n);
      return;
    }
    // 16-byte moves (one vector load, xor and store each where the target has vectors).
    typedef uint64_t Bytes16 __attribute__((vector_size(16)));
    const Bytes16 m = {mask, mask};
    Bytes16 v;
    for (size_t i = 0; i + 16 <= n; i += 16) {
      std::memcpy(&v, src + i, 16);
      v ^= m;
      std::memcpy(dst + i, &v, 16);
    }
    std::memcpy(&v, src + n - 16, 16);
    v ^= m;
    std::memcpy(dst + n - 16, &v, 16);
  } else if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    a ^= mask;
    b ^= mask;
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    a ^= static_cast<uint32_t>(mask);
    b ^= static_cast<uint32_t>(mask);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i] ^ static_cast<uint8_t>(mask);
  }
}

// Sets n bytes (n small) to `v`.
inline void fill_bytes(uint8_t* dst, uint8_t v, size_t n) {
  if (n >= 16) {
    std::memset(dst, v, n);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = v;
  }
}

// Copies n bytes: fixed-size moves below 128 bytes, memcpy above.
inline void copy_small(uint8_t* dst, const uint8_t* src, size_t n) { copy_bytes(dst, src, n, 0); }

}  // namespace fd
