// featherdet-onnx-run (tools/onnx-run.cc): imports an ONNX model as a float NHWC graph, runs it natively on one image
// and prints every output (JSON with --json). Used to cross-check the importer against
// onnxruntime-web.
//
//   featherdet-onnx-run model.onnx image [--input-size WxH] [--mean m,m,m --std s,s,s] [--bgr]
//                       [--fold] [--dump-input FILE] [--json]
//
// The image is decoded (RGB), resized bilinearly to the input size and normalized as the model
// expects: x = (pixel - mean) / std per model channel, in BGR order with --bgr. By default the
// tool normalizes on the host; with --fold, as the converter does, space-to-depth slicing is folded
// into the convolution it feeds (fold_space_to_depth_convs), the normalization into the first
// convolution (fold_input_normalization), and raw RGB pixels are fed. --dump-input writes the
// model's preprocessed input as raw little-endian float32 in ONNX order [1, 3, H, W].
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "model/graph_transforms.h"
#include "model/onnx_reader.h"
#include "runtime/interpreter.h"
#include "vision/image_io.h"
#include "vision/resize.h"

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "featherdet-onnx-run: %s\n", msg.c_str());
  return 1;
}

bool parse_triple(const char* s, float out[3]) {
  return std::sscanf(s, "%f,%f,%f", &out[0], &out[1], &out[2]) == 3;
}

bool read_all(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), {});
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, image_path, dump_path;
  fd::OnnxImportOptions opts;
  float mean[3] = {0, 0, 0}, stdv[3] = {1, 1, 1};
  bool bgr = false, fold = false, json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_next = i + 1 < argc;
    if (a == "--input-size" && has_next) {
      if (std::sscanf(argv[++i], "%dx%d", &opts.input_width, &opts.input_height) != 2) return fail("--input-size expects WxH");
    } else if (a == "--mean" && has_next) {
      if (!parse_triple(argv[++i], mean)) return fail("--mean expects m,m,m");
    } else if (a == "--std" && has_next) {
      if (!parse_triple(argv[++i], stdv)) return fail("--std expects s,s,s");
    } else if (a == "--dump-input" && has_next) {
      dump_path = argv[++i];
    } else if (a == "--bgr") {
      bgr = true;
    } else if (a == "--fold") {
      fold = true;
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] == '-') {
      return fail("unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else if (image_path.empty()) {
      image_path = a;
    } else {
      return fail("unexpected argument " + a);
    }
  }
  if (model_path.empty() || image_path.empty()) {
    std::fprintf(stderr,
                 "usage: featherdet-onnx-run model.onnx image [--input-size WxH] [--mean m,m,m --std s,s,s] [--bgr] "
                 "[--fold] [--dump-input FILE] [--json]\n");
    return 2;
  }
  std::vector<uint8_t> model_bytes, image_bytes;
  if (!read_all(model_path, &model_bytes)) return fail("cannot read " + model_path);
  if (!read_all(image_path, &image_bytes)) return fail("cannot read " + image_path);
  fd::Graph graph;
  fd::Status s = fd::import_onnx(model_bytes.data(), model_bytes.size(), opts, &graph);
  if (!s.ok()) return fail(s.message());
  if (graph.inputs.size() != 1) return fail("the model must have exactly one input");
  const fd::Shape in_shape = graph.tensors[graph.inputs[0]].shape;  // [1, H, W, 3]
  if (in_shape.size() != 4 || in_shape[3] != 3) return fail("the model input is not an image [1, 3, H, W]");
  const int h = in_shape[1], w = in_shape[2];
  if (fold) {
    fd::fold_space_to_depth_convs(&graph);
    s = fd::fold_input_normalization(&graph, mean, stdv, bgr);
    if (!s.ok()) return fail(s.message());
  }
  fd::Image img;
  s = fd::decode_image(image_bytes.data(), image_bytes.size(), &img);
  if (!s.ok()) return fail(s.message());
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  s = fd::resize_bilinear_u8(img.pixels.data(), img.width, img.height, 3, rgb.data(), w, h);
  if (!s.ok()) return fail(s.message());
  // model[c] = (pixel[rgb channel of model channel c] - mean[c]) / std[c]; stored NHWC.
  std::vector<float> input(rgb.size()), nchw(rgb.size());
  for (int p = 0; p < w * h; ++p) {
    for (int c = 0; c < 3; ++c) {
      const int src = bgr ? 2 - c : c;
      const float v = (static_cast<float>(rgb[p * 3 + src]) - mean[c]) / stdv[c];
      nchw[static_cast<size_t>(c) * w * h + p] = v;
      input[p * 3 + c] = fold ? static_cast<float>(rgb[p * 3 + c]) : v;
    }
  }
  if (!dump_path.empty()) {
    std::ofstream f(dump_path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(nchw.data()), static_cast<std::streamsize>(nchw.size() * sizeof(float)));
    if (!f) return fail("cannot write " + dump_path);
  }
  std::unique_ptr<fd::Interpreter> interp;
  s = fd::Interpreter::create(std::move(graph), &interp);
  if (!s.ok()) return fail(s.message());
  std::memcpy(interp->input(0).data, input.data(), input.size() * sizeof(float));
  s = interp->invoke();
  if (!s.ok()) return fail(s.message());
  if (json) std::printf("{\"outputs\": [");
  for (int o = 0; o < interp->num_outputs(); ++o) {
    const fd::RTensor& t = interp->output(o);
    const float* v = t.as<float>();
    const int64_t n = fd::num_elements(t.shape);
    if (json) {
      std::printf("%s{\"name\": \"%s\", \"shape\": [", o ? ", " : "", interp->output_name(o).c_str());
      for (size_t k = 0; k < t.shape.size(); ++k) std::printf("%s%d", k ? ", " : "", t.shape[k]);
      std::printf("], \"values\": [");
      for (int64_t k = 0; k < n; ++k) std::printf("%s%.9g", k ? "," : "", v[k]);
      std::printf("]}");
    } else {
      double sum = 0;
      float lo = n ? v[0] : 0, hi = n ? v[0] : 0;
      for (int64_t k = 0; k < n; ++k) {
        sum += v[k];
        lo = std::min(lo, v[k]);
        hi = std::max(hi, v[k]);
      }
      std::printf("%s %s min %.6g max %.6g mean %.6g\n", interp->output_name(o).c_str(), fd::shape_str(t.shape).c_str(), lo, hi,
                  n ? sum / n : 0.0);
    }
  }
  if (json) std::printf("]}\n");
  return 0;
}
