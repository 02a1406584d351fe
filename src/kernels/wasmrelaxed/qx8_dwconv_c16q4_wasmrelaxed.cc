// Relaxed-SIMD depthwise convolution, depth multiplier 1, four taps per
// i32x4.relaxed_dot_i8x16_i7x16_add_s: per output pixel a pointer per tap (into the image, or at
// the zero-point row, which the packed bias cancels); per 16 channels the four taps' bytes are
// interleaved into [channel][4 taps] groups (two unpack steps) and multiplied against the tap-quad
// packed int8 weights; fp32 requantization (the contract lives in kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"
#include "kernels/dw_taps.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

// `reads_unsigned`: the engine reads the i7 operand as uint8 (usdot), else as int8 (sdot).
__attribute__((noinline)) void dwconv(bool reads_unsigned, const uint8_t* in, size_t c, const ConvGeometry& g,
                                      const int8_t* packed_w, const int32_t* bias, const uint8_t* zero_row,
                                      uint8_t* out, const QConvParams& params) {
  const RequantParams& rq = params.rq;
  const size_t taps = g.kernel_h * g.kernel_w;
  const size_t quads = (taps + 3) / 4;
  const size_t block_bytes = quads * 4 * kDwQuadBlock;
  const int8_t* tail_w = packed_w + round_up_multiple(c, kDwQuadBlock) / kDwQuadBlock * block_bytes;
  const v128_t flip = wasm_i8x16_splat(static_cast<int8_t>(params.is_unsigned == reads_unsigned ? 0 : 0x80));
  const Requant16 e(rq, params.is_unsigned);
  auto scales = [&](size_t ch) { return rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch); };
  const uint8_t* ptr[kDwMaxTaps + 3];
  for (size_t t = taps; t < 4 * quads; ++t) ptr[t] = zero_row;  // quad padding (weights 0)
  // acc[j] += four taps' bytes x0..x3 (16 channels each) times the tap-quad weights `wp`.
  auto quad = [](v128_t x0, v128_t x1, v128_t x2, v128_t x3, const int8_t* wp, v128_t* acc) {
    // Bytes [c: t0 t1] for channels 0..7 and 8..15, likewise [c: t2 t3].
    const v128_t a_lo = wasm_i8x16_shuffle(x0, x1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const v128_t a_hi = wasm_i8x16_shuffle(x0, x1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const v128_t b_lo = wasm_i8x16_shuffle(x2, x3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const v128_t b_hi = wasm_i8x16_shuffle(x2, x3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    // Bytes [c: t0 t1 t2 t3] for channels 0..3, 4..7, 8..11, 12..15.
    const v128_t v0 = wasm_i16x8_shuffle(a_lo, b_lo, 0, 8, 1, 9, 2, 10, 3, 11);
    const v128_t v1 = wasm_i16x8_shuffle(a_lo, b_lo, 4, 12, 5, 13, 6, 14, 7, 15);
    const v128_t v2 = wasm_i16x8_shuffle(a_hi, b_hi, 0, 8, 1, 9, 2, 10, 3, 11);
    const v128_t v3 = wasm_i16x8_shuffle(a_hi, b_hi, 4, 12, 5, 13, 6, 14, 7, 15);
    acc[0] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(wp), v0, acc[0]);
    acc[1] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(wp + 16), v1, acc[1]);
    acc[2] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(wp + 32), v2, acc[2]);
    acc[3] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(wp + 48), v3, acc[3]);
  };
  const size_t full_quads = taps / 4;
  const bool one_tap_tail = taps % 4 == 1;  // 3x3 and 5x5 windows
  // 16 channels [ch, ch + 16) with weights `wp`, whose bytes start at tap[t] + offset: 16 output bytes.
  auto block = [&](const uint8_t* const* tap, size_t offset, size_t ch, const int8_t* wp) {
    v128_t acc[4];
    for (size_t j = 0; j < 4; ++j) acc[j] = wasm_v128_load(bias + ch + 4 * j);
    auto load = [&](size_t t) { return wasm_v128_xor(wasm_v128_load(tap[t] + offset), flip); };
    for (size_t q = 0; q < full_quads; ++q, wp += 4 * kDwQuadBlock) {
      quad(load(4 * q), load(4 * q + 1), load(4 * q + 2), load(4 * q + 3), wp, acc);
    }
    if (one_tap_tail) {
      // One tap left: its bytes stand in for the three padding taps too (their weights are 0).
      const v128_t x = load(4 * full_quads);
      quad(x, x, x, x, wp, acc);
    } else if (full_quads < quads) {
      quad(load(4 * full_quads), load(4 * full_quads + 1), load(4 * full_quads + 2), load(4 * full_quads + 3), wp,
           acc);
    }
    const v128_t scale[4] = {scales(ch), scales(ch + 4), scales(ch + 8), scales(ch + 12)};
    return e.apply<4>(acc, scale);
  };
  ptrdiff_t off[kDwMaxTaps];
  dw_tap_offsets(g, c, off);
  const uint8_t* in_end = in + g.in_h * g.in_w * c;
  const uint8_t* out_end = out + g.out_h * g.out_w * c;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      dw_tap_pointers(in, c, g, oy, ox, off, zero_row, ptr);
      uint8_t* o = out + (oy * g.out_w + ox) * c;
      size_t ch = 0;
      for (; ch + kDwQuadBlock <= c; ch += kDwQuadBlock) {
        wasm_v128_store(o + ch, block(ptr, ch, ch, packed_w + (ch / kDwQuadBlock) * block_bytes));
      }
      if (ch < c && c > kDwQuadBlock) {
        // The last 16 channels as one block (overlapping the previous one; same values there).
        wasm_v128_store(o + c - kDwQuadBlock, block(ptr, c - kDwQuadBlock, c - kDwQuadBlock, tail_w));
      } else if (ch < c) {
        // Fewer than 16 channels: whole vectors where every tap's can be read (the lanes past c
        // meet zero weights), else each tap's bytes copied into a buffer.
        const size_t nvalid = c - ch;
        const uint8_t* const* src = ptr;
        size_t offset = ch;
        uint8_t tmp[kDwMaxTaps + 3][kDwQuadBlock];
        const uint8_t* tptr[kDwMaxTaps + 3];
        if (!dw_taps_readable(ptr, 4 * quads, ch, kDwQuadBlock, in_end, zero_row)) {
          for (size_t t = 0; t < 4 * quads; ++t) {
            std::memcpy(tmp[t], ptr[t] + ch, nvalid);
            std::memset(tmp[t] + nvalid, 0, kDwQuadBlock - nvalid);
            tptr[t] = tmp[t];
          }
          src = tptr;
          offset = 0;
        }
        const v128_t v = block(src, offset, ch, packed_w);
        // The bytes past this pixel's channels belong to later pixels, written after it.
        if (o + ch + kDwQuadBlock <= out_end) {
          wasm_v128_store(o + ch, v);
        } else {
          uint8_t bytes[16];
          wasm_v128_store(bytes, v);
          std::memcpy(o + ch, bytes, nvalid);
        }
      }
    }
  }
}

// The 3x3, stride 1 form (contract in kernels/conv.h). Per output row and 16-channel block the
// outputs are visited left to right; input column ix is interleaved once into four vectors
// [channel: rows 0, 1, 2, 2] (the fourth tap's weights are 0) and multiplied by column quad kx
// for the three outputs ox = ix + pad_left - kx. Rows and columns outside the image read the zero
// row.
__attribute__((noinline)) void dwconv_3x3s1(bool reads_unsigned, const uint8_t* in, size_t c, const ConvGeometry& g,
                                            const int8_t* packed_w, const int32_t* bias, const uint8_t* zero_row,
                                            uint8_t* out, const QConvParams& params) {
  constexpr size_t kBlockBytes = 3 * 4 * kDwQuadBlock;  // three column quads of 16 channels
  const RequantParams& rq = params.rq;
  const v128_t flip = wasm_i8x16_splat(static_cast<int8_t>(params.is_unsigned == reads_unsigned ? 0 : 0x80));
  const Requant16 e(rq, params.is_unsigned);
  const v128_t zero = wasm_v128_xor(wasm_v128_load(zero_row), flip);
  const size_t row_bytes = g.in_w * c;
  // Column quads of one input column: bytes [channel: rows 0 1 2 2] for channels 0..3 .. 12..15.
  struct Column {
    v128_t v[4];
  };
  auto column = [&](const uint8_t* const* rows, ptrdiff_t ix, size_t ch) {
    v128_t x[3];
    const bool inside = ix >= 0 && ix < static_cast<ptrdiff_t>(g.in_w);
    for (size_t r = 0; r < 3; ++r) {
      x[r] = inside && rows[r] ? wasm_v128_xor(wasm_v128_load(rows[r] + static_cast<size_t>(ix) * c + ch), flip) : zero;
    }
    const v128_t a_lo = wasm_i8x16_shuffle(x[0], x[1], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const v128_t a_hi = wasm_i8x16_shuffle(x[0], x[1], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const v128_t b_lo = wasm_i8x16_shuffle(x[2], x[2], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const v128_t b_hi = wasm_i8x16_shuffle(x[2], x[2], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    Column col;
    col.v[0] = wasm_i16x8_shuffle(a_lo, b_lo, 0, 8, 1, 9, 2, 10, 3, 11);
    col.v[1] = wasm_i16x8_shuffle(a_lo, b_lo, 4, 12, 5, 13, 6, 14, 7, 15);
    col.v[2] = wasm_i16x8_shuffle(a_hi, b_hi, 0, 8, 1, 9, 2, 10, 3, 11);
    col.v[3] = wasm_i16x8_shuffle(a_hi, b_hi, 4, 12, 5, 13, 6, 14, 7, 15);
    return col;
  };
  auto dot = [](const Column& col, const int8_t* wq, v128_t* acc) {
    for (size_t j = 0; j < 4; ++j) {
      acc[j] = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(wq + 16 * j), col.v[j], acc[j]);
    }
  };
  // One output row of channels [ch, ch + 16) with weights `wp`.
  auto row_block = [&](const uint8_t* const* rows, uint8_t* orow, size_t ch, const int8_t* wp) {
    const v128_t b[4] = {wasm_v128_load(bias + ch), wasm_v128_load(bias + ch + 4), wasm_v128_load(bias + ch + 8),
                         wasm_v128_load(bias + ch + 12)};
    auto scales = [&](size_t j) {
      return rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch + 4 * j);
    };
    const v128_t scale[4] = {scales(0), scales(1), scales(2), scales(3)};
    const ptrdiff_t ix0 = -static_cast<ptrdiff_t>(g.pad_left);
    Column c0 = column(rows, ix0, ch);
    Column c1 = column(rows, ix0 + 1, ch);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      const Column c2 = column(rows, ix0 + static_cast<ptrdiff_t>(ox) + 2, ch);
      v128_t acc[4] = {b[0], b[1], b[2], b[3]};
      dot(c0, wp, acc);
      dot(c1, wp + 64, acc);
      dot(c2, wp + 128, acc);
      wasm_v128_store(orow + ox * c + ch, e.apply<4>(acc, scale));
      c0 = c1;
      c1 = c2;
    }
  };
  const int8_t* tail_w = packed_w + round_up_multiple(c, kDwQuadBlock) / kDwQuadBlock * kBlockBytes;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    const uint8_t* rows[3];
    for (size_t r = 0; r < 3; ++r) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(oy + r) - static_cast<ptrdiff_t>(g.pad_top);
      rows[r] = iy >= 0 && iy < static_cast<ptrdiff_t>(g.in_h) ? in + static_cast<size_t>(iy) * row_bytes : nullptr;
    }
    uint8_t* orow = out + oy * g.out_w * c;
    size_t ch = 0;
    for (; ch + kDwQuadBlock <= c; ch += kDwQuadBlock) {
      row_block(rows, orow, ch, packed_w + (ch / kDwQuadBlock) * kBlockBytes);
    }
    // The last 16 channels as one block (overlapping the previous one; same values there).
    if (ch < c) row_block(rows, orow, c - kDwQuadBlock, tail_w);
  }
}

}  // namespace

void qx8_dwconv_3x3s1_c16q4_wasmusdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                      const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                                      const QConvParams& params) {
  dwconv_3x3s1(true, in, c, g, packed_w, bias, zero_row, out, params);
}

void qx8_dwconv_3x3s1_c16q4_wasmsdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                     const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                                     const QConvParams& params) {
  dwconv_3x3s1(false, in, c, g, packed_w, bias, zero_row, out, params);
}

void qx8_dwconv_c16q4_wasmusdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                                const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  dwconv(true, in, c, g, packed_w, bias, zero_row, out, params);
}

void qx8_dwconv_c16q4_wasmsdot(const uint8_t* in, size_t c, const ConvGeometry& g, const int8_t* packed_w,
                               const int32_t* bias, const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  dwconv(false, in, c, g, packed_w, bias, zero_row, out, params);
}

}  // namespace fd
