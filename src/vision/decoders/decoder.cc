#include "vision/decoders/decoder.h"

namespace fd {

Status make_decoder(const std::string& family, std::unique_ptr<Decoder>* out) {
  if (family == "yunet") *out = new_yunet_decoder();
  else if (family == "nanodet") *out = new_nanodet_decoder();
  else if (family == "fastestdet") *out = new_fastestdet_decoder();
  else if (family == "blazeface") *out = new_blazeface_decoder();
  else if (family == "yolov5") *out = new_yolo_decoder(false);
  else if (family == "yolov8") *out = new_yolo_decoder(true);
  else if (family == "yolox") *out = new_yolox_decoder();
  else return Status::error("decoder family '" + family + "' is not supported (supported: " + supported_families() + ")");
  return Status();
}

std::vector<std::string> decoder_roles(const DecoderConfig& cfg) {
  const std::string& family = cfg.family;
  if (family == "yunet") return {"cls", "obj", "bbox", "kps"};
  if (family == "nanodet") return {"cls", "reg"};
  if (family == "blazeface") return {"regressors", "classificators"};
  if (family == "yolox") {
    if (yolox_split_outputs(cfg)) return {"reg", "obj", "cls"};
    return {"output"};
  }
  return {"pred"};
}

Status expect_role(const RoleTensors& outputs, const std::string& role, size_t count, const std::vector<TensorView>** views) {
  auto it = outputs.find(role);
  if (it == outputs.end() || it->second.empty()) {
    return Status::error("decoder output role '" + role + "' is missing: list its tensor names in \"outputs\"");
  }
  if (it->second.size() != count) {
    return Status::error("decoder output role '" + role + "' lists " + std::to_string(it->second.size()) +
                         " tensors, expected " + std::to_string(count));
  }
  *views = &it->second;
  return Status();
}

Status shape_error(const TensorView& t, const std::string& role, const std::string& expected) {
  return Status::error("model output '" + t.name + "' (role " + role + ") has shape " + shape_str(t.shape) +
                       ", expected " + expected);
}

}  // namespace fd
