// Graph rewrites: folding input normalization and channel order into the first convolution.
#include "model/graph_transforms.h"

#include <cstring>
#include <memory>
#include <vector>

namespace fd {
namespace {

// Replaces tensor `t`'s constant payload with `values` (new storage owned by the graph).
void set_float_data(Graph* g, int t, const std::vector<float>& values) {
  auto buf = std::make_shared<std::vector<uint8_t>>(values.size() * sizeof(float));
  std::memcpy(buf->data(), values.data(), buf->size());
  g->storage.push_back(buf);
  g->tensors[t].data = buf->data();
  g->tensors[t].data_bytes = buf->size();
}

std::vector<float> float_data(const TensorDesc& t) {
  std::vector<float> v(t.data_bytes / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), t.data, v.size() * sizeof(float));
  return v;
}

}  // namespace

Status fold_input_normalization(Graph* g, const float mean[3], const float std[3], bool bgr) {
  if (g->inputs.size() != 1) return Status::error("fold_input_normalization: the graph must have one input");
  const int input = g->inputs[0];
  const TensorDesc& in = g->tensors[input];
  if (in.dtype != DType::kFloat32 || in.shape.size() != 4 || in.shape[3] != 3) {
    return Status::error("fold_input_normalization: the input must be FLOAT32 [N, H, W, 3], got " + shape_str(in.shape));
  }
  for (int c = 0; c < 3; ++c) {
    if (!(std[c] != 0.0f)) return Status::error("fold_input_normalization: std must be non-zero");
  }
  int consumer = -1;
  for (size_t k = 0; k < g->nodes.size(); ++k) {
    for (int32_t i : g->nodes[k].inputs) {
      if (i != input) continue;
      if (consumer >= 0 && consumer != static_cast<int>(k)) {
        return Status::error("fold_input_normalization: the input feeds more than one node");
      }
      consumer = static_cast<int>(k);
    }
  }
  if (consumer < 0) return Status::error("fold_input_normalization: nothing reads the input");
  int conv_input = input;
  if (g->nodes[consumer].code == static_cast<int32_t>(OpCode::kPad)) {
    // An explicit zero PAD in front of the convolution (the importer's non-SAME padding).
    conv_input = g->nodes[consumer].outputs[0];
    consumer = -1;
    for (size_t k = 0; k < g->nodes.size(); ++k) {
      for (int32_t i : g->nodes[k].inputs) {
        if (i != conv_input) continue;
        if (consumer >= 0) return Status::error("fold_input_normalization: the padded input feeds more than one node");
        consumer = static_cast<int>(k);
      }
    }
    if (consumer < 0) return Status::error("fold_input_normalization: nothing reads the padded input");
  }
  Node& n = g->nodes[consumer];
  const bool conv = n.code == static_cast<int32_t>(OpCode::kConv2D);
  const bool dw = n.code == static_cast<int32_t>(OpCode::kDepthwiseConv2D);
  if ((!conv && !dw) || n.inputs[0] != conv_input || n.inputs.size() < 3 || n.inputs[2] < 0) {
    return Status::error("fold_input_normalization: the input must feed a convolution with weights and bias");
  }
  const int wt = n.inputs[1], bt = n.inputs[2];
  if (!g->tensors[wt].is_constant() || !g->tensors[bt].is_constant() || g->tensors[wt].dtype != DType::kFloat32 ||
      g->tensors[bt].dtype != DType::kFloat32) {
    return Status::error("fold_input_normalization: the first convolution needs constant FLOAT32 weights and bias");
  }
  if (dw && n.options.depth_multiplier != 1 && bgr) {
    return Status::error("fold_input_normalization: cannot reorder channels of a depthwise convolution with a multiplier");
  }
  // src[c] = model channel fed by RGB channel c.
  const int model_of_rgb[3] = {bgr ? 2 : 0, 1, bgr ? 0 : 2};
  std::vector<float> w = float_data(g->tensors[wt]), b = float_data(g->tensors[bt]);
  const Shape ws = g->tensors[wt].shape;  // conv [O, KH, KW, 3]; depthwise [1, KH, KW, 3 * M]
  const int64_t taps = static_cast<int64_t>(ws[1]) * ws[2];
  std::vector<float> nw(w.size());
  if (conv) {
    const int64_t O = ws[0];
    for (int64_t o = 0; o < O; ++o) {
      for (int64_t t = 0; t < taps; ++t) {
        for (int c = 0; c < 3; ++c) {
          const int m = model_of_rgb[c];
          const float v = w[(o * taps + t) * 3 + m];
          nw[(o * taps + t) * 3 + c] = v / std[m];
          b[o] -= v * mean[m] / std[m];
        }
      }
    }
  } else {
    const int64_t M = n.options.depth_multiplier, O = ws[3];
    std::vector<float> nb(b.size());
    for (int c = 0; c < 3; ++c) {
      const int m = model_of_rgb[c];
      for (int64_t j = 0; j < M; ++j) {
        float acc = b[m * M + j];
        for (int64_t t = 0; t < taps; ++t) {
          const float v = w[t * O + m * M + j];
          nw[t * O + c * M + j] = v / std[m];
          acc -= v * mean[m] / std[m];
        }
        nb[c * M + j] = acc;
      }
    }
    b = nb;
  }
  set_float_data(g, wt, nw);
  set_float_data(g, bt, b);
  return Status();
}

}  // namespace fd
