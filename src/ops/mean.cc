// MEAN over constant axes (float32, int8, uint8), TFLite semantics: keep_dims keeps reduced axes
// as size 1. Quantized: with equal input/output scale and zero point, the rounded mean of the raw
// values ((sum +- count/2) / count); otherwise the sum minus count * input zero point requantized
// with scale input_scale / (output_scale * count). Axes forming one contiguous run (e.g. [1, 2]
// of NHWC) use the SIMD reduce-sum kernel; other axis sets a generic strided loop.
#include <cstring>

#include "kernels/pooling.h"
#include "ops/ops.h"
#include "ops/pool_common.h"

namespace fd {
namespace {

class Mean : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    if (out.dtype != in.dtype) return ctx.error("output type differs from input type");
    const int rank = static_cast<int>(in.shape.size());
    if (rank > kMaxRank) return ctx.error("input rank " + std::to_string(rank) + " exceeds " + std::to_string(kMaxRank));
    std::vector<int32_t> axes;
    FD_RETURN_IF_ERROR(pool_common::read_int_constant(ctx, 1, "axis", &axes));
    std::vector<bool> reduced(rank, false);
    for (int32_t a : axes) {
      const int32_t n = a < 0 ? a + rank : a;
      if (n < 0 || n >= rank) return ctx.error("axis " + std::to_string(a) + " is out of range for " + shape_str(in.shape));
      reduced[n] = true;
    }
    Shape out_shape;
    int64_t count = 1;
    int first = -1, last = -1;
    for (int d = 0; d < rank; ++d) {
      if (reduced[d]) {
        count *= in.shape[d];
        if (first < 0) first = d;
        last = d;
        if (ctx.options().keep_dims) out_shape.push_back(1);
      } else {
        out_shape.push_back(in.shape[d]);
      }
    }
    if (count <= 0) return ctx.error("reduces over an empty axis of " + shape_str(in.shape));
    if (count > (1 << 23)) {
      return ctx.error("reduces over " + std::to_string(count) + " elements; at most 8388608 are supported");
    }
    count_ = static_cast<int32_t>(count);
    contiguous_ = true;
    for (int d = first; d >= 0 && d <= last; ++d) contiguous_ = contiguous_ && reduced[d];
    outer_ = inner_ = 1;
    for (int d = 0; d < rank; ++d) {
      if (first < 0 || d < first) {
        outer_ *= in.shape[d];
      } else if (d > last) {
        inner_ *= in.shape[d];
      }
    }
    // Generic path: input dims and, per dim, the output stride (0 for reduced dims).
    rank_ = rank;
    size_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      dims_[d] = in.shape[d];
      out_strides_[d] = reduced[d] ? 0 : stride;
      if (!reduced[d]) stride *= in.shape[d];
    }
    num_outputs_ = stride;
    if (is_quant8(in.dtype)) {
      FD_RETURN_IF_ERROR(pool_common::expect_per_tensor_quant(ctx, in, "input"));
      FD_RETURN_IF_ERROR(pool_common::expect_per_tensor_quant(ctx, out, "output"));
      const float in_scale = in.quant.scale[0], out_scale = out.quant.scale[0];
      in_zp_ = in.quant.zero_point[0];
      out_zp_ = out.quant.zero_point[0];
      same_quant_ = in_scale == out_scale && in_zp_ == out_zp_;
      const double scale = static_cast<double>(in_scale) / (static_cast<double>(out_scale) * count_);
      FD_RETURN_IF_ERROR(ctx.expect_finite_scale(scale, "requantization scale (input / (output * count))"));
      scale_ = static_cast<float>(scale);
      qmin_ = dtype_qmin(out.dtype);
      qmax_ = dtype_qmax(out.dtype);
      ctx.request_scratch(num_outputs_ * sizeof(int32_t));
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, out_shape));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    if (in.dtype == DType::kFloat32) {
      float* sums = out.as<float>();
      if (contiguous_) {
        kt_->f32_rsum(in.as<float>(), outer_, static_cast<size_t>(count_), inner_, sums);
      } else {
        sum_strided(in.as<float>(), sums);
      }
      const float n = static_cast<float>(count_);
      for (size_t i = 0; i < num_outputs_; ++i) sums[i] = sums[i] / n;
      return Status();
    }
    int32_t* sums = reinterpret_cast<int32_t*>(ctx.scratch());
    if (in.dtype == DType::kInt8) {
      if (contiguous_) {
        kt_->qs8_rsum(in.as<int8_t>(), outer_, static_cast<size_t>(count_), inner_, sums);
      } else {
        sum_strided(in.as<int8_t>(), sums);
      }
      finish(sums, out.as<int8_t>());
    } else {
      if (contiguous_) {
        kt_->qu8_rsum(in.as<uint8_t>(), outer_, static_cast<size_t>(count_), inner_, sums);
      } else {
        sum_strided(in.as<uint8_t>(), sums);
      }
      finish(sums, out.as<uint8_t>());
    }
    return Status();
  }

 private:
  const KernelTable* kt_ = nullptr;
  // Sums every input element into its output slot, walking the input in row-major order.
  template <typename T, typename Acc>
  void sum_strided(const T* input, Acc* sums) const {
    std::memset(sums, 0, num_outputs_ * sizeof(Acc));
    size_t index[kMaxRank] = {};
    size_t out_offset = 0;
    const size_t total = num_outputs_ * static_cast<size_t>(count_);
    for (size_t i = 0; i < total; ++i) {
      sums[out_offset] += input[i];
      for (int d = rank_ - 1; d >= 0; --d) {
        out_offset += out_strides_[d];
        if (++index[d] < dims_[d]) break;
        out_offset -= out_strides_[d] * dims_[d];
        index[d] = 0;
      }
    }
  }

  // Turns int32 sums of raw values into quantized means.
  template <typename T>
  void finish(const int32_t* sums, T* output) const {
    for (size_t i = 0; i < num_outputs_; ++i) {
      int32_t q;
      if (same_quant_) {
        const int32_t acc = sums[i];
        q = acc > 0 ? (acc + count_ / 2) / count_ : (acc - count_ / 2) / count_;
        q = q < qmin_ ? qmin_ : q;
        q = q > qmax_ ? qmax_ : q;
      } else {
        q = requantize(sums[i] - count_ * in_zp_, scale_, out_zp_, qmin_, qmax_);
      }
      output[i] = static_cast<T>(q);
    }
  }

  int32_t count_ = 1;
  bool contiguous_ = true;
  size_t outer_ = 1, inner_ = 1, num_outputs_ = 1;
  int rank_ = 0;
  size_t dims_[kMaxRank] = {};
  size_t out_strides_[kMaxRank] = {};
  bool same_quant_ = true;
  float scale_ = 1.0f;
  int32_t in_zp_ = 0, out_zp_ = 0, qmin_ = -128, qmax_ = 127;
};

}  // namespace

std::unique_ptr<Op> create_mean() { return std::make_unique<Mean>(); }

}  // namespace fd
