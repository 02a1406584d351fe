#include "vision/anchors.h"

namespace fd {

std::vector<AnchorCenter> generate_ssd_anchors(const SsdAnchorOptions& o) {
  std::vector<AnchorCenter> anchors;
  const int layers = static_cast<int>(o.strides.size()) < o.num_layers ? static_cast<int>(o.strides.size()) : o.num_layers;
  int layer = 0;
  while (layer < layers) {
    int last = layer;
    int per_cell = 0;
    while (last < layers && o.strides[last] == o.strides[layer]) {
      per_cell += 2;
      ++last;
    }
    const int stride = o.strides[layer];
    const int grid_w = (o.input_width + stride - 1) / stride;
    const int grid_h = (o.input_height + stride - 1) / stride;
    for (int y = 0; y < grid_h; ++y) {
      for (int x = 0; x < grid_w; ++x) {
        AnchorCenter a;
        a.x = (static_cast<float>(x) + o.offset) / static_cast<float>(grid_w);
        a.y = (static_cast<float>(y) + o.offset) / static_cast<float>(grid_h);
        for (int k = 0; k < per_cell; ++k) anchors.push_back(a);
      }
    }
    layer = last;
  }
  return anchors;
}

}  // namespace fd
