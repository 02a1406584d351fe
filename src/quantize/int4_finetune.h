// Quantization-aware fine-tuning of INT4 layers by distillation. Post-training rounding (GPTQ,
// int4_rounding.h) fits each layer alone; with most of a model's weights in INT4 the errors of
// many layers compound. Here the whole float graph is trained, its INT4 layers' weights
// fake-quantized on per-channel grids (straight-through gradient inside the clipping range; the
// grids' scales trained too), to reproduce the float model's own outputs (no labels: the loss is
// the squared error of every channel of every model output against the original float graph,
// relative to that channel's energy; a detector's cells weighted by its objectness there) on
// random variants of the calibration images (mirrored, cropped, relit: on the plain 50-128 images
// the held-out error stopped falling after one or two epochs).
// Every CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weight and bias is trained, so the layers
// kept in INT8 compensate too. The optimizer is Adam with each weight's step a fraction of its
// channel's quantization step (INT4 or INT8) and the second moment kept per output channel
// (per-weight moments move weights with near-zero gradients as far as the others). Gradients come
// from a reverse pass over the forward values the native interpreter records.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "quantize/int4_rounding.h"

namespace fd {

// Where one output's rows (its elements grouped by the last axis: one cell, anchor or position
// of a detector) take their weight in the distillation loss: weight_floor + t, t the float
// model's value, clamped to [0, 1], of channel `channel` of output `source` at the same row (a
// detector's objectness), so that errors count where the model sees something (weight_floor
// keeps the background's false positives in the loss). source -1: all rows weigh 1.
struct RowWeighting {
  int source = -1;
  int64_t channel = 0;
};

// The per-row weights of output `o` under `weighting` for targets `t` (one vector per output),
// empty when that output's rows all weigh 1. Fails when the source output has another row count.
Status row_weights(const std::vector<RowWeighting>& weighting, double weight_floor,
                   const std::vector<std::vector<float>>& t, const std::vector<Shape>& shapes, size_t o,
                   std::vector<double>* out);

// The distillation loss of a graph and its gradient with respect to its trainable tensors: the
// constant FLOAT32 weights and biases of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED nodes.
class DistillationGradients {
 public:
  // Fails, naming the op, when a node on the path to the outputs has no reverse pass here.
  static Status create(const Graph& graph, std::unique_ptr<DistillationGradients>* out);

  // Per graph output, per channel: the |t_oc|^2 that `add` divides by instead of each image's own.
  void set_channel_energy(std::vector<std::vector<double>> energy) { energy_ = std::move(energy); }

  // Per graph output, how its rows are weighted (row_weights); missing outputs: uniformly.
  void set_row_weighting(std::vector<RowWeighting> weighting, double weight_floor) {
    weighting_ = std::move(weighting);
    floor_ = weight_floor;
  }

  // The trainable tensors (graph tensor indices, ascending).
  const std::vector<int32_t>& trainable() const { return trainable_; }

  // Runs `graph` (the same structure as at create; constants may hold other values) on `image`
  // (raw pixels, the input's element count) and adds to `grads` (keyed by tensor, sized on first
  // use) the gradient of the sum over outputs o of the mean over their channels c (last axis) of
  // sum_r w_r |y_orc - t_orc|^2 / sum_r w_r |t_orc|^2 (or / the energy set_channel_energy gave),
  // w_r the row weights (set_row_weighting; 1 by default), `targets` holding t_o per graph
  // output. Sets *loss to that sum.
  Status add(const Graph& graph, const std::vector<uint8_t>& image, const std::vector<std::vector<float>>& targets,
             double* loss, std::map<int32_t, std::vector<float>>* grads);

 private:
  DistillationGradients() = default;
  Status movement_map(const Graph& graph, int node, const std::vector<Shape>& shapes);

  std::vector<int32_t> trainable_;
  std::vector<std::vector<double>> energy_;  // set_channel_energy (empty: each image's own)
  std::vector<RowWeighting> weighting_;
  double floor_ = 0;
  std::vector<char> needed_;  // per node: some output feeds a graph output (reverse pass runs)
  // Per data-movement node (reshape, transpose, concatenation, pad, nearest resize, ...): for
  // each output tensor, each element's source as (input slot, element), or slot -1 (a constant).
  std::map<int, std::vector<std::vector<std::pair<int32_t, int64_t>>>> moves_;
};

struct Int4FinetuneOptions {
  int epochs = 4;
  int batch = 1;        // images per Adam step
  float step = 0.01f;   // Adam learning rate, in quantization steps of each weight's channel
  bool augment = true;  // train on random variants of the images (mirrored, cropped, lit)
  bool train_scales = true;  // train the INT4 layers' per-channel scales too
  // Per graph output, how the loss weighs its rows (empty: uniformly), and the weight's floor.
  std::vector<RowWeighting> weighting;
  double weight_floor = 0.05;
};

// Fine-tunes `graph` in place on `images` so that, with the weights of `int4_nodes` rounded to
// INT4, its outputs match the original graph's. `rounded` (keyed by node) gives the INT4 layers'
// per-channel scales to start from (a layer without an entry gets max|w| / 7); on return it holds,
// for every node of `int4_nodes`, the trained scales and values (no bias correction: the trained
// bias is in the graph), and the graph holds scale * value as those layers' weights.
// Every fifth image is held out of training (with fewer than five, all images serve both); the
// result is the epoch's weights with the lowest loss on the held-out images, the starting ones
// included. *before / *after: that held-out loss at the start and of the weights returned.
Status finetune_int4(Graph* graph, const std::vector<std::vector<uint8_t>>& images, const std::vector<int>& int4_nodes,
                     const Int4FinetuneOptions& options, std::map<int, Int4Rounding>* rounded, double* before,
                     double* after);

}  // namespace fd
