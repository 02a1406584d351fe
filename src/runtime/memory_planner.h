// Plans one arena for all non-constant tensors and per-node scratch from their lifetimes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fd {

// A buffer alive from node `first` through node `last` (inclusive) needing `bytes`.
struct BufferRequest {
  size_t bytes = 0;
  int32_t first = 0;
  int32_t last = 0;
};

// Offsets for each request (64-byte aligned) such that buffers alive at the same time never
// overlap; returns the arena size. Greedy by size, first fit between placed neighbours.
size_t plan_memory(const std::vector<BufferRequest>& requests, std::vector<size_t>* offsets);

}  // namespace fd
