// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR over NHWC tensors (float32, int8, uint8; nearest
// also int32) to a constant [new_height, new_width], with TFLite's align_corners and
// half_pixel_centers coordinate rules. Quantized values pass through unscaled, as in TFLite.
#include <cmath>
#include <vector>

#include "kernels/resize.h"
#include "ops/ops.h"
#include "ops/pool_common.h"
#include "ops/resize_taps.h"

namespace fd {
namespace {

// Nearest source index of one axis (TFLite's GetNearestNeighbor).
void nearest_taps(int32_t in, int32_t out, bool align_corners, bool half_pixel, std::vector<int32_t>* src) {
  const float scale = axis_scale(in, out, align_corners);
  const float offset = half_pixel ? 0.5f : 0.0f;
  src->resize(out);
  for (int32_t i = 0; i < out; ++i) {
    const float v = (static_cast<float>(i) + offset) * scale;
    int32_t s = align_corners ? static_cast<int32_t>(std::round(v)) : static_cast<int32_t>(std::floor(v));
    s = std::min(s, in - 1);
    if (half_pixel) s = std::max(s, 0);
    (*src)[i] = s;
  }
}

class Resize : public Op {
 public:
  explicit Resize(bool bilinear) : bilinear_(bilinear) {}

  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    if (bilinear_) {
      FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    } else {
      FD_RETURN_IF_ERROR(ctx.expect_input_type(0, {DType::kFloat32, DType::kInt8, DType::kUInt8, DType::kInt32}));
    }
    const RTensor& in = ctx.input(0);
    if (ctx.output(0).dtype != in.dtype) return ctx.error("output type differs from input type");
    if (in.shape.size() != 4) return ctx.error("input must be 4-D [N, H, W, C], got " + shape_str(in.shape));
    std::vector<int32_t> size;
    FD_RETURN_IF_ERROR(pool_common::read_int_constant(ctx, 1, "size", &size));
    if (size.size() != 2 || size[0] <= 0 || size[1] <= 0) return ctx.error("size must hold two positive values [new_height, new_width]");
    const OpOptions& o = ctx.options();
    if (o.align_corners && o.half_pixel_centers) return ctx.error("align_corners and half_pixel_centers cannot both be true");
    // The output size first: the taps below are sized by it.
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, {in.shape[0], size[0], size[1], in.shape[3]}));
    const int32_t in_h = in.shape[1], in_w = in.shape[2];
    if (bilinear_) {
      bilinear_taps(in_h, size[0], o.align_corners, o.half_pixel_centers, &y0_, &y1_, &fy_);
      bilinear_taps(in_w, size[1], o.align_corners, o.half_pixel_centers, &x0_, &x1_, &fx_);
      p_.batches = in.shape[0];
      p_.in_h = in_h;
      p_.in_w = in_w;
      p_.out_h = size[0];
      p_.out_w = size[1];
      p_.channels = in.shape[3];
      p_.y0 = y0_.data();
      p_.y1 = y1_.data();
      p_.fy = fy_.data();
      p_.x0 = x0_.data();
      p_.x1 = x1_.data();
      p_.fx = fx_.data();
    } else {
      nearest_taps(in_h, size[0], o.align_corners, o.half_pixel_centers, &y0_);
      nearest_taps(in_w, size[1], o.align_corners, o.half_pixel_centers, &x0_);
    }
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    if (!bilinear_) {
      xx_resize_nearest_ref(in.data, out.data, in.shape[0], in.shape[1], in.shape[2], out.shape[1], out.shape[2],
                            static_cast<size_t>(in.shape[3]) * dtype_size(in.dtype), y0_.data(), x0_.data());
      return Status();
    }
    switch (in.dtype) {
      case DType::kFloat32: kt_->f32_resize_bilinear(in.as<float>(), out.as<float>(), p_); break;
      case DType::kInt8: kt_->qs8_resize_bilinear(in.as<int8_t>(), out.as<int8_t>(), p_); break;
      default: kt_->qu8_resize_bilinear(in.as<uint8_t>(), out.as<uint8_t>(), p_); break;
    }
    return Status();
  }

 private:
  const KernelTable* kt_ = nullptr;
  bool bilinear_;
  ResizeBilinearParams p_;
  std::vector<int32_t> y0_, y1_, x0_, x1_;  // nearest uses y0_ / x0_ as source indices
  std::vector<float> fy_, fx_;
};

}  // namespace

std::unique_ptr<Op> create_resize_bilinear() { return std::make_unique<Resize>(true); }
std::unique_ptr<Op> create_resize_nearest_neighbor() { return std::make_unique<Resize>(false); }

}  // namespace fd
