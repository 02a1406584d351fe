#include "ops/elementwise_common.h"

#include <algorithm>
#include <cmath>

#include "core/decimal.h"

namespace fd {

Status make_broadcast_plan(const Shape& a, const Shape& b, Shape* out, BroadcastPlan* plan) {
  constexpr int kMax = BroadcastPlan::kMaxDims;
  const int rank = static_cast<int>(std::max(a.size(), b.size()));
  if (rank > kMax) {
    return Status::error("broadcasting supports up to " + std::to_string(kMax) +
                         " dimensions, got " + shape_str(a) + " and " + shape_str(b));
  }
  // Shapes right-aligned and padded with leading 1s.
  int64_t da[kMax], db[kMax], dout[kMax];
  for (int i = 0; i < rank; ++i) {
    const int ia = i - (rank - static_cast<int>(a.size()));
    const int ib = i - (rank - static_cast<int>(b.size()));
    da[i] = ia >= 0 ? a[ia] : 1;
    db[i] = ib >= 0 ? b[ib] : 1;
    if (da[i] == db[i] || db[i] == 1) {
      dout[i] = da[i];
    } else if (da[i] == 1) {
      dout[i] = db[i];
    } else {
      return Status::error("shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    }
  }
  out->assign(dout, dout + rank);

  // Contiguous element strides, 0 along dims where the operand has size 1.
  int64_t sa[kMax], sb[kMax];
  int64_t ra = 1, rb = 1;
  for (int i = rank - 1; i >= 0; --i) {
    sa[i] = da[i] == 1 ? 0 : ra;
    sb[i] = db[i] == 1 ? 0 : rb;
    ra *= da[i];
    rb *= db[i];
  }

  // Drop size-1 output dims, then merge neighbours whose strides stay affine for both operands.
  int64_t gsize[kMax], gsa[kMax], gsb[kMax];
  int groups = 0;  // groups[0] is the innermost
  int64_t total = 1;
  for (int i = rank - 1; i >= 0; --i) {
    total *= dout[i];
    if (dout[i] == 1) continue;
    if (groups > 0) {
      const int g = groups - 1;
      if (sa[i] == gsa[g] * gsize[g] && sb[i] == gsb[g] * gsize[g]) {
        gsize[g] *= dout[i];
        continue;
      }
    }
    gsize[groups] = dout[i];
    gsa[groups] = sa[i];
    gsb[groups] = sb[i];
    ++groups;
  }

  *plan = BroadcastPlan();
  if (total == 0) return Status();  // empty output: no runs
  if (groups == 0) {                // a single element
    plan->inner = 1;
    plan->runs = 1;
    return Status();
  }
  plan->inner = gsize[0];
  if (gsa[0] != 0 && gsb[0] != 0) {
    plan->kind = BroadcastPlan::Kind::kVecVec;
  } else if (gsa[0] != 0) {
    plan->kind = BroadcastPlan::Kind::kVecScalar;
  } else {
    plan->kind = BroadcastPlan::Kind::kScalarVec;
  }
  plan->rank = groups - 1;
  plan->runs = 1;
  for (int d = 0; d < plan->rank; ++d) {
    const int g = groups - 1 - d;  // outermost first
    plan->outer[d] = gsize[g];
    plan->a_stride[d] = gsa[g];
    plan->b_stride[d] = gsb[g];
    plan->runs *= gsize[g];
  }
  return Status();
}

Status check_per_tensor_quant(NodeContext& ctx, const RTensor& t, const char* what) {
  const std::string w(what);
  if (t.quant.empty()) return ctx.error(w + " is " + dtype_name(t.dtype) + " but has no quantization parameters");
  if (t.quant.per_channel()) return ctx.error(w + " is quantized per channel; this op needs one scale per tensor");
  const float s = t.quant.scale[0];
  if (!(s > 0.0f) || !std::isfinite(s)) return ctx.error(w + " has invalid quantization scale " + format_decimal(s));
  const int32_t zp = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
  if (zp < dtype_qmin(t.dtype) || zp > dtype_qmax(t.dtype)) {
    return ctx.error(w + " has zero point " + std::to_string(zp) + " outside the " + dtype_name(t.dtype) + " range");
  }
  return Status();
}

}  // namespace fd
