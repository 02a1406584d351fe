// Calibration inputs: a folder of JPEG/PNG/BMP images decoded and resized to the model input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fd {

// Lists the .jpg/.jpeg/.png/.bmp files of `dir` (sorted by name, not recursive), decodes at most
// `limit` of them (0 = all) and stretches each to `width` x `height` RGB ([H, W, 3] raw pixels).
// Fails when the folder is missing, holds no images, or an image cannot be decoded.
Status load_calibration_images(const std::string& dir, size_t limit, int width, int height,
                               std::vector<std::vector<uint8_t>>* images);

}  // namespace fd
