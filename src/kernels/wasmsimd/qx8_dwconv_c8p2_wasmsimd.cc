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

}  // namespace

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
