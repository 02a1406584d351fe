// xx_pad_ref: constant padding of an N-d tensor (PAD, PADV2).
#include <cstring>

#include "kernels/movement.h"

namespace fd {
namespace {

// Fills `count` elements of `elem_size` bytes at `out` with the element at `value`.
void fill(uint8_t* out, int64_t count, const uint8_t* value, size_t elem_size) {
  if (count <= 0) return;
  const size_t total = static_cast<size_t>(count) * elem_size;
  bool uniform = true;
  for (size_t b = 1; b < elem_size; ++b) uniform = uniform && value[b] == value[0];
  if (uniform) {
    std::memset(out, value[0], total);
    return;
  }
  std::memcpy(out, value, elem_size);
  size_t done = elem_size;
  while (done < total) {
    const size_t n = done < total - done ? done : total - done;
    std::memcpy(out + done, out, n);
    done += n;
  }
}

struct PadPlan {
  const PadParams* p;
  size_t elem_size;
  const uint8_t* value;
  int64_t in_block[kMaxMovementDims];   // bytes of one index step of input dim d
  int64_t out_block[kMaxMovementDims];  // elements of one index step of output dim d
};

void pad_dim(const PadPlan& plan, int d, const uint8_t* in, uint8_t* out) {
  const PadParams& p = *plan.p;
  const size_t es = plan.elem_size;
  const int64_t blk = plan.out_block[d];
  fill(out, p.before[d] * blk, plan.value, es);
  out += static_cast<size_t>(p.before[d] * blk) * es;
  if (d == p.rank - 1) {
    std::memcpy(out, in, static_cast<size_t>(p.in_dims[d]) * es);
  } else {
    for (int32_t i = 0; i < p.in_dims[d]; ++i) {
      pad_dim(plan, d + 1, in + i * plan.in_block[d], out + static_cast<size_t>(i * blk) * es);
    }
  }
  out += static_cast<size_t>(p.in_dims[d] * blk) * es;
  fill(out, p.after[d] * blk, plan.value, es);
}

}  // namespace

void xx_pad_ref(size_t elem_size, const void* in, void* out, const void* value, const PadParams& p) {
  PadPlan plan;
  plan.p = &p;
  plan.elem_size = elem_size;
  plan.value = static_cast<const uint8_t*>(value);
  int64_t in_b = static_cast<int64_t>(elem_size), out_b = 1;
  for (int d = p.rank - 1; d >= 0; --d) {
    plan.in_block[d] = in_b;
    plan.out_block[d] = out_b;
    in_b *= p.in_dims[d];
    out_b *= static_cast<int64_t>(p.before[d]) + p.in_dims[d] + p.after[d];
  }
  if (in_b == 0) {
    fill(static_cast<uint8_t*>(out), out_b, plan.value, elem_size);
    return;
  }
  pad_dim(plan, 0, static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out));
}

}  // namespace fd
