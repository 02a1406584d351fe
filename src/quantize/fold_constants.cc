#include "quantize/fold_constants.h"

#include <memory>
#include <vector>

#include "kernels/elementwise.h"

namespace fd {

Status fold_constant_dequantize(Graph* g) {
  std::vector<Node> kept;
  for (Node& node : g->nodes) {
    const bool fold = node.code == static_cast<int32_t>(OpCode::kDequantize) && node.inputs.size() == 1 &&
                      node.outputs.size() == 1 && node.inputs[0] >= 0 &&
                      g->tensors[node.inputs[0]].is_constant() &&
                      g->tensors[node.inputs[0]].dtype == DType::kFloat16;
    if (!fold) {
      kept.push_back(std::move(node));
      continue;
    }
    const TensorDesc& in = g->tensors[node.inputs[0]];
    const size_t n = static_cast<size_t>(num_elements(in.shape));
    if (in.data_bytes < n * 2) return Status::error("FLOAT16 constant '" + in.name + "' is truncated");
    auto buf = std::make_shared<std::vector<uint8_t>>(n * sizeof(float));
    f16_f32_vcvt_ref(n, reinterpret_cast<const uint16_t*>(in.data), reinterpret_cast<float*>(buf->data()));
    TensorDesc& out = g->tensors[node.outputs[0]];
    out.dtype = DType::kFloat32;
    out.shape = in.shape;
    out.data = buf->data();
    out.data_bytes = buf->size();
    g->storage.push_back(buf);
  }
  g->nodes = std::move(kept);
  return Status();
}

}  // namespace fd
