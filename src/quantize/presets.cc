#include "quantize/presets.h"

#include <algorithm>

#include "model/graph_edit.h"

namespace fd {
namespace {

Preset yunet() {
  Preset p;
  p.name = p.family = "yunet";
  p.width = p.height = 320;
  p.pixels = family_pixels(p.family);
  p.strides = {8, 16, 32};
  p.outputs = {{"cls", {"cls_8", "cls_16", "cls_32"}},
               {"obj", {"obj_8", "obj_16", "obj_32"}},
               {"bbox", {"bbox_8", "bbox_16", "bbox_32"}},
               {"kps", {"kps_8", "kps_16", "kps_32"}}};
  p.keypoints = {"right_eye", "left_eye", "nose", "right_mouth", "left_mouth"};
  p.score_threshold = 0.6;
  p.iou_threshold = 0.3;
  p.max_results = 100;
  p.license = "Apache-2.0";
  p.repository = "ShiqiYu/libfacedetection.train";
  p.url = "https://github.com/ShiqiYu/libfacedetection.train/raw/0047ac2/onnx/yunet_n_320_320.onnx";
  return p;
}

Preset nanodet() {
  Preset p;
  p.name = p.family = "nanodet";
  p.width = p.height = 416;
  p.pixels = family_pixels(p.family);
  p.strides = {8, 16, 32};
  p.reg_max = 7;
  p.outputs = {{"cls", {"792", "814", "836"}}, {"reg", {"795", "817", "839"}}};
  p.coco_labels = true;
  p.score_threshold = 0.4;
  p.iou_threshold = 0.6;
  p.license = "Apache-2.0";
  p.repository = "hpc203/nanodet-opncv-dnn-cpp-python";
  p.url = "https://github.com/hpc203/nanodet-opncv-dnn-cpp-python/raw/15dd99c/nanodet_m.onnx";
  return p;
}

Preset fastestdet() {
  Preset p;
  p.name = p.family = "fastestdet";
  p.width = p.height = 352;
  p.pixels = family_pixels(p.family);
  p.outputs = {{"pred", {}}};
  p.coco_labels = true;
  p.score_threshold = 0.65;
  p.iou_threshold = 0.45;
  p.license = "BSD-3-Clause";
  p.repository = "dog-qiuqiu/FastestDet";
  p.url = "https://github.com/dog-qiuqiu/FastestDet/raw/50473cd/example/onnx-runtime/FastestDet.onnx";
  return p;
}

Preset yolov8() {
  Preset p;
  p.name = p.family = "yolov8";
  p.width = p.height = 640;
  p.pixels = family_pixels(p.family);
  p.resize = "letterbox";
  p.outputs = {{"pred", {}}};
  p.coco_labels = true;
  p.score_threshold = 0.25;
  p.iou_threshold = 0.45;
  p.license = "AGPL-3.0";
  p.repository = "ultralytics/ultralytics";
  return p;
}

Preset yolox() {
  Preset p;
  p.name = p.family = "yolox";
  p.width = p.height = 416;
  p.pixels = family_pixels(p.family);
  p.resize = "letterbox";
  p.align = "top-left";
  p.pad_value = 114;
  p.split_channels = 32;  // its stem's SiLU output spans 0.03 to 125 across channels
  p.strides = {8, 16, 32};
  p.outputs = {{"output", {}}};
  p.coco_labels = true;
  p.score_threshold = 0.3;
  p.iou_threshold = 0.45;
  p.license = "Apache-2.0";
  p.repository = "Megvii-BaseDetection/YOLOX";
  p.url = "https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_nano.onnx";
  return p;
}

void append(std::string* out, const JsonValue& v) {
  switch (v.type()) {
    case JsonValue::Type::kNull: *out += "null"; break;
    case JsonValue::Type::kBool: *out += v.as_bool() ? "true" : "false"; break;
    case JsonValue::Type::kNumber: append_json_number(out, v.as_number()); break;
    case JsonValue::Type::kString: append_json_string(out, v.as_string()); break;
    case JsonValue::Type::kArray: {
      *out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) *out += ',';
        append(out, v.items()[i]);
      }
      *out += ']';
      break;
    }
    case JsonValue::Type::kObject: {
      *out += '{';
      for (size_t i = 0; i < v.members().size(); ++i) {
        if (i) *out += ',';
        append_json_string(out, v.members()[i].first);
        *out += ':';
        append(out, v.members()[i].second);
      }
      *out += '}';
      break;
    }
  }
}

JsonValue strings(const std::vector<std::string>& v) {
  std::vector<JsonValue> items;
  for (const std::string& s : v) items.push_back(JsonValue::make_string(s));
  return JsonValue::make_array(std::move(items));
}

}  // namespace

Status find_preset(const std::string& name, Preset* out) {
  if (name == "yunet") *out = yunet();
  else if (name == "nanodet") *out = nanodet();
  else if (name == "fastestdet") *out = fastestdet();
  else if (name == "yolov8") *out = yolov8();
  else if (name == "yolox") *out = yolox();
  else return Status::error("unknown preset '" + name + "' (known: yunet, nanodet, fastestdet, yolov8, yolox)");
  return Status();
}

Status cut_preset_head(Graph* g, Preset* p) {
  if (p->family != "yolox") return Status();
  struct Level {
    int32_t rows;
    int32_t reg, obj, cls;
  };
  std::vector<Level> levels;
  int32_t classes = -1;
  for (const Node& n : g->nodes) {
    if (n.code != static_cast<int32_t>(OpCode::kConcatenation) || n.inputs.size() != 3 ||
        (n.options.axis != 3 && n.options.axis != -1)) {
      continue;
    }
    const Shape& r = g->tensors[n.inputs[0]].shape;
    const Shape& o = g->tensors[n.inputs[1]].shape;
    const Shape& c = g->tensors[n.inputs[2]].shape;
    if (r.size() != 4 || o.size() != 4 || c.size() != 4 || r[3] != 4 || o[3] != 1 || c[3] < 1 ||
        o[1] != r[1] || c[1] != r[1] || o[2] != r[2] || c[2] != r[2] || (classes >= 0 && c[3] != classes)) {
      continue;
    }
    classes = c[3];
    levels.push_back({r[1], n.inputs[0], n.inputs[1], n.inputs[2]});
  }
  if (levels.size() != p->strides.size()) return Status();
  std::sort(levels.begin(), levels.end(), [](const Level& a, const Level& b) { return a.rows > b.rows; });
  std::vector<std::string> reg, obj, cls;
  for (const Level& l : levels) {
    reg.push_back(g->tensors[l.reg].name);
    obj.push_back(g->tensors[l.obj].name);
    cls.push_back(g->tensors[l.cls].name);
  }
  std::vector<std::string> names = reg;
  names.insert(names.end(), obj.begin(), obj.end());
  names.insert(names.end(), cls.begin(), cls.end());
  FD_RETURN_IF_ERROR(cut_at_outputs(g, names));
  p->outputs = {{"reg", reg}, {"obj", obj}, {"cls", cls}};
  return Status();
}

std::vector<RowWeighting> preset_row_weighting(const Preset& p, const Graph& g) {
  auto output_named = [&](const std::string& name) {
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      if (g.tensors[static_cast<size_t>(g.outputs[o])].name == name) return static_cast<int>(o);
    }
    return -1;
  };
  std::vector<RowWeighting> w(g.outputs.size());
  if (p.family == "fastestdet" && g.outputs.size() == 1) {
    const Shape& s = g.tensors[static_cast<size_t>(g.outputs[0])].shape;
    if (s.size() == 4 && s[3] >= 6) return {RowWeighting{0, 0}};
    return {};
  }
  if (p.family != "yolox" && p.family != "yunet") return {};
  const std::vector<std::string>* obj = nullptr;
  for (const auto& role : p.outputs) {
    if (role.first == "obj") obj = &role.second;
  }
  if (!obj || obj->size() != p.strides.size()) return {};
  for (const auto& role : p.outputs) {
    if (role.second.size() != obj->size()) return {};
    for (size_t k = 0; k < role.second.size(); ++k) {
      const int o = output_named(role.second[k]), source = output_named((*obj)[k]);
      if (o < 0 || source < 0) return {};
      w[static_cast<size_t>(o)] = RowWeighting{source, 0};
    }
  }
  return w;
}

JsonValue preset_metadata(const Preset& p, int width, int height, const std::vector<std::string>& labels,
                          const std::string& source_file, const std::string& sha256,
                          const std::vector<std::string>& model_outputs) {
  JsonValue m = JsonValue::make_object();
  m.set("version", JsonValue::make_number(1));
  m.set("family", JsonValue::make_string(p.family));
  JsonValue input = JsonValue::make_object();
  input.set("width", JsonValue::make_number(width));
  input.set("height", JsonValue::make_number(height));
  input.set("resize", JsonValue::make_string(p.resize));
  if (!p.align.empty()) input.set("align", JsonValue::make_string(p.align));
  if (p.pad_value >= 0) input.set("pad_value", JsonValue::make_number(p.pad_value));
  input.set("pixels", JsonValue::make_string("RGB"));
  input.set("range", JsonValue::make_string("raw"));
  m.set("input", input);
  if (!p.strides.empty()) {
    std::vector<JsonValue> s;
    for (int v : p.strides) s.push_back(JsonValue::make_number(v));
    m.set("strides", JsonValue::make_array(std::move(s)));
  }
  if (p.reg_max >= 0) m.set("reg_max", JsonValue::make_number(p.reg_max));
  JsonValue outputs = JsonValue::make_object();
  for (const auto& role : p.outputs) {
    outputs.set(role.first, strings(role.second.empty() ? model_outputs : role.second));
  }
  m.set("outputs", outputs);
  m.set("labels", strings(labels));
  m.set("keypoints", strings(p.keypoints));
  m.set("score_threshold", JsonValue::make_number(p.score_threshold));
  m.set("iou_threshold", JsonValue::make_number(p.iou_threshold));
  m.set("max_results", JsonValue::make_number(p.max_results));
  JsonValue source = JsonValue::make_object();
  source.set("file", JsonValue::make_string(source_file));
  source.set("sha256", JsonValue::make_string(sha256));
  source.set("url", JsonValue::make_string(p.url));
  source.set("license", JsonValue::make_string(p.license));
  source.set("repository", JsonValue::make_string(p.repository));
  m.set("source", source);
  return m;
}

std::string json_to_string(const JsonValue& v) {
  std::string out;
  append(&out, v);
  return out;
}

}  // namespace fd
