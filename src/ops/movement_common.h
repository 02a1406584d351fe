// Helpers shared by the data-movement ops (concat, transpose, pad, slice, split, gather, pack).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/quant.h"
#include "kernels/movement.h"
#include "ops/op.h"

namespace fd {

// Fails unless input `i` has a type the movement ops copy (any fixed-size element type).
inline Status expect_movement_type(NodeContext& ctx, int i) {
  return ctx.expect_input_type(i, {DType::kFloat32, DType::kInt8, DType::kUInt8, DType::kInt32,
                                   DType::kInt64, DType::kBool, DType::kInt16, DType::kFloat16});
}

// Fails unless output `o` has the same element type as input `i`.
inline Status expect_same_output_type(NodeContext& ctx, int i, int o) {
  if (ctx.output(o).dtype == ctx.input(i).dtype) return Status();
  return ctx.error(std::string("output ") + std::to_string(o) + " has type " +
                   dtype_name(ctx.output(o).dtype) + " but input " + std::to_string(i) +
                   " has type " + dtype_name(ctx.input(i).dtype));
}

// Reads constant INT32/INT64 input `i` (a shape-like operand named `what`) into `out`; fails
// with a clear message when it is missing, computed at run time, or of another type.
inline Status read_const_ints(NodeContext& ctx, int i, const char* what, std::vector<int32_t>* out) {
  if (!ctx.has_input(i)) return ctx.error(std::string("the ") + what + " input is missing");
  const RTensor& t = ctx.input(i);
  if (!t.is_constant) {
    return ctx.error(std::string("the ") + what +
                     " input is computed at run time; featherdet needs it to be a constant "
                     "tensor in the model");
  }
  const int64_t n = num_elements(t.shape);
  out->resize(static_cast<size_t>(n));
  if (t.dtype == DType::kInt32) {
    for (int64_t k = 0; k < n; ++k) (*out)[k] = t.as<int32_t>()[k];
  } else if (t.dtype == DType::kInt64) {
    for (int64_t k = 0; k < n; ++k) {
      const int64_t v = t.as<int64_t>()[k];
      if (v > INT32_MAX || v < INT32_MIN) {
        return ctx.error(std::string("the ") + what + " input holds " + std::to_string(v) +
                         ", which does not fit in 32 bits");
      }
      (*out)[k] = static_cast<int32_t>(v);
    }
  } else {
    return ctx.error(std::string("the ") + what + " input has type " + dtype_name(t.dtype) +
                     "; expected INT32 or INT64");
  }
  return Status();
}

// Maps `axis` in [-rank, rank) to [0, rank); fails otherwise.
inline Status normalize_axis(NodeContext& ctx, int32_t axis, int rank, int32_t* out) {
  if (axis < -rank || axis >= rank) {
    return ctx.error("axis " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank));
  }
  *out = axis < 0 ? axis + rank : axis;
  return Status();
}

// Product of dims [begin, end) of `s`.
inline int64_t dims_product(const Shape& s, int begin, int end) {
  int64_t n = 1;
  for (int d = begin; d < end; ++d) n *= s[d];
  return n;
}

// Per-tensor scale and zero point of a quantized tensor (1 and 0 when it has none).
inline float quant_scale(const RTensor& t) { return t.quant.scale.empty() ? 1.0f : t.quant.scale[0]; }
inline int32_t quant_zero_point(const RTensor& t) {
  return t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
}

// True when an 8-bit tensor `in` copies bit-for-bit into `out` (same scale and zero point).
inline bool same_quant(const RTensor& in, const RTensor& out) {
  return quant_scale(in) == quant_scale(out) && quant_zero_point(in) == quant_zero_point(out);
}

// Fills the 256-entry table mapping `in`'s 8-bit values to `out`'s quantization (indexed by
// the raw byte), using the project's one requantization.
inline Status build_requant_table(const NodeContext& ctx, const RTensor& in, const RTensor& out, uint8_t* table) {
  const float scale = quant_scale(in) / quant_scale(out);
  FD_RETURN_IF_ERROR(ctx.expect_finite_scale(scale, "requantization scale (input / output)"));
  const int32_t in_zp = quant_zero_point(in), out_zp = quant_zero_point(out);
  const int32_t qmin = dtype_qmin(out.dtype), qmax = dtype_qmax(out.dtype);
  for (int32_t q = dtype_qmin(in.dtype); q <= dtype_qmax(in.dtype); ++q) {
    const int32_t v = requantize(q - in_zp, scale, out_zp, qmin, qmax);
    table[static_cast<uint8_t>(q)] = static_cast<uint8_t>(v);
  }
  return Status();
}

// Base of ops whose output is a strided view of their input (TRANSPOSE, STRIDED_SLICE): the
// subclass fills params_ in prepare and calls finish_prepare; eval is one strided copy.
class StridedCopyOp : public Op {
 public:
  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    if (zip_n_) {
      // [outer, 2, n] -> [outer, n, 2] bytes: one zip per outer row.
      for (size_t o = 0; o < zip_outer_; ++o) {
        const uint8_t* src = in.data + o * 2 * zip_n_;
        zip_(zip_n_, src, src + zip_n_, ctx.output(0).data + o * 2 * zip_n_);
      }
      return Status();
    }
    xx_strided_copy_ref(dtype_size(in.dtype), in.data, ctx.output(0).data, params_);
    return Status();
  }

 protected:
  // Merges contiguous dimensions of params_, recognizes the byte channel shuffle
  // [outer, 2, n] -> [outer, n, 2] (run by the table's x8_zip2) and sets the output shape.
  Status finish_prepare(NodeContext& ctx, Shape out_shape) {
    strided_copy_simplify(&params_);
    const StridedCopyParams& p = params_;
    const int r = p.rank;
    zip_n_ = 0;
    if (dtype_size(ctx.input(0).dtype) == 1 && p.in_offset == 0 && r >= 2 && r <= 3 && p.out_dims[r - 1] == 2 &&
        p.in_strides[r - 2] == 1 && p.in_strides[r - 1] == p.out_dims[r - 2] &&
        (r == 2 || p.in_strides[0] == 2 * static_cast<int64_t>(p.out_dims[1]))) {
      zip_n_ = static_cast<size_t>(p.out_dims[r - 2]);
      zip_outer_ = r == 3 ? static_cast<size_t>(p.out_dims[0]) : 1;
      zip_ = ctx.kernels().x8_zip2;
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, std::move(out_shape)));
    return Status();
  }
  StridedCopyParams params_;
  size_t zip_n_ = 0, zip_outer_ = 0;
  decltype(KernelTable::x8_zip2) zip_ = nullptr;
};

}  // namespace fd
