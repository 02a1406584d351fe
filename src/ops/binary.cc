// ADD, SUB, MUL, DIV, FLOOR_DIV with TFLite broadcasting and fused activations: float32, int32,
// and int8/uint8 (ADD/SUB/MUL) with quantized kernels.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/decimal.h"
#include "kernels/elementwise.h"
#include "ops/elementwise_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

template <typename T, typename P>
using QKernel = void (*)(size_t, const T*, const T*, T*, const P&);

// A short inner run that one operand repeats over the plan's innermost outer dim while the other
// advances (a per-channel constant over an image: MoveNet's [1, 192, 192, 3] - [1, 1, 1, 3]),
// held `data.size() / unit` times in a row so one kernel call covers that many runs
// (Binary::repeat_short_runs); without it each call would take 3 elements.
struct RepeatedRun {
  int operand = -1;  // 0: input 0 repeats, 1: input 1, -1: no repetition
  size_t unit = 0;   // elements of the repeated run
  std::vector<uint8_t> data;
  int64_t at = -1;   // the operand offset `data` holds (-1: none yet this invocation)
  template <typename T>
  const T* get(int which, const T* base, int64_t offset) {
    if (which != operand) return base + offset;
    T* d = reinterpret_cast<T*>(data.data());
    if (offset != at) {
      for (size_t i = 0; i < data.size() / sizeof(T); i += unit) std::copy_n(base + offset, unit, d + i);
      at = offset;
    }
    return d;
  }
};

// Runs a quantized vector/scalar kernel pair over a broadcast plan.
template <typename T, typename P>
void run_quant(const BroadcastPlan& plan, RepeatedRun& rep, QKernel<T, P> vv, QKernel<T, P> vc, const P& p,
               const P& swapped, const T* a, const T* b, T* out) {
  const size_t n = static_cast<size_t>(plan.inner);
  for_each_run(plan, [&](int64_t ao, int64_t bo, int64_t oo) {
    switch (plan.kind) {
      case BroadcastPlan::Kind::kVecVec: vv(n, rep.get(0, a, ao), rep.get(1, b, bo), out + oo, p); break;
      case BroadcastPlan::Kind::kVecScalar: vc(n, a + ao, b + bo, out + oo, p); break;
      case BroadcastPlan::Kind::kScalarVec: vc(n, b + bo, a + ao, out + oo, swapped); break;
    }
  });
}

template <typename T, typename P>
using XKernel = void (*)(BinaryOp, size_t, const T*, const T*, T*, const P&);

// Runs a float/int32 vector/scalar kernel pair over a broadcast plan; `rop` is `op` with the
// operands swapped (for a scalar first operand).
template <typename T, typename P>
void run_plain(const BroadcastPlan& plan, RepeatedRun& rep, XKernel<T, P> vv, XKernel<T, P> vc, BinaryOp op,
               BinaryOp rop, const P& p, const T* a, const T* b, T* out) {
  const size_t n = static_cast<size_t>(plan.inner);
  for_each_run(plan, [&](int64_t ao, int64_t bo, int64_t oo) {
    switch (plan.kind) {
      case BroadcastPlan::Kind::kVecVec: vv(op, n, rep.get(0, a, ao), rep.get(1, b, bo), out + oo, p); break;
      case BroadcastPlan::Kind::kVecScalar: vc(op, n, a + ao, b + bo, out + oo, p); break;
      case BroadcastPlan::Kind::kScalarVec: vc(rop, n, b + bo, a + ao, out + oo, p); break;
    }
  });
}

BinaryOp reversed(BinaryOp op) {
  switch (op) {
    case BinaryOp::kSub: return BinaryOp::kRSub;
    case BinaryOp::kDiv: return BinaryOp::kRDiv;
    case BinaryOp::kFloorDiv: return BinaryOp::kRFloorDiv;
    default: return op;  // add and mul commute
  }
}

class Binary : public Op {
 public:
  explicit Binary(BinaryOp op) : op_(op) {}

  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1) return ctx.error("expects 2 inputs and 1 output");
    const RTensor& a = ctx.input(0);
    const RTensor& b = ctx.input(1);
    const RTensor& out = ctx.output(0);
    dtype_ = a.dtype;
    const bool quantized_ok = op_ == BinaryOp::kAdd || op_ == BinaryOp::kSub || op_ == BinaryOp::kMul;
    if (quantized_ok) {
      FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt32, DType::kInt8, DType::kUInt8}));
    } else {
      FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt32}));
    }
    if (b.dtype != a.dtype || out.dtype != a.dtype) {
      return ctx.error(std::string("input and output types must match, got ") + dtype_name(a.dtype) + ", " +
                       dtype_name(b.dtype) + " -> " + dtype_name(out.dtype));
    }
    Shape out_shape;
    Status s = make_broadcast_plan(a.shape, b.shape, &out_shape, &plan_);
    if (!s.ok()) return ctx.error(s.message());
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    rows_.init(out_shape);
    repeated_ = RepeatedRun();
    repeat_short_runs(dtype_size(dtype_));
    const Activation act = ctx.options().activation;

    if (dtype_ == DType::kFloat32) {
      FD_RETURN_IF_ERROR(float_activation_range(ctx, act, &fparams_.min, &fparams_.max));
    } else if (dtype_ == DType::kInt32) {
      FD_RETURN_IF_ERROR(int_activation_range(ctx, act, &iparams_.min, &iparams_.max));
      if (op_ == BinaryOp::kDiv || op_ == BinaryOp::kFloorDiv) {
        check_zero_divisor_ = true;
        if (b.is_constant) {
          FD_RETURN_IF_ERROR(check_divisor(ctx));
          check_zero_divisor_ = false;
        }
      }
    } else {
      FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, a, "input 0"));
      FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, b, "input 1"));
      FD_RETURN_IF_ERROR(check_per_tensor_quant(ctx, out, "output"));
      const float sa = a.quant.scale[0], sb = b.quant.scale[0], so = out.quant.scale[0];
      const int32_t za = zp(a), zb = zp(b), zo = zp(out);
      int32_t qmin, qmax;
      FD_RETURN_IF_ERROR(quant_activation_range(ctx, act, dtype_, so, zo, &qmin, &qmax));
      if (op_ == BinaryOp::kMul) {
        FD_RETURN_IF_ERROR(ctx.expect_finite_scale(static_cast<double>(sa) * sb / so,
                                                   "requantization scale (input 0 * input 1 / output)"));
        mul_ = make_qmul_params(sa, za, sb, zb, so, zo, qmin, qmax);
        mul_swapped_ = swap_qmul_params(mul_);
      } else {
        // The larger ratio sets the fixed point (shift 1..30); checked before anything is derived
        // from it: a ratio that underflowed to 0 has no exponent.
        const float rmax = std::max(sa / so, sb / so);
        if (!(rmax >= 0x1p-10f && rmax < 0x1p20f)) {
          return ctx.error("input/output scale ratios " + format_decimal(sa / so) + " and " +
                           format_decimal(sb / so) + " are outside the supported range: the larger must be in [2^-10, 2^20)");
        }
        add_ = make_qadd_params(sa, za, sb, zb, so, zo, qmin, qmax, op_ == BinaryOp::kSub);
        add_swapped_ = swap_qadd_params(add_);
      }
    }
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    if (dtype_ == DType::kInt32 && check_zero_divisor_) FD_RETURN_IF_ERROR(check_divisor(ctx));
    // The whole plan once, or (set_output_row_stride) its one run row by row: one call site, so
    // the kernel dispatch below is inlined once.
    repeated_.at = -1;  // the inputs may have changed since the last invocation
    const bool strided = !rows_.contiguous();
    const size_t rows = strided ? static_cast<size_t>(plan_.inner) / rows_.row : 1;
    for (size_t r = 0; r < rows; ++r) {
      FD_RETURN_IF_ERROR(run(ctx, strided ? row_plan_ : plan_, r * rows_.row, r * rows_.stride));
    }
    return Status();
  }

  // Elementwise ops without broadcasting, on 8-bit or float tensors, write rows with a stride.
  bool set_output_row_stride(size_t row_stride) override {
    if (dtype_ == DType::kInt32 || repeated_.operand >= 0 || plan_.kind != BroadcastPlan::Kind::kVecVec || plan_.runs != 1 ||
        rows_.row == 0 || static_cast<size_t>(plan_.inner) % rows_.row != 0 || !rows_.set_stride(row_stride)) {
      return false;
    }
    row_plan_ = plan_;
    row_plan_.inner = static_cast<int64_t>(rows_.row);
    return true;
  }

 private:
  // See RepeatedRun: a run of fewer than 64 elements that one input repeats (stride 0) over the
  // innermost outer dim while the other input advances by the run takes m of those runs per
  // kernel call, m the largest divisor of that dim with m * run <= 512.
  void repeat_short_runs(size_t element_bytes) {
    if (plan_.kind != BroadcastPlan::Kind::kVecVec || plan_.rank < 1 || plan_.inner >= 64) return;
    const int d = plan_.rank - 1;
    for (int which = 0; which < 2; ++which) {
      int64_t* repeats = which == 0 ? plan_.a_stride : plan_.b_stride;
      int64_t* advances = which == 0 ? plan_.b_stride : plan_.a_stride;
      if (repeats[d] != 0 || advances[d] != plan_.inner) continue;
      int64_t m = 1;
      for (int64_t k = std::min<int64_t>(plan_.outer[d], 512 / plan_.inner); k > 1; --k) {
        if (plan_.outer[d] % k == 0) {
          m = k;
          break;
        }
      }
      if (m == 1) return;
      repeated_.operand = which;
      repeated_.unit = static_cast<size_t>(plan_.inner);
      repeated_.data.assign(static_cast<size_t>(plan_.inner * m) * element_bytes, 0);
      plan_.inner *= m;
      plan_.outer[d] /= m;
      plan_.runs /= m;
      advances[d] *= m;
      return;
    }
  }

  // Runs `plan` with the inputs `in` elements and the output `out` elements past their starts.
  Status run(NodeContext& ctx, const BroadcastPlan& plan, size_t in, size_t out) {
    const RTensor& a = ctx.input(0);
    const RTensor& b = ctx.input(1);
    RTensor& o = ctx.output(0);
    switch (dtype_) {
      case DType::kFloat32:
        run_plain<float, F32MinMaxParams>(plan, repeated_, kt_->f32_vbinary, kt_->f32_vbinaryc, op_, reversed(op_), fparams_,
                                          a.as<float>() + in, b.as<float>() + in, o.as<float>() + out);
        break;
      case DType::kInt32:
        run_plain<int32_t, S32MinMaxParams>(plan, repeated_, s32_vbinary_ref, s32_vbinaryc_ref, op_, reversed(op_), iparams_,
                                            a.as<int32_t>() + in, b.as<int32_t>() + in, o.as<int32_t>() + out);
        break;
      case DType::kInt8:
        if (op_ == BinaryOp::kMul) {
          run_quant<int8_t, QMulParams>(plan, repeated_, kt_->qs8_vmul, kt_->qs8_vmulc, mul_, mul_swapped_,
                                        a.as<int8_t>() + in, b.as<int8_t>() + in, o.as<int8_t>() + out);
        } else {
          run_quant<int8_t, QAddParams>(plan, repeated_, kt_->qs8_vadd_rndnu, kt_->qs8_vaddc_rndnu, add_, add_swapped_,
                                        a.as<int8_t>() + in, b.as<int8_t>() + in, o.as<int8_t>() + out);
        }
        break;
      case DType::kUInt8:
        if (op_ == BinaryOp::kMul) {
          run_quant<uint8_t, QMulParams>(plan, repeated_, kt_->qu8_vmul, kt_->qu8_vmulc, mul_, mul_swapped_,
                                         a.as<uint8_t>() + in, b.as<uint8_t>() + in, o.as<uint8_t>() + out);
        } else {
          run_quant<uint8_t, QAddParams>(plan, repeated_, kt_->qu8_vadd_rndnu, kt_->qu8_vaddc_rndnu, add_, add_swapped_,
                                         a.as<uint8_t>() + in, b.as<uint8_t>() + in, o.as<uint8_t>() + out);
        }
        break;
      default:
        return ctx.error(std::string("unexpected type ") + dtype_name(dtype_));
    }
    return Status();
  }

  const KernelTable* kt_ = nullptr;
  static int32_t zp(const RTensor& t) { return t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0]; }

  // Integer division by zero is an error, as in TFLite.
  static Status check_divisor(NodeContext& ctx) {
    const RTensor& b = ctx.input(1);
    const int32_t* d = b.as<int32_t>();
    const int64_t n = num_elements(b.shape);
    for (int64_t i = 0; i < n; ++i) {
      if (d[i] == 0) return ctx.error("integer division by zero (divisor element " + std::to_string(i) + ")");
    }
    return Status();
  }

  BinaryOp op_;
  DType dtype_ = DType::kFloat32;
  BroadcastPlan plan_, row_plan_;
  RepeatedRun repeated_;  // row_plan_: one row of plan_'s single run (set_output_row_stride)
  OutputRows rows_;
  F32MinMaxParams fparams_;
  S32MinMaxParams iparams_;
  QAddParams add_, add_swapped_;
  QMulParams mul_, mul_swapped_;
  bool check_zero_divisor_ = false;
};

}  // namespace

std::unique_ptr<Op> create_add() { return std::make_unique<Binary>(BinaryOp::kAdd); }
std::unique_ptr<Op> create_sub() { return std::make_unique<Binary>(BinaryOp::kSub); }
std::unique_ptr<Op> create_mul() { return std::make_unique<Binary>(BinaryOp::kMul); }
std::unique_ptr<Op> create_div() { return std::make_unique<Binary>(BinaryOp::kDiv); }
std::unique_ptr<Op> create_floor_div() { return std::make_unique<Binary>(BinaryOp::kFloorDiv); }

}  // namespace fd
