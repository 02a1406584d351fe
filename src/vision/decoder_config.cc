#include "vision/decoder_config.h"

#include <cmath>
#include <string>

#include "core/decimal.h"
#include "vision/candidate.h"

namespace fd {
namespace {

bool known_family(const std::string& f) {
  return f == "yunet" || f == "nanodet" || f == "fastestdet" || f == "blazeface" || f == "yolov5" ||
         f == "yolov8" || f == "yolox";
}

Status field_error(const std::string& field, const std::string& what) {
  return Status::error("decoder field '" + field + "' " + what);
}

Status get_number(const JsonValue& obj, const char* key, double lo, double hi, double* out) {
  const JsonValue* v = obj.find(key);
  if (v == nullptr || v->is_null()) return Status();
  if (!v->is_number()) return field_error(key, std::string("must be a number, not a ") + json_type_name(v->type()));
  double d = v->as_number();
  if (!(d >= lo && d <= hi)) {
    return field_error(key, "must be in [" + format_decimal(lo) + ", " + format_decimal(hi) + "], got " + format_decimal(d));
  }
  *out = d;
  return Status();
}

Status get_int(const JsonValue& obj, const char* key, int lo, int hi, int* out) {
  double d = *out;
  FD_RETURN_IF_ERROR(get_number(obj, key, lo, hi, &d));
  if (d != std::floor(d)) return field_error(key, "must be an integer");
  *out = static_cast<int>(d);
  return Status();
}

Status get_float(const JsonValue& obj, const char* key, double lo, double hi, float* out) {
  double d = *out;
  FD_RETURN_IF_ERROR(get_number(obj, key, lo, hi, &d));
  *out = static_cast<float>(d);
  return Status();
}

Status get_strings(const JsonValue& obj, const char* key, std::vector<std::string>* out) {
  const JsonValue* v = obj.find(key);
  if (v == nullptr || v->is_null()) return Status();
  if (!v->is_array()) return field_error(key, "must be an array of strings");
  out->clear();
  for (const JsonValue& s : v->items()) {
    if (!s.is_string()) return field_error(key, "must be an array of strings");
    out->push_back(s.as_string());
  }
  return Status();
}

Status get_ints(const JsonValue& obj, const char* key, int lo, int hi, std::vector<int>* out) {
  const JsonValue* v = obj.find(key);
  if (v == nullptr || v->is_null()) return Status();
  if (!v->is_array() || v->items().empty()) return field_error(key, "must be a non-empty array of integers");
  out->clear();
  for (const JsonValue& n : v->items()) {
    if (!n.is_number() || n.as_number() != std::floor(n.as_number()) || n.as_number() < lo || n.as_number() > hi) {
      return field_error(key, "must hold integers in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    out->push_back(static_cast<int>(n.as_number()));
  }
  return Status();
}

// "mean"/"std": one number for every channel or three, in the model's channel order.
Status get_channels(const JsonValue& obj, const char* key, double lo, double hi, float out[3]) {
  const JsonValue* v = obj.find(key);
  if (v == nullptr || v->is_null()) return Status();
  std::string field = std::string("input.") + key;
  const bool one = v->is_number();
  if (!one && !(v->is_array() && v->items().size() == 3)) {
    return field_error(field, "must be a number or an array of 3 numbers (one per model input channel)");
  }
  for (int c = 0; c < 3; ++c) {
    const JsonValue& n = one ? *v : v->items()[static_cast<size_t>(c)];
    if (!n.is_number() || !(n.as_number() >= lo && n.as_number() <= hi)) {
      return field_error(field, "must hold numbers in [" + format_decimal(lo) + ", " + format_decimal(hi) + "]");
    }
    out[c] = static_cast<float>(n.as_number());
  }
  return Status();
}

Status parse_input(const JsonValue& in, DecoderConfig* cfg) {
  if (!in.is_object()) return field_error("input", "must be an object");
  FD_RETURN_IF_ERROR(get_int(in, "width", 1, 8192, &cfg->input_width));
  FD_RETURN_IF_ERROR(get_int(in, "height", 1, 8192, &cfg->input_height));
  FD_RETURN_IF_ERROR(get_int(in, "pad_value", 0, 255, &cfg->pad_value));
  if (const JsonValue* r = in.find("resize")) {
    if (r->is_string() && r->as_string() == "stretch") cfg->resize = ResizeMode::kStretch;
    else if (r->is_string() && r->as_string() == "letterbox") cfg->resize = ResizeMode::kLetterbox;
    else return field_error("input.resize", "must be \"stretch\" or \"letterbox\"");
  }
  if (const JsonValue* a = in.find("align")) {
    if (a->is_string() && a->as_string() == "center") cfg->align = LetterboxAlign::kCenter;
    else if (a->is_string() && a->as_string() == "top-left") cfg->align = LetterboxAlign::kTopLeft;
    else return field_error("input.align", "must be \"center\" or \"top-left\"");
  }
  if (const JsonValue* p = in.find("pixels")) {
    if (p->is_string() && p->as_string() == "RGB") cfg->pixels.bgr = false;
    else if (p->is_string() && p->as_string() == "BGR") cfg->pixels.bgr = true;
    else return field_error("input.pixels", "must be \"RGB\" or \"BGR\"");
  }
  if (const JsonValue* r = in.find("range")) {
    std::string s = r->is_string() ? r->as_string() : std::string();
    float mean = 0, std = 1;
    if (s == "-1,1") mean = 127.5f, std = 127.5f;
    else if (s == "0,1") std = 255;
    else if (s != "raw") return field_error("input.range", "must be \"raw\", \"-1,1\" or \"0,1\"");
    for (int c = 0; c < 3; ++c) cfg->pixels.mean[c] = mean, cfg->pixels.std[c] = std;
  }
  FD_RETURN_IF_ERROR(get_channels(in, "mean", -1e6, 1e6, cfg->pixels.mean));
  return get_channels(in, "std", 1e-6, 1e6, cfg->pixels.std);
}

PixelMapping mapping(bool bgr, const float mean[3], const float std[3]) {
  PixelMapping m;
  m.bgr = bgr;
  for (int c = 0; c < 3; ++c) m.mean[c] = mean[c], m.std[c] = std[c];
  return m;
}

// Family defaults applied before the metadata's own fields (for files exported without
// featherdet's folding, the input their upstream inference code feeds them).
void apply_family_defaults(DecoderConfig* cfg) {
  const std::string& f = cfg->family;
  const bool gray_pad = f == "yolov5" || f == "yolov8" || f == "yolox";
  cfg->resize = (f == "yunet" || f == "fastestdet") ? ResizeMode::kStretch : ResizeMode::kLetterbox;
  cfg->align = f == "yolox" ? LetterboxAlign::kTopLeft : LetterboxAlign::kCenter;
  cfg->pad_value = gray_pad ? 114 : 0;
  cfg->pixels = family_pixels(f);
  if (f == "yunet") {
    cfg->strides = {8, 16, 32};
    cfg->outputs = {{"cls", {"cls_8", "cls_16", "cls_32"}},
                    {"obj", {"obj_8", "obj_16", "obj_32"}},
                    {"bbox", {"bbox_8", "bbox_16", "bbox_32"}},
                    {"kps", {"kps_8", "kps_16", "kps_32"}}};
    cfg->labels = {"face"};
    cfg->keypoints = {"right_eye", "left_eye", "nose", "right_mouth", "left_mouth"};
    cfg->score_threshold = 0.6f;
    cfg->iou_threshold = 0.3f;
  } else if (f == "nanodet") {
    cfg->strides = {8, 16, 32};
    cfg->outputs = {{"cls", {"792", "814", "836"}}, {"reg", {"795", "817", "839"}}};
    cfg->score_threshold = 0.35f;
    cfg->iou_threshold = 0.6f;
  } else if (f == "fastestdet") {
    cfg->score_threshold = 0.65f;
    cfg->iou_threshold = 0.45f;
  } else if (f == "blazeface") {
    cfg->labels = {"face"};
    cfg->keypoints = {"right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear_tragion", "left_ear_tragion"};
    cfg->score_threshold = 0.5f;
    cfg->iou_threshold = 0.3f;
  } else if (f == "yolox") {
    // The official ONNX export's single output; split-head files list "reg", "obj" and "cls".
    cfg->strides = {8, 16, 32};
    cfg->outputs = {{"output", {"output"}}};
    cfg->score_threshold = 0.3f;  // YOLOX ONNXRuntime demo
    cfg->iou_threshold = 0.45f;
  } else {
    cfg->score_threshold = 0.25f;
    cfg->iou_threshold = 0.45f;
  }
}

Status parse_outputs(const JsonValue& outs, DecoderConfig* cfg) {
  if (!outs.is_object()) return field_error("outputs", "must be an object mapping roles to tensor names");
  for (const auto& m : outs.members()) {
    std::vector<std::string> names;
    if (m.second.is_string()) {
      names.push_back(m.second.as_string());
    } else if (m.second.is_array()) {
      for (const JsonValue& n : m.second.items()) {
        if (!n.is_string()) return field_error("outputs." + m.first, "must be a tensor name or an array of names");
        names.push_back(n.as_string());
      }
    } else {
      return field_error("outputs." + m.first, "must be a tensor name or an array of names");
    }
    bool replaced = false;
    for (auto& r : cfg->outputs) {
      if (r.first == m.first) {
        r.second = names;
        replaced = true;
      }
    }
    if (!replaced) cfg->outputs.emplace_back(m.first, std::move(names));
  }
  return Status();
}

Status parse_anchors(const JsonValue& a, DecoderConfig* cfg) {
  if (!a.is_object()) return field_error("anchors", "must be an object {num_layers, strides, input_size, offset}");
  SsdAnchorOptions& o = cfg->anchors;
  FD_RETURN_IF_ERROR(get_int(a, "num_layers", 1, 16, &o.num_layers));
  FD_RETURN_IF_ERROR(get_ints(a, "strides", 1, 1024, &o.strides));
  int size = 0;
  FD_RETURN_IF_ERROR(get_int(a, "input_size", 0, 8192, &size));
  if (size > 0) o.input_width = o.input_height = size;
  FD_RETURN_IF_ERROR(get_float(a, "offset", 0.0, 1.0, &o.offset));
  if (static_cast<int>(o.strides.size()) != o.num_layers) {
    return field_error("anchors.strides", "must have num_layers (" + std::to_string(o.num_layers) + ") entries");
  }
  return Status();
}

}  // namespace

const std::vector<std::string>* DecoderConfig::role(const std::string& name) const {
  for (const auto& r : outputs) {
    if (r.first == name) return &r.second;
  }
  return nullptr;
}

PixelMapping family_pixels(const std::string& f) {
  const float zero[3] = {0, 0, 0}, one[3] = {1, 1, 1}, v255[3] = {255, 255, 255}, half[3] = {127.5f, 127.5f, 127.5f};
  const float nanodet_mean[3] = {103.53f, 116.28f, 123.675f}, nanodet_std[3] = {57.375f, 57.12f, 58.395f};
  if (f == "yunet") return mapping(true, zero, one);                   // OpenCV FaceDetectorYN: the BGR frame as is
  if (f == "nanodet") return mapping(true, nanodet_mean, nanodet_std);  // NanoDet configs: BGR mean/std, centered letterbox
  if (f == "fastestdet") return mapping(true, zero, v255);              // FastestDet demos: BGR / 255, stretched
  if (f == "blazeface") return mapping(false, half, half);              // MediaPipe: RGB in [-1, 1], letterbox of pixel 0
  if (f == "yolox") return mapping(true, zero, one);                    // YOLOX preproc: raw BGR, top-left letterbox of 114
  return mapping(false, zero, v255);                                   // Ultralytics: RGB / 255, letterbox of 114
}

const char* supported_families() { return "yunet, nanodet, fastestdet, blazeface, yolov5, yolov8, yolox"; }

JsonValue merge_json_objects(const JsonValue& base, const JsonValue& overrides) {
  if (!base.is_object() || !overrides.is_object()) return overrides;
  JsonValue out = base;
  for (const auto& m : overrides.members()) {
    const JsonValue* b = out.find(m.first);
    if (b != nullptr && b->is_object() && m.second.is_object()) {
      out.set(m.first, merge_json_objects(*b, m.second));
    } else {
      out.set(m.first, m.second);
    }
  }
  return out;
}

Status parse_decoder_config(const JsonValue& meta, int model_width, int model_height, DecoderConfig* cfg) {
  *cfg = DecoderConfig();
  if (!meta.is_object()) return Status::error("decoder metadata must be a JSON object");
  const JsonValue* fam = meta.find("family");
  if (fam == nullptr || !fam->is_string()) {
    return Status::error(std::string("decoder metadata has no \"family\" (one of: ") + supported_families() + ")");
  }
  cfg->family = fam->as_string();
  if (!known_family(cfg->family)) {
    return Status::error("decoder family '" + cfg->family + "' is not supported (supported: " + supported_families() + ")");
  }
  apply_family_defaults(cfg);
  if (const JsonValue* v = meta.find("version")) {
    if (!v->is_number() || v->as_number() != 1) return field_error("version", "must be 1 (this featherdet reads version 1)");
  }
  if (const JsonValue* in = meta.find("input")) FD_RETURN_IF_ERROR(parse_input(*in, cfg));
  if (cfg->input_width == 0) cfg->input_width = model_width;
  if (cfg->input_height == 0) cfg->input_height = model_height;
  if (model_width > 0 && (cfg->input_width != model_width || cfg->input_height != model_height)) {
    return Status::error("decoder input size " + std::to_string(cfg->input_width) + "x" + std::to_string(cfg->input_height) +
                         " does not match the model input " + std::to_string(model_width) + "x" +
                         std::to_string(model_height));
  }
  FD_RETURN_IF_ERROR(get_ints(meta, "strides", 1, 1024, &cfg->strides));
  FD_RETURN_IF_ERROR(get_int(meta, "reg_max", 1, 64, &cfg->reg_max));
  FD_RETURN_IF_ERROR(get_float(meta, "center_offset", 0.0, 1.0, &cfg->center_offset));
  if (const JsonValue* l = meta.find("layout")) {
    if (!l->is_string() || (l->as_string() != "nhwc" && l->as_string() != "nchw")) {
      return field_error("layout", "must be \"nhwc\" or \"nchw\"");
    }
    cfg->channels_first = l->as_string() == "nchw";
  }
  if (const JsonValue* n = meta.find("normalized")) {
    if (!n->is_bool()) return field_error("normalized", "must be true or false");
    cfg->normalized = n->as_bool() ? 1 : 0;
  }
  if (const JsonValue* d = meta.find("decoded")) {
    if (!d->is_bool()) return field_error("decoded", "must be true or false");
    cfg->decoded = d->as_bool();
  }
  if (const JsonValue* o = meta.find("outputs")) FD_RETURN_IF_ERROR(parse_outputs(*o, cfg));
  FD_RETURN_IF_ERROR(get_strings(meta, "labels", &cfg->labels));
  FD_RETURN_IF_ERROR(get_strings(meta, "keypoints", &cfg->keypoints));
  if (static_cast<int>(cfg->keypoints.size()) > kMaxKeypoints) {
    return field_error("keypoints", "lists more than " + std::to_string(kMaxKeypoints) + " names");
  }
  FD_RETURN_IF_ERROR(get_float(meta, "score_threshold", 0.0, 1.0, &cfg->score_threshold));
  FD_RETURN_IF_ERROR(get_float(meta, "iou_threshold", 0.0, 1.0, &cfg->iou_threshold));
  FD_RETURN_IF_ERROR(get_int(meta, "max_results", 1, 100000, &cfg->max_results));
  // SSD anchors cover the model input unless the metadata says otherwise (an explicit anchor
  // list is ignored: the decoder generates the same anchors).
  cfg->anchors.input_width = cfg->input_width > 0 ? cfg->input_width : cfg->anchors.input_width;
  cfg->anchors.input_height = cfg->input_height > 0 ? cfg->input_height : cfg->anchors.input_height;
  if (const JsonValue* a = meta.find("anchors")) {
    if (!a->is_array()) FD_RETURN_IF_ERROR(parse_anchors(*a, cfg));
  }
  return Status();
}

}  // namespace fd
