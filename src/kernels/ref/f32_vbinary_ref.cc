#include "kernels/ref/f32_binary_apply.h"

namespace fd {
namespace {

template <BinaryOp kOp>
void run(size_t n, const float* a, const float* b, float* out, const F32MinMaxParams& p) {
  for (size_t i = 0; i < n; ++i) out[i] = f32_binary::clamp(f32_binary::apply<kOp>(a[i], b[i]), p);
}

}  // namespace

void f32_vbinary_ref(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                     const F32MinMaxParams& p) {
  switch (op) {
    case BinaryOp::kAdd: return run<BinaryOp::kAdd>(n, a, b, out, p);
    case BinaryOp::kSub: return run<BinaryOp::kSub>(n, a, b, out, p);
    case BinaryOp::kMul: return run<BinaryOp::kMul>(n, a, b, out, p);
    case BinaryOp::kDiv: return run<BinaryOp::kDiv>(n, a, b, out, p);
    case BinaryOp::kFloorDiv: return run<BinaryOp::kFloorDiv>(n, a, b, out, p);
    case BinaryOp::kRSub: return run<BinaryOp::kRSub>(n, a, b, out, p);
    case BinaryOp::kRDiv: return run<BinaryOp::kRDiv>(n, a, b, out, p);
    case BinaryOp::kRFloorDiv: return run<BinaryOp::kRFloorDiv>(n, a, b, out, p);
  }
}

}  // namespace fd
