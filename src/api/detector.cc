#include "api/detector.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "vision/json.h"
#include "model/tflite_reader.h"
#include "vision/coco_labels.h"
#include "vision/nms.h"
#include "vision/ultralytics.h"

namespace fd {
namespace {

// Names of the model's outputs, for error messages: "'a', 'b'".
std::string output_names(Interpreter& in) {
  std::string s;
  for (int i = 0; i < in.num_outputs(); ++i) s += (i ? ", '" : "'") + in.output_name(i) + "'";
  return s;
}

// Finds output `name` and wraps it as a TensorView.
Status output_view(Interpreter& in, const std::string& name, TensorView* v) {
  for (int i = 0; i < in.num_outputs(); ++i) {
    if (in.output_name(i) != name) continue;
    const RTensor& t = in.output(i);
    if (t.dtype != DType::kInt8 && t.dtype != DType::kUInt8 && t.dtype != DType::kFloat32) {
      return Status::error("model output '" + name + "' is " + dtype_name(t.dtype) +
                           "; detection outputs must be INT8, UINT8 or FLOAT32");
    }
    v->name = name;
    v->dtype = t.dtype;
    v->shape = t.shape;
    v->data = t.data;
    v->scale = t.quant.scale.empty() ? 1.0f : t.quant.scale[0];
    v->zero_point = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
    if (is_quant8(t.dtype) && t.quant.scale.empty()) {
      return Status::error("model output '" + name + "' is quantized but has no scale/zero point");
    }
    return Status();
  }
  return Status::error("model output '" + name + "' not found (model outputs: " + output_names(in) + ")");
}

// Output tensors by role; single-output families and BlazeFace fall back to the model's outputs
// when the metadata does not name them.
Status collect_outputs(Interpreter& in, const DecoderConfig& cfg, RoleTensors* roles) {
  roles->clear();
  for (const std::string& role : decoder_roles(cfg)) {
    const std::vector<std::string>* names = cfg.role(role);
    std::vector<TensorView>& views = (*roles)[role];
    if (names != nullptr) {
      for (const std::string& n : *names) {
        TensorView v;
        FD_RETURN_IF_ERROR(output_view(in, n, &v));
        views.push_back(v);
      }
      continue;
    }
    if (role == "pred" && in.num_outputs() == 1) {
      TensorView v;
      FD_RETURN_IF_ERROR(output_view(in, in.output_name(0), &v));
      views.push_back(v);
    } else if (cfg.family == "blazeface" && in.num_outputs() == 2) {
      // classificators have one value per anchor, regressors 4 + 2K.
      for (int i = 0; i < 2; ++i) {
        const bool scores = !in.output(i).shape.empty() && in.output(i).shape.back() == 1;
        if (scores == (role == "classificators")) {
          TensorView v;
          FD_RETURN_IF_ERROR(output_view(in, in.output_name(i), &v));
          views.push_back(v);
        }
      }
    }
    if (views.empty()) {
      return Status::error("decoder output role '" + role + "' is not mapped: add \"outputs\": {\"" + role +
                           "\": [tensor names]} (model outputs: " + output_names(in) + ")");
    }
  }
  return Status();
}

Status options_error(const std::string& key, const std::string& what) {
  return Status::error("option '" + key + "' " + what, StatusCode::kInvalidArgument);
}

// The error for a model with neither featherdet nor Ultralytics metadata and no decoder option:
// its outputs, and the option to pass (a family guessed from a single YOLO-shaped output).
Status no_metadata_error(Interpreter& in, const std::string& note) {
  std::string outputs;
  for (int i = 0; i < in.num_outputs(); ++i) {
    outputs += (i ? ", '" : "'") + in.output_name(i) + "' " + shape_str(in.output(i).shape);
  }
  std::string family = in.num_outputs() == 1 ? yolo_family_for_shape(in.output(0).shape, 0) : std::string();
  return Status::error("model has neither featherdet nor Ultralytics metadata" + (note.empty() ? "" : " (" + note + ")") +
                       "; its outputs are " + outputs + ". Pass the decoder option, e.g. {\"decoder\": {\"family\": \"" +
                       (family.empty() ? "yolov8" : family) + "\", \"labels\": [...]}} (families: " + supported_families() + ")");
}

}  // namespace

Status Detector::create(const uint8_t* model, size_t size, const DetectorOptions& options, std::unique_ptr<Detector>* out) {
  if (model == nullptr || size == 0) return Status::error("not a TFLite model: the model is empty (0 bytes)");
  Graph graph;
  FD_RETURN_IF_ERROR(read_tflite(model, size, &graph));
  std::unique_ptr<Detector> d(new Detector());
  d->model_bytes_ = size;
  d->meta_ = JsonValue::make_object();
  for (const auto& m : graph.metadata) {
    if (m.first != "featherdet") continue;
    Status s = parse_json(m.second, &d->meta_);
    if (!s.ok()) return Status::error("model metadata 'featherdet' is not valid JSON: " + s.message());
    if (!d->meta_.is_object()) return Status::error("model metadata 'featherdet' must be a JSON object");
    d->has_model_meta_ = true;
  }
  std::vector<Shape> output_shapes;
  for (int32_t o : graph.outputs) output_shapes.push_back(graph.tensors[static_cast<size_t>(o)].shape);
  std::string ultralytics_note;
  if (!d->has_model_meta_) {
    FD_RETURN_IF_ERROR(ultralytics_decoder_metadata(model, size, output_shapes, &d->has_model_meta_, &d->meta_,
                                                    &ultralytics_note));
  }
  FD_RETURN_IF_ERROR(Interpreter::create(std::move(graph), &d->interp_));
  Interpreter& in = *d->interp_;
  if (in.num_inputs() != 1) {
    return Status::error("a detection model must have one input (an image), this one has " + std::to_string(in.num_inputs()));
  }
  const RTensor& input = in.input(0);
  if (input.shape.size() != 4 || input.shape[0] != 1 || input.shape[3] != 3) {
    return Status::error("model input '" + in.input_name(0) + "' has shape " + shape_str(input.shape) +
                         ", expected [1, height, width, 3] (NHWC RGB)");
  }
  if (!d->has_model_meta_ && !options.decoder) return no_metadata_error(in, ultralytics_note);
  if (!options.decoder) FD_RETURN_IF_ERROR(d->configure(d->meta_));
  FD_RETURN_IF_ERROR(d->set_options(options));
  *out = std::move(d);
  return Status();
}

Status Detector::configure(const JsonValue& meta) {
  Interpreter& in = *interp_;
  const RTensor& input = in.input(0);
  DecoderConfig cfg;
  FD_RETURN_IF_ERROR(parse_decoder_config(meta, input.shape[2], input.shape[1], &cfg));
  std::unique_ptr<Decoder> decoder;
  FD_RETURN_IF_ERROR(make_decoder(cfg.family, &decoder));
  RoleTensors roles;
  FD_RETURN_IF_ERROR(collect_outputs(in, cfg, &roles));
  FD_RETURN_IF_ERROR(decoder->prepare(cfg, roles));
  Preprocessor pre;
  FD_RETURN_IF_ERROR(pre.configure(cfg.input_width, cfg.input_height, input.dtype, input.quant, cfg.pixels, cfg.resize,
                                   cfg.pad_value, cfg.align));
  const int classes = decoder->num_classes();
  std::vector<std::string> labels = cfg.labels;
  if (labels.empty()) {
    if (classes == 80) {
      labels = coco_labels();
    } else {
      for (int i = 0; i < classes; ++i) labels.push_back("class_" + std::to_string(i));
    }
  } else if (static_cast<int>(labels.size()) != classes) {
    return Status::error("decoder lists " + std::to_string(labels.size()) + " labels but the model scores " +
                         std::to_string(classes) + " classes");
  }
  std::vector<std::string> kp_names = cfg.keypoints;
  const int kps = decoder->num_keypoints();
  if (kp_names.empty()) {
    for (int i = 0; i < kps; ++i) kp_names.push_back("keypoint_" + std::to_string(i));
  } else if (static_cast<int>(kp_names.size()) != kps) {
    return Status::error("decoder lists " + std::to_string(kp_names.size()) + " keypoint names but the model predicts " +
                         std::to_string(kps) + " keypoints");
  }
  cfg_ = std::move(cfg);
  decoder_ = std::move(decoder);
  pre_ = std::move(pre);
  labels_ = std::move(labels);
  keypoint_names_ = std::move(kp_names);
  score_threshold_ = cfg_.score_threshold;
  iou_threshold_ = cfg_.iou_threshold;
  max_results_ = cfg_.max_results;
  return apply_filters();
}

Status Detector::set_options(const DetectorOptions& o) {
  // Validate every field before changing anything.
  auto threshold = [](const char* key, const std::optional<float>& v) {
    return v && !(*v >= 0.0f && *v <= 1.0f) ? options_error(key, "must be a number in [0, 1]") : Status();
  };
  FD_RETURN_IF_ERROR(threshold("scoreThreshold", o.score_threshold));
  FD_RETURN_IF_ERROR(threshold("iouThreshold", o.iou_threshold));
  if (o.max_results && *o.max_results <= 0 && *o.max_results != -1) {
    return options_error("maxResults", "must be a positive integer, or -1 for no limit");
  }
  const std::vector<std::string>& allow = o.category_allowlist ? *o.category_allowlist : allow_;
  const std::vector<std::string>& deny = o.category_denylist ? *o.category_denylist : deny_;
  if (!allow.empty() && !deny.empty()) {
    return Status::error("options 'categoryAllowlist' and 'categoryDenylist' are mutually exclusive",
                         StatusCode::kInvalidArgument);
  }
  if (o.decoder) {
    if (!o.decoder->is_object()) return options_error("decoder", "must be an object shaped like the featherdet metadata");
    JsonValue merged = merge_json_objects(meta_, *o.decoder);
    FD_RETURN_IF_ERROR(configure(merged));
    meta_ = std::move(merged);
  }
  if (o.score_threshold) score_threshold_ = *o.score_threshold;
  if (o.iou_threshold) iou_threshold_ = *o.iou_threshold;
  if (o.max_results) max_results_ = *o.max_results < 0 ? INT_MAX : *o.max_results;
  if (o.category_allowlist) allow_ = *o.category_allowlist;
  if (o.category_denylist) deny_ = *o.category_denylist;
  return apply_filters();
}
Status Detector::apply_filters() {
  class_enabled_.assign(labels_.size(), allow_.empty() ? 1 : 0);
  for (size_t i = 0; i < labels_.size(); ++i) {
    for (const std::string& a : allow_) {
      if (labels_[i] == a) class_enabled_[i] = 1;
    }
    for (const std::string& d : deny_) {
      if (labels_[i] == d) class_enabled_[i] = 0;
    }
  }
  return Status();
}

Status Detector::run(const uint8_t* pixels, int width, int height, int channels, int stride_bytes, const Transform& t,
                     size_t buffer_bytes) {
  results_.clear();
  if (buffer_bytes > 0 && width > 0 && height > 0 && stride_bytes > 0 && channels > 0) {
    const uint64_t need = static_cast<uint64_t>(stride_bytes) * static_cast<uint64_t>(height - 1) +
                          static_cast<uint64_t>(width) * static_cast<uint64_t>(channels);
    if (need > static_cast<uint64_t>(buffer_bytes)) {
      return Status::error("pixel buffer holds " + std::to_string(buffer_bytes) + " bytes but a " + std::to_string(width) +
                           "x" + std::to_string(height) + " image needs " + std::to_string(need));
    }
  }
  PixelSource src;
  src.data = pixels;
  src.width = width;
  src.height = height;
  src.channels = channels;
  src.stride_bytes = stride_bytes;
  Geometry g;
  FD_RETURN_IF_ERROR(pre_.run(src, t, interp_->input(0).data, &g));
  FD_RETURN_IF_ERROR(interp_->invoke());
  decoder_->decode(score_threshold_, &candidates_);
  candidates_.erase(std::remove_if(candidates_.begin(), candidates_.end(),
                                   [&](const Candidate& c) {
                                     return c.label < 0 || c.label >= static_cast<int>(class_enabled_.size()) ||
                                            !class_enabled_[static_cast<size_t>(c.label)];
                                   }),
                    candidates_.end());
  if (decoder_->weighted_nms()) {
    nms_weighted(&candidates_, iou_threshold_, max_results_, &results_);
  } else {
    nms_hard(&candidates_, iou_threshold_, max_results_, &results_);
  }
  const float vw = static_cast<float>(g.view_width), vh = static_cast<float>(g.view_height);
  auto clamp = [](float v, float hi) { return v < 0.0f ? 0.0f : (v > hi ? hi : v); };
  size_t kept = 0;
  for (Candidate c : results_) {
    c.x0 = clamp(g.to_view_x(c.x0), vw);
    c.x1 = clamp(g.to_view_x(c.x1), vw);
    c.y0 = clamp(g.to_view_y(c.y0), vh);
    c.y1 = clamp(g.to_view_y(c.y1), vh);
    for (int k = 0; k < c.num_keypoints; ++k) {
      c.kp[2 * k] = g.to_view_x(c.kp[2 * k]);
      c.kp[2 * k + 1] = g.to_view_y(c.kp[2 * k + 1]);
    }
    if (c.x1 > c.x0 && c.y1 > c.y0) results_[kept++] = c;
  }
  results_.resize(kept);
  return Status();
}

Status Detector::detect(const uint8_t* rgba, int width, int height, int stride_bytes, const Transform& t,
                        std::vector<Detection>* out) {
  out->clear();
  FD_RETURN_IF_ERROR(run(rgba, width, height, 4, stride_bytes, t));
  out->resize(results_.size());
  for (size_t i = 0; i < results_.size(); ++i) {
    const Candidate& c = results_[i];
    Detection& d = (*out)[i];
    d.x = c.x0;
    d.y = c.y0;
    d.width = c.x1 - c.x0;
    d.height = c.y1 - c.y0;
    d.score = c.score;
    d.label_id = c.label;
    d.label = labels_[static_cast<size_t>(c.label)];
    d.keypoints.resize(static_cast<size_t>(c.num_keypoints));
    for (int k = 0; k < c.num_keypoints; ++k) {
      d.keypoints[k].x = c.kp[2 * k];
      d.keypoints[k].y = c.kp[2 * k + 1];
      d.keypoints[k].name = keypoint_names_[static_cast<size_t>(k)];
    }
  }
  return Status();
}

DetectorInfo Detector::info() const {
  DetectorInfo i;
  i.family = cfg_.family;
  i.input_width = cfg_.input_width;
  i.input_height = cfg_.input_height;
  i.labels = labels_;
  i.keypoints = keypoint_names_;
  i.score_threshold = score_threshold_;
  i.iou_threshold = iou_threshold_;
  i.max_results = max_results_ == INT_MAX ? -1 : max_results_;
  i.model_bytes = model_bytes_;
  i.arena_bytes = interp_->arena_bytes();
  i.input_type = dtype_name(interp_->input(0).dtype);
  return i;
}

}  // namespace fd
