// Data-aware INT4 rounding (see int4_rounding.h).
#include "quantize/int4_rounding.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "model/graph_edit.h"
#include "ops/padding.h"
#include "quantize/calibration_images.h"
#include "runtime/interpreter.h"

namespace fd {
namespace {

constexpr int kMaxColumns = 1536;           // larger layers keep nearest rounding (O(k^3) factoring)
constexpr int64_t kPositionsPerImage = 512;  // input patches sampled per image and layer
constexpr double kDamping = 0.01;           // fraction of the mean diagonal added to H

// Symmetric -7..7: TFLite INT4 holds -8 too, but LiteRT.js computes rows holding -8 differently
// from their INT8 twins (measured: up to 4 steps on YuNet-n's outputs), so -8 is not used.
float round_to_step(float v, float scale) { return std::min(7.0f, std::max(-7.0f, std::nearbyint(v / scale))); }

// Per row, the scale alpha * max|w| / 7 (alpha from 1 down to 0.5) with the least diag(H)-weighted
// squared rounding error.
void choose_scales(int rows, int k, const std::vector<double>& diag, const std::vector<float>& w,
                   std::vector<float>* scales) {
  scales->assign(rows, 1.0f);
  for (int r = 0; r < rows; ++r) {
    const float* row = w.data() + static_cast<size_t>(r) * k;
    float mx = 0.0f;
    for (int j = 0; j < k; ++j) mx = std::max(mx, std::fabs(row[j]));
    if (mx == 0.0f) continue;
    double best = INFINITY;
    for (int step = 0; step <= 25; ++step) {
      const float s = (1.0f - 0.02f * static_cast<float>(step)) * mx / 7.0f;
      double err = 0;
      for (int j = 0; j < k; ++j) {
        const double e = row[j] - s * round_to_step(row[j], s);
        err += diag[j] * e * e;
      }
      if (err < best) {
        best = err;
        (*scales)[r] = s;
      }
    }
  }
}

// Lower Cholesky factor of the n x n symmetric `a` in place (upper part zeroed); false when `a`
// is not positive definite.
bool cholesky(int n, std::vector<double>* a) {
  std::vector<double>& m = *a;
  for (int j = 0; j < n; ++j) {
    double d = m[static_cast<size_t>(j) * n + j];
    for (int p = 0; p < j; ++p) d -= m[static_cast<size_t>(j) * n + p] * m[static_cast<size_t>(j) * n + p];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    m[static_cast<size_t>(j) * n + j] = d;
    for (int i = j + 1; i < n; ++i) {
      double v = m[static_cast<size_t>(i) * n + j];
      for (int p = 0; p < j; ++p) v -= m[static_cast<size_t>(i) * n + p] * m[static_cast<size_t>(j) * n + p];
      m[static_cast<size_t>(i) * n + j] = v / d;
    }
    for (int i = 0; i < j; ++i) m[static_cast<size_t>(i) * n + j] = 0;
  }
  return true;
}

// The inverse of L Lᵀ from its lower factor L.
std::vector<double> inverse_from_cholesky(int n, const std::vector<double>& l) {
  // inv(L) by forward substitution, column by column.
  std::vector<double> li(static_cast<size_t>(n) * n, 0.0);
  for (int c = 0; c < n; ++c) {
    for (int i = c; i < n; ++i) {
      double v = i == c ? 1.0 : 0.0;
      for (int p = c; p < i; ++p) v -= l[static_cast<size_t>(i) * n + p] * li[static_cast<size_t>(p) * n + c];
      li[static_cast<size_t>(i) * n + c] = v / l[static_cast<size_t>(i) * n + i];
    }
  }
  // inv(L L^T) = inv(L)^T inv(L).
  std::vector<double> inv(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = i; j < n; ++j) {
      double v = 0;
      for (int p = j; p < n; ++p) v += li[static_cast<size_t>(p) * n + i] * li[static_cast<size_t>(p) * n + j];
      inv[static_cast<size_t>(i) * n + j] = inv[static_cast<size_t>(j) * n + i] = v;
    }
  }
  return inv;
}

void nearest(int rows, int k, const std::vector<float>& scales, std::vector<float>* w, std::vector<int8_t>* values) {
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < k; ++j) {
      float& v = (*w)[static_cast<size_t>(r) * k + j];
      const float q = round_to_step(v, scales[r]);
      (*values)[static_cast<size_t>(r) * k + j] = static_cast<int8_t>(q);
      v = q * scales[r];
    }
  }
}

// One layer whose input statistics are being gathered.
struct Layer {
  int node = -1;
  bool depthwise = false;
  int kh = 1, kw = 1, cin = 0, cout = 0, multiplier = 1;
  OpOptions options;
  int32_t weight_tensor = -1;
  std::vector<double> h;  // conv: one k x k matrix; depthwise: one taps x taps matrix per input channel
  std::vector<double> sum;  // the patches' sum (conv: k values; depthwise: taps per input channel)
  size_t count = 0;         // patches summed
  bool usable = true;
  int columns() const { return depthwise ? kh * kw : kh * kw * cin; }
};

// Adds sampled input patches of `x` (NHWC) to the layer's second moment and input sums.
void accumulate(Layer* layer, const RTensor& x, size_t image) {
  if (x.dtype != DType::kFloat32 || x.shape.size() != 4 || x.shape[3] != layer->cin) {
    layer->usable = false;
    return;
  }
  const int64_t n = x.shape[0], ih = x.shape[1], iw = x.shape[2], c = x.shape[3];
  const OpOptions& o = layer->options;
  int64_t oh = 0, ow = 0, pad_t = 0, pad_l = 0;
  if (!same_valid_window(o.padding, ih, layer->kh, o.stride_h, o.dilation_h, &oh, &pad_t) ||
      !same_valid_window(o.padding, iw, layer->kw, o.stride_w, o.dilation_w, &ow, &pad_l)) {
    layer->usable = false;
    return;
  }
  const int64_t positions = n * oh * ow;
  const int64_t step = std::max<int64_t>(1, positions / kPositionsPerImage);
  const int taps = layer->kh * layer->kw;
  const int k = layer->columns();
  const float* v = x.as<float>();
  std::vector<double> patch(static_cast<size_t>(layer->depthwise ? taps * c : k));
  for (int64_t p = static_cast<int64_t>(image % static_cast<size_t>(step)); p < positions; p += step) {
    const int64_t b = p / (oh * ow), oy = (p / ow) % oh, ox = p % ow;
    for (int t = 0; t < taps; ++t) {
      const int64_t y = oy * o.stride_h - pad_t + (t / layer->kw) * o.dilation_h;
      const int64_t xx = ox * o.stride_w - pad_l + (t % layer->kw) * o.dilation_w;
      const bool inside = y >= 0 && y < ih && xx >= 0 && xx < iw;
      const float* px = inside ? v + ((b * ih + y) * iw + xx) * c : nullptr;
      for (int64_t ch = 0; ch < c; ++ch) {
        // conv patches are (tap, channel); depthwise keeps one patch of taps per channel.
        const size_t at = layer->depthwise ? static_cast<size_t>(ch * taps + t) : static_cast<size_t>(t * c + ch);
        patch[at] = inside ? px[ch] : 0.0;
      }
    }
    ++layer->count;
    for (size_t i = 0; i < patch.size(); ++i) layer->sum[i] += patch[i];
    if (layer->depthwise) {
      for (int64_t ch = 0; ch < c; ++ch) {
        const double* xp = patch.data() + ch * taps;
        double* hp = layer->h.data() + static_cast<size_t>(ch) * taps * taps;
        for (int i = 0; i < taps; ++i)
          for (int j = i; j < taps; ++j) hp[i * taps + j] += xp[i] * xp[j];
      }
    } else {
      for (int i = 0; i < k; ++i) {
        const double xi = patch[i];
        if (xi == 0.0) continue;
        double* hr = layer->h.data() + static_cast<size_t>(i) * k;
        for (int j = i; j < k; ++j) hr[j] += xi * patch[j];
      }
    }
  }
}

// The symmetric k x k matrix from its accumulated upper triangle.
void symmetrize(int k, double* h) {
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < i; ++j) h[i * k + j] = h[j * k + i];
}

// Runs `g` on `images` and adds each layer's sampled input patches to its statistics.
Status gather_inputs(const Graph& g, const std::vector<std::vector<uint8_t>>& images, const std::vector<Layer*>& layers) {
  std::map<int32_t, std::vector<Layer*>> readers;  // tensor -> layers reading it
  for (Layer* l : layers) readers[g.nodes[l->node].inputs[0]].push_back(l);
  InterpreterOptions every_tensor;  // the observer reads intermediates
  every_tensor.fuse = false;
  std::unique_ptr<Interpreter> it;
  FD_RETURN_IF_ERROR(Interpreter::create(g, &it, every_tensor));
  size_t image = 0;
  auto take = [&](int32_t t) {
    auto r = readers.find(t);
    if (r == readers.end()) return;
    for (Layer* l : r->second) accumulate(l, it->tensor(t), image);
  };
  it->set_observer([&](int node) {
    for (int32_t t : it->graph().nodes[node].outputs) take(t);
  });
  for (; image < images.size(); ++image) {
    FD_RETURN_IF_ERROR(set_float_image(it.get(), images[image]));
    for (int32_t t : g.inputs) take(t);
    FD_RETURN_IF_ERROR(it->invoke());
  }
  return Status();
}

// The INT4 rounding of layer `l` from its input statistics, with the bias correction
// (w - q) · E[x] per output channel.
void finish_layer(const Graph& g, Layer& l, Int4Rounding* r) {
  const TensorDesc& wt = g.tensors[l.weight_tensor];
  const std::vector<float> w = float_data(wt);
  r->weight_tensor = l.weight_tensor;
  const int taps = l.kh * l.kw;
  if (l.depthwise) {
    r->axis = 3;
    r->scales.resize(l.cout);
    r->values.resize(w.size());
    for (int oc = 0; oc < l.cout; ++oc) {
      std::vector<double> h(l.h.begin() + static_cast<std::ptrdiff_t>(oc / l.multiplier) * taps * taps,
                            l.h.begin() + static_cast<std::ptrdiff_t>(oc / l.multiplier + 1) * taps * taps);
      symmetrize(taps, h.data());
      std::vector<float> row(taps), scale;
      std::vector<int8_t> vals;
      for (int t = 0; t < taps; ++t) row[t] = w[static_cast<size_t>(t) * l.cout + oc];
      gptq_round_int4(1, taps, std::move(h), &row, &scale, &vals);
      r->scales[oc] = scale[0];
      for (int t = 0; t < taps; ++t) r->values[static_cast<size_t>(t) * l.cout + oc] = vals[t];
    }
  } else {
    r->axis = 0;
    symmetrize(l.columns(), l.h.data());
    std::vector<float> m = w;
    gptq_round_int4(l.cout, l.columns(), std::move(l.h), &m, &r->scales, &r->values);
  }
  for (float& s : r->scales) {
    if (!(s > 0.0f)) s = 1.0f;  // an all-zero channel
  }
  if (l.count == 0) return;
  const std::vector<float> q = r->dequantized(wt.shape);
  r->bias_correction.assign(l.cout, 0.0f);
  for (int oc = 0; oc < l.cout; ++oc) {
    double d = 0;
    const int k = l.depthwise ? taps : l.columns();
    for (int j = 0; j < k; ++j) {
      const size_t at = l.depthwise ? static_cast<size_t>(j) * l.cout + oc : static_cast<size_t>(oc) * k + j;
      const size_t in = l.depthwise ? static_cast<size_t>(oc / l.multiplier) * taps + j : static_cast<size_t>(j);
      d += (w[at] - q[at]) * l.sum[in] / static_cast<double>(l.count);
    }
    r->bias_correction[oc] = static_cast<float>(d);
  }
}

}  // namespace

std::vector<float> Int4Rounding::dequantized(const Shape& shape) const {
  std::vector<float> out(values.size());
  const int64_t channels = shape[axis];
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  for (size_t i = 0; i < values.size(); ++i) out[i] = scales[(static_cast<int64_t>(i) / inner) % channels] * values[i];
  return out;
}

namespace {

// (w - q) H (w - q)ᵀ for one row.
double row_error(int k, const std::vector<double>& h, const float* w, const float* q) {
  std::vector<double> d(k);
  for (int j = 0; j < k; ++j) d[j] = static_cast<double>(w[j]) - q[j];
  double total = 0;
  for (int i = 0; i < k; ++i) {
    if (d[i] == 0.0) continue;
    double s = 0;
    for (int j = 0; j < k; ++j) s += h[static_cast<size_t>(i) * k + j] * d[j];
    total += d[i] * s;
  }
  return total;
}

// GPTQ proper (see gptq_round_int4), on `w` in place with the given scales; false when H cannot
// be factored.
bool gptq_rows(int rows, int k, const std::vector<double>& h, const std::vector<double>& diag,
               const std::vector<float>& scales, std::vector<float>* w, std::vector<int8_t>* values) {
  if (k > kMaxColumns) return false;
  // Columns in order of decreasing input energy (the most important are rounded first, with the
  // most columns left to compensate).
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return diag[a] != diag[b] ? diag[a] > diag[b] : a < b; });
  const double damp = kDamping * std::accumulate(diag.begin(), diag.end(), 0.0) / k;
  std::vector<double> hp(static_cast<size_t>(k) * k);
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) hp[static_cast<size_t>(i) * k + j] = h[static_cast<size_t>(order[i]) * k + order[j]];
    hp[static_cast<size_t>(i) * k + i] += damp;
  }
  if (!cholesky(k, &hp)) return false;
  std::vector<double> u = inverse_from_cholesky(k, hp);
  if (!cholesky(k, &u)) return false;
  // u now holds the lower factor L of inv(H); GPTQ uses its transpose U = Lᵀ: U[j][t] = L[t][j].
  std::vector<double> row(k);
  for (int r = 0; r < rows; ++r) {
    float* wr = w->data() + static_cast<size_t>(r) * k;
    int8_t* vr = values->data() + static_cast<size_t>(r) * k;
    const float s = scales[r];
    for (int j = 0; j < k; ++j) row[j] = wr[order[j]];
    for (int j = 0; j < k; ++j) {
      const float q = round_to_step(static_cast<float>(row[j]), s);
      const double err = (row[j] - static_cast<double>(q) * s) / u[static_cast<size_t>(j) * k + j];
      for (int t = j + 1; t < k; ++t) row[t] -= err * u[static_cast<size_t>(t) * k + j];
      vr[order[j]] = static_cast<int8_t>(q);
      wr[order[j]] = q * s;
    }
  }
  return true;
}

}  // namespace

std::vector<float> Int4Rounding::corrected_bias(std::vector<float> bias) const {
  if (bias.size() != bias_correction.size()) return bias;
  for (size_t i = 0; i < bias.size(); ++i) bias[i] += bias_correction[i];
  return bias;
}

void gptq_round_int4(int rows, int k, std::vector<double> h, std::vector<float>* w, std::vector<float>* scales,
                     std::vector<int8_t>* values) {
  values->assign(static_cast<size_t>(rows) * k, 0);
  // Inputs that are always zero carry no information: their weights round to 0.
  std::vector<double> diag(k);
  for (int j = 0; j < k; ++j) {
    double& d = h[static_cast<size_t>(j) * k + j];
    if (!(d > 0)) {
      d = 1.0;
      for (int r = 0; r < rows; ++r) (*w)[static_cast<size_t>(r) * k + j] = 0.0f;
    }
    diag[j] = d;
  }
  choose_scales(rows, k, diag, *w, scales);
  // Three roundings per row, the one with the least output error (w - q) H (w - q)ᵀ kept: GPTQ
  // and nearest rounding with the chosen scale, and nearest rounding with max|w| / 7 (GPTQ is
  // greedy, and a few taps, as in a depthwise filter, leave it little to compensate with).
  const std::vector<float> original = *w;
  std::vector<float> gptq = *w;
  std::vector<int8_t> gptq_values(values->size());
  const bool have_gptq = gptq_rows(rows, k, h, diag, *scales, &gptq, &gptq_values);
  std::vector<float> max_scales(rows);
  for (int r = 0; r < rows; ++r) {
    float mx = 0.0f;
    for (int j = 0; j < k; ++j) mx = std::max(mx, std::fabs(original[static_cast<size_t>(r) * k + j]));
    max_scales[r] = mx > 0.0f ? mx / 7.0f : 1.0f;
  }
  std::vector<float> chosen = original, plain = original;
  std::vector<int8_t> chosen_values(values->size()), plain_values(values->size());
  nearest(rows, k, *scales, &chosen, &chosen_values);
  nearest(rows, k, max_scales, &plain, &plain_values);
  for (int r = 0; r < rows; ++r) {
    const size_t at = static_cast<size_t>(r) * k;
    const float* wr = original.data() + at;
    double best = row_error(k, h, wr, chosen.data() + at);
    const std::vector<float>* pick = &chosen;
    const std::vector<int8_t>* pick_values = &chosen_values;
    if (have_gptq) {
      const double e = row_error(k, h, wr, gptq.data() + at);
      if (e < best) best = e, pick = &gptq, pick_values = &gptq_values;
    }
    if (row_error(k, h, wr, plain.data() + at) < best) {
      pick = &plain, pick_values = &plain_values;
      (*scales)[r] = max_scales[r];
    }
    std::copy(pick->begin() + at, pick->begin() + at + k, w->begin() + at);
    std::copy(pick_values->begin() + at, pick_values->begin() + at + k, values->begin() + at);
  }
}

Status round_int4_with_data(const Graph& g, const std::vector<std::vector<uint8_t>>& images,
                            const std::vector<int>& nodes, std::map<int, Int4Rounding>* out) {
  out->clear();
  std::vector<Layer> layers;
  for (int n : nodes) {
    if (n < 0 || n >= static_cast<int>(g.nodes.size())) continue;
    const Node& node = g.nodes[n];
    const bool conv = node.code == static_cast<int32_t>(OpCode::kConv2D);
    const bool dw = node.code == static_cast<int32_t>(OpCode::kDepthwiseConv2D);
    if ((!conv && !dw) || node.inputs.size() < 2 || node.inputs[0] < 0 || node.inputs[1] < 0) continue;
    const TensorDesc& wt = g.tensors[node.inputs[1]];
    if (!wt.is_constant() || wt.dtype != DType::kFloat32 || wt.shape.size() != 4) continue;
    Layer l;
    l.node = n;
    l.depthwise = dw;
    l.kh = static_cast<int>(wt.shape[1]);
    l.kw = static_cast<int>(wt.shape[2]);
    l.options = node.options;
    l.weight_tensor = node.inputs[1];
    if (dw) {
      l.multiplier = std::max(1, node.options.depth_multiplier);
      l.cout = static_cast<int>(wt.shape[3]);
      if (l.cout % l.multiplier != 0) continue;
      l.cin = l.cout / l.multiplier;
      l.h.assign(static_cast<size_t>(l.cin) * l.kh * l.kw * l.kh * l.kw, 0.0);
      l.sum.assign(static_cast<size_t>(l.cin) * l.kh * l.kw, 0.0);
    } else {
      l.cout = static_cast<int>(wt.shape[0]);
      l.cin = static_cast<int>(wt.shape[3]);
      if (l.columns() > kMaxColumns) continue;
      l.h.assign(static_cast<size_t>(l.columns()) * l.columns(), 0.0);
      l.sum.assign(static_cast<size_t>(l.columns()), 0.0);
    }
    layers.push_back(std::move(l));
  }
  if (layers.empty()) return Status();
  if (images.empty()) return Status::error("INT4 rounding needs at least one sample image");
  std::vector<Layer*> measured;
  for (Layer& l : layers) measured.push_back(&l);
  FD_RETURN_IF_ERROR(gather_inputs(g, images, measured));
  for (Layer& l : layers) {
    if (!l.usable) continue;
    Int4Rounding r;
    finish_layer(g, l, &r);
    (*out)[l.node] = std::move(r);
  }
  return Status();
}

}  // namespace fd
