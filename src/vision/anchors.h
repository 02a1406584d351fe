// SSD anchors as MediaPipe's SsdAnchorsCalculator generates them with a fixed anchor size.
#pragma once

#include <vector>

#include "vision/decoder_config.h"

namespace fd {

// One anchor center, normalized to [0, 1] of the model input (width and height are 1).
struct AnchorCenter {
  float x = 0, y = 0;
};

// Generates anchors layer by layer: consecutive layers with the same stride share one
// ceil(input / stride) grid and contribute 2 anchors per cell each (aspect ratio 1 plus the
// interpolated scale); centers ((col + offset) / grid_w, (row + offset) / grid_h), cell-major.
// BlazeFace short range (4 layers, strides 8,16,16,16, input 128) gives 16*16*2 + 8*8*6 = 896.
std::vector<AnchorCenter> generate_ssd_anchors(const SsdAnchorOptions& options);

}  // namespace fd
