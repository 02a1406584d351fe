// Convolution-family kernels: quantized and float GEMM (conv as GEMM, fully connected),
// depthwise convolution, im2col, and the prepare-time weight packers for the GEMM tiles.
//
// Names follow the scheme at the top of kernels/kernel_table.h (qx8: int8 or uint8 activations
// chosen by QConvParams::is_unsigned; all requantize in fp32). Every wasmsimd kernel is bit-exact
// with its ref twin.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/quant.h"

namespace fd {

// Tile of the quantized GEMM: 4 output channels, K in blocks of 8 (one i16x8 dot), over blocks
// of 4 rows (the ref kernel's tile; the SIMD128 kernel runs the same packing 2 rows at a time).
constexpr size_t kQGemmMR = 4;
constexpr size_t kQGemmNR = 4;
constexpr size_t kQGemmKR = 8;
// Tile of the quantized GEMM for short rows (small K): 4 rows x 8 output channels, K in pairs
// (one i16x8 dot yields four channels' sums of one K pair; no horizontal sums).
constexpr size_t kQGemmC2NR = 8;
constexpr size_t kQGemmC2KR = 2;
// Longest rows the 4x8c2 tile takes instead of the 4c8 one: up to here the 4c8 tile's horizontal
// sums and output stage cost more than the 4x8c2 tile's pair broadcasts (measured in Node: K = 40
// to 96 0.95-0.98 of the 4c8 time, K = 116-232 1.00-1.04).
constexpr size_t kQGemmSmallKMax = 96;
// ... and instead of the relaxed 16-channel tile (which has no horizontal sums either): up to K =
// 32 the 4x8c2 tile is faster in Chromium 156 even where the 16-channel tile is full (YuNet-n's
// K = 27 stem 0.72 -> 0.47 ms, its 1x1 convolutions on 16 channels 0.51 -> 0.23 ms; the relaxed
// kernel also needs a 1x1 convolution's rows copied flipped into its domain), from K = 33 to 64
// slower (YuNet-n 1.10x, YOLOX-Nano 1.07-1.10x).
constexpr size_t kQGemmSmallKMaxRelaxed = 32;
// Tile of the relaxed-SIMD quantized GEMM: 2 rows x 16 output channels, K in blocks of 4 (one
// i32x4.relaxed_dot_i8x16_i7x16_add_s per 4 channels).
constexpr size_t kQGemm16NR = 16;
constexpr size_t kQGemm16KR = 4;
// Tile of the float GEMM: 4 rows x 8 output channels (two f32x4 per row).
constexpr size_t kFGemmMR = 4;
constexpr size_t kFGemmNR = 8;
// Channel block of the depthwise kernels.
constexpr size_t kDwChannelBlock = 8;

// Rounds `x` up to a multiple of `m`.
constexpr size_t round_up_multiple(size_t x, size_t m) { return (x + m - 1) / m * m; }

// Output stage of a quantized GEMM or depthwise kernel.
struct QConvParams {
  bool is_unsigned = false;  // activations (input and output) are uint8, else int8
  RequantParams rq;          // per-channel scales padded to the kernel's channel tile
  // GEMM only: the caller already XORed every byte of A with this: the flip into the kernel's
  // ActDomain (0x80 where activation_shift is not 0, else 0), done once while building im2col
  // rows or copying rows (ops/conv_common.h) instead of per tile. Always 0 for kNative kernels.
  uint8_t a_xor = 0;
};

// Packs weights [n, k] (8-bit, row-major, `w_unsigned` selects uint8) minus per-channel zero points
// `w_zp` ([n], or [1] when `w_zp_per_channel` is false) into int16 tiles
// [ceil(n/4), ceil(k/8), 4, 8] (zero padding), and writes row sums of (w - w_zp) to `row_sums` [n].
void qx8_gemm_4x4c8_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
                         bool w_zp_per_channel, int16_t* packed, int32_t* row_sums);
// The same for any int16 tile of `nr` channels and K blocks of `kr`: [ceil(n/nr), ceil(k/kr), nr, kr].
void qx8_gemm_i16_pack(size_t nr, size_t kr, size_t n, size_t k, const uint8_t* w, bool w_unsigned,
                       const int32_t* w_zp, bool w_zp_per_channel, int16_t* packed, int32_t* row_sums);

// C[m, n] = requant(bias[n] + sum_k A[m, k] * W[n, k]); A [m, k] int8/uint8 with row stride
// `a_stride` bytes, W packed by qx8_gemm_4x4c8_pack, bias [round_up_multiple(n, 4)] (input zero point
// folded in), C [m, n] int8/uint8 with row stride `c_stride` bytes. A kernel may read any byte
// from A's first to its last, the bytes between rows (a_stride > k) included.
void qx8_gemm_4x4c8_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                        const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                        const QConvParams& params);
// SIMD128 twin of qx8_gemm_4x4c8_ref (same contract and packing, bit-exact), 2 rows per tile.
void qx8_gemm_2x4c8_wasmsimd(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                             const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                             const QConvParams& params);

// The same GEMM with W packed by qx8_gemm_i16_pack(kQGemmC2NR, kQGemmC2KR, ...) and bias
// [round_up_multiple(n, 8)]: ref and SIMD128 (4 rows x 8 channels per tile, bit-exact).
void qx8_gemm_4x8c2_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                        const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                        const QConvParams& params);
void qx8_gemm_4x8c2_wasmsimd(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                             const int16_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                             const QConvParams& params);

// Bytes of qx8_gemm_2x16c4_pack's output for [n, k]: [ceil(n/16), ceil(k/4), 16, 4] int8.
size_t qx8_gemm_2x16c4_packed_bytes(size_t n, size_t k);

// Packs 8-bit weights [n, k] minus per-channel zero points `w_zp` [n] as int8 tiles
// [ceil(n/16), ceil(k/4), 16, 4] (zero padding) and writes the row sums of (w - w_zp) to
// `row_sums` [n]; false when some w - w_zp falls outside [-128, 127].
bool qx8_gemm_2x16c4_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
                          int8_t* packed, int32_t* row_sums);

// C[m, n] = requant(bias[n] + sum_k A'[m, k] * W[n, k]) with W packed by qx8_gemm_2x16c4_pack,
// bias and scales [round_up_multiple(n, 16)], and A' the activation bytes read in the kernel's
// domain: `usdot` reads every byte as uint8 (int8 activations flipped by 0x80, i.e. x + 128),
// `sdot` as int8 (uint8 activations flipped, x - 128); the caller folds that offset into bias and
// passes A already flipped (QConvParams::a_xor).
// A [m, k] with row stride `a_stride` bytes, C [m, n] with row stride `c_stride` bytes.
void qx8_gemm_2x16c4_usdot_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                               const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                               const QConvParams& params);
void qx8_gemm_2x16c4_sdot_ref(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                              const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                              const QConvParams& params);
// Relaxed-SIMD twins (i32x4.relaxed_dot_i8x16_i7x16_add_s), bit-exact with the refs on engines
// whose dot product reads the i7 operand that way exactly (see kernels/kernel_table.h).
void qx8_gemm_2x16c4_wasmusdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                               const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                               const QConvParams& params);
void qx8_gemm_2x16c4_wasmsdot(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                              const int8_t* packed_w, const int32_t* bias, uint8_t* c, size_t c_stride,
                              const QConvParams& params);

// The profiler's peak loops (see KernelTable::dot_peak): scalar, dot_i16x8, relaxed dot.
uint64_t qs8_dot_peak_ref(size_t iters, int32_t* sink);
uint64_t qs8_dot_peak_wasmsimd(size_t iters, int32_t* sink);
uint64_t qs8_dot_peak_wasmrelaxed(size_t iters, int32_t* sink);

// Packs float weights [n, k] (row-major) into tiles [ceil(n/8), k, 8] (zero padding).
void f32_gemm_4x8_pack(size_t n, size_t k, const float* w, float* packed);

// C[m, n] = clamp(bias[n] + sum_k A[m, k] * W[n, k], out_min, out_max), summed in k order with
// separate multiply and add; A [m, k] with row stride `a_stride` floats, W packed by
// f32_gemm_4x8_pack, bias [round_up_multiple(n, 8)], C [m, n] with row stride `c_stride` floats.
void f32_gemm_4x8_ref(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                      const float* packed_w, const float* bias, float* c, size_t c_stride,
                      float out_min, float out_max);
// SIMD128 twin of f32_gemm_4x8_ref (same contract, bit-exact).
void f32_gemm_4x8_wasmsimd(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                           const float* packed_w, const float* bias, float* c, size_t c_stride,
                           float out_min, float out_max);

// Geometry of a 2-D window over one NHWC image.
struct ConvGeometry {
  size_t in_h = 0, in_w = 0;
  size_t out_h = 0, out_w = 0;
  size_t kernel_h = 1, kernel_w = 1;
  size_t stride_h = 1, stride_w = 1;
  size_t dilation_h = 1, dilation_w = 1;
  size_t pad_top = 0, pad_left = 0;
};

// Output columns [*lo, *hi) whose windows lie entirely inside the image along x.
inline void interior_columns(const ConvGeometry& g, size_t* lo, size_t* hi) {
  const size_t span = (g.kernel_w - 1) * g.dilation_w + 1;
  *lo = (g.pad_left + g.stride_w - 1) / g.stride_w;
  *hi = g.in_w + g.pad_left >= span ? (g.in_w + g.pad_left - span) / g.stride_w + 1 : 0;
  *hi = *hi < g.out_w ? *hi : g.out_w;
  if (*lo > *hi) *lo = *hi;
}

// Whether the windows of output row `oy` lie entirely inside the image along y.
inline bool interior_row(const ConvGeometry& g, size_t oy) {
  const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * g.stride_h) - static_cast<ptrdiff_t>(g.pad_top);
  return iy0 >= 0 && iy0 + static_cast<ptrdiff_t>((g.kernel_h - 1) * g.dilation_h) < static_cast<ptrdiff_t>(g.in_h);
}

// Taps [*first, *last) of one window axis that land inside [0, size) for output position `o`.
inline void window_tap_range(size_t o, size_t stride, size_t pad, size_t dilation, size_t kernel,
                             size_t size, size_t* first, size_t* last) {
  const ptrdiff_t start = static_cast<ptrdiff_t>(o * stride) - static_cast<ptrdiff_t>(pad);
  size_t f = 0;
  while (f < kernel && start + static_cast<ptrdiff_t>(f * dilation) < 0) ++f;
  size_t l = kernel;
  while (l > f && start + static_cast<ptrdiff_t>((l - 1) * dilation) >= static_cast<ptrdiff_t>(size)) --l;
  *first = f;
  *last = l;
}

// Writes im2col rows for output pixels [first, first + count) of one image: row r holds, for each
// tap (ky, kx), the `pixel_bytes` bytes of input pixel [H, W, pixel_bytes] under it, or
// `pad_byte` where the tap falls outside the image; bytes past kernel_h * kernel_w * pixel_bytes
// up to `row_stride` are set to `pad_byte` too. Every byte written is XORed with `xor_mask`.
// out [count, row_stride].
void x8_im2col_ref(const uint8_t* in, size_t pixel_bytes, const ConvGeometry& g, size_t first,
                   size_t count, uint8_t pad_byte, size_t row_stride, uint8_t* out, uint8_t xor_mask = 0);

// The 1x1 convolution's rows for a GEMM kernel of another signedness: `rows` rows of `cols`
// bytes (src row stride `src_stride`) XORed with `xor_mask` into dst rows of `dst_stride` bytes,
// the bytes past `cols` set to 0 (they meet zero weights).
void x8_xor_rows_ref(size_t rows, size_t cols, const uint8_t* src, size_t src_stride, uint8_t xor_mask,
                     uint8_t* dst, size_t dst_stride);

// Depthwise conv of one image: in [in_h, in_w, c_in], w int16 (w - w_zp) [kh, kw, round_up_multiple(c_out, 8)],
// bias int32 [round_up_multiple(c_out, 8)], out [out_h, out_w, c_out] with c_out = c_in * depth_multiplier;
// acc = bias + sum over in-bounds taps of (x - input_zp) * w, then requantized.
void qx8_dwconv_c8_ref(const uint8_t* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                       const int16_t* w, const int32_t* bias, int32_t input_zp, uint8_t* out,
                       const QConvParams& params);
// Most taps (kernel_h * kernel_w) the tap-pair depthwise kernels take.
constexpr size_t kDwMaxTaps = 64;

// Packed layout of the depthwise kernels below, depth multiplier 1: per block of 8 channels and
// pair of taps (p = 0 .. ceil(taps/2) - 1), 16 int16: [w(2p, c), w(2p+1, c)] for c = 0..3 of
// the block, then for c = 4..7 (w(taps, c) = 0 and channels past c_out are 0), so one
// i32x4.dot_i16x8_s multiplies two taps of 4 channels. With more than 8 channels, not a multiple
// of 8, one more block follows: the last 8 channels [c - 8, c), which the sliding 3x3 kernel
// computes as one overlapping block.
size_t qx8_dwconv_c8p2_packed_size(size_t channels, size_t taps);
// Packs w (int16, w - w_zp) [taps, round_up_multiple(channels, 8)] into `packed` and folds the
// input zero point into the bias: bias_out[c] = bias[c] - input_zp * sum_t w(t, c), [round_up(channels, 8)].
void qx8_dwconv_c8p2_pack(size_t channels, size_t taps, const int16_t* w, const int32_t* bias,
                          int32_t input_zp, int16_t* packed, int32_t* bias_out);

// Bytes of the input zero point past the channels in the depthwise kernels' `zero_row`.
constexpr size_t kDwZeroRowSlack = 16;

// Depthwise conv of one image, depth multiplier 1, weights packed by qx8_dwconv_c8p2_pack:
// acc = bias_out + sum over all taps of x * w, where a tap outside the image reads the input
// zero point (`zero_row` holds c + kDwZeroRowSlack bytes of it), so acc equals qx8_dwconv_c8_ref's
// sum; then requantized. in [in_h, in_w, c], out [out_h, out_w, c].
void qx8_dwconv_c8p2_ref(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w,
                         const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params);
// SIMD128 twin of qx8_dwconv_c8p2_ref (bit-exact): two taps per i32x4.dot_i16x8_s.
void qx8_dwconv_c8p2_wasmsimd(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w,
                              const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                              const QConvParams& params);
// The SIMD128 kernel above for 3x3 windows, stride 1, dilation 1, c >= 16 (dw_3x3s1_eligible),
// weights packed by qx8_dwconv_c8p2_pack from the 9 taps in the order kDw3x3s1PairOrder: per
// output row, 8 channels and two outputs, four input columns are read once; each column's rows 0
// and 1 form a tap pair that serves both outputs, row 2 pairs across columns. Same outputs as
// qx8_dwconv_c8p2_ref with the weights in row-major order.
void qx8_dwconv_3x3s1_c8p2_wasmsimd(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w,
                                    const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                                    const QConvParams& params);

// Layout of the relaxed-SIMD depthwise kernels, depth multiplier 1: per block of 16 channels and
// quad of taps (q = 0 .. ceil(taps/4) - 1), 64 int8: the 4 taps' weights w(4q..4q+3, c) for
// c = 0..15 of the block (taps past `taps` and channels past c_out are 0), so one
// i32x4.relaxed_dot_i8x16_i7x16_add_s multiplies four taps of 4 channels. With more than 16
// channels, not a multiple of 16, one more block follows: the last 16 channels [c - 16, c), which
// the SIMD kernel computes as one overlapping block.
constexpr size_t kDwQuadBlock = 16;
size_t qx8_dwconv_c16q4_packed_bytes(size_t channels, size_t taps);
// Packs w (int16, w - w_zp) [taps, round_up_multiple(channels, 8)] as int8 and folds the input
// zero point, as the kernel reads it (`input_zp` plus the kernel's activation shift), into the
// bias: bias_out [round_up_multiple(channels, 16)]. False when a weight is outside [-128, 127].
bool qx8_dwconv_c16q4_pack(size_t channels, size_t taps, const int16_t* w, const int32_t* bias,
                           int32_t input_zp, int8_t* packed, int32_t* bias_out);
// Depthwise conv as qx8_dwconv_c8p2_ref (taps outside the image read `zero_row`), weights packed by
// qx8_dwconv_c16q4_pack, activations read in the kernel's domain: `usdot` every byte as uint8
// (int8 flipped by 0x80), `sdot` as int8 (uint8 flipped).
void qx8_dwconv_c16q4_usdot_ref(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params);
void qx8_dwconv_c16q4_sdot_ref(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                               const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params);
// Relaxed-SIMD twins (bit-exact where the engine's relaxed dot product reads that way exactly).
void qx8_dwconv_c16q4_wasmusdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params);
void qx8_dwconv_c16q4_wasmsdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                               const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params);

// The relaxed-SIMD depthwise kernels above for 3x3 windows, stride 1, dilation 1, c >= 16
// (dw_3x3s1_eligible), weights packed by qx8_dwconv_c16q4_pack from the 12 taps in the order
// kDw3x3s1QuadOrder: per output row and 16 channels, each input column's three bytes per channel
// are interleaved once and serve the three outputs whose windows hold that column. Same outputs as
// qx8_dwconv_c16q4_usdot_ref / _sdot_ref with the weights in row-major order.
void qx8_dwconv_3x3s1_c16q4_wasmusdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                      const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                                      const QConvParams& params);
void qx8_dwconv_3x3s1_c16q4_wasmsdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                     const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                                     const QConvParams& params);

// Float depthwise conv of one image: in [in_h, in_w, c_in], w [kh, kw, round_up_multiple(c_out, 8)],
// bias [round_up_multiple(c_out, 8)], out [out_h, out_w, c_out]; acc = bias, then acc += x * w over the
// in-bounds taps in (ky, kx) order, then clamped to [out_min, out_max].
void f32_dwconv_c8_ref(const float* in, size_t c_in, size_t depth_multiplier, const ConvGeometry& g,
                       const float* w, const float* bias, float* out, float out_min, float out_max);
// SIMD128 twin of f32_dwconv_c8_ref for depth_multiplier == 1 (bit-exact).
void f32_dwconv_c8_wasmsimd(const float* in, size_t c_in, size_t depth_multiplier,
                            const ConvGeometry& g, const float* w, const float* bias, float* out,
                            float out_min, float out_max);

}  // namespace fd
