// One table of kernel function pointers, filled once at start-up for the ISA this build and
// engine offer (ref natively; wasmsimd in the wasm builds; relaxed-SIMD GEMM and depthwise kernels
// in the relaxed build when the engine's relaxed dot product is exact). Ops take their kernels from it at
// prepare; this is the only place that knows which ISA variants exist.
//
// Kernel names (every function in src/kernels/*.h): <types>_<op>[_<tile>][_<rounding>]_<isa>.
// - types, the element types the kernel reads (and, for conversions, `<from>_<to>`):
//   f32, f16, s32 = float32, float16, int32 numbers; s8 / u8 = raw int8 / uint8 values that are
//   only compared or copied (their quantization passes through unchanged: max pooling, arg max);
//   qs8 / qu8 = quantized int8 / uint8 values the kernel does arithmetic on (sums, averages,
//   products, blends, requantization); qx8 = one kernel for both, chosen at run time by a flag
//   (QConvParams::is_unsigned); x8 = any 8-bit bytes, values never interpreted; xx = elements of
//   any size (the byte size is an argument); any = any DType (an argument).
// - op: `v<op>` works on vectors of n elements (`v<op>c`: the second operand is one scalar),
//   `vcvt` converts, `gemm` / `dwconv` are the convolution kernels, `pack` their weight packers.
// - tile: the block a kernel works in: GEMM MRxNR (rows x output channels) and cKR (K in blocks
//   of KR); depthwise cN (N channels) and p2 / q4 (taps in pairs / quads).
// - rounding: how a kernel that requantizes (computes an 8-bit output at another scale than its
//   input's) rounds. Unmarked is fp32, core/quant.h's requantize(): float(acc) * scale, clamped,
//   rounded to nearest-even, plus the zero point (GEMM, depthwise, MUL, QUANTIZE, softmax).
//   `rndnu` is an integer output stage: an integer multiplier and a right shift rounding to
//   nearest, ties up ((acc + 2^(s-1)) >> s: ADD/SUB, leaky ReLU). Kernels whose output keeps the
//   input's scale (pooling, sums, resize) round as their contract says and carry no mark.
// - isa: ref (scalar C++), wasmsimd (SIMD128), wasmusdot / wasmsdot (relaxed SIMD, the i7 operand
//   read unsigned / signed; `usdot_ref` / `sdot_ref` are the scalar kernels reading that way),
//   wasmrelaxed (relaxed SIMD, either reading).
// A file holds one kernel body (a function or a template) and the entry points instantiated from
// it, and is named after them; when they differ in type or variant, the name says the family:
// qx8_ for qs8_ + qu8_ (ref/qx8_vadd_rndnu_ref.cc), x8_ for s8_ + u8_, no type when float and
// integer share it (ref/maxpool_ref.cc), wasmrelaxed for wasmusdot + wasmsdot, the ref file of
// usdot_ref + sdot_ref drops the reading, f32_vbinary for vbinary + vbinaryc. The body sits in
// an anonymous namespace, or in ref_impl / wasmsimd_impl (ref bodies, the 8-bit SIMD resize) where
// keeping one out-of-line function per type makes the brotli-compressed wasm smaller.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/movement.h"
#include "kernels/pooling.h"
#include "kernels/resize.h"

namespace fd {

// The instruction sets a table can be filled for, best last.
enum class Isa : uint8_t {
  kRef,            // scalar C++
  kWasmSimd,       // wasm SIMD128 (i32x4.dot_i16x8_s)
  kWasmRelaxedUsdot,  // + relaxed SIMD; i32x4.relaxed_dot_i8x16_i7x16_add_s reads its i7 operand
                      // as unsigned, exactly over all of [0, 255] (x86 VNNI)
  kWasmRelaxedSdot,   // + relaxed SIMD; the i7 operand is read as signed, exactly (ARM sdot)
};

// Name of an ISA as the profiler and the JS API print it ("ref", "wasmsimd", ...).
const char* isa_name(Isa isa);

// How a quantized GEMM microkernel reads its activations, which decides the bias fold: kNative
// reads int8 as int8 and uint8 as uint8; kUnsigned reads every byte as uint8 (int8 flipped by
// 0x80, i.e. x + 128); kSigned reads every byte as int8 (uint8 flipped, x - 128).
enum class ActDomain : int8_t { kNative, kUnsigned, kSigned };

// Offset the kernel adds to each activation of type `is_unsigned`: 0, +128 or -128.
inline int32_t activation_shift(ActDomain d, bool is_unsigned) {
  if (d == ActDomain::kUnsigned && !is_unsigned) return 128;
  if (d == ActDomain::kSigned && is_unsigned) return -128;
  return 0;
}

// A quantized GEMM microkernel family: C[m, n] = requant(bias[n] + sum_k A'[m, k] * W'[n, k]),
// A' = A shifted into the kernel's activation domain, W' = W - w_zp in the packed layout.
struct QGemmUkernel {
  const char* name = nullptr;
  size_t nr = 0;  // output channels per tile (bias and scales are padded to a multiple of it)
  size_t kr = 0;  // K block; rows of A padded to round_up(k, kr) may be passed with k_padded
  ActDomain domain = ActDomain::kNative;
  // Bytes of the packed weights for [n, k].
  size_t (*packed_bytes)(size_t n, size_t k) = nullptr;
  // Packs weights [n, k] (8-bit; `w_unsigned` selects uint8) minus per-channel zero points
  // `w_zp` [n] into `packed` and writes the row sums of (w - w_zp) to `row_sums` [n]; false when
  // the values do not fit the kernel's weight type (nothing else is then guaranteed).
  bool (*pack)(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
               void* packed, int32_t* row_sums) = nullptr;
  // A [m, k] with row stride `a_stride` bytes, C [m, n] with row stride `c_stride` bytes.
  void (*run)(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const void* packed_w,
              const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) = nullptr;
};

// A quantized depthwise microkernel for depth multiplier 1 (at most kDwMaxTaps taps): taps
// outside the image read a row of the input zero point, which the packed bias cancels.
struct QDwconvUkernel {
  const char* name = nullptr;
  ActDomain domain = ActDomain::kNative;
  size_t channel_block = 0;  // bias and scales are padded to a multiple of it
  // Bytes of the packed weights for `channels` and `taps`.
  size_t (*packed_bytes)(size_t channels, size_t taps) = nullptr;
  // Packs int16 weights (w - w_zp) [taps, round_up(channels, 8)] and folds `input_zp` (plus the
  // kernel's activation shift: the caller adds it) into bias_out; false when they do not fit.
  bool (*pack)(size_t channels, size_t taps, const int16_t* w, const int32_t* bias, int32_t input_zp,
               void* packed, int32_t* bias_out) = nullptr;
  // in [in_h, in_w, c], out [out_h, out_w, c]; zero_row holds c + kDwZeroRowSlack bytes of the input
  // zero point.
  void (*run)(const uint8_t* in, size_t c, const ConvGeometry& g, const void* packed_w, const int32_t* bias,
              const uint8_t* zero_row, uint8_t* out, const QConvParams& params) = nullptr;
  // Optional: the same convolution for 3x3 windows with stride 1 and dilation 1 and at least 16
  // channels (dw_3x3s1_eligible), sliding along output rows so that each input column serves
  // several outputs; its weights are packed by `pack` from the `taps_3x3s1` taps of
  // dw_3x3_ordered_taps in the order `order_3x3s1`.
  void (*run_3x3s1)(const uint8_t* in, size_t c, const ConvGeometry& g, const void* packed_w,
                    const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) = nullptr;
  const uint8_t* order_3x3s1 = nullptr;
  size_t taps_3x3s1 = 0;
};

// Every kernel an op may call, by family (see the headers for each contract).
struct KernelTable {
  Isa isa = Isa::kRef;
  // Quantized GEMM: the preferred kernel, and the general one used when weights do not fit it.
  QGemmUkernel qgemm;
  QGemmUkernel qgemm_general;
  // The kernel for short rows (K <= qgemm_small_k_max; none when 0), where a tile's fixed cost
  // outweighs its K loop (stems on 3-channel images, 1x1 convolutions on few channels).
  QGemmUkernel qgemm_small_k;
  size_t qgemm_small_k_max = 0;
  void (*f32_gemm)(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_w,
                   const float* bias, float* c, size_t c_stride, float out_min, float out_max) = nullptr;
  // Depthwise convolutions: the general quantized kernel; for depth multiplier 1 the preferred
  // one and the one for weights that do not fit it; the float ones (the multiplier-1 one may be
  // null).
  void (*qx8_dwconv)(const uint8_t* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                     const int16_t* w, const int32_t* bias, int32_t input_zp, uint8_t* out,
                     const QConvParams& params) = nullptr;
  QDwconvUkernel qx8_dwconv_m1;
  QDwconvUkernel qx8_dwconv_m1_general;
  void (*f32_dwconv)(const float* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                     const float* w, const float* bias, float* out, float out_min, float out_max) = nullptr;
  void (*f32_dwconv_m1)(const float* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                        const float* w, const float* bias, float* out, float out_min, float out_max) = nullptr;

  // Elementwise.
  void (*qs8_vaddc_rndnu)(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) = nullptr;
  void (*qs8_vadd_rndnu)(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QAddParams& p) = nullptr;
  void (*qu8_vadd_rndnu)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) = nullptr;
  void (*qu8_vaddc_rndnu)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QAddParams& p) = nullptr;
  void (*qs8_vmul)(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) = nullptr;
  void (*qs8_vmulc)(size_t n, const int8_t* a, const int8_t* b, int8_t* out, const QMulParams& p) = nullptr;
  void (*qu8_vmul)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) = nullptr;
  void (*qu8_vmulc)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out, const QMulParams& p) = nullptr;
  void (*f32_vbinary)(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                      const F32MinMaxParams& p) = nullptr;
  void (*f32_vbinaryc)(BinaryOp op, size_t n, const float* a, const float* b, float* out,
                       const F32MinMaxParams& p) = nullptr;
  void (*f32_vclamp)(size_t n, const float* x, float* y, const F32MinMaxParams& p) = nullptr;
  void (*f32_qs8_vcvt)(size_t n, const float* x, int8_t* y, const F32QuantizeParams& p) = nullptr;
  void (*f32_qu8_vcvt)(size_t n, const float* x, uint8_t* y, const F32QuantizeParams& p) = nullptr;
  void (*qs8_f32_vcvt)(size_t n, const int8_t* x, float* y, const DequantizeParams& p) = nullptr;
  void (*qu8_f32_vcvt)(size_t n, const uint8_t* x, float* y, const DequantizeParams& p) = nullptr;
  void (*qs8_vlrelu_rndnu)(size_t n, const int8_t* x, int8_t* y, const QLeakyReluParams& p) = nullptr;
  void (*qu8_vlrelu_rndnu)(size_t n, const uint8_t* x, uint8_t* y, const QLeakyReluParams& p) = nullptr;
  void (*x8_lut)(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) = nullptr;

  // Pooling and reductions.
  void (*f32_maxpool)(const float* in, float* out, const Pool2DParams& p, float lo, float hi) = nullptr;
  void (*s8_maxpool)(const int8_t* in, int8_t* out, const Pool2DParams& p, int8_t lo, int8_t hi) = nullptr;
  void (*u8_maxpool)(const uint8_t* in, uint8_t* out, const Pool2DParams& p, uint8_t lo, uint8_t hi) = nullptr;
  void (*f32_avgpool)(const float* in, float* out, const Pool2DParams& p, float lo, float hi) = nullptr;
  void (*qs8_avgpool)(const int8_t* in, int8_t* out, const Pool2DParams& p, int32_t qmin, int32_t qmax) = nullptr;
  void (*qu8_avgpool)(const uint8_t* in, uint8_t* out, const Pool2DParams& p, int32_t qmin, int32_t qmax) = nullptr;
  void (*f32_rsum)(const float* in, size_t outer, size_t reduce, size_t inner, float* out) = nullptr;
  void (*qs8_rsum)(const int8_t* in, size_t outer, size_t reduce, size_t inner, int32_t* out) = nullptr;
  void (*qu8_rsum)(const uint8_t* in, size_t outer, size_t reduce, size_t inner, int32_t* out) = nullptr;
  void (*qs8_softmax)(const int8_t* in, size_t rows, size_t cols, const QuantSoftmaxParams& p, int8_t* out) = nullptr;
  void (*qu8_softmax)(const uint8_t* in, size_t rows, size_t cols, const QuantSoftmaxParams& p, uint8_t* out) = nullptr;

  // Data movement.
  void (*x8_zip2)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* out) = nullptr;
  // Arg max along the middle axis of [outer, axis, inner] (kernels/pooling.h).
  void (*s8_argmax)(const int8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) = nullptr;
  void (*u8_argmax)(const uint8_t* input, size_t outer, size_t axis, size_t inner, int32_t* output) = nullptr;

  // The profiler's peak: `iters` rounds of the GEMM's multiply-accumulate instruction on data in
  // cache (2 rows of 3 or 4 vectors of independent accumulators, as many as V8 keeps in registers,
  // weights read from memory as the tiles do); returns
  // the MACs done and stores a checksum in *sink so the loop cannot be removed.
  uint64_t (*dot_peak)(size_t iters, int32_t* sink) = nullptr;

  // Bilinear resize.
  void (*f32_resize_bilinear)(const float* in, float* out, const ResizeBilinearParams& p) = nullptr;
  void (*qs8_resize_bilinear)(const int8_t* in, int8_t* out, const ResizeBilinearParams& p) = nullptr;
  void (*qu8_resize_bilinear)(const uint8_t* in, uint8_t* out, const ResizeBilinearParams& p) = nullptr;
};

// The table of this process: the best ISA the build and the engine support, chosen on first use.
const KernelTable& kernels();

// A table for `isa`, or null when this build or engine cannot run it (tests and benchmarks use
// it to compare variants; ops use kernels()). The wasm builds have no kRef table: they carry no
// ref twins of their SIMD kernels.
const KernelTable* kernels_for(Isa isa);

// Makes kernels() return the table for `isa` from now on (ops prepared later use it); false,
// and no change, when kernels_for(isa) is null. For benchmarks and tests.
bool select_kernels(Isa isa);

// The weak hook the relaxed-SIMD objects define (only the relaxed wasm build links them): probes
// the engine's relaxed dot product once and, when one of its readings is exact, installs the
// relaxed kernels into `t` (a wasmsimd table), sets t->isa and returns true.
extern "C" bool fd_install_relaxed_kernels(KernelTable* t) __attribute__((weak));

}  // namespace fd
