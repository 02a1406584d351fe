// Data-movement kernels (ref only, memcpy-bound, except the byte zip). Element-size generic: they copy
// elements of `elem_size` bytes (1, 2, 4 or 8) and never look at values, except xx_concat_ref's
// optional 8-bit lookup tables (requantization of UINT8/INT8 inputs, built at prepare).
//
// Ops using them: TRANSPOSE and STRIDED_SLICE (xx_strided_copy_ref), PAD and PADV2 (xx_pad_ref),
// CONCATENATION and PACK (xx_concat_ref), SPLIT and UNPACK (xx_split_ref), GATHER (xx_gather_ref),
// GATHER_ND (xx_gather_nd_ref).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fd {

// Highest rank the strided copy, pad and gather_nd kernels handle.
constexpr int kMaxMovementDims = 6;

// A strided view of the input, written out contiguously:
// out[i0, ..., i{r-1}] = in[in_offset + sum_d i_d * in_strides[d]] (strides in elements, may be
// negative or zero).
struct StridedCopyParams {
  int rank = 0;
  int32_t out_dims[kMaxMovementDims] = {};
  int64_t in_strides[kMaxMovementDims] = {};
  int64_t in_offset = 0;
};

// Merges output dims that walk the input contiguously and drops size-1 dims (same result, fewer
// loop levels, longer inner runs); leaves at least one dim.
inline void strided_copy_simplify(StridedCopyParams* p) {
  StridedCopyParams s;
  s.in_offset = p->in_offset;
  for (int d = 0; d < p->rank; ++d) {
    if (p->out_dims[d] == 1) continue;
    if (s.rank > 0 && s.in_strides[s.rank - 1] == p->in_strides[d] * p->out_dims[d]) {
      s.out_dims[s.rank - 1] *= p->out_dims[d];
      s.in_strides[s.rank - 1] = p->in_strides[d];
      continue;
    }
    s.out_dims[s.rank] = p->out_dims[d];
    s.in_strides[s.rank] = p->in_strides[d];
    ++s.rank;
  }
  if (s.rank == 0) {
    s.rank = 1;
    s.out_dims[0] = 1;
    s.in_strides[0] = 1;
  }
  *p = s;
}

// Copies the strided view `p` of `in` into the contiguous `out` [out_dims...].
void xx_strided_copy_ref(size_t elem_size, const void* in, void* out, const StridedCopyParams& p);

// Interleaves two byte rows: out[2i] = a[i], out[2i + 1] = b[i] for i < n (the channel shuffle
// TRANSPOSE [.., 2, C] -> [.., C, 2] of ShuffleNet-style models, per pixel).
void x8_zip2_ref(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out);
// SIMD128 twin of x8_zip2_ref.
void x8_zip2_wasmsimd(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out);

// Constant padding: out dim d = before[d] + in_dims[d] + after[d] (all non-negative).
struct PadParams {
  int rank = 0;
  int32_t in_dims[kMaxMovementDims] = {};
  int32_t before[kMaxMovementDims] = {};
  int32_t after[kMaxMovementDims] = {};
};

// Merges each dim with the next one when the next is not padded, and drops unpadded size-1
// dims (same result, longer inner runs); leaves at least one dim.
inline void pad_simplify(PadParams* p) {
  PadParams s;
  for (int d = 0; d < p->rank; ++d) {
    const int32_t n = p->in_dims[d];
    if (n == 1 && p->before[d] == 0 && p->after[d] == 0) continue;
    if (s.rank > 0 && p->before[d] == 0 && p->after[d] == 0) {
      s.in_dims[s.rank - 1] *= n;
      s.before[s.rank - 1] *= n;
      s.after[s.rank - 1] *= n;
      continue;
    }
    s.in_dims[s.rank] = n;
    s.before[s.rank] = p->before[d];
    s.after[s.rank] = p->after[d];
    ++s.rank;
  }
  if (s.rank == 0) {
    s.rank = 1;
    s.in_dims[0] = 1;
  }
  *p = s;
}

// Writes `in` [in_dims...] into `out` [before + in_dims + after ...], filling the border with
// the `elem_size`-byte element at `value`.
void xx_pad_ref(size_t elem_size, const void* in, void* out, const void* value, const PadParams& p);

// Concatenates along one axis: input i is [outer, blocks[i]] elements, out is
// [outer, sum(blocks)]. When `tables` is non-null and tables[i] is non-null (elem_size 1 only),
// input i's bytes are mapped through that 256-entry table instead of copied. A null input is
// already in place in `out` and is skipped.
void xx_concat_ref(size_t elem_size, int num_inputs, const void* const* inputs, const int64_t* blocks,
                   const uint8_t* const* tables, int64_t outer, void* out);

// The inverse of xx_concat_ref: `in` is [outer, sum(blocks)], output i gets [outer, blocks[i]].
void xx_split_ref(size_t elem_size, const void* in, int num_outputs, void* const* outputs,
                  const int64_t* blocks, int64_t outer);

// GATHER flattened: in [batch, outer, axis_size, inner], indices [batch, num_indices] (all in
// [0, axis_size): the caller validates), out [batch, outer, num_indices, inner].
struct GatherParams {
  int64_t batch = 1;
  int64_t outer = 1;
  int64_t axis_size = 1;
  int64_t inner = 1;
  int64_t num_indices = 0;
};

// out[b, o, i, :] = in[b, o, indices[b, i], :].
void xx_gather_ref(size_t elem_size, const void* in, const int32_t* indices, void* out,
                   const GatherParams& p);

// GATHER_ND flattened: indices [num_slices, index_depth] address the first index_depth dims of
// the params tensor (all validated by the caller); each picks a contiguous slice of slice_size
// elements starting at sum_k index[k] * strides[k].
struct GatherNdParams {
  int64_t num_slices = 0;
  int32_t index_depth = 0;
  int64_t slice_size = 1;
  int64_t strides[kMaxMovementDims] = {};
};

// out [num_slices, slice_size] = the slices of `in` the index tuples select.
void xx_gather_nd_ref(size_t elem_size, const void* in, const int32_t* indices, void* out,
                      const GatherNdParams& p);

}  // namespace fd
