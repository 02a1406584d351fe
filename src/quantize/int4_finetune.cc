// Quantization-aware INT4 fine-tuning by distillation (see int4_finetune.h).
#include "quantize/int4_finetune.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "model/graph_edit.h"
#include "quantize/calibration_images.h"
#include "ops/padding.h"
#include "ops/resize_taps.h"
#include "runtime/interpreter.h"
#include "vision/resize.h"

namespace fd {
namespace {

// The size of the last axis (an output's channels), at least 1.
int64_t last_axis(const Shape& s) { return s.empty() ? 1 : std::max<int64_t>(1, s.back()); }

bool is(const Node& n, OpCode c) { return n.code == static_cast<int32_t>(c); }

bool is_layer(const Node& n) {
  return is(n, OpCode::kConv2D) || is(n, OpCode::kDepthwiseConv2D) || is(n, OpCode::kFullyConnected);
}

// Ops whose outputs only rearrange, repeat or drop their inputs' elements (or add constants): their
// reverse pass routes each output element's gradient to its source, found once per node by
// running the op on element numbers.
bool is_movement(const Node& n) {
  for (OpCode c : {OpCode::kReshape, OpCode::kSqueeze, OpCode::kTranspose, OpCode::kConcatenation, OpCode::kSplit,
                   OpCode::kStridedSlice, OpCode::kGather, OpCode::kGatherNd, OpCode::kPad, OpCode::kPadV2,
                   OpCode::kResizeNearestNeighbor, OpCode::kPack, OpCode::kUnpack}) {
    if (is(n, c)) return true;
  }
  return false;
}

// Ops with a reverse pass written out below.
bool is_computed(const Node& n) {
  for (OpCode c : {OpCode::kConv2D, OpCode::kDepthwiseConv2D, OpCode::kFullyConnected, OpCode::kAdd, OpCode::kSub,
                   OpCode::kMul, OpCode::kLogistic, OpCode::kTanh, OpCode::kRelu, OpCode::kRelu6, OpCode::kReluN1To1,
                   OpCode::kLeakyRelu, OpCode::kHardSwish, OpCode::kSoftmax, OpCode::kMaxPool2D,
                   OpCode::kAveragePool2D, OpCode::kResizeBilinear}) {
    if (is(n, c)) return true;
  }
  return false;
}

// d(activation)/d(pre-activation) at output value y.
float activation_slope(Activation a, float y) {
  switch (a) {
    case Activation::kRelu: return y > 0.0f ? 1.0f : 0.0f;
    case Activation::kRelu6: return y > 0.0f && y < 6.0f ? 1.0f : 0.0f;
    case Activation::kReluN1To1: return y > -1.0f && y < 1.0f ? 1.0f : 0.0f;
    case Activation::kTanh: return 1.0f - y * y;
    default: return 1.0f;
  }
}

// Offsets into an input of shape `in` for every element of the broadcast output shape `out`.
std::vector<int64_t> broadcast_offsets(const Shape& in, const Shape& out) {
  const size_t r = out.size();
  std::vector<int64_t> stride(r, 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t d = in.size() - 1 - k, od = r - 1 - k;
    stride[od] = in[d] == 1 ? 0 : s;
    s *= in[d];
  }
  const int64_t n = num_elements(out);
  std::vector<int64_t> offsets(static_cast<size_t>(n));
  std::vector<int64_t> idx(r, 0);
  int64_t at = 0;
  for (int64_t i = 0; i < n; ++i) {
    offsets[static_cast<size_t>(i)] = at;
    for (size_t d = r; d-- > 0;) {
      ++idx[d];
      at += stride[d];
      if (idx[d] < out[d]) break;
      at -= stride[d] * out[d];
      idx[d] = 0;
    }
  }
  return offsets;
}

// The distillation loss of one output: the mean over its channels (last axis) of
// sum_r w_r |y_rc - t_rc|^2 / sum_r w_r |t_rc|^2 over its rows r (w_r = rows[r], or 1 when `rows`
// is empty), or / fixed[c] when `fixed` gives every channel's energy; its gradient is added to
// `grad` when given. Per channel, so that in a
// detector output mixing box offsets, objectness and class scores each counts, not only the
// largest values (FastestDet, one [x, y, w, h, obj, 80 classes] tensor, on its 128 calibration
// images: fidelity of the fine-tuned INT8 detections to fp32 42.6 vs 39.9 for one norm over the
// whole tensor; YuNet-n, whose outputs are already split by role: 87.3 vs 85.8).
double output_loss(const std::vector<float>& y, const std::vector<float>& t, int64_t channels,
                   const std::vector<double>* fixed, const std::vector<double>& rows, float* grad) {
  const size_t c = static_cast<size_t>(std::max<int64_t>(1, channels));
  std::vector<double> own(fixed ? 0 : c, 1e-12), err(c, 0.0);
  auto weight = [&](size_t i) { return rows.empty() ? 1.0 : rows[i / c]; };
  for (size_t i = 0; i < y.size(); ++i) {
    if (!fixed) own[i % c] += weight(i) * t[i] * t[i];
    err[i % c] += weight(i) * (y[i] - t[i]) * (y[i] - t[i]);
  }
  const std::vector<double>& energy = fixed ? *fixed : own;
  double loss = 0;
  for (size_t k = 0; k < c; ++k) loss += err[k] / energy[k];
  if (grad) {
    for (size_t i = 0; i < y.size(); ++i) {
      grad[i] += static_cast<float>(2.0 * weight(i) * (y[i] - t[i]) / (energy[i % c] * c));
    }
  }
  return loss / static_cast<double>(c);
}

// What one reverse step reads and writes: forward values and gradients per tensor.
struct Tape {
  std::vector<std::vector<float>> value, grad;
  std::vector<Shape> shape;
  std::vector<char> wants;  // gradient needed: trainable constants and tensors nodes produce
  // The gradient buffer of tensor t (zeroed on first use), or null when t needs none.
  float* grad_of(int32_t t) {
    if (t < 0 || !wants[t]) return nullptr;
    if (grad[t].empty()) grad[t].assign(static_cast<size_t>(num_elements(shape[t])), 0.0f);
    return grad[t].data();
  }
};

// Calls f(g, at, tap) for every output pixel and every tap of the window `n` (CONV_2D or
// DEPTHWISE_CONV_2D, weights [., kh, kw, .]) puts inside its input: g is the pixel's row of
// `gpre`, at the tapped input pixel's first element, tap = ky * kw + kx.
template <typename F>
void for_each_tap(const Node& n, const Tape& tp, const std::vector<float>& gpre, F f) {
  const Shape& xs = tp.shape[n.inputs[0]];
  const Shape& ws = tp.shape[n.inputs[1]];
  const Shape& ys = tp.shape[n.outputs[0]];
  const int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3], KH = ws[1], KW = ws[2];
  const int64_t OH = ys[1], OW = ys[2], OC = ys[3];
  const OpOptions& o = n.options;
  int64_t oh = 0, ow = 0, pt = 0, pl = 0;
  same_valid_window(o.padding, H, KH, o.stride_h, o.dilation_h, &oh, &pt);
  same_valid_window(o.padding, W, KW, o.stride_w, o.dilation_w, &ow, &pl);
  for (int64_t b = 0; b < N; ++b)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const float* g = gpre.data() + ((b * OH + oy) * OW + ox) * OC;
        for (int64_t ky = 0; ky < KH; ++ky) {
          const int64_t iy = oy * o.stride_h - pt + ky * o.dilation_h;
          if (iy < 0 || iy >= H) continue;
          for (int64_t kx = 0; kx < KW; ++kx) {
            const int64_t ix = ox * o.stride_w - pl + kx * o.dilation_w;
            if (ix >= 0 && ix < W) f(g, ((b * H + iy) * W + ix) * C, ky * KW + kx);
          }
        }
      }
}

void reverse_conv(const Node& n, Tape& tp, const float* w, const std::vector<float>& gpre) {
  const int64_t ci = tp.shape[n.inputs[0]][3], co = tp.shape[n.inputs[1]][0];
  const int64_t taps = tp.shape[n.inputs[1]][1] * tp.shape[n.inputs[1]][2];
  const float* x = tp.value[n.inputs[0]].data();
  float* dx = tp.grad_of(n.inputs[0]);
  float* dw = tp.grad_of(n.inputs[1]);
  for_each_tap(n, tp, gpre, [&](const float* g, int64_t at, int64_t tap) {
    for (int64_t oc = 0; oc < co; ++oc) {
      const float gv = g[oc];
      if (gv == 0.0f) continue;
      const int64_t wo = (oc * taps + tap) * ci;
      if (dw) {
        for (int64_t c = 0; c < ci; ++c) dw[wo + c] += gv * x[at + c];
      }
      if (dx) {
        for (int64_t c = 0; c < ci; ++c) dx[at + c] += gv * w[wo + c];
      }
    }
  });
}

void reverse_depthwise(const Node& n, Tape& tp, const float* w, const std::vector<float>& gpre) {
  const int64_t ci = tp.shape[n.inputs[0]][3], co = tp.shape[n.inputs[1]][3];
  const int64_t m = std::max<int64_t>(1, co / ci);
  const float* x = tp.value[n.inputs[0]].data();
  float* dx = tp.grad_of(n.inputs[0]);
  float* dw = tp.grad_of(n.inputs[1]);
  for_each_tap(n, tp, gpre, [&](const float* g, int64_t at, int64_t tap) {
    const int64_t wo = tap * co;
    for (int64_t oc = 0; oc < co; ++oc) {
      if (dw) dw[wo + oc] += g[oc] * x[at + oc / m];
      if (dx) dx[at + oc / m] += g[oc] * w[wo + oc];
    }
  });
}

void reverse_fully_connected(const Node& n, Tape& tp, const float* w, const std::vector<float>& gpre) {
  const Shape& ws = tp.shape[n.inputs[1]];
  const int64_t O = ws[0], I = ws[1];
  const int64_t M = num_elements(tp.shape[n.inputs[0]]) / I;
  const float* x = tp.value[n.inputs[0]].data();
  float* dx = tp.grad_of(n.inputs[0]);
  float* dw = tp.grad_of(n.inputs[1]);
  for (int64_t r = 0; r < M; ++r)
    for (int64_t o = 0; o < O; ++o) {
      const float gv = gpre[static_cast<size_t>(r * O + o)];
      if (gv == 0.0f) continue;
      if (dw)
        for (int64_t i = 0; i < I; ++i) dw[o * I + i] += gv * x[r * I + i];
      if (dx)
        for (int64_t i = 0; i < I; ++i) dx[r * I + i] += gv * w[o * I + i];
    }
}

// Max and average pooling: the window rule of ops/pool_2d.cc (in-bounds taps only).
void reverse_pool(const Node& n, Tape& tp, const std::vector<float>& gpre) {
  float* dx = tp.grad_of(n.inputs[0]);
  if (!dx) return;
  const Shape& xs = tp.shape[n.inputs[0]];
  const Shape& ys = tp.shape[n.outputs[0]];
  const int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2];
  const OpOptions& o = n.options;
  int64_t oh = 0, ow = 0, pt = 0, pl = 0;
  same_valid_window(o.padding, H, o.filter_h, o.stride_h, 1, &oh, &pt);
  same_valid_window(o.padding, W, o.filter_w, o.stride_w, 1, &ow, &pl);
  const bool max = is(n, OpCode::kMaxPool2D);
  const float* x = tp.value[n.inputs[0]].data();
  for (int64_t b = 0; b < N; ++b)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const int64_t y0 = std::max<int64_t>(0, oy * o.stride_h - pt), y1 = std::min(H, oy * o.stride_h - pt + o.filter_h);
        const int64_t x0 = std::max<int64_t>(0, ox * o.stride_w - pl), x1 = std::min(W, ox * o.stride_w - pl + o.filter_w);
        if (y0 >= y1 || x0 >= x1) continue;
        for (int64_t c = 0; c < C; ++c) {
          const float gv = gpre[static_cast<size_t>(((b * OH + oy) * OW + ox) * C + c)];
          if (gv == 0.0f) continue;
          if (max) {
            int64_t best = -1;
            for (int64_t y = y0; y < y1; ++y)
              for (int64_t xx = x0; xx < x1; ++xx) {
                const int64_t at = ((b * H + y) * W + xx) * C + c;
                if (best < 0 || x[at] > x[best]) best = at;
              }
            dx[best] += gv;
          } else {
            const float share = gv / static_cast<float>((y1 - y0) * (x1 - x0));
            for (int64_t y = y0; y < y1; ++y)
              for (int64_t xx = x0; xx < x1; ++xx) dx[((b * H + y) * W + xx) * C + c] += share;
          }
        }
      }
}

void reverse_resize_bilinear(const Node& n, Tape& tp, const std::vector<float>& g) {
  float* dx = tp.grad_of(n.inputs[0]);
  if (!dx) return;
  const Shape& xs = tp.shape[n.inputs[0]];
  const Shape& ys = tp.shape[n.outputs[0]];
  const int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2];
  std::vector<int32_t> y0, y1, x0, x1;
  std::vector<float> fy, fx;
  const OpOptions& o = n.options;
  bilinear_taps(static_cast<int32_t>(H), static_cast<int32_t>(OH), o.align_corners, o.half_pixel_centers, &y0, &y1, &fy);
  bilinear_taps(static_cast<int32_t>(W), static_cast<int32_t>(OW), o.align_corners, o.half_pixel_centers, &x0, &x1, &fx);
  for (int64_t b = 0; b < N; ++b)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const float* gp = g.data() + ((b * OH + oy) * OW + ox) * C;
        const float wy = fy[oy], wx = fx[ox];
        const int64_t corner[4] = {((b * H + y0[oy]) * W + x0[ox]) * C, ((b * H + y0[oy]) * W + x1[ox]) * C,
                                   ((b * H + y1[oy]) * W + x0[ox]) * C, ((b * H + y1[oy]) * W + x1[ox]) * C};
        const float weight[4] = {(1 - wy) * (1 - wx), (1 - wy) * wx, wy * (1 - wx), wy * wx};
        for (int k = 0; k < 4; ++k)
          for (int64_t c = 0; c < C; ++c) dx[corner[k] + c] += weight[k] * gp[c];
      }
}

void reverse_binary(const Node& n, Tape& tp, const std::vector<float>& gpre) {
  const Shape& ys = tp.shape[n.outputs[0]];
  const int32_t a = n.inputs[0], b = n.inputs[1];
  float* da = tp.grad_of(a);
  float* db = tp.grad_of(b);
  if (!da && !db) return;
  const std::vector<int64_t> ia = broadcast_offsets(tp.shape[a], ys), ib = broadcast_offsets(tp.shape[b], ys);
  const float* va = tp.value[a].data();
  const float* vb = tp.value[b].data();
  const bool mul = is(n, OpCode::kMul), sub = is(n, OpCode::kSub);
  for (size_t i = 0; i < gpre.size(); ++i) {
    const float g = gpre[i];
    if (mul) {
      if (da) da[ia[i]] += g * vb[ib[i]];
      if (db) db[ib[i]] += g * va[ia[i]];
    } else {
      if (da) da[ia[i]] += g;
      if (db) db[ib[i]] += sub ? -g : g;
    }
  }
}

void reverse_unary(const Node& n, Tape& tp, const std::vector<float>& g) {
  float* dx = tp.grad_of(n.inputs[0]);
  if (!dx) return;
  const float* x = tp.value[n.inputs[0]].data();
  const float* y = tp.value[n.outputs[0]].data();
  if (is(n, OpCode::kSoftmax)) {
    const Shape& s = tp.shape[n.outputs[0]];
    const int64_t cols = s.empty() ? 1 : s.back(), rows = num_elements(s) / std::max<int64_t>(1, cols);
    for (int64_t r = 0; r < rows; ++r) {
      double dot = 0;
      for (int64_t c = 0; c < cols; ++c) dot += static_cast<double>(g[r * cols + c]) * y[r * cols + c];
      for (int64_t c = 0; c < cols; ++c) {
        dx[r * cols + c] += n.options.beta * y[r * cols + c] * (g[r * cols + c] - static_cast<float>(dot));
      }
    }
    return;
  }
  for (size_t i = 0; i < g.size(); ++i) {
    float slope = 1.0f;
    if (is(n, OpCode::kLogistic)) {
      slope = y[i] * (1.0f - y[i]);
    } else if (is(n, OpCode::kTanh)) {
      slope = 1.0f - y[i] * y[i];
    } else if (is(n, OpCode::kRelu)) {
      slope = activation_slope(Activation::kRelu, y[i]);
    } else if (is(n, OpCode::kRelu6)) {
      slope = activation_slope(Activation::kRelu6, y[i]);
    } else if (is(n, OpCode::kReluN1To1)) {
      slope = activation_slope(Activation::kReluN1To1, y[i]);
    } else if (is(n, OpCode::kLeakyRelu)) {
      slope = x[i] > 0.0f ? 1.0f : n.options.alpha;
    } else if (is(n, OpCode::kHardSwish)) {
      slope = x[i] < -3.0f ? 0.0f : x[i] > 3.0f ? 1.0f : (2.0f * x[i] + 3.0f) / 6.0f;
    }
    dx[i] += g[i] * slope;
  }
}

}  // namespace

Status DistillationGradients::create(const Graph& g, std::unique_ptr<DistillationGradients>* out) {
  std::unique_ptr<DistillationGradients> d(new DistillationGradients());
  std::set<int32_t> trainable;
  for (const Node& n : g.nodes) {
    if (!is_layer(n) || n.inputs.size() < 2) continue;
    for (size_t slot = 1; slot < std::min<size_t>(n.inputs.size(), 3); ++slot) {
      const int32_t t = n.inputs[slot];
      if (t >= 0 && g.tensors[t].is_constant() && g.tensors[t].dtype == DType::kFloat32) trainable.insert(t);
    }
  }
  d->trainable_.assign(trainable.begin(), trainable.end());
  // Nodes on a path to an output: walk back from the outputs.
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int32_t t : g.nodes[i].outputs) producer[t] = static_cast<int>(i);
  d->needed_.assign(g.nodes.size(), 0);
  std::vector<int32_t> todo(g.outputs.begin(), g.outputs.end());
  while (!todo.empty()) {
    const int32_t t = todo.back();
    todo.pop_back();
    const int p = t >= 0 ? producer[t] : -1;
    if (p < 0 || d->needed_[p]) continue;
    d->needed_[p] = 1;
    const Node& n = g.nodes[p];
    if (!is_movement(n) && !is_computed(n)) {
      return Status::error(std::string("INT4 fine-tuning: no reverse pass for ") + op_name(n.code) + " (node " +
                           std::to_string(p) + ")");
    }
    for (int32_t in : n.inputs) todo.push_back(in);
  }
  *out = std::move(d);
  return Status();
}

Status DistillationGradients::movement_map(const Graph& g, int node, const std::vector<Shape>& shapes) {
  const Node& n = g.nodes[node];
  Graph mini;
  mini.storage = g.storage;
  Node copy = n;
  std::vector<int64_t> base(n.inputs.size(), -1);
  int64_t total = 0;
  for (size_t s = 0; s < n.inputs.size(); ++s) {
    const int32_t t = n.inputs[s];
    if (t < 0) continue;
    TensorDesc d = g.tensors[t];
    if (d.is_constant() && is(n, OpCode::kPadV2) && s == 2) {
      copy.inputs[s] = add_float_const(&mini, d.name, d.shape, std::vector<float>(num_elements(d.shape), 0.0f));
      continue;
    }
    if (!d.is_constant()) {
      if (d.dtype != DType::kFloat32) {
        return Status::error(std::string("INT4 fine-tuning: ") + op_name(n.code) + " (node " + std::to_string(node) +
                             ") reads a non-float activation");
      }
      d.shape = shapes[t];
      base[s] = total;
      total += num_elements(d.shape);
    }
    copy.inputs[s] = add_tensor(&mini, d);
    if (!d.is_constant()) mini.inputs.push_back(copy.inputs[s]);
  }
  if (total >= (int64_t{1} << 24)) return Status::error("INT4 fine-tuning: a data-movement op over 16M elements");
  for (size_t s = 0; s < n.outputs.size(); ++s) {
    TensorDesc d = g.tensors[n.outputs[s]];
    d.shape = shapes[n.outputs[s]];
    copy.outputs[s] = add_tensor(&mini, d);
    mini.outputs.push_back(copy.outputs[s]);
  }
  mini.nodes.push_back(copy);
  InterpreterOptions plain;
  plain.fuse = false;
  std::unique_ptr<Interpreter> it;
  FD_RETURN_IF_ERROR(Interpreter::create(mini, &it, plain));
  int input = 0;
  for (size_t s = 0; s < n.inputs.size(); ++s) {
    if (base[s] < 0) continue;
    RTensor& r = it->input(input++);
    for (int64_t e = 0; e < num_elements(r.shape); ++e) r.as<float>()[e] = static_cast<float>(base[s] + e + 1);
  }
  FD_RETURN_IF_ERROR(it->invoke());
  std::vector<std::vector<std::pair<int32_t, int64_t>>>& maps = moves_[node];
  maps.assign(n.outputs.size(), {});
  for (size_t o = 0; o < n.outputs.size(); ++o) {
    const RTensor& r = it->output(static_cast<int>(o));
    const int64_t count = num_elements(r.shape);
    maps[o].resize(static_cast<size_t>(count));
    for (int64_t e = 0; e < count; ++e) {
      const int64_t id = static_cast<int64_t>(r.as<float>()[e]) - 1;
      std::pair<int32_t, int64_t> src(-1, 0);
      for (size_t s = 0; s < n.inputs.size() && id >= 0; ++s) {
        if (base[s] < 0 || id < base[s] || id >= base[s] + num_elements(shapes[n.inputs[s]])) continue;
        src = {static_cast<int32_t>(s), id - base[s]};
      }
      maps[o][static_cast<size_t>(e)] = src;
    }
  }
  return Status();
}

Status row_weights(const std::vector<RowWeighting>& weighting, double weight_floor,
                   const std::vector<std::vector<float>>& t, const std::vector<Shape>& shapes, size_t o,
                   std::vector<double>* out) {
  out->clear();
  if (o >= weighting.size() || weighting[o].source < 0) return Status();
  const RowWeighting& w = weighting[o];
  const size_t s = static_cast<size_t>(w.source);
  if (s >= t.size() || s >= shapes.size() || o >= t.size() || o >= shapes.size()) {
    return Status::error("INT4 fine-tuning: row weights of output " + std::to_string(o) + " from output " +
                         std::to_string(w.source) + ", which the model does not have");
  }
  const size_t rows = t[o].size() / static_cast<size_t>(last_axis(shapes[o]));
  const int64_t sc = last_axis(shapes[s]);
  if (w.channel < 0 || w.channel >= sc || t[s].size() / static_cast<size_t>(sc) != rows) {
    return Status::error("INT4 fine-tuning: output " + std::to_string(o) + " (" + std::to_string(rows) +
                         " rows) cannot take its row weights from channel " + std::to_string(w.channel) +
                         " of output " + std::to_string(w.source) + " (" +
                         std::to_string(t[s].size() / static_cast<size_t>(sc)) + " rows of " + std::to_string(sc) + ")");
  }
  out->resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    const float v = t[s][r * static_cast<size_t>(sc) + static_cast<size_t>(w.channel)];
    (*out)[r] = weight_floor + std::min(1.0, std::max(0.0, static_cast<double>(v)));
  }
  return Status();
}

Status DistillationGradients::add(const Graph& g, const std::vector<uint8_t>& image,
                                  const std::vector<std::vector<float>>& targets, double* loss,
                                  std::map<int32_t, std::vector<float>>* grads) {
  if (targets.size() != g.outputs.size()) return Status::error("INT4 fine-tuning: one target per model output needed");
  InterpreterOptions every_tensor;
  every_tensor.fuse = false;
  std::unique_ptr<Interpreter> it;
  FD_RETURN_IF_ERROR(Interpreter::create(g, &it, every_tensor));
  Tape tp;
  tp.value.resize(g.tensors.size());
  tp.grad.resize(g.tensors.size());
  tp.shape.resize(g.tensors.size());
  tp.wants.assign(g.tensors.size(), 0);
  auto keep = [&](int32_t t) {
    const RTensor& r = it->tensor(t);
    tp.shape[t] = r.shape;
    if (r.dtype == DType::kFloat32) tp.value[t].assign(r.as<float>(), r.as<float>() + num_elements(r.shape));
  };
  it->set_observer([&](int node) {
    if (!needed_[node]) return;
    for (int32_t t : it->graph().nodes[node].outputs) keep(t);
    for (int32_t t : it->graph().nodes[node].inputs) {
      if (t >= 0 && tp.shape[t].empty() && it->tensor(t).is_constant) keep(t);
    }
  });
  FD_RETURN_IF_ERROR(set_float_image(it.get(), image));
  for (int32_t t : g.inputs) keep(t);
  FD_RETURN_IF_ERROR(it->invoke());
  for (const Node& n : g.nodes)
    for (int32_t t : n.outputs) tp.wants[t] = 1;
  for (int32_t t : trainable_) tp.wants[t] = 1;

  *loss = 0;
  std::vector<Shape> tp_shapes;
  for (int32_t t : g.outputs) tp_shapes.push_back(tp.shape[t]);
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    const int32_t t = g.outputs[o];
    const std::vector<float>& y = tp.value[t];
    if (y.size() != targets[o].size()) return Status::error("INT4 fine-tuning: a target does not match its output");
    const int64_t channels = last_axis(tp.shape[t]);
    const bool fixed = o < energy_.size();
    if (fixed && energy_[o].size() != static_cast<size_t>(channels)) {
      return Status::error("INT4 fine-tuning: the channel energies do not match output " + std::to_string(o));
    }
    std::vector<double> rows;
    FD_RETURN_IF_ERROR(row_weights(weighting_, floor_, targets, tp_shapes, o, &rows));
    *loss += output_loss(y, targets[o], channels, fixed ? &energy_[o] : nullptr, rows, tp.grad_of(t));
  }

  for (size_t k = g.nodes.size(); k-- > 0;) {
    if (!needed_[k]) continue;
    const Node& n = g.nodes[k];
    bool any = false;
    for (int32_t t : n.outputs) any = any || !tp.grad[t].empty();
    if (!any) continue;
    if (is_movement(n)) {
      if (!moves_.count(static_cast<int>(k))) FD_RETURN_IF_ERROR(movement_map(g, static_cast<int>(k), tp.shape));
      const auto& maps = moves_[static_cast<int>(k)];
      for (size_t o = 0; o < n.outputs.size(); ++o) {
        const std::vector<float>& go = tp.grad[n.outputs[o]];
        if (go.empty()) continue;
        for (size_t e = 0; e < go.size(); ++e) {
          const auto& src = maps[o][e];
          if (src.first < 0) continue;
          float* d = tp.grad_of(n.inputs[src.first]);
          if (d) d[src.second] += go[e];
        }
      }
      continue;
    }
    // The gradient before the fused activation.
    std::vector<float> gpre = tp.grad[n.outputs[0]];
    if (gpre.empty()) continue;
    if (n.options.activation != Activation::kNone) {
      const std::vector<float>& y = tp.value[n.outputs[0]];
      for (size_t i = 0; i < gpre.size(); ++i) gpre[i] *= activation_slope(n.options.activation, y[i]);
    }
    if (is_layer(n)) {
      const float* w = tp.value[n.inputs[1]].data();
      if (n.inputs.size() > 2) {
        if (float* db = tp.grad_of(n.inputs[2])) {
          const size_t c = tp.grad[n.inputs[2]].size();
          for (size_t i = 0; i < gpre.size(); ++i) db[i % c] += gpre[i];
        }
      }
      if (is(n, OpCode::kConv2D)) {
        reverse_conv(n, tp, w, gpre);
      } else if (is(n, OpCode::kDepthwiseConv2D)) {
        reverse_depthwise(n, tp, w, gpre);
      } else {
        reverse_fully_connected(n, tp, w, gpre);
      }
    } else if (is(n, OpCode::kAdd) || is(n, OpCode::kSub) || is(n, OpCode::kMul)) {
      reverse_binary(n, tp, gpre);
    } else if (is(n, OpCode::kMaxPool2D) || is(n, OpCode::kAveragePool2D)) {
      reverse_pool(n, tp, gpre);
    } else if (is(n, OpCode::kResizeBilinear)) {
      reverse_resize_bilinear(n, tp, gpre);
    } else {
      reverse_unary(n, tp, gpre);
    }
  }
  for (int32_t t : trainable_) {
    if (tp.grad[t].empty()) continue;
    std::vector<float>& acc = (*grads)[t];
    if (acc.empty()) acc.assign(tp.grad[t].size(), 0.0f);
    for (size_t i = 0; i < acc.size(); ++i) acc[i] += tp.grad[t][i];
  }
  return Status();
}

namespace {

// A bias moves every output of its channel at once, so it takes smaller steps than the weights.
// YuNet-n, all but the first and last layers INT4, one epoch on 20 images at step 0.01: output
// error 1.43 -> 2.52 with the bias step at the weight step times the layer's fan-in root, 1.04 at
// the weight step, 0.97 at a tenth of it.
constexpr float kBiasStepRatio = 0.1f;

// An INT4 channel's scale is trained too (its gradient as in learned step size quantization:
// round(w/s) - w/s inside the grid, the clipped value outside), its Adam step this fraction of
// the starting scale times Int4FinetuneOptions::step.
constexpr float kScaleStepRatio = 0.05f;

// One trained tensor: its float master copy, Adam moments and per-element step size.
struct Trained {
  int32_t tensor = -1;
  std::vector<float> master, m, v, lr;
  // INT4 weights: per-channel scales on `axis` (inner: elements per channel step on that axis).
  bool int4 = false;
  int axis = 0;
  int64_t channels = 1, inner = 1;
  std::vector<float> scales, scale_lr, scale_m, scale_v;
  int64_t channel(size_t i) const { return (static_cast<int64_t>(i) / inner) % channels; }
  float value_of(size_t i) const {
    const float s = scales[static_cast<size_t>(channel(i))];
    return std::min(7.0f, std::max(-7.0f, std::nearbyint(master[i] / s)));
  }
};

// Per output channel of a layer's weights: the INT4 step max|w| / 7 (a floor for all-zero ones).
std::vector<float> int4_steps(const std::vector<float>& w, int64_t channels, int64_t inner) {
  std::vector<float> s(static_cast<size_t>(channels), 0.0f);
  for (size_t i = 0; i < w.size(); ++i) {
    float& m = s[static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels)];
    m = std::max(m, std::fabs(w[i]) / 7.0f);
  }
  for (float& v : s) v = v > 0.0f ? v : 1e-8f;
  return s;
}

void write_weights(Graph* g, const Trained& p) {
  float* dst = const_cast<float*>(reinterpret_cast<const float*>(g->tensors[p.tensor].data));
  for (size_t i = 0; i < p.master.size(); ++i) {
    dst[i] = p.int4 ? p.scales[static_cast<size_t>(p.channel(i))] * p.value_of(i) : p.master[i];
  }
}

// A random variant of a calibration image (`w` x `h` RGB) for one training step: mirrored with
// probability 1/2, a window of 1/1.3 to all of each side cropped at a random place and scaled back to
// the full size, contrast changed by up to 1/8 and brightness by up to 16 levels. The teacher's outputs are
// computed on the same variant, so any natural-looking image serves; with 40-100 calibration images
// the plain images are learned by heart within two epochs.
Status augment(const std::vector<uint8_t>& src, int w, int h, std::mt19937* rng, std::vector<uint8_t>* out) {
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  const float zoom = 1.0f + 0.3f * unit(*rng);
  const int cw = std::max(1, static_cast<int>(std::lround(w / zoom)));
  const int ch = std::max(1, static_cast<int>(std::lround(h / zoom)));
  const int x0 = static_cast<int>(unit(*rng) * static_cast<float>(w - cw + 1)) % (w - cw + 1);
  const int y0 = static_cast<int>(unit(*rng) * static_cast<float>(h - ch + 1)) % (h - ch + 1);
  const bool mirror = unit(*rng) < 0.5f;
  std::vector<uint8_t> crop(static_cast<size_t>(cw) * ch * 3);
  for (int y = 0; y < ch; ++y) {
    for (int x = 0; x < cw; ++x) {
      const int sx = mirror ? x0 + cw - 1 - x : x0 + x;
      for (int c = 0; c < 3; ++c) {
        crop[(static_cast<size_t>(y) * cw + x) * 3 + c] = src[(static_cast<size_t>(y0 + y) * w + sx) * 3 + c];
      }
    }
  }
  out->resize(src.size());
  FD_RETURN_IF_ERROR(resize_bilinear_u8(crop.data(), cw, ch, 3, out->data(), w, h));
  const float contrast = 1.0f + 0.25f * (unit(*rng) - 0.5f);
  const float brightness = 32.0f * (unit(*rng) - 0.5f);
  for (uint8_t& v : *out) {
    const float p = (static_cast<float>(v) - 128.0f) * contrast + 128.0f + brightness;
    v = static_cast<uint8_t>(std::lround(std::min(255.0f, std::max(0.0f, p))));
  }
  return Status();
}

}  // namespace

Status finetune_int4(Graph* g, const std::vector<std::vector<uint8_t>>& images, const std::vector<int>& int4_nodes,
                     const Int4FinetuneOptions& opt, std::map<int, Int4Rounding>* rounded, double* before,
                     double* after) {
  if (images.empty()) return Status::error("INT4 fine-tuning needs at least one image");
  std::unique_ptr<DistillationGradients> dg;
  FD_RETURN_IF_ERROR(DistillationGradients::create(*g, &dg));
  std::vector<std::vector<std::vector<float>>> targets(images.size());
  std::vector<Shape> shapes;
  // The float graph as it came, kept to compute the targets of augmented images.
  std::unique_ptr<Interpreter> teacher;
  FD_RETURN_IF_ERROR(Interpreter::create(*g, &teacher));
  for (size_t i = 0; i < images.size(); ++i) {
    FD_RETURN_IF_ERROR(run_float_outputs(teacher.get(), images[i], &targets[i], i ? nullptr : &shapes));
  }
  // Each output channel's error is taken relative to that channel's mean energy over the images,
  // not the image's own: on variants, a channel near zero in one image blew its relative error up
  // (YuNet-n aggressive, 10 epochs: epoch losses jumping fivefold, 51.86 AP; with the mean
  // energy, 53.76).
  // The row weights of each image's outputs (fixed: its targets are).
  std::vector<std::vector<std::vector<double>>> rows(images.size(), std::vector<std::vector<double>>(shapes.size()));
  for (size_t i = 0; i < images.size(); ++i) {
    for (size_t o = 0; o < shapes.size(); ++o) {
      FD_RETURN_IF_ERROR(row_weights(opt.weighting, opt.weight_floor, targets[i], shapes, o, &rows[i][o]));
    }
  }
  std::vector<std::vector<double>> energy(shapes.size());
  for (size_t o = 0; o < shapes.size(); ++o) {
    const size_t c = static_cast<size_t>(last_axis(shapes[o]));
    energy[o].assign(c, 1e-12);
    for (size_t n = 0; n < targets.size(); ++n) {
      const std::vector<float>& t = targets[n][o];
      const std::vector<double>& w = rows[n][o];
      for (size_t i = 0; i < t.size(); ++i) {
        energy[o][i % c] += (w.empty() ? 1.0 : w[i / c]) * t[i] * t[i] / static_cast<double>(targets.size());
      }
    }
  }
  dg->set_channel_energy(energy);
  dg->set_row_weighting(opt.weighting, opt.weight_floor);
  const Shape& input = g->tensors[static_cast<size_t>(g->inputs[0])].shape;
  const bool augmenting = opt.augment && input.size() == 4 && input[0] == 1 && input[3] == 3;
  const int width = augmenting ? static_cast<int>(input[2]) : 0, height = augmenting ? static_cast<int>(input[1]) : 0;

  // The trained tensors: every layer weight (its step: the INT4 or INT8 step of its channel) and
  // bias (step: kBiasStepRatio times its channel's weight step).
  const std::set<int> int4(int4_nodes.begin(), int4_nodes.end());
  std::map<int32_t, Trained> trained;
  std::map<int, int32_t> weight_of;  // INT4 node -> weight tensor
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    const Node& n = g->nodes[k];
    if (!is_layer(n) || n.inputs.size() < 2) continue;
    const int32_t wt = n.inputs[1];
    if (!std::binary_search(dg->trainable().begin(), dg->trainable().end(), wt) || trained.count(wt)) continue;
    const TensorDesc& d = g->tensors[wt];
    Trained p;
    p.tensor = wt;
    p.axis = is(n, OpCode::kDepthwiseConv2D) ? 3 : 0;
    if (d.shape.size() <= static_cast<size_t>(p.axis)) continue;
    p.channels = d.shape[p.axis];
    for (size_t a = static_cast<size_t>(p.axis) + 1; a < d.shape.size(); ++a) p.inner *= d.shape[a];
    p.master = float_data(d);
    std::vector<float> steps = int4_steps(p.master, p.channels, p.inner);
    auto r = rounded->find(static_cast<int>(k));
    const bool has_rounding = r != rounded->end() && r->second.weight_tensor == wt &&
                              r->second.values.size() == p.master.size() &&
                              r->second.scales.size() == static_cast<size_t>(p.channels) && r->second.axis == p.axis;
    if (int4.count(static_cast<int>(k))) {
      p.int4 = true;
      weight_of[static_cast<int>(k)] = wt;
      if (has_rounding) {
        p.scales = r->second.scales;
        p.master = r->second.dequantized(d.shape);
      } else {
        p.scales = steps;
      }
      steps = p.scales;
    } else {
      // A layer kept in INT8 steps in INT8 steps: at its INT4 step the many INT8 layers of a
      // size-budget file moved too fast (YuNet-n with 12 INT4 layers, 4 images, 3 epochs at step
      // 0.003: output error 0.194 unchanged, at INT8 steps 0.194 -> 0.091).
      for (float& v : steps) v *= 7.0f / 127.0f;
    }
    p.lr.resize(p.master.size());
    for (size_t i = 0; i < p.lr.size(); ++i) p.lr[i] = opt.step * steps[static_cast<size_t>(p.channel(i))];
    const int32_t bt = n.inputs.size() > 2 ? n.inputs[2] : -1;
    if (bt >= 0 && std::binary_search(dg->trainable().begin(), dg->trainable().end(), bt) && !trained.count(bt)) {
      Trained b;
      b.tensor = bt;
      b.master = float_data(g->tensors[bt]);
      if (p.int4 && has_rounding) b.master = r->second.corrected_bias(b.master);
      b.lr.resize(b.master.size());
      for (size_t c = 0; c < b.lr.size(); ++c) b.lr[c] = opt.step * kBiasStepRatio * steps[std::min(c, steps.size() - 1)];
      b.inner = 1;
      b.channels = static_cast<int64_t>(b.master.size());
      trained[bt] = std::move(b);
    }
    trained[wt] = std::move(p);
  }
  for (auto& e : trained) {
    Trained& p = e.second;
    set_float_data(g, p.tensor, p.master);  // storage of its own, rewritten in place below
    p.m.assign(p.master.size(), 0.0f);
    p.v.assign(static_cast<size_t>(p.channels), 0.0f);
    if (p.int4 && opt.train_scales) {
      p.scale_lr.resize(p.scales.size());
      for (size_t c = 0; c < p.scales.size(); ++c) p.scale_lr[c] = opt.step * kScaleStepRatio * p.scales[c];
      p.scale_m.assign(p.scales.size(), 0.0f);
      p.scale_v.assign(p.scales.size(), 0.0f);
    }
  }
  auto write_all = [&]() {
    for (const auto& e : trained) write_weights(g, e.second);
  };
  // Every fifth image is held out (all images are used for both when there are fewer than five):
  // training keeps the weights of the epoch with the lowest error on the held-out ones, the
  // starting weights included, so it never ends worse there than it began.
  std::vector<size_t> train, held_out;
  for (size_t i = 0; i < images.size(); ++i) (images.size() >= 5 && i % 5 == 4 ? held_out : train).push_back(i);
  if (held_out.empty()) held_out = train;
  auto held_out_loss = [&](double* out) -> Status {
    write_all();
    std::unique_ptr<Interpreter> it;  // prepared once per evaluation: the weights are fixed here
    FD_RETURN_IF_ERROR(Interpreter::create(*g, &it));
    double sum = 0;
    for (size_t i : held_out) {
      std::vector<std::vector<float>> y;
      FD_RETURN_IF_ERROR(run_float_outputs(it.get(), images[i], &y));
      for (size_t o = 0; o < y.size(); ++o) {
        sum += output_loss(y[o], targets[i][o], last_axis(shapes[o]), &energy[o], rows[i][o], nullptr);
      }
    }
    *out = sum / static_cast<double>(held_out.size());
    return Status();
  };
  FD_RETURN_IF_ERROR(held_out_loss(before));
  *after = *before;
  std::map<int32_t, std::vector<float>> best, best_scales;
  auto keep_best = [&]() {
    for (const auto& e : trained) {
      best[e.first] = e.second.master;
      best_scales[e.first] = e.second.scales;
    }
  };
  keep_best();

  const int batch = std::max(1, opt.batch);
  const int steps_per_epoch = static_cast<int>((train.size() + batch - 1) / batch);
  const int total = std::max(1, opt.epochs * steps_per_epoch);
  const double warmup = std::max(1, total / 4);
  std::vector<size_t> order = train;
  std::mt19937 rng(12345);
  int step = 0;
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    double epoch_loss = 0;
    for (size_t first = 0; first < order.size(); first += batch, ++step) {
      write_all();
      std::map<int32_t, std::vector<float>> grads;
      const size_t last = std::min(order.size(), first + batch);
      for (size_t i = first; i < last; ++i) {
        double loss = 0;
        if (augmenting) {
          std::vector<uint8_t> variant;
          std::vector<std::vector<float>> variant_targets;
          FD_RETURN_IF_ERROR(augment(images[order[i]], width, height, &rng, &variant));
          FD_RETURN_IF_ERROR(run_float_outputs(teacher.get(), variant, &variant_targets));
          FD_RETURN_IF_ERROR(dg->add(*g, variant, variant_targets, &loss, &grads));
        } else {
          FD_RETURN_IF_ERROR(dg->add(*g, images[order[i]], targets[order[i]], &loss, &grads));
        }
        epoch_loss += loss;
      }
      // Adam, the rate rising linearly over the first quarter of the run (full-size first steps
      // of every weight at once undo more than they fix), then decaying on a cosine to zero.
      const double t = step + 1;
      const double rate = std::min(1.0, t / warmup) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * step / total));
      const double c1 = 1.0 - std::pow(0.9, t), c2 = 1.0 - std::pow(0.999, t);
      for (auto& e : grads) {
        Trained& p = trained[e.first];
        std::vector<float>& gr = e.second;
        for (float& v : gr) v /= static_cast<float>(last - first);
        std::vector<double> scale_grad(p.scale_lr.size(), 0.0);
        for (size_t i = 0; !scale_grad.empty() && i < gr.size(); ++i) {
          const size_t c = static_cast<size_t>(p.channel(i));
          const float q = p.value_of(i);
          const bool clipped = std::fabs(p.master[i]) > 7.5f * p.scales[c];
          scale_grad[c] += static_cast<double>(gr[i]) * (clipped ? q : q - p.master[i] / p.scales[c]);
        }
        for (size_t i = 0; i < gr.size(); ++i) {
          // Straight-through estimate, zero where the INT4 grid clips.
          if (p.int4 && std::fabs(p.master[i]) > 7.5f * p.scales[static_cast<size_t>(p.channel(i))]) gr[i] = 0.0f;
        }
        // The second moment per channel (the gradient's mean square over the channel), so a
        // weight moves in proportion to its own gradient and no faster than lr in RMS.
        std::vector<double> square(static_cast<size_t>(p.channels), 0.0);
        for (size_t i = 0; i < gr.size(); ++i) {
          square[static_cast<size_t>(p.channel(i))] += static_cast<double>(gr[i]) * gr[i];
        }
        for (int64_t c = 0; c < p.channels; ++c) {
          p.v[static_cast<size_t>(c)] = static_cast<float>(0.999 * p.v[static_cast<size_t>(c)] +
                                                           0.001 * square[static_cast<size_t>(c)] * p.channels / gr.size());
        }
        for (size_t i = 0; i < p.master.size(); ++i) {
          p.m[i] = 0.9f * p.m[i] + 0.1f * gr[i];
          const double mh = p.m[i] / c1, vh = p.v[static_cast<size_t>(p.channel(i))] / c2;
          p.master[i] -= static_cast<float>(rate * p.lr[i] * mh / (std::sqrt(vh) + 1e-30));
        }
        for (size_t c = 0; c < scale_grad.size(); ++c) {
          p.scale_m[c] = static_cast<float>(0.9 * p.scale_m[c] + 0.1 * scale_grad[c]);
          p.scale_v[c] = static_cast<float>(0.999 * p.scale_v[c] + 0.001 * scale_grad[c] * scale_grad[c]);
          const double mh = p.scale_m[c] / c1, vh = p.scale_v[c] / c2;
          p.scales[c] = std::max(1e-8f, p.scales[c] - static_cast<float>(rate * p.scale_lr[c] * mh / (std::sqrt(vh) + 1e-30)));
        }
      }
    }
    double held = 0;
    FD_RETURN_IF_ERROR(held_out_loss(&held));
    std::fprintf(stderr, "INT4 fine-tuning: epoch %d/%d, loss %.5f, held-out %.5f\n", epoch + 1, opt.epochs,
                 epoch_loss / static_cast<double>(train.size()), held);
    if (held < *after) {
      *after = held;
      keep_best();
    }
  }
  for (auto& e : trained) {
    e.second.master = best[e.first];
    e.second.scales = best_scales[e.first];
  }
  write_all();

  for (const auto& e : weight_of) {
    const Trained& p = trained[e.second];
    Int4Rounding r;
    r.weight_tensor = p.tensor;
    r.axis = p.axis;
    r.scales = p.scales;
    r.values.resize(p.master.size());
    for (size_t i = 0; i < p.master.size(); ++i) r.values[i] = static_cast<int8_t>(p.value_of(i));
    (*rounded)[e.first] = std::move(r);
  }
  return Status();
}

}  // namespace fd
