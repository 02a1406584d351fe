#include "quantize/calibration_images.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "runtime/interpreter.h"
#include "vision/image_io.h"
#include "vision/resize.h"

namespace fd {

Status load_calibration_images(const std::string& dir, size_t limit, int width, int height,
                               std::vector<std::vector<uint8_t>>* images) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::error("calibration folder '" + dir + "' does not exist or is not a directory");
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp") files.push_back(entry.path().string());
  }
  if (files.empty()) {
    return Status::error("calibration folder '" + dir + "' holds no .jpg, .jpeg, .png or .bmp images");
  }
  std::sort(files.begin(), files.end());
  if (limit > 0 && files.size() > limit) files.resize(limit);
  images->clear();
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Image img;
    Status st = decode_image(bytes.data(), bytes.size(), &img);
    if (!st.ok()) return Status::error("calibration image '" + f + "': " + st.message());
    std::vector<uint8_t> px(static_cast<size_t>(width) * height * 3);
    FD_RETURN_IF_ERROR(resize_bilinear_u8(img.pixels.data(), img.width, img.height, 3, px.data(), width, height));
    images->push_back(std::move(px));
  }
  return Status();
}

Status set_float_image(Interpreter* it, const std::vector<uint8_t>& image) {
  RTensor& in = it->input(0);
  if (in.dtype != DType::kFloat32) return Status::error("float model measurements need a FLOAT32 input");
  if (image.size() != static_cast<size_t>(num_elements(in.shape))) {
    return Status::error("a sample image does not match the model input");
  }
  for (size_t i = 0; i < image.size(); ++i) in.as<float>()[i] = image[i];
  return Status();
}

Status run_float_outputs(Interpreter* it, const std::vector<uint8_t>& image, std::vector<std::vector<float>>* out,
                         std::vector<Shape>* shapes) {
  FD_RETURN_IF_ERROR(set_float_image(it, image));
  FD_RETURN_IF_ERROR(it->invoke());
  out->resize(static_cast<size_t>(it->num_outputs()));
  if (shapes) shapes->clear();
  for (int o = 0; o < it->num_outputs(); ++o) {
    const RTensor& r = it->output(o);
    if (r.dtype != DType::kFloat32) return Status::error("float model measurements need FLOAT32 outputs");
    (*out)[static_cast<size_t>(o)].assign(r.as<float>(), r.as<float>() + num_elements(r.shape));
    if (shapes) shapes->push_back(r.shape);
  }
  return Status();
}

}  // namespace fd
