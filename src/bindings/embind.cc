// Embind bindings: the JavaScript face of the runtime (web/src/runtime.ts wraps it). The only
// file that includes Emscripten headers. Options, model facts, tensor facts and profiles cross
// as typed value objects (JS objects with fixed fields; featherdet.d.mts types them); C++ errors
// come back as message strings with a StatusCode name (errorCode()); the JS wrapper turns them
// into thrown Errors of the class the code names.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/detector.h"
#include "api/model_runner.h"
#include "api/profile.h"
#include "vision/json.h"
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

// C++ values <-> JS values for the vector fields of value objects: numbers, strings, value
// objects, and (nested) vectors of them as JS arrays; JS arrays of strings or numbers back.
template <typename T>
val to_js(const T& v) {
  return val(v);
}
template <typename T>
val to_js(const std::vector<T>& v) {
  val a = val::array();
  for (size_t i = 0; i < v.size(); ++i) a.set(i, to_js(v[i]));
  return a;
}
template <typename T>
void from_js(const val& v, T* out) {
  *out = v.as<T>();
}
template <typename T>
void from_js(const val& v, std::vector<T>* out) {
  const size_t n = v.isArray() ? v["length"].as<size_t>() : 0;
  out->resize(n);
  for (size_t i = 0; i < n; ++i) from_js(v[i], &(*out)[i]);
}

// Results (DetectorInfo, TensorInfo, profiles) travel from C++ to JS only. A value object needs a
// getter and a setter per field; the computed fields of results get this setter, which leaves the
// C++ field as it is: a JS object is never converted back into a result.
template <typename C>
void result_only(C&, val) {}

// A vector member M of C as a result field (a JS array).
template <typename C, typename V, V C::*M>
val get_array(const C& c) {
  return to_js(c.*M);
}
#define FD_ARRAY_FIELD(C, member) &fd::get_array<C, decltype(C::member), &C::member>, &fd::result_only<C>

// Detector options as JavaScript passes them: every field present, NaN / null / '' where the
// caller gave none (web/src/core.ts pipelineOptions, which also checks their types).
struct JsDetectorOptions {
  double score_threshold = NAN, iou_threshold = NAN, max_results = NAN;
  val category_allowlist = val::null(), category_denylist = val::null();
  std::string decoder;  // the decoder option as JSON text (metadata-shaped), '' = none
};

Status to_detector_options(const JsDetectorOptions& js, DetectorOptions* out) {
  if (!std::isnan(js.score_threshold)) out->score_threshold = static_cast<float>(js.score_threshold);
  if (!std::isnan(js.iou_threshold)) out->iou_threshold = static_cast<float>(js.iou_threshold);
  if (!std::isnan(js.max_results)) {
    if (js.max_results != std::floor(js.max_results) || std::fabs(js.max_results) > 1e9) {
      return Status::error("option 'maxResults' must be a positive integer, or -1 for no limit", StatusCode::kInvalidArgument);
    }
    out->max_results = static_cast<int>(js.max_results);
  }
  for (const auto& [list, field] : {std::make_pair(&js.category_allowlist, &out->category_allowlist),
                                    std::make_pair(&js.category_denylist, &out->category_denylist)}) {
    if (list->isNull() || list->isUndefined()) continue;
    std::vector<std::string> names;
    from_js(*list, &names);
    *field = std::move(names);
  }
  if (!js.decoder.empty()) {
    JsonValue decoder;
    Status s = parse_json(js.decoder, &decoder);
    if (!s.ok()) return Status::error("option 'decoder' is not valid JSON: " + s.message(), StatusCode::kInvalidArgument);
    out->decoder = std::move(decoder);
  }
  return Status();
}

// Which kernels this module runs.
struct KernelInfo {
  std::string isa, gemm;
};

// TensorInfo's computed fields.
std::string tensor_dtype(const TensorInfo& t) { return dtype_name(t.dtype); }
int quantized_dimension(const TensorInfo& t) { return t.quant.axis; }
val tensor_scale(const TensorInfo& t) { return to_js(t.quant.scale); }
val tensor_zero_point(const TensorInfo& t) { return to_js(t.quant.zero_point); }


// Runs raw TFLite models: load, write inputs through tensorData views, invoke, read outputs.
class Runtime {
 public:
  // Loads model bytes (`profile`: time every node, see profile()); returns '' on success, else
  // the error message.
  std::string load(const val& bytes, bool profile) {
    std::vector<uint8_t> data = copy_bytes(bytes);
    InterpreterOptions options;
    options.profile = profile;
    Status s = runner_.load(data.data(), data.size(), options);
    code_ = s.code();
    return s.ok() ? std::string() : s.message();
  }
  // The kind of the last load() or invoke() failure (core/status.h names), '' after a success.
  std::string error_code() const { return status_code_name(code_); }
  // The per-node profile (api/profile.h), null without a model.
  val profile() const {
    ModelProfile p;
    return runner_.profile(&p) ? val(p) : val::null();
  }
  void reset_profile() { runner_.reset_profile(); }
  // Runs the model once; returns '' on success, else the error message.
  std::string invoke() {
    Status s = runner_.invoke();
    code_ = s.code();
    return s.ok() ? std::string() : s.message();
  }
  int num_inputs() const { return runner_.num_inputs(); }
  int num_outputs() const { return runner_.num_outputs(); }
  // {name, dtype, shape, scale, zeroPoint, quantizedDimension}, or null for a bad index.
  val tensor_info(bool is_input, int i) const {
    return runner_.valid_index(is_input, i) ? val(runner_.tensor_info(is_input, i)) : val::null();
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
  StatusCode code_ = StatusCode::kOk;
};

// The detection pipeline for JavaScript (api/detector.h): load a model, fill the reused RGBA frame
// buffer, detect, read results() as a Float32Array view. After the first frame of a size, a
// frame allocates nothing in C++.
class DetectorBinding {
 public:
  // Loads a detection model with options; '' on success, else the error message (a model loaded
  // before stays loaded).
  std::string load(const val& bytes, const JsDetectorOptions& js) {
    DetectorOptions options;
    Status s = to_detector_options(js, &options);
    std::unique_ptr<Detector> d;
    if (s.ok()) {
      std::vector<uint8_t> data = copy_bytes(bytes);
      s = Detector::create(data.data(), data.size(), options, &d);
    }
    code_ = s.code();
    if (!s.ok()) return s.message();
    detector_ = std::move(d);
    count_ = 0;
    return std::string();
  }
  // Changes options; '' on success, else the error message (options unchanged).
  std::string set_options(const JsDetectorOptions& js) {
    DetectorOptions options;
    Status s = to_detector_options(js, &options);
    if (s.ok()) s = detector_ ? detector_->set_options(options) : Status::error("no model is loaded: call load() first");
    code_ = s.code();
    return s.ok() ? std::string() : s.message();
  }
  // The kind of the last failure of load(), setOptions(), detect() or detectEncoded() (core/status.h
  // names: 'unsupported', 'invalid_argument', 'invalid_image', 'failed'), '' after a success.
  std::string error_code() const { return status_code_name(code_); }
  // Model and option facts (DetectorInfo), or null when no model is loaded.
  val info() const { return detector_ ? val(detector_->info()) : val::null(); }
  // A Uint8Array view of the reused RGBA buffer for a width x height frame (null for a bad
  // size). Re-fetch after every call: wasm memory growth detaches older views.
  val frame_buffer(int width, int height) {
    if (width <= 0 || height <= 0 || width > kMaxSourceSide || height > kMaxSourceSide) return val::null();
    const size_t need = static_cast<size_t>(width) * static_cast<size_t>(height) * 4;
    if (frame_.size() < need) frame_.resize(need);
    return val(emscripten::typed_memory_view(need, frame_.data()));
  }
  // Detects in the frame buffer's width x height RGBA pixels; the detection count, or -1 (see
  // lastError()).
  int detect(int width, int height, bool mirror, int rotation) {
    if (!detector_) return fail(Status::error("no model is loaded: call load() first"));
    if (width > 0 && height > 0 && static_cast<uint64_t>(width) * static_cast<uint64_t>(height) * 4 > frame_.size()) {
      return fail(Status::error("the frame buffer holds " + std::to_string(frame_.size()) + " bytes, too few for a " +
                                    std::to_string(width) + "x" + std::to_string(height) +
                                    " RGBA frame: call frameBuffer(width, height) first",
                                StatusCode::kInvalidArgument));
    }
    source_width_ = width;
    source_height_ = height;
    return finish(detector_->run(frame_.data(), width, height, 4, width * 4, transform(mirror, rotation), frame_.size()));
  }
  // Decodes JPEG/PNG/BMP bytes and detects in them; the detection count, or -1.
  int detect_encoded(const val& bytes, bool mirror, int rotation) {
    if (!detector_) return fail(Status::error("no model is loaded: call load() first"));
    std::vector<uint8_t> data = copy_bytes(bytes);
    Status s = decode_image(data.data(), data.size(), &image_);
    if (!s.ok()) return fail(s.with_code(StatusCode::kInvalidImage));
    source_width_ = image_.width;
    source_height_ = image_.height;
    return finish(detector_->run(image_.pixels.data(), image_.width, image_.height, 3, image_.width * 3,
                                 transform(mirror, rotation), image_.pixels.size()));
  }
  int source_width() const { return source_width_; }
  int source_height() const { return source_height_; }
  // Float32Array view [count * (7 + 2K)]: x, y, width, height, score, labelId, keypointCount,
  // then K (x, y) pairs, in source pixels (as displayed after mirror/rotation).
  val results() const { return val(emscripten::typed_memory_view(count_ * stride(), results_.data())); }
  std::string last_error() const { return error_; }

 private:
  static Transform transform(bool mirror, int rotation) {
    Transform t;
    t.mirror = mirror;
    t.rotation = rotation;
    return t;
  }
  size_t stride() const { return detector_ ? 7 + 2 * detector_->keypoint_names().size() : 7; }
  int fail(const Status& s) {
    error_ = s.message();
    code_ = s.code();
    count_ = 0;
    return -1;
  }
  // Copies the detector's results into the flat float buffer (grown, never shrunk).
  int finish(const Status& s) {
    if (!s.ok()) return fail(s);
    error_.clear();
    code_ = StatusCode::kOk;
    const std::vector<Candidate>& r = detector_->results();
    const size_t k = detector_->keypoint_names().size();
    const size_t st = stride();
    if (results_.size() < r.size() * st) results_.resize(r.size() * st);
    for (size_t i = 0; i < r.size(); ++i) {
      float* o = &results_[i * st];
      o[0] = r[i].x0;
      o[1] = r[i].y0;
      o[2] = r[i].x1 - r[i].x0;
      o[3] = r[i].y1 - r[i].y0;
      o[4] = r[i].score;
      o[5] = static_cast<float>(r[i].label);
      o[6] = static_cast<float>(k);
      for (size_t j = 0; j < 2 * k; ++j) o[7 + j] = j < static_cast<size_t>(2 * r[i].num_keypoints) ? r[i].kp[j] : 0.0f;
    }
    count_ = r.size();
    return static_cast<int>(count_);
  }

  std::unique_ptr<Detector> detector_;
  std::vector<uint8_t> frame_;
  std::vector<float> results_;
  size_t count_ = 0;
  Image image_;
  int source_width_ = 0, source_height_ = 0;
  std::string error_;
  StatusCode code_ = StatusCode::kOk;
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

KernelInfo kernel_info() { return KernelInfo{isa_name(kernels().isa), kernels().qgemm.name}; }

// Multiply-accumulates per second (in units of 1e9) of the GEMM's dot instruction in a tight
// loop over about `seconds`: the profiler's peak.
double measure_peak_gmacs(double seconds) { return measure_dot_peak(kernels(), seconds) / 1e9; }

}  // namespace
}  // namespace fd

EMSCRIPTEN_BINDINGS(featherdet) {
  using emscripten::value_object;
  using fd::DetectorInfo;
  using fd::JsDetectorOptions;
  using fd::KernelInfo;
  using fd::ModelProfile;
  using fd::NodeProfile;
  using fd::TensorInfo;
  value_object<JsDetectorOptions>("DetectorOptions")
      .field("scoreThreshold", &JsDetectorOptions::score_threshold)
      .field("iouThreshold", &JsDetectorOptions::iou_threshold)
      .field("maxResults", &JsDetectorOptions::max_results)
      .field("categoryAllowlist", &JsDetectorOptions::category_allowlist)
      .field("categoryDenylist", &JsDetectorOptions::category_denylist)
      .field("decoder", &JsDetectorOptions::decoder);
  value_object<DetectorInfo>("DetectorInfo")
      .field("family", &DetectorInfo::family)
      .field("inputWidth", &DetectorInfo::input_width)
      .field("inputHeight", &DetectorInfo::input_height)
      .field("labels", FD_ARRAY_FIELD(DetectorInfo, labels))
      .field("keypoints", FD_ARRAY_FIELD(DetectorInfo, keypoints))
      .field("scoreThreshold", &DetectorInfo::score_threshold)
      .field("iouThreshold", &DetectorInfo::iou_threshold)
      .field("maxResults", &DetectorInfo::max_results)
      .field("modelBytes", &DetectorInfo::model_bytes)
      .field("arenaBytes", &DetectorInfo::arena_bytes)
      .field("inputType", &DetectorInfo::input_type);
  value_object<TensorInfo>("TensorInfo")
      .field("name", &TensorInfo::name)
      .field("dtype", &fd::tensor_dtype, &fd::result_only<TensorInfo>)
      .field("shape", FD_ARRAY_FIELD(TensorInfo, shape))
      .field("scale", &fd::tensor_scale, &fd::result_only<TensorInfo>)
      .field("zeroPoint", &fd::tensor_zero_point, &fd::result_only<TensorInfo>)
      .field("quantizedDimension", &fd::quantized_dimension, &fd::result_only<TensorInfo>);
  value_object<KernelInfo>("KernelInfo").field("isa", &KernelInfo::isa).field("gemm", &KernelInfo::gemm);
  value_object<NodeProfile>("NodeProfile")
      .field("index", &NodeProfile::index)
      .field("op", &NodeProfile::op)
      .field("inputs", FD_ARRAY_FIELD(NodeProfile, inputs))
      .field("output", FD_ARRAY_FIELD(NodeProfile, output))
      .field("macs", &NodeProfile::macs)
      .field("ms", &NodeProfile::ms);
  value_object<ModelProfile>("ModelProfile")
      .field("isa", &ModelProfile::isa)
      .field("gemm", &ModelProfile::gemm)
      .field("invokes", &ModelProfile::invokes)
      .field("nodes", FD_ARRAY_FIELD(ModelProfile, nodes));
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
      .function("profile", &Runtime::profile)
      .function("resetProfile", &Runtime::reset_profile)
      .function("unload", &Runtime::unload)
      .function("errorCode", &Runtime::error_code);
  using fd::DetectorBinding;
  emscripten::class_<DetectorBinding>("Detector")
      .constructor<>()
      .function("load", &DetectorBinding::load)
      .function("setOptions", &DetectorBinding::set_options)
      .function("info", &DetectorBinding::info)
      .function("frameBuffer", &DetectorBinding::frame_buffer)
      .function("detect", &DetectorBinding::detect)
      .function("detectEncoded", &DetectorBinding::detect_encoded)
      .function("sourceWidth", &DetectorBinding::source_width)
      .function("sourceHeight", &DetectorBinding::source_height)
      .function("results", &DetectorBinding::results)
      .function("lastError", &DetectorBinding::last_error)
      .function("errorCode", &DetectorBinding::error_code);
  emscripten::function("decodeImage", &fd::decode_image_js);
  emscripten::function("resizeRgb", &fd::resize_rgb_js);
  emscripten::function("kernelInfo", &fd::kernel_info);
  emscripten::function("measurePeakGmacs", &fd::measure_peak_gmacs);
}
