// What the fuzz targets run after preparing a graph: graphs beyond these budgets are prepared but
// not invoked, since a valid but huge model is slow, not a finding.
#pragma once

#include <cstddef>

#include "api/profile.h"
#include "runtime/interpreter.h"

namespace fd {

constexpr size_t kFuzzMaxArena = 16u << 20;
constexpr double kFuzzMaxMacs = 50e6;

inline bool cheap_to_invoke(const Interpreter& it) {
  if (it.arena_bytes() > kFuzzMaxArena) return false;
  double macs = 0;
  for (size_t n = 0; n < it.node_count(); ++n) macs += node_macs(it, static_cast<int>(n));
  return macs <= kFuzzMaxMacs;
}

}  // namespace fd
