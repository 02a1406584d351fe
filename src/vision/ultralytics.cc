#include "vision/ultralytics.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include "core/decimal.h"
#include "core/zip.h"

namespace fd {
namespace {

// Metadata entries are a few KB; anything far larger is not Ultralytics metadata.
constexpr size_t kMaxMetadataBytes = 1 << 20;
constexpr int kMaxDepth = 32;

class PyLiteralParser {
 public:
  explicit PyLiteralParser(const std::string& s) : s_(s) {}

  Status parse(JsonValue* out) {
    FD_RETURN_IF_ERROR(value(out, 0));
    skip_space();
    if (pos_ != s_.size()) return error("unexpected text after the literal");
    return Status();
  }

 private:
  Status error(const std::string& what) const {
    return Status::error("Python literal: " + what + " at byte " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool word(const char* w) {
    size_t n = 0;
    while (w[n]) ++n;
    if (s_.compare(pos_, n, w) != 0) return false;
    const size_t end = pos_ + n;
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) return false;
    pos_ = end;
    return true;
  }

  Status value(JsonValue* out, int depth) {
    if (depth > kMaxDepth) return error("nesting deeper than " + std::to_string(kMaxDepth));
    skip_space();
    if (pos_ >= s_.size()) return error("unexpected end of text");
    const char c = s_[pos_];
    if (c == '{') return dict(out, depth);
    if (c == '[') return sequence(']', out, depth);
    if (c == '(') return sequence(')', out, depth);
    if (c == '\'' || c == '"') {
      std::string str;
      FD_RETURN_IF_ERROR(string(&str));
      *out = JsonValue::make_string(std::move(str));
      return Status();
    }
    if (word("True")) {
      *out = JsonValue::make_bool(true);
      return Status();
    }
    if (word("False")) {
      *out = JsonValue::make_bool(false);
      return Status();
    }
    if (word("None")) {
      *out = JsonValue::make_null();
      return Status();
    }
    return number(out);
  }

  Status dict(JsonValue* out, int depth) {
    ++pos_;
    *out = JsonValue::make_object();
    if (consume('}')) return Status();
    for (;;) {
      JsonValue key, v;
      FD_RETURN_IF_ERROR(value(&key, depth + 1));
      std::string name;
      if (key.is_string()) {
        name = key.as_string();
      } else if (key.is_number()) {
        name = number_text_;
      } else {
        return error("dict keys must be strings or numbers");
      }
      if (!consume(':')) return error("expected ':' after a dict key");
      FD_RETURN_IF_ERROR(value(&v, depth + 1));
      out->set(name, std::move(v));
      if (consume('}')) return Status();
      if (!consume(',')) return error("expected ',' or '}' in a dict");
      if (consume('}')) return Status();
    }
  }

  Status sequence(char close, JsonValue* out, int depth) {
    ++pos_;
    std::vector<JsonValue> items;
    if (!consume(close)) {
      for (;;) {
        JsonValue v;
        FD_RETURN_IF_ERROR(value(&v, depth + 1));
        items.push_back(std::move(v));
        if (consume(close)) break;
        if (!consume(',')) return error(std::string("expected ',' or '") + close + "'");
        if (consume(close)) break;
      }
    }
    *out = JsonValue::make_array(std::move(items));
    return Status();
  }

  static void append_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  Status hex(size_t digits, uint32_t* cp) {
    if (pos_ + digits > s_.size()) return error("truncated escape");
    *cp = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char h = s_[pos_++];
      int v = h >= '0' && h <= '9' ? h - '0' : (h >= 'a' && h <= 'f' ? h - 'a' + 10 : (h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1));
      if (v < 0) return error("bad hex digit in an escape");
      *cp = *cp * 16 + static_cast<uint32_t>(v);
    }
    if (*cp > 0x10FFFF) return error("escape outside Unicode");
    return Status();
  }

  Status string(std::string* out) {
    const char quote = s_[pos_++];
    for (;;) {
      if (pos_ >= s_.size()) return error("unterminated string");
      const char c = s_[pos_++];
      if (c == quote) return Status();
      if (c == '\n') return error("line break inside a string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return error("unterminated string");
      const char e = s_[pos_++];
      uint32_t cp = 0;
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case '0': out->push_back('\0'); break;
        case '\\': case '\'': case '"': out->push_back(e); break;
        case 'x': FD_RETURN_IF_ERROR(hex(2, &cp)); append_utf8(cp, out); break;
        case 'u': FD_RETURN_IF_ERROR(hex(4, &cp)); append_utf8(cp, out); break;
        case 'U': FD_RETURN_IF_ERROR(hex(8, &cp)); append_utf8(cp, out); break;
        default: out->push_back('\\'); out->push_back(e); break;
      }
    }
  }

  Status number(JsonValue* out) {
    const size_t start = pos_;
    if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
                                s_[pos_] == 'e' || s_[pos_] == 'E' || s_[pos_] == '_' ||
                                ((s_[pos_] == '-' || s_[pos_] == '+') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')))) {
      ++pos_;
    }
    std::string text;
    for (size_t i = start; i < pos_; ++i) {
      if (s_[i] != '_') text.push_back(s_[i]);
    }
    if (text.empty() || text == "-" || text == "+") {
      pos_ = start;
      return error("expected a value");
    }
    double d = 0.0;
    if (parse_decimal(text.data(), text.data() + text.size(), &d) != text.size() || !std::isfinite(d)) {
      pos_ = start;
      return error("bad number '" + text + "'");
    }
    number_text_ = text[0] == '+' ? text.substr(1) : text;
    *out = JsonValue::make_number(d);
    return Status();
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string number_text_;  // the last number as written (dict keys keep their spelling)
};

// names: {"0": "person", ...} (or a list) -> labels in class order.
Status labels_from_names(const JsonValue& names, std::vector<std::string>* labels) {
  labels->clear();
  if (names.is_array()) {
    for (const JsonValue& n : names.items()) {
      if (!n.is_string()) return Status::error("Ultralytics metadata: 'names' must hold strings");
      labels->push_back(n.as_string());
    }
    return Status();
  }
  if (!names.is_object()) return Status::error("Ultralytics metadata: 'names' must be a dict of class id to name");
  std::map<long, std::string> by_id;
  for (const auto& m : names.members()) {
    char* end = nullptr;
    const long id = std::strtol(m.first.c_str(), &end, 10);
    if (m.first.empty() || *end != '\0' || id < 0 || id > 100000 || !m.second.is_string()) {
      return Status::error("Ultralytics metadata: 'names' must map class ids 0, 1, ... to strings (found key '" +
                           m.first + "')");
    }
    by_id[id] = m.second.as_string();
  }
  long expect = 0;
  for (const auto& e : by_id) {
    if (e.first != expect++) {
      return Status::error("Ultralytics metadata: 'names' skips class id " + std::to_string(expect - 1));
    }
    labels->push_back(e.second);
  }
  return Status();
}

std::string shapes_text(const std::vector<Shape>& shapes) {
  std::string s;
  for (size_t i = 0; i < shapes.size(); ++i) s += (i ? ", " : "") + shape_str(shapes[i]);
  return s;
}

}  // namespace

Status parse_python_literal(const std::string& text, JsonValue* out) { return PyLiteralParser(text).parse(out); }

std::string yolo_family_for_shape(const Shape& s, int classes) {
  if (s.size() != 3 || s[0] != 1 || s[1] <= 0 || s[2] <= 0) return std::string();
  if (classes > 0) {
    if (s[1] == 4 + classes || s[2] == 4 + classes) return "yolov8";
    if (s[2] == 5 + classes) return "yolov5";
    return std::string();
  }
  if (s[1] < s[2] && s[1] > 4) return "yolov8";  // [1, 4+C, N]: anchors outnumber channels
  if (s[2] > 5) return "yolov5";
  return std::string();
}

Status ultralytics_decoder_metadata(const uint8_t* data, size_t size, const std::vector<Shape>& output_shapes,
                                    bool* found, JsonValue* meta, std::string* note) {
  *found = false;
  note->clear();
  bool has_zip = false;
  std::vector<ZipEntry> entries;
  Status zs = zip_list(data, size, &has_zip, &entries);
  if (!zs.ok()) {
    *note = "the archive at the end of the file could not be read: " + zs.message();
    return Status();
  }
  if (!has_zip) return Status();
  const ZipEntry* entry = nullptr;
  bool python = false;
  for (const ZipEntry& e : entries) {
    if (e.name == "metadata.json") entry = &e;
  }
  if (entry == nullptr) {
    for (const ZipEntry& e : entries) {
      if (e.name == "temp_meta.txt") entry = &e;
    }
    python = entry != nullptr;
  }
  if (entry == nullptr) {
    *note = "the archive at the end of the file holds neither metadata.json nor temp_meta.txt";
    return Status();
  }
  std::vector<uint8_t> bytes;
  Status rs = zip_read(data, size, *entry, kMaxMetadataBytes, &bytes);
  if (!rs.ok()) return Status::error("Ultralytics metadata (" + entry->name + "): " + rs.message());
  const std::string text(bytes.begin(), bytes.end());
  JsonValue m;
  Status ps = python ? parse_python_literal(text, &m) : parse_json(text, &m);
  if (!ps.ok()) return Status::error("Ultralytics metadata (" + entry->name + ") is not readable: " + ps.message());
  if (!m.is_object()) return Status::error("Ultralytics metadata (" + entry->name + ") must be a dict");
  const JsonValue* task = m.find("task");
  if (task != nullptr && (!task->is_string() || task->as_string() != "detect")) {
    const std::string t = task->is_string() ? task->as_string() : std::string(json_type_name(task->type()));
    return Status::error("this Ultralytics model's task is '" + t +
                         "'; featherdet runs detection models (task 'detect'): export a detection model, e.g. yolov8n.pt");
  }
  std::vector<std::string> labels;
  if (const JsonValue* names = m.find("names")) FD_RETURN_IF_ERROR(labels_from_names(*names, &labels));
  if (output_shapes.size() != 1) {
    return Status::error("this Ultralytics detection model has " + std::to_string(output_shapes.size()) +
                         " outputs (" + shapes_text(output_shapes) + "); featherdet reads exports with one output "
                         "[1, 4+C, N] (YOLOv8, YOLO11) or [1, N, 5+C] (YOLOv5)");
  }
  const std::string family = yolo_family_for_shape(output_shapes[0], static_cast<int>(labels.size()));
  if (family.empty()) {
    return Status::error("this Ultralytics model's output " + shape_str(output_shapes[0]) + " fits neither [1, 4+C, N] "
                         "(YOLOv8, YOLO11) nor [1, N, 5+C] (YOLOv5) with C = " + std::to_string(labels.size()) +
                         " class names");
  }
  *meta = JsonValue::make_object();
  meta->set("family", JsonValue::make_string(family));
  JsonValue input = JsonValue::make_object();
  if (const JsonValue* imgsz = m.find("imgsz")) {
    const std::vector<JsonValue>& hw = imgsz->items();
    if (imgsz->is_array() && hw.size() == 2 && hw[0].is_number() && hw[1].is_number()) {
      input.set("height", hw[0]);
      input.set("width", hw[1]);
    } else if (imgsz->is_number()) {
      input.set("height", *imgsz);
      input.set("width", *imgsz);
    }
  }
  input.set("range", JsonValue::make_string("0,1"));
  input.set("resize", JsonValue::make_string("letterbox"));
  input.set("pad_value", JsonValue::make_number(114));
  meta->set("input", std::move(input));
  meta->set("normalized", JsonValue::make_bool(true));
  if (!labels.empty()) {
    std::vector<JsonValue> l;
    for (std::string& s : labels) l.push_back(JsonValue::make_string(std::move(s)));
    meta->set("labels", JsonValue::make_array(std::move(l)));
  }
  meta->set("score_threshold", JsonValue::make_number(0.25));
  meta->set("iou_threshold", JsonValue::make_number(0.45));
  *found = true;
  return Status();
}

}  // namespace fd
