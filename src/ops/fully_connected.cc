// FULLY_CONNECTED: weights [out, in]; the input is read as [-1, in] rows (GEMM with m = rows);
// keep_num_dims keeps the input's leading dims in the output shape.
#include <string>

#include "ops/conv_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class FullyConnected : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(expect_conv_io(ctx));
    RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    const RTensor& w = ctx.input(1);
    if (w.shape.size() != 2 || w.shape[1] <= 0) {
      return ctx.error("expects weights [out, in], got " + shape_str(w.shape));
    }
    n_ = static_cast<size_t>(w.shape[0]);
    k_ = static_cast<size_t>(w.shape[1]);
    const int64_t total = num_elements(in.shape);
    if (in.shape.empty() || total % static_cast<int64_t>(k_) != 0) {
      return ctx.error("input " + shape_str(in.shape) + " cannot be read as rows of " + std::to_string(k_) +
                       " values");
    }
    m_ = static_cast<size_t>(total / static_cast<int64_t>(k_));
    const OpOptions& o = ctx.options();
    if (o.keep_dims) {
      if (in.shape.back() != static_cast<int32_t>(k_)) {
        return ctx.error("keep_num_dims needs the input's last dim " + std::to_string(in.shape.back()) +
                         " to equal the weights' input size " + std::to_string(k_));
      }
      Shape s = in.shape;
      s.back() = static_cast<int32_t>(n_);
      FD_RETURN_IF_ERROR(ctx.set_output_shape(0, s));
    } else {
      FD_RETURN_IF_ERROR(ctx.set_output_shape(0, {static_cast<int32_t>(m_), static_cast<int32_t>(n_)}));
    }
    is_float_ = in.dtype == DType::kFloat32;
    if (is_float_) return prepare_fgemm(ctx, n_, k_, o.activation, &fgemm_);
    FD_RETURN_IF_ERROR(prepare_qgemm(ctx, in, out, n_, k_, o.activation, &qgemm_));
    prepare_qgemm_rows(ctx, qgemm_, m_, &rows_);
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    if (is_float_) {
      run_fgemm(fgemm_, m_, ctx.input(0).as<float>(), k_, ctx.output(0).as<float>(), n_);
    } else {
      run_qgemm_rows(qgemm_, rows_, m_, ctx.input(0).data, k_, ctx.output(0).data, n_, ctx.scratch());
    }
    return Status();
  }

 private:
  size_t m_ = 0, n_ = 0, k_ = 0;
  bool is_float_ = false;
  QGemm qgemm_;
  QGemmRows rows_;
  FGemm fgemm_;
};

}  // namespace

std::unique_ptr<Op> create_fully_connected() { return std::make_unique<FullyConnected>(); }

}  // namespace fd
