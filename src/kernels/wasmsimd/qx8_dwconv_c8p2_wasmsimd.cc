// SIMD128 depthwise convolution, depth multiplier 1, two taps per i32x4.dot_i16x8_s: per output
// pixel, a pointer per tap (into the image, or at the zero-point row for taps outside it, whose
// contribution the packed bias cancels), then per 8 channels the two taps' widened inputs are
// interleaved and multiplied against the tap-pair packed weights; fp32 requantization (the
// contract lives in kernels/conv.h).
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/conv.h"
#include "kernels/dw_taps.h"
#include "kernels/wasmsimd/requant_wasmsimd.h"

namespace fd {
namespace {

template <bool kUnsigned>
inline v128_t load_widen(const uint8_t* p) {
  return kUnsigned ? wasm_u16x8_load8x8(p) : wasm_i16x8_load8x8(p);
}

template <bool kUnsigned>
void dwconv(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w, const int32_t* bias,
            const uint8_t* zero_row, uint8_t* out, const RequantParams& rq) {
  const size_t taps = g.kernel_h * g.kernel_w;
  const size_t pairs = (taps + 1) / 2;
  const size_t block_weights = pairs * 2 * kDwChannelBlock;
  const Requant16 e(rq, kUnsigned);
  auto scales = [&](size_t ch) { return rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch); };
  const uint8_t* ptr[kDwMaxTaps + 1];
  ptr[taps] = zero_row;  // the partner of an odd last tap (its weights are 0)
  // 8 channels [ch, ch + 8) whose bytes start at tap[t] + offset: accumulators acc[0..1].
  auto block = [&](const uint8_t* const* tap, size_t offset, size_t ch, v128_t* acc) {
    const int16_t* wp = packed_w + (ch / kDwChannelBlock) * block_weights;
    v128_t acc_lo = wasm_v128_load(bias + ch);
    v128_t acc_hi = wasm_v128_load(bias + ch + 4);
    for (size_t p = 0; p < pairs; ++p, wp += 2 * kDwChannelBlock) {
      const v128_t x0 = load_widen<kUnsigned>(tap[2 * p] + offset);
      const v128_t x1 = load_widen<kUnsigned>(tap[2 * p + 1] + offset);
      const v128_t lo = wasm_i16x8_shuffle(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11);
      const v128_t hi = wasm_i16x8_shuffle(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15);
      acc_lo = wasm_i32x4_add(acc_lo, wasm_i32x4_dot_i16x8(lo, wasm_v128_load(wp)));
      acc_hi = wasm_i32x4_add(acc_hi, wasm_i32x4_dot_i16x8(hi, wasm_v128_load(wp + kDwChannelBlock)));
    }
    acc[0] = acc_lo;
    acc[1] = acc_hi;
  };
  // 16 channels [ch, ch + 16) in one pass over the taps, so each tap's pointer is read once for
  // both blocks of 8: accumulators acc[0..3].
  auto block16 = [&](size_t ch, v128_t* acc) {
    const int16_t* wp = packed_w + (ch / kDwChannelBlock) * block_weights;
    const int16_t* wq = wp + block_weights;
    v128_t a0 = wasm_v128_load(bias + ch), a1 = wasm_v128_load(bias + ch + 4);
    v128_t a2 = wasm_v128_load(bias + ch + 8), a3 = wasm_v128_load(bias + ch + 12);
    for (size_t p = 0; p < pairs; ++p, wp += 2 * kDwChannelBlock, wq += 2 * kDwChannelBlock) {
      const uint8_t* t0 = ptr[2 * p] + ch;
      const uint8_t* t1 = ptr[2 * p + 1] + ch;
      const v128_t x0 = load_widen<kUnsigned>(t0), x1 = load_widen<kUnsigned>(t1);
      const v128_t y0 = load_widen<kUnsigned>(t0 + 8), y1 = load_widen<kUnsigned>(t1 + 8);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11),
                                                   wasm_v128_load(wp)));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15),
                                                   wasm_v128_load(wp + kDwChannelBlock)));
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(y0, y1, 0, 8, 1, 9, 2, 10, 3, 11),
                                                   wasm_v128_load(wq)));
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(y0, y1, 4, 12, 5, 13, 6, 14, 7, 15),
                                                   wasm_v128_load(wq + kDwChannelBlock)));
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
  };
  // 8 channels [ch, ch + 8) of two horizontally adjacent windows (the second's taps `step` bytes
  // after the first's) in one pass over the taps, each pair of weight vectors loaded once for
  // both: acc[0..1] the first pixel, acc[2..3] the second.
  auto pair8 = [&](size_t step, size_t ch, v128_t* acc) {
    const int16_t* wp = packed_w + (ch / kDwChannelBlock) * block_weights;
    v128_t a0 = wasm_v128_load(bias + ch), a1 = wasm_v128_load(bias + ch + 4), a2 = a0, a3 = a1;
    for (size_t p = 0; p < pairs; ++p, wp += 2 * kDwChannelBlock) {
      const uint8_t* t0 = ptr[2 * p] + ch;
      const uint8_t* t1 = ptr[2 * p + 1] + ch;
      const v128_t wl = wasm_v128_load(wp), wh = wasm_v128_load(wp + kDwChannelBlock);
      const v128_t x0 = load_widen<kUnsigned>(t0), x1 = load_widen<kUnsigned>(t1);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11), wl));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15), wh));
      const v128_t y0 = load_widen<kUnsigned>(t0 + step), y1 = load_widen<kUnsigned>(t1 + step);
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(y0, y1, 0, 8, 1, 9, 2, 10, 3, 11), wl));
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(y0, y1, 4, 12, 5, 13, 6, 14, 7, 15), wh));
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
  };
  const size_t cfull = c - c % kDwChannelBlock;
  ptrdiff_t off[kDwMaxTaps];
  dw_tap_offsets(g, c, off);
  const uint8_t* in_end = in + g.in_h * g.in_w * c;
  const uint8_t* out_end = out + g.out_h * g.out_w * c;
  // Channels [ch, c) of output pixel (oy, ox), one pixel at a time; a partial last block may
  // store whole 8 bytes up to `limit` (the bytes past this pixel's channels are written later).
  auto pixel = [&](size_t oy, size_t ox, size_t ch, const uint8_t* limit) {
    dw_tap_pointers(in, c, g, oy, ox, off, zero_row, ptr);
    uint8_t* o = out + (oy * g.out_w + ox) * c;
    for (; ch + 2 * kDwChannelBlock <= c; ch += 2 * kDwChannelBlock) {
      v128_t acc[4];
      block16(ch, acc);
      const v128_t scale[4] = {scales(ch), scales(ch + 4), scales(ch + 8), scales(ch + 12)};
      wasm_v128_store(o + ch, e.apply<4>(acc, scale));
    }
    if (ch < cfull) {
      v128_t acc[2];
      block(ptr, ch, ch, acc);
      const v128_t scale[2] = {scales(ch), scales(ch + 4)};
      wasm_v128_store64_lane(o + ch, e.apply<2>(acc, scale), 0);
      ch += kDwChannelBlock;
    }
    if (ch < c) {
      // The last partial block: whole 8-byte loads where every tap's can be read (the lanes
      // past c meet zero weights), else each tap's bytes copied into a zero-padded buffer.
      const size_t nvalid = c - ch;
      const uint8_t* const* src = ptr;
      size_t offset = ch;
      uint8_t tmp[kDwMaxTaps + 1][kDwChannelBlock];
      const uint8_t* tptr[kDwMaxTaps + 1];
      if (!dw_taps_readable(ptr, taps + 1, ch, kDwChannelBlock, in_end, zero_row)) {
        for (size_t t = 0; t <= taps; ++t) {
          uint64_t bytes = 0;
          std::memcpy(&bytes, ptr[t] + ch, nvalid);
          std::memcpy(tmp[t], &bytes, sizeof(bytes));
          tptr[t] = tmp[t];
        }
        src = tptr;
        offset = 0;
      }
      v128_t acc[2];
      block(src, offset, ch, acc);
      const v128_t scale[2] = {scales(ch), scales(ch + 4)};
      const v128_t v = e.apply<2>(acc, scale);
      if (o + ch + kDwChannelBlock <= limit) {
        wasm_v128_store64_lane(o + ch, v, 0);
      } else {
        uint8_t bytes[16];
        wasm_v128_store(bytes, v);
        std::memcpy(o + ch, bytes, nvalid);
      }
    }
  };
  size_t x_lo = 0, x_hi = 0;
  interior_columns(g, &x_lo, &x_hi);
  const size_t step = g.stride_w * c;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    const bool y_inside = interior_row(g, oy);
    for (size_t ox = 0; ox < g.out_w;) {
      // Two windows inside the image: their blocks of 8 channels together (the odd last tap's
      // partner is any readable tap: its weights are 0), the rest one pixel at a time. A last
      // partial block joins them where its whole 8-byte reads stay in the image and its whole
      // stores in the output: it is stored first, so that the bytes a store writes past its
      // pixel's channels are rewritten by the later stores of the full blocks and pixels.
      const size_t n = y_inside && ox >= x_lo && ox + 2 <= x_hi ? 2 : 1;
      size_t first = 0;
      if (n == 2) {
        dw_tap_pointers(in, c, g, oy, ox, off, zero_row, ptr);
        ptr[taps] = ptr[taps - 1];
        uint8_t* o = out + (oy * g.out_w + ox) * c;
        auto pair_block = [&](size_t ch) {
          v128_t acc[4];
          pair8(step, ch, acc);
          const v128_t s0 = scales(ch), s1 = scales(ch + 4);
          const v128_t scale[4] = {s0, s1, s0, s1};
          const v128_t v = e.apply<4>(acc, scale);
          wasm_v128_store64_lane(o + ch, v, 0);
          wasm_v128_store64_lane(o + c + ch, v, 1);
        };
        first = cfull;
        if (cfull < c && ptr[taps - 1] + step + cfull + kDwChannelBlock <= in_end &&
            o + c + cfull + kDwChannelBlock <= out_end) {
          pair_block(cfull);
          first = c;
        }
        for (size_t ch = 0; ch < cfull; ch += kDwChannelBlock) pair_block(ch);
        ptr[taps] = zero_row;
      }
#pragma clang loop unroll(disable)
      for (size_t j = 0; j < n; ++j, ++ox) {
        if (first < c) pixel(oy, ox, first, n == 2 ? out + (oy * g.out_w + ox + 1) * c : out_end);
      }
    }
  }
}

// Two adjacent outputs over 8 channels [ch, ch + 8) of the 3x3 stride-1 form, with weights `w`
// packed from the taps in kDw3x3s1PairOrder: the first output's window covers input columns 0..2,
// the second's 1..3; col[r][j] + ch holds the 8 bytes of row r, column j (or of the zero row).
// Rows 0 and 1 of each column are interleaved once and serve both outputs (tap pair kx for the
// first output's column kx, the second's column kx + 1); row 2 pairs across columns. The column
// loop stays a loop: unrolled, the engine would load every vector of the pair up front and spill
// most of them. acc[0..1] hold the first output's bias on entry and its sums on return, acc[2..3]
// the second's.
template <bool kUnsigned, typename ColFn>
__attribute__((always_inline)) inline void pair_3x3(ColFn col, size_t ch, const int16_t* w, v128_t* acc) {
  auto lo = [](v128_t a, v128_t b) { return wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); };
  auto hi = [](v128_t a, v128_t b) { return wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); };
  auto madd = [](v128_t a, v128_t v, const int16_t* wp) {
    return wasm_i32x4_add(a, wasm_i32x4_dot_i16x8(v, wasm_v128_load(wp)));
  };
  v128_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  v128_t r0 = load_widen<kUnsigned>(col(0, 0) + ch), r1 = load_widen<kUnsigned>(col(1, 0) + ch);
  v128_t pl = lo(r0, r1), ph = hi(r0, r1);
#pragma clang loop unroll(disable)
  for (size_t kx = 0; kx < 3; ++kx, w += 16) {
    r0 = load_widen<kUnsigned>(col(0, kx + 1) + ch);
    r1 = load_widen<kUnsigned>(col(1, kx + 1) + ch);
    const v128_t nl = lo(r0, r1), nh = hi(r0, r1);
    a0 = madd(a0, pl, w);
    a1 = madd(a1, ph, w + 8);
    a2 = madd(a2, nl, w);
    a3 = madd(a3, nh, w + 8);
    pl = nl;
    ph = nh;
  }
  const v128_t y0 = load_widen<kUnsigned>(col(2, 0) + ch), y1 = load_widen<kUnsigned>(col(2, 1) + ch);
  const v128_t y2 = load_widen<kUnsigned>(col(2, 2) + ch), y3 = load_widen<kUnsigned>(col(2, 3) + ch);
  // Row 2 (w now at tap pair 3): columns 0 and 1 of each window, then column 2 (its partner lane
  // meets a zero weight).
  a0 = madd(madd(a0, lo(y0, y1), w), lo(y2, y2), w + 16);
  a1 = madd(madd(a1, hi(y0, y1), w + 8), hi(y2, y2), w + 24);
  a2 = madd(madd(a2, lo(y1, y2), w), lo(y3, y3), w + 16);
  a3 = madd(madd(a3, hi(y1, y2), w + 8), hi(y3, y3), w + 24);
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

// The 3x3, stride 1 form (contract in kernels/conv.h). Per output row the outputs go in pairs,
// left to right, each pair over all channel blocks; rows and columns outside the image read the
// zero row.
template <bool kUnsigned>
void dwconv_3x3s1(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w, const int32_t* bias,
                  const uint8_t* zero_row, uint8_t* out, const RequantParams& rq) {
  constexpr size_t kBlockWeights = 5 * 2 * kDwChannelBlock;  // five tap pairs of 8 channels
  const Requant16 e(rq, kUnsigned);
  const size_t row_bytes = g.in_w * c;
  const ptrdiff_t in_w = static_cast<ptrdiff_t>(g.in_w);
  const size_t blocks = c / kDwChannelBlock;
  const int16_t* tail_w = packed_w + round_up_multiple(c, kDwChannelBlock) / kDwChannelBlock * kBlockWeights;
  for (size_t oy = 0; oy < g.out_h; ++oy) {
    const uint8_t* rows[3];
    bool all_rows = true;
    for (size_t r = 0; r < 3; ++r) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(oy + r) - static_cast<ptrdiff_t>(g.pad_top);
      rows[r] = iy >= 0 && iy < static_cast<ptrdiff_t>(g.in_h) ? in + static_cast<size_t>(iy) * row_bytes : nullptr;
      all_rows &= rows[r] != nullptr;
    }
    uint8_t* orow = out + oy * g.out_w * c;
    for (size_t ox = 0; ox < g.out_w; ox += 2) {
      const ptrdiff_t ix = static_cast<ptrdiff_t>(ox) - static_cast<ptrdiff_t>(g.pad_left);
      // The pair's four columns in each row start at base[r] every c bytes where they all lie in
      // the image; else col[r][j]: pixel pointers, or the zero row outside the image.
      const bool inside = all_rows && ix >= 0 && ix + 3 < in_w;
      const uint8_t* base[3];
      const uint8_t* col[3][4];
      for (size_t r = 0; r < 3; ++r) {
        if (inside) {
          base[r] = rows[r] + static_cast<size_t>(ix) * c;
          continue;
        }
        for (ptrdiff_t j = 0; j < 4; ++j) {
          col[r][j] = rows[r] && ix + j >= 0 && ix + j < in_w ? rows[r] + static_cast<size_t>(ix + j) * c : zero_row;
        }
      }
      uint8_t* o = orow + ox * c;
      const bool second = ox + 1 < g.out_w;
      // Channels [ch, ch + 8) of both outputs with weights `wp`.
      auto block = [&](size_t ch, const int16_t* wp) {
        v128_t acc[4];
        acc[0] = acc[2] = wasm_v128_load(bias + ch);
        acc[1] = acc[3] = wasm_v128_load(bias + ch + 4);
        if (inside) {
          pair_3x3<kUnsigned>([&](size_t r, size_t j) { return base[r] + j * c; }, ch, wp, acc);
        } else {
          pair_3x3<kUnsigned>([&](size_t r, size_t j) { return col[r][j]; }, ch, wp, acc);
        }
        const v128_t s0 = rq.per_tensor ? wasm_f32x4_splat(rq.scale[0]) : wasm_v128_load(rq.scale + ch);
        const v128_t s1 = rq.per_tensor ? s0 : wasm_v128_load(rq.scale + ch + 4);
        const v128_t scale[4] = {s0, s1, s0, s1};
        const v128_t v = e.apply<4>(acc, scale);
        wasm_v128_store64_lane(o + ch, v, 0);
        if (second) wasm_v128_store64_lane(o + c + ch, v, 1);
      };
      for (size_t b = 0; b < blocks; ++b) block(b * kDwChannelBlock, packed_w + b * kBlockWeights);
      // The last 8 channels as one block (overlapping the previous one; same values there).
      if (c % kDwChannelBlock != 0) block(c - kDwChannelBlock, tail_w);
    }
  }
}

}  // namespace

void qx8_dwconv_3x3s1_c8p2_wasmsimd(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w,
                                    const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                                    const QConvParams& params) {
  if (params.is_unsigned) {
    dwconv_3x3s1<true>(in, c, g, packed_w, bias, zero_row, out, params.rq);
  } else {
    dwconv_3x3s1<false>(in, c, g, packed_w, bias, zero_row, out, params.rq);
  }
}

void qx8_dwconv_c8p2_wasmsimd(const uint8_t* in, size_t c, const ConvGeometry& g, const int16_t* packed_w,
                              const int32_t* bias, const uint8_t* zero_row, uint8_t* out,
                              const QConvParams& params) {
  if (params.is_unsigned) {
    dwconv<true>(in, c, g, packed_w, bias, zero_row, out, params.rq);
  } else {
    dwconv<false>(in, c, g, packed_w, bias, zero_row, out, params.rq);
  }
}

}  // namespace fd
