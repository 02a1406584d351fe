// CONV_2D: NHWC convolution as GEMM. 1x1 stride-1 convs read the input directly as [H*W, Cin];
// others build im2col rows in scratch (out-of-bounds taps = input zero point, or 0.0 for float).
// Convolutions that would build the same rows from one input can run as a group that builds them
// once (YOLOX's stem split in two channel groups, YOLOv8's box and class heads).
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
    out_stride_ = cout_;
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
    if (direct_ && !is_float_) {
      run_qgemm_rows(qgemm_, rows_, batch_ * g_.in_h * g_.in_w, in, cin_, out, out_stride_, ctx.scratch());
      return Status();
    }
    if (direct_) {
      gemm(batch_ * g_.in_h * g_.in_w, in, cin_, out);
      return Status();
    }
    for_each_block(in, ctx.scratch(), [&](size_t b, size_t p, size_t count, const uint8_t* rows) {
      gemm_block(b, p, count, rows, out);
    });
    return Status();
  }

  bool set_output_row_stride(size_t row_stride) override {
    if (row_stride < cout_) return false;
    out_stride_ = row_stride;
    return true;
  }

  // True when eval builds im2col rows (every geometry but 1x1, stride 1, no padding) for a
  // non-empty output.
  bool builds_rows() const { return !direct_ && cout_ > 0 && g_.out_h * g_.out_w > 0; }

  // True when `o` builds the same rows from the same input bytes: geometry, channels, dtype,
  // row layout of the chosen GEMM kernel (K block, activation flip) and padding byte.
  bool same_rows(const Conv2D& o) const {
    return builds_rows() && o.builds_rows() && batch_ == o.batch_ && cin_ == o.cin_ && is_float_ == o.is_float_ &&
           row_stride_ == o.row_stride_ && block_rows_ == o.block_rows_ && pad_byte_ == o.pad_byte_ &&
           a_xor_ == o.a_xor_ && same_geometry(g_, o.g_);
  }

  // Builds the im2col rows of input `in` block by block in `rows` (the scratch requested at
  // prepare) and calls use(batch, first pixel, count, rows) for each block.
  template <typename F>
  void for_each_block(const uint8_t* in, uint8_t* rows, F use) const {
    const size_t es = is_float_ ? sizeof(float) : 1;
    const size_t pixels = g_.out_h * g_.out_w;
    for (size_t b = 0; b < batch_; ++b) {
      const uint8_t* in_b = in + b * g_.in_h * g_.in_w * cin_ * es;
      for (size_t p = 0; p < pixels; p += block_rows_) {
        const size_t count = std::min(block_rows_, pixels - p);
        x8_im2col_ref(in_b, cin_ * es, g_, p, count, is_float_ ? 0 : pad_byte_, row_stride_ * es, rows, a_xor_);
        use(b, p, count, rows);
      }
    }
  }

  // This convolution's output pixels [p, p + count) of batch b into `out` (its output tensor),
  // from one block of rows built by for_each_block.
  void gemm_block(size_t b, size_t p, size_t count, const uint8_t* rows, uint8_t* out) const {
    const size_t es = is_float_ ? sizeof(float) : 1;
    gemm(count, rows, row_stride_, out + (b * g_.out_h * g_.out_w + p) * out_stride_ * es, true);
  }

 private:
  // C [m, cout] = A [m, k] (row stride `a_stride` elements; `k_padded`: see run_qgemm) x weights.
  void gemm(size_t m, const uint8_t* a, size_t a_stride, uint8_t* c, bool k_padded = false) const {
    if (is_float_) {
      run_fgemm(fgemm_, m, reinterpret_cast<const float*>(a), a_stride, reinterpret_cast<float*>(c), out_stride_);
    } else {
      run_qgemm(qgemm_, m, a, a_stride, c, out_stride_, k_padded);
    }
  }

  static bool same_geometry(const ConvGeometry& a, const ConvGeometry& b) {
    return a.in_h == b.in_h && a.in_w == b.in_w && a.out_h == b.out_h && a.out_w == b.out_w &&
           a.kernel_h == b.kernel_h && a.kernel_w == b.kernel_w && a.stride_h == b.stride_h &&
           a.stride_w == b.stride_w && a.dilation_h == b.dilation_h && a.dilation_w == b.dilation_w &&
           a.pad_top == b.pad_top && a.pad_left == b.pad_left;
  }

  ConvGeometry g_;
  size_t batch_ = 0, cin_ = 0, cout_ = 0, block_rows_ = 0, row_stride_ = 0;
  size_t out_stride_ = 0;  // elements between output pixels: cout_, or more inside a concatenation
  bool is_float_ = false, direct_ = false;
  uint8_t pad_byte_ = 0, a_xor_ = 0;
  QGemm qgemm_;
  QGemmRows rows_;  // 1x1: rows flipped for the kernel's signedness
  FGemm fgemm_;
};

// Convolutions whose im2col rows are the same (runtime/im2col_sharing.h) as one op: each block of
// rows is built once, by the first member, and every member's GEMM runs on it. Output i of the
// op's node is member i's output; the members were prepared on their own nodes.
class Conv2DGroup : public Op {
 public:
  explicit Conv2DGroup(std::vector<std::unique_ptr<Op>> members) : members_(std::move(members)) {}

  Status prepare(NodeContext& ctx) override {
    if (members_.empty() || ctx.num_outputs() != static_cast<int>(members_.size())) {
      return ctx.error("a convolution group needs one output per member");
    }
    const Conv2D& first = static_cast<const Conv2D&>(*members_[0]);
    for (const std::unique_ptr<Op>& m : members_) {
      if (!first.same_rows(static_cast<const Conv2D&>(*m))) return ctx.error("the grouped convolutions build different rows");
    }
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const Conv2D& first = static_cast<const Conv2D&>(*members_[0]);
    first.for_each_block(ctx.input(0).data, ctx.scratch(), [&](size_t b, size_t p, size_t count, const uint8_t* rows) {
      for (size_t i = 0; i < members_.size(); ++i) {
        static_cast<const Conv2D&>(*members_[i]).gemm_block(b, p, count, rows, ctx.output(static_cast<int>(i)).data);
      }
    });
    return Status();
  }

 private:
  std::vector<std::unique_ptr<Op>> members_;
};

}  // namespace

std::unique_ptr<Op> create_conv_2d() { return std::make_unique<Conv2D>(); }

std::unique_ptr<Op> make_conv_2d_group(std::vector<std::unique_ptr<Op>> members) {
  return std::make_unique<Conv2DGroup>(std::move(members));
}

std::vector<std::vector<int>> find_conv_2d_groups(const Graph& graph, const std::vector<std::unique_ptr<Op>>& ops,
                                                  const std::vector<int>& fused_with) {
  const int nn = static_cast<int>(graph.nodes.size());
  std::vector<uint8_t> taken(static_cast<size_t>(nn), 0);
  auto conv = [&](int n) -> const Conv2D* {
    const Node& node = graph.nodes[n];
    if (taken[n] || fused_with[n] >= 0 || node.code != static_cast<int32_t>(OpCode::kConv2D) ||
        node.inputs.empty() || node.outputs.size() != 1) {
      return nullptr;
    }
    const Conv2D* c = static_cast<const Conv2D*>(ops[n].get());
    return c->builds_rows() ? c : nullptr;
  };
  std::vector<std::vector<int>> groups;
  for (int a = 0; a < nn; ++a) {
    const Conv2D* first = conv(a);
    if (!first) continue;
    std::vector<int> group{a};
    for (int b = a + 1; b < nn; ++b) {
      const Conv2D* other = graph.nodes[b].inputs.empty() || graph.nodes[b].inputs[0] != graph.nodes[a].inputs[0]
                                ? nullptr
                                : conv(b);
      if (other && first->same_rows(*other)) {
        group.push_back(b);
        taken[b] = 1;
      }
    }
    if (group.size() > 1) groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace fd
