#include "kernels/kernel_table.h"

namespace fd {
namespace {

size_t qgemm_4x4c8_packed_bytes(size_t n, size_t k) {
  return round_up_multiple(n, kQGemmNR) * round_up_multiple(k, kQGemmKR) * sizeof(int16_t);
}

bool qgemm_4x4c8_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp,
                      void* packed, int32_t* row_sums) {
  qx8_gemm_4x4c8_pack(n, k, w, w_unsigned, w_zp, true, static_cast<int16_t*>(packed), row_sums);
  return true;
}

template <void (*kKernel)(size_t, size_t, size_t, const uint8_t*, size_t, const int16_t*, const int32_t*,
                          uint8_t*, size_t, const QConvParams&)>
void qgemm_4x4c8_run(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const void* packed_w,
                     const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  kKernel(m, n, k, a, a_stride, static_cast<const int16_t*>(packed_w), bias, c, c_stride, params);
}

QGemmUkernel qgemm_4x4c8(const char* name,
                         void (*run)(size_t, size_t, size_t, const uint8_t*, size_t, const void*,
                                     const int32_t*, uint8_t*, size_t, const QConvParams&)) {
  QGemmUkernel g;
  g.name = name;
  g.nr = kQGemmNR;
  g.kr = kQGemmKR;
  g.domain = ActDomain::kNative;
  g.packed_bytes = qgemm_4x4c8_packed_bytes;
  g.pack = qgemm_4x4c8_pack;
  g.run = run;
  return g;
}

size_t dwconv_c8p2_packed_bytes(size_t channels, size_t taps) {
  return qx8_dwconv_c8p2_packed_size(channels, taps) * sizeof(int16_t);
}

bool dwconv_c8p2_pack(size_t channels, size_t taps, const int16_t* w, const int32_t* bias, int32_t input_zp,
                      void* packed, int32_t* bias_out) {
  qx8_dwconv_c8p2_pack(channels, taps, w, bias, input_zp, static_cast<int16_t*>(packed), bias_out);
  return true;
}

template <void (*kKernel)(const uint8_t*, size_t, const ConvGeometry&, const int16_t*, const int32_t*,
                          const uint8_t*, uint8_t*, const QConvParams&)>
void dwconv_c8p2_run(const uint8_t* in, size_t c, const ConvGeometry& g, const void* packed_w, const int32_t* bias,
                     const uint8_t* zero_row, uint8_t* out, const QConvParams& params) {
  kKernel(in, c, g, static_cast<const int16_t*>(packed_w), bias, zero_row, out, params);
}

QDwconvUkernel dwconv_c8p2(const char* name,
                           void (*run)(const uint8_t*, size_t, const ConvGeometry&, const void*, const int32_t*,
                                       const uint8_t*, uint8_t*, const QConvParams&)) {
  QDwconvUkernel d;
  d.name = name;
  d.domain = ActDomain::kNative;
  d.channel_block = kDwChannelBlock;
  d.packed_bytes = dwconv_c8p2_packed_bytes;
  d.pack = dwconv_c8p2_pack;
  d.run = run;
  return d;
}

// Kernels with one implementation for every ISA.
void fill_common(KernelTable* t) {
  t->qx8_dwconv = qx8_dwconv_c8_ref;
  t->f32_dwconv = f32_dwconv_c8_ref;
}

#ifdef __wasm_simd128__
// The wasm builds hold no ref twins of their SIMD kernels (smaller download): no ref table.
KernelTable wasmsimd_table() {
  KernelTable t;
  fill_common(&t);
  t.isa = Isa::kWasmSimd;
  t.qgemm = qgemm_4x4c8("qx8_gemm_4x4c8_wasmsimd", qgemm_4x4c8_run<qx8_gemm_4x4c8_wasmsimd>);
  t.qgemm_general = t.qgemm;
  t.f32_gemm = f32_gemm_4x8_wasmsimd;
  t.qx8_dwconv_m1 = dwconv_c8p2("qx8_dwconv_c8p2_wasmsimd", dwconv_c8p2_run<qx8_dwconv_c8p2_wasmsimd>);
  t.qx8_dwconv_m1_general = t.qx8_dwconv_m1;
  t.f32_dwconv_m1 = f32_dwconv_c8_wasmsimd;
  t.qs8_vadd = qs8_vadd_wasmsimd;
  t.qs8_vaddc = qs8_vaddc_wasmsimd;
  t.qu8_vadd = qu8_vadd_wasmsimd;
  t.qu8_vaddc = qu8_vaddc_wasmsimd;
  t.qs8_vmul = qs8_vmul_wasmsimd;
  t.qs8_vmulc = qs8_vmulc_wasmsimd;
  t.qu8_vmul = qu8_vmul_wasmsimd;
  t.qu8_vmulc = qu8_vmulc_wasmsimd;
  t.f32_vbinary = f32_vbinary_wasmsimd;
  t.f32_vbinaryc = f32_vbinaryc_wasmsimd;
  t.f32_vclamp = f32_vclamp_wasmsimd;
  t.f32_qs8_vcvt = f32_qs8_vcvt_wasmsimd;
  t.f32_qu8_vcvt = f32_qu8_vcvt_wasmsimd;
  t.qs8_f32_vcvt = qs8_f32_vcvt_wasmsimd;
  t.qu8_f32_vcvt = qu8_f32_vcvt_wasmsimd;
  t.f32_maxpool = f32_maxpool_wasmsimd;
  t.s8_maxpool = s8_maxpool_wasmsimd;
  t.u8_maxpool = u8_maxpool_wasmsimd;
  t.f32_avgpool = f32_avgpool_wasmsimd;
  t.qs8_avgpool = qs8_avgpool_wasmsimd;
  t.qu8_avgpool = qu8_avgpool_wasmsimd;
  t.f32_rsum = f32_rsum_wasmsimd;
  t.qs8_rsum = qs8_rsum_wasmsimd;
  t.qu8_rsum = qu8_rsum_wasmsimd;
  t.x8_zip2 = x8_zip2_wasmsimd;
  t.dot_peak = qs8_dot_peak_wasmsimd;
  t.f32_resize_bilinear = f32_resize_bilinear_wasmsimd;
  t.qs8_resize_bilinear = qs8_resize_bilinear_wasmsimd;
  t.qu8_resize_bilinear = qu8_resize_bilinear_wasmsimd;
  return t;
}
#else
KernelTable ref_table() {
  KernelTable t;
  fill_common(&t);
  t.isa = Isa::kRef;
  t.qgemm = qgemm_4x4c8("qx8_gemm_4x4c8_ref", qgemm_4x4c8_run<qx8_gemm_4x4c8_ref>);
  t.qgemm_general = t.qgemm;
  t.f32_gemm = f32_gemm_4x8_ref;
  t.qx8_dwconv_m1 = dwconv_c8p2("qx8_dwconv_c8p2_ref", dwconv_c8p2_run<qx8_dwconv_c8p2_ref>);
  t.qx8_dwconv_m1_general = t.qx8_dwconv_m1;
  t.f32_dwconv_m1 = f32_dwconv_c8_ref;
  t.qs8_vadd = qs8_vadd_ref;
  t.qs8_vaddc = qs8_vaddc_ref;
  t.qu8_vadd = qu8_vadd_ref;
  t.qu8_vaddc = qu8_vaddc_ref;
  t.qs8_vmul = qs8_vmul_ref;
  t.qs8_vmulc = qs8_vmulc_ref;
  t.qu8_vmul = qu8_vmul_ref;
  t.qu8_vmulc = qu8_vmulc_ref;
  t.f32_vbinary = f32_vbinary_ref;
  t.f32_vbinaryc = f32_vbinaryc_ref;
  t.f32_vclamp = f32_vclamp_ref;
  t.f32_qs8_vcvt = f32_qs8_vcvt_ref;
  t.f32_qu8_vcvt = f32_qu8_vcvt_ref;
  t.qs8_f32_vcvt = qs8_f32_vcvt_ref;
  t.qu8_f32_vcvt = qu8_f32_vcvt_ref;
  t.f32_maxpool = f32_maxpool_ref;
  t.s8_maxpool = s8_maxpool_ref;
  t.u8_maxpool = u8_maxpool_ref;
  t.f32_avgpool = f32_avgpool_ref;
  t.qs8_avgpool = qs8_avgpool_ref;
  t.qu8_avgpool = qu8_avgpool_ref;
  t.f32_rsum = f32_rsum_ref;
  t.qs8_rsum = qs8_rsum_ref;
  t.qu8_rsum = qu8_rsum_ref;
  t.x8_zip2 = x8_zip2_ref;
  t.dot_peak = qs8_dot_peak_ref;
  t.f32_resize_bilinear = f32_resize_bilinear_ref;
  t.qs8_resize_bilinear = qs8_resize_bilinear_ref;
  t.qu8_resize_bilinear = qu8_resize_bilinear_ref;
  return t;
}
#endif

// Tables by ISA, built on first use; `available` false where the build or engine lacks the ISA.
struct Tables {
  KernelTable table[4];
  bool available[4] = {};
  Tables() {
#ifndef __wasm_simd128__
    table[0] = ref_table();
    available[0] = true;
#else
    table[1] = wasmsimd_table();
    available[1] = true;
    KernelTable relaxed = wasmsimd_table();
    if (fd_install_relaxed_kernels && fd_install_relaxed_kernels(&relaxed)) {
      const int i = static_cast<int>(relaxed.isa);
      table[i] = relaxed;
      available[i] = true;
    }
#endif
  }
};

Tables& tables() {
  static Tables t;
  return t;
}

// The best available table.
const KernelTable* best() {
  Tables& t = tables();
  int i = 3;
  while (i > 0 && !t.available[i]) --i;
  return &t.table[i];
}

const KernelTable* current = nullptr;

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kRef: return "ref";
    case Isa::kWasmSimd: return "wasmsimd";
    case Isa::kWasmRelaxedUsdot: return "wasmrelaxed-usdot";
    case Isa::kWasmRelaxedSdot: return "wasmrelaxed-sdot";
  }
  return "unknown";
}

const KernelTable& kernels() {
  if (!current) current = best();
  return *current;
}

const KernelTable* kernels_for(Isa isa) {
  const int i = static_cast<int>(isa);
  if (i < 0 || i > 3) return nullptr;
  Tables& t = tables();
  return t.available[i] ? &t.table[i] : nullptr;
}

bool select_kernels(Isa isa) {
  const KernelTable* t = kernels_for(isa);
  if (!t) return false;
  current = t;
  return true;
}

}  // namespace fd
