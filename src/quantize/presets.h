// Converter presets: the preprocessing and the featherdet metadata (vision/decoder_config.h) of
// the model families featherdet ships decoders for.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "quantize/int4_finetune.h"
#include "vision/decoder_config.h"
#include "vision/json.h"

namespace fd {

// What `featherdet-convert --preset NAME` fills in.
struct Preset {
  std::string name;                 // yunet | nanodet | fastestdet | yolov8 | yolox
  std::string family;               // metadata "family"
  int width = 0, height = 0;        // default input size
  PixelMapping pixels;              // the family's upstream preprocessing, folded by the converter
  std::string resize = "stretch";   // "stretch" | "letterbox"
  std::string align;                // letterbox "center" | "top-left" (empty: the family's default)
  int pad_value = -1;               // letterbox fill (-1: the family's default)
  float split_channels = 0;         // default --split-channels ratio (0: off)
  std::vector<int> strides;         // grid families
  int reg_max = -1;                 // nanodet
  // Output roles -> tensor names in stride order; an empty list means "the model's outputs".
  std::vector<std::pair<std::string, std::vector<std::string>>> outputs;
  bool coco_labels = false;         // labels: the 80 COCO names (otherwise "face")
  std::vector<std::string> keypoints;
  double score_threshold = 0.5, iou_threshold = 0.45;
  int max_results = 100;
  std::string license, repository, url;
};

// The preset called `name`; fails naming the known presets.
Status find_preset(const std::string& name, Preset* out);

// Rewrites the graph the way the preset's family quantizes best, updating p->outputs. yolox:
// the single [1, N, 5+C] output concatenates box regressions, objectness and class scores of
// very different ranges (one INT8 scale would blur the scores); the graph is cut before it, at
// each stride's [1, H, W, 4] box, [1, H, W, 1] objectness and [1, H, W, C] class tensors (found
// as the three inputs of a channel CONCATENATION, finest stride first), which become roles
// "reg", "obj" and "cls". Other presets, or a yolox graph without that head, stay as they are.
// Needs the graph's shapes filled in.
Status cut_preset_head(Graph* graph, Preset* p);

// How INT4 fine-tuning weighs the rows of `graph`'s outputs (int4_finetune.h) for `p`'s family:
// by the model's own objectness, where the family has one. yolox and yunet: each stride's
// outputs by that stride's "obj" output; fastestdet: its NHWC [1, H, W, 5+C] "pred" by channel 0.
// Empty (every row weighs 1) for other families (nanodet has no objectness) and for graphs whose
// outputs are not laid out that way.
std::vector<RowWeighting> preset_row_weighting(const Preset& p, const Graph& graph);

// Builds the "featherdet" metadata object for `p` at `width` x `height` with `labels`, the
// source file's name and sha256, and the model's output tensor names (used by presets whose
// outputs are "the model's outputs").
JsonValue preset_metadata(const Preset& p, int width, int height, const std::vector<std::string>& labels,
                          const std::string& source_file, const std::string& sha256,
                          const std::vector<std::string>& model_outputs);

// Serializes `v` as compact JSON.
std::string json_to_string(const JsonValue& v);

}  // namespace fd
