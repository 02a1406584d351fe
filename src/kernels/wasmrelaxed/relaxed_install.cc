// The relaxed-SIMD module's entry into the kernel table: probes how this engine computes
// i32x4.relaxed_dot_i8x16_i7x16_add_s (its i7 operand's top bit is implementation-defined:
// unsigned on x86, signed on ARM, and x86 engines without VNNI saturate pairs of products to
// int16) and installs the 2x16c4 GEMM and the c16q4 depthwise kernel only for a reading that is
// exact over all bytes (plus the scalar byte-table lookup, faster where this build runs).
#include <wasm_simd128.h>

#include "kernels/dw_taps.h"
#include "kernels/elementwise.h"
#include "kernels/kernel_table.h"

namespace fd {
namespace {

// Lane 0 of relaxed_dot(splat(a), splat(b), 0); the operands pass through volatile so the
// compiler cannot fold the instruction away.
int32_t dot(int8_t a, int8_t b) {
  volatile int8_t va = a, vb = b;
  const v128_t r = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_i8x16_splat(va), wasm_i8x16_splat(vb),
                                                          wasm_i32x4_splat(0));
  return wasm_i32x4_extract_lane(r, 0);
}

// The reading this engine's dot product has, exactly, or kWasmSimd when neither is exact.
Isa probe() {
  const int8_t b80 = static_cast<int8_t>(0x80), bff = static_cast<int8_t>(0xFF);
  // Unsigned reading, no saturation: 4 * (127 * 255), 4 * (-128 * 255), 4 * (1 * 128).
  if (dot(1, b80) == 512 && dot(127, bff) == 129540 && dot(-128, bff) == -130560) {
    return Isa::kWasmRelaxedUsdot;
  }
  // Signed reading, no saturation: 4 * (-128 * -128), 4 * (127 * -128), 4 * (1 * -128).
  if (dot(1, b80) == -512 && dot(-128, b80) == 65536 && dot(127, b80) == -65024) {
    return Isa::kWasmRelaxedSdot;
  }
  return Isa::kWasmSimd;
}

// True when this engine's relaxed swizzle reads every index as pshufb does: 0..127 modulo 16,
// 128..255 as zero (the reading x8_lut_wasmpshufb needs; the other one allowed gives 0 for 16..127).
bool swizzle_wraps() {
  volatile uint8_t bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(1 + i);
  const v128_t table = wasm_v128_load(const_cast<const uint8_t*>(bytes));
  for (int x = 0; x < 256; ++x) {
    const v128_t r = wasm_i8x16_relaxed_swizzle(table, wasm_i8x16_splat(static_cast<int8_t>(x)));
    if (wasm_u8x16_extract_lane(r, 0) != (x < 128 ? 1 + (x & 15) : 0)) return false;
  }
  return true;
}

size_t packed_bytes(size_t n, size_t k) { return qx8_gemm_2x16c4_packed_bytes(n, k); }

bool pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp, void* packed,
          int32_t* row_sums) {
  return qx8_gemm_2x16c4_pack(n, k, w, w_unsigned, w_zp, static_cast<int8_t*>(packed), row_sums);
}

size_t dw_packed_bytes(size_t channels, size_t taps) { return qx8_dwconv_c16q4_packed_bytes(channels, taps); }

bool dw_pack(size_t channels, size_t taps, const int16_t* w, const int32_t* bias, int32_t input_zp, void* packed,
             int32_t* bias_out) {
  return qx8_dwconv_c16q4_pack(channels, taps, w, bias, input_zp, static_cast<int8_t*>(packed), bias_out);
}

template <void (*kKernel)(const uint8_t*, size_t, const ConvGeometry&, const int8_t*, const int32_t*,
                          const uint8_t*, uint8_t*, const QConvParams&)>
void dw_run(const uint8_t* in, size_t c, const ConvGeometry& g, const void* packed_w, const int32_t* bias,
            const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  kKernel(in, c, g, static_cast<const int8_t*>(packed_w), bias, zero_row, out, params);
}

template <void (*kKernel)(size_t, size_t, size_t, const uint8_t*, size_t, const int8_t*, const int32_t*,
                          uint8_t*, size_t, const QConvParams&)>
void run(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const void* packed_w,
         const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  kKernel(m, n, k, a, a_stride, static_cast<const int8_t*>(packed_w), bias, c, c_stride, params);
}

}  // namespace
}  // namespace fd

extern "C" bool fd_install_relaxed_kernels(fd::KernelTable* t) {
  using namespace fd;
  static const Isa engine = probe();
  if (engine == Isa::kWasmSimd) return false;
  QGemmUkernel& g = t->qgemm;
  const bool usdot = engine == Isa::kWasmRelaxedUsdot;
  g.name = usdot ? "qx8_gemm_2x16c4_wasmusdot" : "qx8_gemm_2x16c4_wasmsdot";
  g.nr = kQGemm16NR;
  g.kr = kQGemm16KR;
  g.domain = usdot ? ActDomain::kUnsigned : ActDomain::kSigned;
  g.packed_bytes = packed_bytes;
  g.pack = pack;
  g.run = usdot ? run<qx8_gemm_2x16c4_wasmusdot> : run<qx8_gemm_2x16c4_wasmsdot>;
  QDwconvUkernel& d = t->qx8_dwconv_m1;
  d.name = usdot ? "qx8_dwconv_c16q4_wasmusdot" : "qx8_dwconv_c16q4_wasmsdot";
  d.domain = g.domain;
  d.channel_block = kDwQuadBlock;
  d.packed_bytes = dw_packed_bytes;
  d.pack = dw_pack;
  d.run = usdot ? dw_run<qx8_dwconv_c16q4_wasmusdot> : dw_run<qx8_dwconv_c16q4_wasmsdot>;
  d.run_3x3s1 = usdot ? dw_run<qx8_dwconv_3x3s1_c16q4_wasmusdot> : dw_run<qx8_dwconv_3x3s1_c16q4_wasmsdot>;
  d.order_3x3s1 = kDw3x3s1QuadOrder;
  d.taps_3x3s1 = 12;
  // Short rows (K <= 32) take the SIMD128 4x8c2 tile (see kQGemmSmallKMaxRelaxed).
  t->qgemm_small_k_max = kQGemmSmallKMaxRelaxed;
  t->dot_peak = qs8_dot_peak_wasmrelaxed;
  // Byte tables: in Chromium 156 the scalar lookup beats the SIMD128 swizzle kernel (YOLOv8n's 57
  // fused SiLU tables: 5.5 ms scalar vs 7.3 ms SIMD128 per run); the pshufb reading beats both.
  t->x8_lut = swizzle_wraps() ? x8_lut_wasmpshufb : x8_lut_ref;
  t->isa = engine;
  return true;
}
