#include "kernels/kernel_table.h"

#include "kernels/dw_taps.h"

namespace fd {
namespace {

// The int16-tile GEMMs (4x4c8, 4x8c2): kNR channels per tile, K in blocks of kKR.
template <size_t kNR, size_t kKR>
size_t qgemm_i16_packed_bytes(size_t n, size_t k) {
  return round_up_multiple(n, kNR) * round_up_multiple(k, kKR) * sizeof(int16_t);
}

template <size_t kNR, size_t kKR>
bool qgemm_i16_pack(size_t n, size_t k, const uint8_t* w, bool w_unsigned, const int32_t* w_zp, void* packed,
                    int32_t* row_sums) {
  qx8_gemm_i16_pack(kNR, kKR, n, k, w, w_unsigned, w_zp, true, static_cast<int16_t*>(packed), row_sums);
  return true;
}

template <void (*kKernel)(size_t, size_t, size_t, const uint8_t*, size_t, const int16_t*, const int32_t*,
                          uint8_t*, size_t, const QConvParams&)>
void qgemm_i16_run(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const void* packed_w,
                   const int32_t* bias, uint8_t* c, size_t c_stride, const QConvParams& params) {
  kKernel(m, n, k, a, a_stride, static_cast<const int16_t*>(packed_w), bias, c, c_stride, params);
}

template <size_t kNR, size_t kKR>
QGemmUkernel qgemm_i16(const char* name,
                       void (*run)(size_t, size_t, size_t, const uint8_t*, size_t, const void*, const int32_t*,
                                   uint8_t*, size_t, const QConvParams&)) {
  QGemmUkernel g;
  g.name = name;
  g.nr = kNR;
  g.kr = kKR;
  g.domain = ActDomain::kNative;
  g.packed_bytes = qgemm_i16_packed_bytes<kNR, kKR>;
  g.pack = qgemm_i16_pack<kNR, kKR>;
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

// The tap-pair depthwise kernel `run`, with its sliding 3x3 stride-1 form `run_3x3s1` where
// there is one (weights from the taps in kDw3x3s1PairOrder).
QDwconvUkernel dwconv_c8p2(const char* name, decltype(QDwconvUkernel::run) run,
                           decltype(QDwconvUkernel::run_3x3s1) run_3x3s1 = nullptr) {
  QDwconvUkernel d;
  d.name = name;
  d.domain = ActDomain::kNative;
  d.channel_block = kDwChannelBlock;
  d.packed_bytes = dwconv_c8p2_packed_bytes;
  d.pack = dwconv_c8p2_pack;
  d.run = run;
  if (run_3x3s1) {
    d.run_3x3s1 = run_3x3s1;
    d.order_3x3s1 = kDw3x3s1PairOrder;
    d.taps_3x3s1 = sizeof(kDw3x3s1PairOrder);
  }
  return d;
}

// Kernels with one implementation for every ISA.
void fill_common(KernelTable* t) {
  t->qx8_dwconv = qx8_dwconv_c8_ref;
  t->f32_dwconv = f32_dwconv_c8_ref;
}

// Table fields filled by a scalar ref kernel and its SIMD128 twin of the same base name
// (field `name`, kernels `name`_ref and `name`_wasmsimd).
#define FD_TWIN_KERNELS(X)                                                                               \
  X(qs8_vadd_rndnu) X(qs8_vaddc_rndnu) X(qu8_vadd_rndnu) X(qu8_vaddc_rndnu) X(qs8_vmul) X(qs8_vmulc)     \
  X(qu8_vmul) X(qu8_vmulc) X(f32_vbinary) X(f32_vbinaryc) X(f32_vclamp) X(f32_qs8_vcvt) X(f32_qu8_vcvt)  \
  X(qs8_f32_vcvt) X(qu8_f32_vcvt) X(f32_maxpool) X(s8_maxpool) X(u8_maxpool) X(f32_avgpool)              \
  X(qs8_avgpool) X(qu8_avgpool) X(f32_rsum) X(qs8_rsum) X(qu8_rsum) X(x8_zip2) X(f32_resize_bilinear)    \
  X(qs8_resize_bilinear) X(qu8_resize_bilinear) X(qs8_vlrelu_rndnu) X(qu8_vlrelu_rndnu) X(x8_lut)        \
  X(qs8_softmax) X(qu8_softmax) X(s8_argmax) X(u8_argmax)

// A table from its ISA's GEMM, depthwise and peak kernels; the caller sets the FD_TWIN_KERNELS
// fields.
KernelTable base_table(Isa isa, QGemmUkernel qgemm, QGemmUkernel qgemm_small_k, decltype(KernelTable::f32_gemm) f32_gemm, QDwconvUkernel dw,
                       decltype(KernelTable::f32_dwconv_m1) f32_dw, decltype(KernelTable::dot_peak) dot_peak) {
  KernelTable t;
  fill_common(&t);
  t.isa = isa;
  t.qgemm = t.qgemm_general = qgemm;
  t.qgemm_small_k = qgemm_small_k;
  t.qgemm_small_k_max = kQGemmSmallKMax;
  t.f32_gemm = f32_gemm;
  t.qx8_dwconv_m1 = t.qx8_dwconv_m1_general = dw;
  t.f32_dwconv_m1 = f32_dw;
  t.dot_peak = dot_peak;
  return t;
}

#ifdef __wasm_simd128__
// The wasm builds hold no ref twins of their SIMD kernels (smaller download): no ref table.
KernelTable wasmsimd_table() {
  KernelTable t = base_table(Isa::kWasmSimd,
                             qgemm_i16<kQGemmNR, kQGemmKR>("qx8_gemm_2x4c8_wasmsimd", qgemm_i16_run<qx8_gemm_2x4c8_wasmsimd>),
                             qgemm_i16<kQGemmC2NR, kQGemmC2KR>("qx8_gemm_4x8c2_wasmsimd", qgemm_i16_run<qx8_gemm_4x8c2_wasmsimd>),
                             f32_gemm_4x8_wasmsimd,
                             dwconv_c8p2("qx8_dwconv_c8p2_wasmsimd", dwconv_c8p2_run<qx8_dwconv_c8p2_wasmsimd>,
                                         dwconv_c8p2_run<qx8_dwconv_3x3s1_c8p2_wasmsimd>),
                             f32_dwconv_c8_wasmsimd, qs8_dot_peak_wasmsimd);
#define FD_SET_WASMSIMD(name) t.name = name##_wasmsimd;
  FD_TWIN_KERNELS(FD_SET_WASMSIMD)
#undef FD_SET_WASMSIMD
  return t;
}
#else
KernelTable ref_table() {
  KernelTable t = base_table(Isa::kRef, qgemm_i16<kQGemmNR, kQGemmKR>("qx8_gemm_4x4c8_ref", qgemm_i16_run<qx8_gemm_4x4c8_ref>),
                             qgemm_i16<kQGemmC2NR, kQGemmC2KR>("qx8_gemm_4x8c2_ref", qgemm_i16_run<qx8_gemm_4x8c2_ref>),
                             f32_gemm_4x8_ref, dwconv_c8p2("qx8_dwconv_c8p2_ref", dwconv_c8p2_run<qx8_dwconv_c8p2_ref>),
                             f32_dwconv_c8_ref, qs8_dot_peak_ref);
#define FD_SET_REF(name) t.name = name##_ref;
  FD_TWIN_KERNELS(FD_SET_REF)
#undef FD_SET_REF
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
