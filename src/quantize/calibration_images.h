// Calibration inputs: a folder of JPEG/PNG/BMP images decoded and resized to the model input, and
// how the converter's measurements feed one to a float graph.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// Lists the .jpg/.jpeg/.png/.bmp files of `dir` (sorted by name, not recursive), decodes at most
// `limit` of them (0 = all) and stretches each to `width` x `height` RGB ([H, W, 3] raw pixels).
// Fails when the folder is missing, holds no images, or an image cannot be decoded.
Status load_calibration_images(const std::string& dir, size_t limit, int width, int height,
                               std::vector<std::vector<uint8_t>>* images);

class Interpreter;

// Sets input 0 of `it` (FLOAT32) to the raw pixels `image` (its element count).
Status set_float_image(Interpreter* it, const std::vector<uint8_t>& image);

// Runs `it` on `image` (set_float_image) and returns each graph output, which must be FLOAT32, as
// its own vector (and their shapes, when `shapes` is given).
Status run_float_outputs(Interpreter* it, const std::vector<uint8_t>& image, std::vector<std::vector<float>>* out,
                         std::vector<Shape>* shapes = nullptr);

}  // namespace fd
