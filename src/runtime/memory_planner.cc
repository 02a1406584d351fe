#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace fd {
namespace {

constexpr size_t kAlign = 64;

size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

}  // namespace

size_t plan_memory(const std::vector<BufferRequest>& requests, std::vector<size_t>* offsets) {
  const size_t n = requests.size();
  offsets->assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Largest first, ties in request order. (std::sort with the index as tie-break: libstdc++'s
  // stable_sort buffer trips AddressSanitizer's alloc/dealloc check when built with clang.)
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].bytes != requests[b].bytes ? requests[a].bytes > requests[b].bytes : a < b;
  });
  std::vector<size_t> placed;
  size_t arena = 0;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    if (r.bytes == 0) continue;
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of overlapping-lifetime buffers
    for (size_t p : placed) {
      const BufferRequest& q = requests[p];
      if (q.last < r.first || r.last < q.first) continue;
      busy.emplace_back((*offsets)[p], (*offsets)[p] + align_up(q.bytes));
    }
    std::sort(busy.begin(), busy.end());
    size_t candidate = 0;
    const size_t need = align_up(r.bytes);
    for (const auto& b : busy) {
      if (candidate + need <= b.first) break;
      candidate = std::max(candidate, b.second);
    }
    (*offsets)[idx] = candidate;
    arena = std::max(arena, candidate + need);
    placed.push_back(idx);
  }
  return arena;
}

}  // namespace fd
