// CONV_2D: NHWC convolution as GEMM. 1x1 stride-1 convs read the input directly as [H*W, Cin];
// others build im2col rows in scratch (out-of-bounds taps = input zero point, or 0.0 for float).
#include <algorithm>
#include <string>

#include "ops/conv_common.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Conv2D : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    FD_RETURN_IF_ERROR(expect_conv_io(ctx));
    RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    const RTensor& w = ctx.input(1);
    if (in.shape.size() != 4 || w.shape.size() != 4) {
      return ctx.error("expects input [N, H, W, C] and weights [Cout, KH, KW, Cin], got " +
                       shape_str(in.shape) + " and " + shape_str(w.shape));
    }
    const int32_t cin = in.shape[3];
    if (w.shape[3] != cin) {
      return ctx.unsupported("weights " + shape_str(w.shape) + " expect " + std::to_string(w.shape[3]) +
                       " input channels but the input has " + std::to_string(cin) +
                       " (grouped convolution is not supported)");
    }
    const OpOptions& o = ctx.options();
    batch_ = static_cast<size_t>(in.shape[0]);
    cin_ = static_cast<size_t>(cin);
    cout_ = static_cast<size_t>(w.shape[0]);
    FD_RETURN_IF_ERROR(conv_geometry(ctx, in.shape, w.shape, &g_));
    FD_RETURN_IF_ERROR(ctx.set_output_shape(
        0, {in.shape[0], static_cast<int32_t>(g_.out_h), static_cast<int32_t>(g_.out_w), w.shape[0]}));
    const size_t k = g_.kernel_h * g_.kernel_w * cin_;
    is_float_ = in.dtype == DType::kFloat32;
    if (is_float_) {
      FD_RETURN_IF_ERROR(prepare_fgemm(ctx, cout_, k, o.activation, &fgemm_));
    } else {
      FD_RETURN_IF_ERROR(prepare_qgemm(ctx, in, out, cout_, k, o.activation, &qgemm_));
      pad_byte_ = static_cast<uint8_t>(in.quant.zero_point[0]);
      // Kernels that read activations in the other signedness get their rows flipped once, while
      // they are built (im2col, or the 1x1 row copy), instead of per channel tile.
      a_xor_ = qgemm_.params.a_xor;
    }
    direct_ = g_.kernel_h == 1 && g_.kernel_w == 1 && g_.stride_h == 1 && g_.stride_w == 1 &&
              g_.pad_top == 0 && g_.pad_left == 0;
    if (direct_ && !is_float_) {
      prepare_qgemm_rows(ctx, qgemm_, batch_ * g_.in_h * g_.in_w, &rows_);
    } else if (!direct_) {
      // Quantized rows are padded to the GEMM kernel's K block so its inner loop has no tail.
      row_stride_ = is_float_ ? k : round_up_multiple(k, qgemm_.kernel->kr);
      const size_t row_bytes = row_stride_ * (is_float_ ? sizeof(float) : 1);
      const size_t pixels = g_.out_h * g_.out_w;
      block_rows_ = std::max<size_t>(kQGemmMR, kGemmRowBlockBytes / row_bytes / kQGemmMR * kQGemmMR);
      block_rows_ = std::min(block_rows_, pixels);
      ctx.request_scratch(block_rows_ * row_bytes);
    }
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const uint8_t* in = ctx.input(0).data;
    uint8_t* out = ctx.output(0).data;
    const size_t es = is_float_ ? sizeof(float) : 1;
    if (direct_ && !is_float_) {
      run_qgemm_rows(qgemm_, rows_, batch_ * g_.in_h * g_.in_w, in, cin_, out, cout_, ctx.scratch());
      return Status();
    }
    if (direct_) {
      gemm(batch_ * g_.in_h * g_.in_w, in, cin_, out);
      return Status();
    }
    const size_t pixels = g_.out_h * g_.out_w;
    uint8_t* rows = ctx.scratch();
    for (size_t b = 0; b < batch_; ++b) {
      const uint8_t* in_b = in + b * g_.in_h * g_.in_w * cin_ * es;
      uint8_t* out_b = out + b * pixels * cout_ * es;
      for (size_t p = 0; p < pixels; p += block_rows_) {
        const size_t count = std::min(block_rows_, pixels - p);
        x8_im2col_ref(in_b, cin_ * es, g_, p, count, is_float_ ? 0 : pad_byte_, row_stride_ * es, rows, a_xor_);
        gemm(count, rows, row_stride_, out_b + p * cout_ * es, true);
      }
    }
    return Status();
  }

 private:
  // C [m, cout] = A [m, k] (row stride `a_stride` elements; `k_padded`: see run_qgemm) x weights.
  void gemm(size_t m, const uint8_t* a, size_t a_stride, uint8_t* c, bool k_padded = false) const {
    if (is_float_) {
      run_fgemm(fgemm_, m, reinterpret_cast<const float*>(a), a_stride, reinterpret_cast<float*>(c), cout_);
    } else {
      run_qgemm(qgemm_, m, a, a_stride, c, cout_, k_padded);
    }
  }

  ConvGeometry g_;
  size_t batch_ = 0, cin_ = 0, cout_ = 0, block_rows_ = 0, row_stride_ = 0;
  bool is_float_ = false, direct_ = false;
  uint8_t pad_byte_ = 0, a_xor_ = 0;
  QGemm qgemm_;
  QGemmRows rows_;  // 1x1: rows flipped for the kernel's signedness
  FGemm fgemm_;
};

}  // namespace

std::unique_ptr<Op> create_conv_2d() { return std::make_unique<Conv2D>(); }

}  // namespace fd
