// Embind bindings: the JavaScript face of the runtime (web/src/runtime.ts wraps it). The only
// file that includes Emscripten headers. C++ errors come back as message strings; the JS
// wrapper turns them into thrown Errors.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "api/model_runner.h"
#include "vision/image_io.h"
#include "vision/resize.h"

namespace fd {
namespace {

using emscripten::val;

// Copies a JS Uint8Array into a C++ byte vector with one TypedArray.set (no per-element calls).
std::vector<uint8_t> copy_bytes(const val& bytes) {
  const size_t n = bytes["length"].as<size_t>();
  std::vector<uint8_t> out(n);
  if (n > 0) val(emscripten::typed_memory_view(n, out.data())).call<void>("set", bytes);
  return out;
}

// A fresh JS Uint8Array holding a copy of `n` bytes at `p`.
val new_uint8_array(const uint8_t* p, size_t n) {
  return val::global("Uint8Array").new_(emscripten::typed_memory_view(n, p));
}

// Appends `s` as a JSON string literal.
void json_string(std::string* out, const std::string& s) {
  *out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      *out += buf;
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

// Appends a float as JSON with enough digits to round-trip (null when not finite).
void json_float(std::string* out, float f) {
  if (!std::isfinite(f)) {
    *out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(f));
  *out += buf;
}

// Runs raw TFLite models: load, write inputs through tensorData views, invoke, read outputs.
class Runtime {
 public:
  // Loads model bytes; returns '' on success, else the error message.
  std::string load(const val& bytes) {
    std::vector<uint8_t> data = copy_bytes(bytes);
    Status s = runner_.load(data.data(), data.size());
    return s.ok() ? std::string() : s.message();
  }
  // Runs the model once; returns '' on success, else the error message.
  std::string invoke() {
    Status s = runner_.invoke();
    return s.ok() ? std::string() : s.message();
  }
  int num_inputs() const { return runner_.num_inputs(); }
  int num_outputs() const { return runner_.num_outputs(); }
  // JSON {name, dtype, shape, scale[], zeroPoint[], quantizedDimension}, or '' for a bad index.
  std::string tensor_info(bool is_input, int i) const {
    if (!runner_.valid_index(is_input, i)) return std::string();
    TensorInfo info = runner_.tensor_info(is_input, i);
    std::string j = "{\"name\":";
    json_string(&j, info.name);
    j += ",\"dtype\":\"";
    j += dtype_name(info.dtype);
    j += "\",\"shape\":[";
    for (size_t k = 0; k < info.shape.size(); ++k) j += (k ? "," : "") + std::to_string(info.shape[k]);
    j += "],\"scale\":[";
    for (size_t k = 0; k < info.quant.scale.size(); ++k) {
      if (k) j += ",";
      json_float(&j, info.quant.scale[k]);
    }
    j += "],\"zeroPoint\":[";
    for (size_t k = 0; k < info.quant.zero_point.size(); ++k) {
      j += (k ? "," : "") + std::to_string(info.quant.zero_point[k]);
    }
    j += "],\"quantizedDimension\":" + std::to_string(info.quant.axis) + "}";
    return j;
  }
  // A Uint8Array view of the tensor's bytes in wasm memory (no copy; invalid after memory
  // growth or the next load), or null for a bad index.
  val tensor_data(bool is_input, int i) {
    if (!runner_.valid_index(is_input, i)) return val::null();
    return val(emscripten::typed_memory_view(runner_.tensor_bytes(is_input, i),
                                             runner_.tensor_data(is_input, i)));
  }
  double arena_bytes() const { return static_cast<double>(runner_.arena_bytes()); }
  // Frees the model.
  void unload() { runner_.unload(); }

 private:
  ModelRunner runner_;
};

// Decodes JPEG/PNG/BMP bytes: {width, height, pixels: Uint8Array RGB copy, error: string}.
val decode_image_js(const val& bytes) {
  std::vector<uint8_t> data = copy_bytes(bytes);
  Image img;
  Status s = decode_image(data.data(), data.size(), &img);
  val out = val::object();
  out.set("width", s.ok() ? img.width : 0);
  out.set("height", s.ok() ? img.height : 0);
  out.set("pixels", new_uint8_array(img.pixels.data(), s.ok() ? img.pixels.size() : 0));
  out.set("error", s.ok() ? std::string() : s.message());
  return out;
}

// Bilinear resize of an RGB8 image [sh, sw, 3] to [dh, dw, 3]; an empty array on bad arguments.
val resize_rgb_js(const val& src, int sw, int sh, int dw, int dh) {
  std::vector<uint8_t> data = copy_bytes(src);
  if (sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 ||
      data.size() != static_cast<size_t>(sw) * static_cast<size_t>(sh) * 3) {
    return new_uint8_array(nullptr, 0);
  }
  std::vector<uint8_t> out(static_cast<size_t>(dw) * dh * 3);
  if (!resize_bilinear_u8(data.data(), sw, sh, 3, out.data(), dw, dh).ok()) return new_uint8_array(nullptr, 0);
  return new_uint8_array(out.data(), out.size());
}

}  // namespace
}  // namespace fd

EMSCRIPTEN_BINDINGS(featherdet) {
  using fd::Runtime;
  emscripten::class_<Runtime>("Runtime")
      .constructor<>()
      .function("load", &Runtime::load)
      .function("invoke", &Runtime::invoke)
      .function("numInputs", &Runtime::num_inputs)
      .function("numOutputs", &Runtime::num_outputs)
      .function("tensorInfo", &Runtime::tensor_info)
      .function("tensorData", &Runtime::tensor_data)
      .function("arenaBytes", &Runtime::arena_bytes)
      .function("unload", &Runtime::unload);
  emscripten::function("decodeImage", &fd::decode_image_js);
  emscripten::function("resizeRgb", &fd::resize_rgb_js);
}
