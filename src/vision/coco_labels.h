// The 80 COCO class names (official COCO 2017 spelling) in the order COCO-trained detectors
// index them.
#pragma once

#include <string>
#include <vector>

namespace fd {

// "person", "bicycle", ..., "toothbrush" (80 names).
const std::vector<std::string>& coco_labels();

}  // namespace fd
