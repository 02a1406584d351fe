// featherdet-convert: fp32 ONNX (or float TFLite) -> full-integer INT8 TFLite with featherdet
// metadata, calibrated on a folder of images. See usage() for the options.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "vision/json.h"
#include "model/fuse_activations.h"
#include "model/graph_edit.h"
#include "model/graph_transforms.h"
#include "model/onnx_reader.h"
#include "model/tflite_reader.h"
#include "model/tflite_writer.h"
#include "quantize/calibration_images.h"
#include "quantize/fold_constants.h"
#include "quantize/int4_choice.h"
#include "quantize/int4_finetune.h"
#include "quantize/post_training.h"
#include "quantize/presets.h"
#include "quantize/report.h"
#include "quantize/sha256.h"
#include "runtime/interpreter.h"
#include "vision/decoder_config.h"

namespace fd {
namespace {

const char* kUsage =
    "usage: featherdet-convert MODEL.onnx -o OUT.tflite --calib DIR [options]\n"
    "\n"
    "Converts an fp32 ONNX model (or a float .tflite) into a full-integer INT8 TFLite file whose\n"
    "input takes raw RGB pixels (INT8, scale 1, zero point -128), calibrated on DIR's images.\n"
    "\n"
    "  -o, --output FILE        output .tflite\n"
    "  --calib DIR              calibration images (.jpg .jpeg .png .bmp), required unless --float\n"
    "  --calib-limit N          use at most N images (sorted by name; default 100)\n"
    "  --input-size WxH         input size (default: the preset's, else the model's)\n"
    "  --preset NAME            yunet | nanodet | fastestdet | yolov8 | yolox: normalization,\n"
    "                           channel order\n"
    "                           and the featherdet metadata (family, strides, outputs, labels)\n"
    "  --mean a,b,c --std a,b,c the model's own input normalization (model channel order)\n"
    "  --bgr                    the model expects BGR channel order\n"
    "  --labels FILE            class names, one a line (default for COCO presets: coco.names\n"
    "                           beside the model)\n"
    "  --calibration METHOD     minmax | percentile | mse (default mse: lowest output error on\n"
    "                           YuNet and NanoDet; percentile did best on FastestDet)\n"
    "  --percentile P           kept percentage for --calibration percentile (default 99.99)\n"
    "  --keep-float NODE...     keep these nodes in float (NODE: a tensor the node produces, or #N)\n"
    "  --int4 NODE...           store these CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED nodes'\n"
    "                           weights as TFLite INT4 (symmetric, values in [-7, 7]: half the\n"
    "                           weight bytes, less precision; NODE as for --keep-float), rounded\n"
    "                           with the layer's input statistics on 32 calibration images (GPTQ)\n"
    "                           and its bias corrected for the rounding's mean shift\n"
    "  --int4-mode MODE         choose INT4 layers by measurement (each layer alone in INT4 on 8\n"
    "                           calibration images, each output's relative error vs float, mean\n"
    "                           over the outputs; least error per byte saved first): accuracy\n"
    "                           (while the summed error stays <= --int4-error, default 0.2) or\n"
    "                           aggressive (all but the first and last layers)\n"
    "  --size-budget BYTES      add INT4 layers, least harmful first, until the file fits\n"
    "  --int8-twin FILE         also write the model with its INT4 weights stored as INT8 (the\n"
    "                           very same values): what a runtime's INT4 path must match\n"
    "                           (LiteRT.js rounds INT4 depthwise layers unlike their INT8 form;\n"
    "                           featherdet runs both files identically)\n"
    "  --int4-finetune EPOCHS   after choosing the INT4 layers, train the float graph for EPOCHS\n"
    "                           passes over the calibration images to reproduce its own outputs\n"
    "                           with those layers' weights on their INT4 grids (distillation,\n"
    "                           straight-through rounding; every weight and bias trained, and\n"
    "                           the INT4 layers' scales; every fifth image held out, the best\n"
    "                           epoch on it kept); then calibrate and quantize the trained graph\n"
    "                           (default 0 = off)\n"
    "  --int4-finetune-step S   Adam step in quantization steps (INT4 or INT8; default 0.01)\n"
    "  --int4-finetune-batch N  images per Adam step (default 1)\n"
    "  --int4-finetune-plain    train on the images as they are (default: a random mirrored,\n"
    "                           cropped and relit variant of each image in every epoch)\n"
    "  --int4-finetune-fixed-scales  keep the INT4 layers' scales as rounding chose them\n"
    "  --int4-finetune-uniform  weigh every output cell alike (default for presets whose family\n"
    "                           has an objectness output, yolox, yunet and fastestdet: each\n"
    "                           cell's error weighs 0.05 + the float model's objectness there)\n"
    "  --int4-finetune-floor F  that 0.05\n"
    "  --outputs TENSOR...      make these tensors the model outputs (in this order) and drop\n"
    "                           what they do not depend on (default: the model's outputs; the\n"
    "                           yolox preset cuts the head before its final concatenation)\n"
    "  --float-outputs          dequantize the model outputs to FLOAT32\n"
    "  --prune                  remove dead (all-zero) depthwise channels of 1x1 -> depthwise -> 1x1\n"
    "                           chains, their bias folded into the last conv\n"
    "  --channels-last-reshapes keep channel shuffles / head flattens NHWC (fewer TRANSPOSEs and\n"
    "                           RESHAPEs; default off: the NCHW round trip mirrors the ONNX graph)\n"
    "  --split-channels R       split CONV -> [SiLU] -> depthwise -> [SiLU] chains whose activation's\n"
    "                           channel ranges span more than R times into two channel groups with\n"
    "                           their own INT8 scales (exact in float; default 0 = off, yolox: 32)\n"
    "  --per-tensor-ratio R     per-tensor (not per-channel) conv weights where the channels' max|w|\n"
    "                           span at most R times (default 0: always per-channel)\n"
    "  --report                 per-layer INT8 vs fp32 error on the calibration set, worst first\n"
    "  --float                  write the FLOAT32 graph (normalization folded) instead\n"
    "  --metadata-json FILE     JSON merged over the preset's featherdet metadata\n";

Status read_bytes(const std::string& path, const std::string& what, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::error("cannot read " + what + " '" + path + "'");
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return Status();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status parse_triple(const std::string& flag, const std::string& v, float out[3]) {
  if (std::sscanf(v.c_str(), "%f,%f,%f", &out[0], &out[1], &out[2]) == 3) return Status();
  if (std::sscanf(v.c_str(), "%f", &out[0]) == 1 && v.find(',') == std::string::npos) {
    out[1] = out[2] = out[0];
    return Status();
  }
  return Status::error(flag + " needs one number or three separated by commas, got '" + v + "'");
}

Status write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  if (!f || !f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    return Status::error("cannot write '" + path + "'");
  }
  return Status();
}

struct Args {
  std::string model, output, int8_twin, calib, preset, labels, metadata_json, method = "mse";
  size_t calib_limit = 100;
  int width = 0, height = 0;
  float mean[3] = {0, 0, 0}, std[3] = {1, 1, 1};
  bool has_norm = false, bgr = false, report = false, float_model = false, float_outputs = false;
  float per_tensor_ratio = 0.0f;
  float split_channels = -1.0f;  // unset: the preset's
  bool prune = false, channels_last = false;
  double percentile = 99.99;
  std::vector<std::string> keep_float, int4_weights, outputs;
  std::string int4_mode;    // "", "accuracy" or "aggressive"
  double int4_error = 0.2;  // accuracy mode: bound on the summed model-output error (see README)
  size_t size_budget = 0;    // bytes; 0 = none
  Int4FinetuneOptions finetune = [] {  // --int4-finetune EPOCHS (0: none) and its options
    Int4FinetuneOptions o;
    o.epochs = 0;
    return o;
  }();
  bool finetune_uniform = false;    // --int4-finetune-uniform
};

// Images the INT4 choice measures each candidate layer on.
constexpr size_t kInt4SampleImages = 8;
// Images whose layer inputs the data-aware INT4 rounding takes its statistics from.
constexpr size_t kInt4RoundingImages = 32;

Status parse_args(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) -> Status {
      if (i + 1 >= argc) return Status::error(arg + " needs a value");
      *out = argv[++i];
      return Status();
    };
    // One or more names up to the next option (repeatable).
    auto names = [&](std::vector<std::string>* out, const char* what) -> Status {
      const size_t before = out->size();
      while (i + 1 < argc && argv[i + 1][0] != '-') out->push_back(argv[++i]);
      if (out->size() == before) return Status::error(arg + " needs at least one " + what);
      return Status();
    };
    // A number >= 0.
    auto non_negative = [&](auto* out) -> Status {
      if (i + 1 >= argc) return Status::error(arg + " needs a value");
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(std::strtod(argv[++i], nullptr));
      if (!(*out >= 0)) return Status::error(arg + " must be >= 0");
      return Status();
    };
    std::string v;
    if (arg == "-o" || arg == "--output") {
      FD_RETURN_IF_ERROR(value(&a->output));
    } else if (arg == "--int8-twin") {
      FD_RETURN_IF_ERROR(value(&a->int8_twin));
    } else if (arg == "--calib") {
      FD_RETURN_IF_ERROR(value(&a->calib));
    } else if (arg == "--calib-limit") {
      FD_RETURN_IF_ERROR(value(&v));
      const long n = std::strtol(v.c_str(), nullptr, 10);
      if (n <= 0) return Status::error("--calib-limit needs a positive count, got '" + v + "'");
      a->calib_limit = static_cast<size_t>(n);
    } else if (arg == "--input-size") {
      FD_RETURN_IF_ERROR(value(&v));
      if (std::sscanf(v.c_str(), "%dx%d", &a->width, &a->height) != 2 || a->width <= 0 || a->height <= 0) {
        return Status::error("--input-size needs WxH (e.g. 320x320), got '" + v + "'");
      }
    } else if (arg == "--preset") {
      FD_RETURN_IF_ERROR(value(&a->preset));
    } else if (arg == "--mean" || arg == "--std") {
      FD_RETURN_IF_ERROR(value(&v));
      FD_RETURN_IF_ERROR(parse_triple(arg, v, arg == "--mean" ? a->mean : a->std));
      a->has_norm = true;
    } else if (arg == "--bgr") {
      a->bgr = a->has_norm = true;
    } else if (arg == "--labels") {
      FD_RETURN_IF_ERROR(value(&a->labels));
    } else if (arg == "--calibration") {
      FD_RETURN_IF_ERROR(value(&a->method));
    } else if (arg == "--percentile") {
      FD_RETURN_IF_ERROR(value(&v));
      a->percentile = std::strtod(v.c_str(), nullptr);
      if (!(a->percentile > 50 && a->percentile <= 100)) return Status::error("--percentile needs a value in (50, 100]");
    } else if (arg == "--outputs") {
      FD_RETURN_IF_ERROR(names(&a->outputs, "tensor name"));
    } else if (arg == "--keep-float") {
      FD_RETURN_IF_ERROR(names(&a->keep_float, "node"));
    } else if (arg == "--int4") {
      FD_RETURN_IF_ERROR(names(&a->int4_weights, "node"));
    } else if (arg == "--int4-mode") {
      FD_RETURN_IF_ERROR(value(&a->int4_mode));
      if (a->int4_mode != "accuracy" && a->int4_mode != "aggressive") {
        return Status::error("--int4-mode must be accuracy or aggressive, got '" + a->int4_mode + "'");
      }
    } else if (arg == "--int4-error") {
      FD_RETURN_IF_ERROR(non_negative(&a->int4_error));
    } else if (arg == "--size-budget") {
      if (i + 1 >= argc) return Status::error("--size-budget needs a value");
      const long long v = std::strtoll(argv[++i], nullptr, 10);
      if (v <= 0) return Status::error("--size-budget must be a positive number of bytes");
      a->size_budget = static_cast<size_t>(v);
    } else if (arg == "--int4-finetune") {
      FD_RETURN_IF_ERROR(non_negative(&a->finetune.epochs));
    } else if (arg == "--int4-finetune-batch") {
      FD_RETURN_IF_ERROR(non_negative(&a->finetune.batch));
    } else if (arg == "--int4-finetune-step") {
      FD_RETURN_IF_ERROR(non_negative(&a->finetune.step));
    } else if (arg == "--int4-finetune-plain") {
      a->finetune.augment = false;
    } else if (arg == "--int4-finetune-fixed-scales") {
      a->finetune.train_scales = false;
    } else if (arg == "--int4-finetune-uniform") {
      a->finetune_uniform = true;
    } else if (arg == "--int4-finetune-floor") {
      FD_RETURN_IF_ERROR(non_negative(&a->finetune.weight_floor));
    } else if (arg == "--prune") {
      a->prune = true;
    } else if (arg == "--channels-last-reshapes") {
      a->channels_last = true;
    } else if (arg == "--split-channels") {
      FD_RETURN_IF_ERROR(non_negative(&a->split_channels));
    } else if (arg == "--per-tensor-ratio") {
      FD_RETURN_IF_ERROR(non_negative(&a->per_tensor_ratio));
    } else if (arg == "--float-outputs") {
      a->float_outputs = true;
    } else if (arg == "--report") {
      a->report = true;
    } else if (arg == "--float") {
      a->float_model = true;
    } else if (arg == "--metadata-json") {
      FD_RETURN_IF_ERROR(value(&a->metadata_json));
    } else if (!arg.empty() && arg[0] == '-') {
      return Status::error("unknown option " + arg);
    } else if (a->model.empty()) {
      a->model = arg;
    } else {
      return Status::error("unexpected argument '" + arg + "' (one model per run)");
    }
  }
  if (a->model.empty()) return Status::error("no model given");
  if (a->output.empty()) return Status::error("no output file given (-o OUT.tflite)");
  if (a->finetune.epochs > 0 && a->int4_weights.empty() && a->int4_mode.empty() && a->size_budget == 0) {
    return Status::error("--int4-finetune trains around INT4 layers: give --int4, --int4-mode or --size-budget");
  }
  if (a->float_model && (!a->int4_weights.empty() || !a->int4_mode.empty() || a->size_budget > 0)) {
    return Status::error("--int4, --int4-mode and --size-budget store quantized weights: they do not combine with --float");
  }
  if (!a->float_model && a->calib.empty()) {
    return Status::error("--calib DIR is required: INT8 conversion needs calibration images (or use --float)");
  }
  return Status();
}

Status read_labels(const std::string& path, std::vector<std::string>* labels) {
  std::ifstream f(path);
  if (!f) return Status::error("cannot read labels file '" + path + "'");
  std::string line;
  while (std::getline(f, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) labels->push_back(line);
  }
  if (labels->empty()) return Status::error("labels file '" + path + "' is empty");
  return Status();
}

// Fills every tensor's shape from a prepared interpreter (importers may leave intermediates
// unshaped; TFLite files carry them).
Status fill_shapes(Graph* g) {
  std::unique_ptr<Interpreter> it;
  FD_RETURN_IF_ERROR(Interpreter::create(*g, &it));
  for (size_t i = 0; i < g->tensors.size(); ++i) g->tensors[i].shape = it->tensor(static_cast<int>(i)).shape;
  return Status();
}

Status run(const Args& a) {
  Preset preset;
  const bool has_preset = !a.preset.empty();
  if (has_preset) FD_RETURN_IF_ERROR(find_preset(a.preset, &preset));
  RangeMethod method;
  FD_RETURN_IF_ERROR(parse_range_method(a.method, &method));
  std::vector<uint8_t> bytes;
  FD_RETURN_IF_ERROR(read_bytes(a.model, "model", &bytes));

  Graph g;
  const int want_w = a.width ? a.width : preset.width, want_h = a.height ? a.height : preset.height;
  if (ends_with(a.model, ".tflite")) {
    FD_RETURN_IF_ERROR(read_tflite(bytes.data(), bytes.size(), &g));
    FD_RETURN_IF_ERROR(fold_constant_dequantize(&g));
  } else {
    OnnxImportOptions io;
    io.input_width = want_w;
    io.input_height = want_h;
    io.channels_last_reshapes = a.channels_last;
    Status st = import_onnx(bytes.data(), bytes.size(), io, &g);
    if (!st.ok()) return Status::error("cannot import '" + a.model + "': " + st.message());
  }
  if (g.inputs.size() != 1) return Status::error("the model needs exactly one input");
  const Shape in_shape = g.tensors[g.inputs[0]].shape;
  if (in_shape.size() != 4 || in_shape[3] != 3) {
    return Status::error("the model input must be an image [1, H, W, 3], got " + shape_str(in_shape));
  }
  const int h = static_cast<int>(in_shape[1]), w = static_cast<int>(in_shape[2]);

  // Space-to-depth slicing in front of a convolution becomes one strided convolution.
  const int s2d = fold_space_to_depth_convs(&g);
  if (s2d > 0) std::fprintf(stderr, "folded %d space-to-depth front end(s) into their convolutions\n", s2d);

  if (!a.outputs.empty()) {
    Status st = cut_at_outputs(&g, a.outputs);
    if (!st.ok()) return Status::error("--outputs: " + st.message());
  } else if (has_preset) {
    FD_RETURN_IF_ERROR(fill_shapes(&g));
    FD_RETURN_IF_ERROR(cut_preset_head(&g, &preset));
  }

  // Conv -> Relu pairs become one conv with a fused activation, as TFLite's converter makes them.
  FD_RETURN_IF_ERROR(fuse_activations(&g));

  // Raw RGB pixels in: fold the model's normalization and channel order into the first layer.
  if (has_preset || a.has_norm) {
    const float* mean = a.has_norm ? a.mean : preset.pixels.mean;
    const float* std = a.has_norm ? a.std : preset.pixels.std;
    const bool bgr = a.has_norm ? a.bgr : preset.pixels.bgr;
    // Float files keep the mean as an ADD (exact borders); INT8 files fold all of it.
    FD_RETURN_IF_ERROR(fold_input_normalization(&g, mean, std, bgr, a.float_model));
  }
  // --prune: dead depthwise channels (all-zero filters) leave their 1x1 -> depthwise -> 1x1 chains.
  if (a.prune) {
    const int pruned = prune_dead_depthwise_channels(&g);
    if (pruned > 0) std::fprintf(stderr, "removed %d dead depthwise channels\n", pruned);
  }
  FD_RETURN_IF_ERROR(fill_shapes(&g));

  // Metadata.
  std::vector<std::string> labels;
  if (!a.labels.empty()) {
    FD_RETURN_IF_ERROR(read_labels(a.labels, &labels));
  } else if (has_preset && preset.coco_labels) {
    const size_t slash = a.model.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : a.model.substr(0, slash);
    Status st = read_labels(dir + "/coco.names", &labels);
    if (!st.ok()) return Status::error("preset " + preset.name + " needs the 80 COCO class names: pass --labels FILE");
  } else if (has_preset) {
    labels = {"face"};
  }
  JsonValue meta;
  bool has_meta = false;
  if (has_preset) {
    std::vector<std::string> outs;
    for (int32_t o : g.outputs) outs.push_back(g.tensors[o].name);
    for (const auto& role : preset.outputs) {
      for (const std::string& name : role.second) {
        bool found = false;
        for (const std::string& o : outs) found |= o == name;
        if (!found) return Status::error("preset " + preset.name + " expects a model output named '" + name + "'");
      }
    }
    const size_t slash = a.model.find_last_of('/');
    meta = preset_metadata(preset, w, h, labels, slash == std::string::npos ? a.model : a.model.substr(slash + 1),
                           sha256_hex(bytes.data(), bytes.size()), outs);
    has_meta = true;
  }
  if (!a.metadata_json.empty()) {
    std::vector<uint8_t> text;
    FD_RETURN_IF_ERROR(read_bytes(a.metadata_json, "metadata JSON", &text));
    JsonValue extra;
    Status st = parse_json(std::string(text.begin(), text.end()), &extra);
    if (!st.ok()) return Status::error("--metadata-json '" + a.metadata_json + "': " + st.message());
    meta = has_meta ? merge_json_objects(meta, extra) : extra;
    has_meta = true;
  }

  // The file for a converted graph: the featherdet metadata replaces any earlier one.
  auto serialize = [&](Graph* graph, std::vector<uint8_t>* bytes) {
    graph->metadata.erase(std::remove_if(graph->metadata.begin(), graph->metadata.end(),
                                         [](const auto& m) { return m.first == "featherdet" || m.first == "min_runtime_version"; }),
                          graph->metadata.end());
    if (has_meta) graph->metadata.emplace_back("featherdet", json_to_string(meta));
    TfliteWriteOptions wo;
    wo.compact = true;
    return write_tflite(*graph, bytes, wo);
  };
  Graph out;
  std::vector<uint8_t> file;
  if (a.float_model) {
    out = g;
  } else {
    std::vector<std::vector<uint8_t>> images;
    FD_RETURN_IF_ERROR(load_calibration_images(a.calib, a.calib_limit, w, h, &images));
    const float split_ratio = a.split_channels >= 0 ? a.split_channels : preset.split_channels;
    if (split_ratio > 0) {
      int split = 0;
      FD_RETURN_IF_ERROR(split_wide_depthwise_chains(&g, images, split_ratio, &split));
      if (split > 0) std::fprintf(stderr, "split %d depthwise chain(s) into channel groups\n", split);
    }
    std::fprintf(stderr, "calibrating on %zu images (%s)\n", images.size(), range_method_name(method));
    Calibration cal;
    FD_RETURN_IF_ERROR(calibrate_with_images(g, images, &cal));
    QuantizeOptions opt;
    opt.method = method;
    opt.percentile = a.percentile;
    opt.keep_float = a.keep_float;
    opt.int4_weights = a.int4_weights;
    opt.float_outputs = a.float_outputs;
    opt.per_tensor_ratio = a.per_tensor_ratio;
    // INT4 layers by measurement: each candidate alone in INT4, model outputs vs float.
    const size_t samples = std::min<size_t>(images.size(), kInt4SampleImages);
    const std::vector<std::vector<uint8_t>> sample(images.begin(), images.begin() + static_cast<std::ptrdiff_t>(samples));
    // INT4 weights are rounded with their layers' input statistics (int4_rounding.h), once.
    std::map<int, Int4Rounding> rounded;
    auto round_int4 = [&]() -> Status {
      if (!rounded.empty()) return Status();
      const size_t count = std::min<size_t>(images.size(), kInt4RoundingImages);
      const std::vector<std::vector<uint8_t>> some(images.begin(), images.begin() + static_cast<std::ptrdiff_t>(count));
      FD_RETURN_IF_ERROR(round_int4_with_data(g, some, int4_candidate_nodes(g), &rounded));
      opt.int4_rounded.clear();
      for (const auto& r : rounded) opt.int4_rounded.push_back(r.second);
      return Status();
    };
    if (!a.int4_weights.empty() || !a.int4_mode.empty()) FD_RETURN_IF_ERROR(round_int4());
    std::vector<Int4Candidate> ranked;
    if (!a.int4_mode.empty()) {
      FD_RETURN_IF_ERROR(rank_int4_candidates(g, sample, &ranked, 0, &rounded));
      const std::vector<std::string> chosen =
          a.int4_mode == "aggressive" ? int4_aggressive(ranked) : int4_within_error(ranked, a.int4_error);
      for (const std::string& c : chosen) {
        if (std::find(opt.int4_weights.begin(), opt.int4_weights.end(), c) == opt.int4_weights.end()) opt.int4_weights.push_back(c);
      }
    }
    FD_RETURN_IF_ERROR(quantize_graph(g, cal.stats, cal.shapes, opt, &out));
    FD_RETURN_IF_ERROR(serialize(&out, &file));
    if (a.size_budget > 0 && file.size() > a.size_budget && ranked.empty()) {
      // Measure the largest layers only: four times the weights that halving must free.
      FD_RETURN_IF_ERROR(round_int4());
      FD_RETURN_IF_ERROR(rank_int4_candidates(g, sample, &ranked, 8 * (file.size() - a.size_budget), &rounded));
    }
    // --size-budget: more INT4 layers, least harmful first, until the file fits.
    for (size_t next = 0; a.size_budget > 0 && file.size() > a.size_budget;) {
      int64_t excess = static_cast<int64_t>(file.size() - a.size_budget);
      const size_t before = opt.int4_weights.size();
      for (; excess > 0 && next < ranked.size(); ++next) {
        const std::string& sel = ranked[next].selector;
        if (std::find(opt.int4_weights.begin(), opt.int4_weights.end(), sel) != opt.int4_weights.end()) continue;
        opt.int4_weights.push_back(sel);
        excess -= static_cast<int64_t>(ranked[next].weights / 2);
      }
      if (opt.int4_weights.size() == before) {
        return Status::error("--size-budget " + std::to_string(a.size_budget) + ": the file is still " +
                             std::to_string(file.size()) + " bytes with every candidate layer in INT4");
      }
      FD_RETURN_IF_ERROR(quantize_graph(g, cal.stats, cal.shapes, opt, &out));
      FD_RETURN_IF_ERROR(serialize(&out, &file));
    }
    if (a.finetune.epochs > 0 && !opt.int4_weights.empty()) {
      // Train the float graph around the chosen INT4 layers, then quantize what it became.
      FD_RETURN_IF_ERROR(round_int4());
      std::string missing;
      const std::vector<bool> chosen = select_nodes(g, opt.int4_weights, &missing);
      std::vector<int> nodes;
      for (size_t n = 0; n < chosen.size(); ++n) {
        if (chosen[n]) nodes.push_back(static_cast<int>(n));
      }
      Graph tuned = g;
      double before = 0, after = 0;
      Int4FinetuneOptions fo = a.finetune;
      if (has_preset && !a.finetune_uniform) fo.weighting = preset_row_weighting(preset, g);
      if (!fo.weighting.empty()) std::fprintf(stderr, "INT4 fine-tuning: output cells weighted by objectness\n");
      FD_RETURN_IF_ERROR(finetune_int4(&tuned, images, nodes, fo, &rounded, &before, &after));
      std::fprintf(stderr, "INT4 fine-tuning: held-out output error %.5f -> %.5f%s\n", before, after,
                   after < before ? "" : " (no epoch did better: the starting weights kept; try a smaller step)");
      opt.int4_rounded.clear();
      for (const auto& r : rounded) opt.int4_rounded.push_back(r.second);
      Calibration tuned_cal;
      FD_RETURN_IF_ERROR(calibrate_with_images(tuned, images, &tuned_cal));
      FD_RETURN_IF_ERROR(quantize_graph(tuned, tuned_cal.stats, tuned_cal.shapes, opt, &out));
      FD_RETURN_IF_ERROR(serialize(&out, &file));
    }
    if (!opt.int4_weights.empty()) {
      size_t weights = 0;
      for (const Int4Candidate& c : ranked) {
        if (std::find(opt.int4_weights.begin(), opt.int4_weights.end(), c.selector) != opt.int4_weights.end()) weights += c.weights;
      }
      std::fprintf(stderr, "INT4 weights: %zu layer(s)", opt.int4_weights.size());
      if (weights > 0) std::fprintf(stderr, ", %zu weights", weights);
      std::fprintf(stderr, "\n");
    }
    if (a.report) {
      std::unique_ptr<ErrorReport> report;
      FD_RETURN_IF_ERROR(ErrorReport::create(g, out, &report));
      std::vector<float> input(images[0].size());
      for (const auto& img : images) {
        for (size_t i = 0; i < img.size(); ++i) input[i] = img[i];
        FD_RETURN_IF_ERROR(report->add_sample(input.data()));
      }
      std::printf("per-layer INT8 vs fp32 error over %zu calibration images, worst first:\n%s", images.size(),
                  ErrorReport::format(report->layers(), 0).c_str());
    }
  }
  if (a.float_model) FD_RETURN_IF_ERROR(serialize(&out, &file));
  FD_RETURN_IF_ERROR(write_file(a.output, file));
  std::fprintf(stderr, "wrote %s: %zu bytes, %zu ops, input %s %s\n", a.output.c_str(), file.size(), out.nodes.size(),
               dtype_name(out.tensors[out.inputs[0]].dtype), shape_str(out.tensors[out.inputs[0]].shape).c_str());
  if (!a.int8_twin.empty()) {
    Graph twin = out;
    for (TensorDesc& t : twin.tensors) t.int4 = false;
    std::vector<uint8_t> bytes;
    FD_RETURN_IF_ERROR(serialize(&twin, &bytes));
    FD_RETURN_IF_ERROR(write_file(a.int8_twin, bytes));
    std::fprintf(stderr, "wrote %s: %zu bytes (the INT8 twin)\n", a.int8_twin.c_str(), bytes.size());
  }
  return Status();
}

}  // namespace
}  // namespace fd

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
      std::fputs(fd::kUsage, stdout);
      return 0;
    }
  }
  fd::Args args;
  fd::Status st = fd::parse_args(argc, argv, &args);
  if (st.ok()) st = fd::run(args);
  if (!st.ok()) {
    std::fprintf(stderr, "featherdet-convert: %s\n", st.message().c_str());
    if (argc < 2) std::fputs(fd::kUsage, stderr);
    return 1;
  }
  return 0;
}
