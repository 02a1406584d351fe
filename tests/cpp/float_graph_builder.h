// Test helpers: float graphs built by hand (constants own their bytes) and seeded random data.
#pragma once

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "model/graph.h"

namespace fd {

// Appends float32 tensors and nodes to `g`.
struct FloatGraphBuilder {
  Graph g;
  // A float32 tensor; constant when `data` is given (copied into the graph's storage).
  int tensor(const std::string& name, Shape shape, const std::vector<float>* data = nullptr) {
    TensorDesc d;
    d.name = name;
    d.dtype = DType::kFloat32;
    d.shape = std::move(shape);
    if (data) {
      auto buf = std::make_shared<std::vector<uint8_t>>(data->size() * sizeof(float));
      std::memcpy(buf->data(), data->data(), buf->size());
      g.storage.push_back(buf);
      d.data = buf->data();
      d.data_bytes = buf->size();
    }
    g.tensors.push_back(d);
    return static_cast<int>(g.tensors.size()) - 1;
  }
  // A constant int32 tensor (slice bounds, paddings, shapes).
  int int32_tensor(const std::string& name, Shape shape, const std::vector<int32_t>& data) {
    const int t = tensor(name, std::move(shape));
    auto buf = std::make_shared<std::vector<uint8_t>>(data.size() * sizeof(int32_t));
    std::memcpy(buf->data(), data.data(), buf->size());
    g.storage.push_back(buf);
    TensorDesc& d = g.tensors[static_cast<size_t>(t)];
    d.dtype = DType::kInt32;
    d.data = buf->data();
    d.data_bytes = buf->size();
    return t;
  }
  // A node of `code` reading `in` and writing `out`.
  void node(OpCode code, std::vector<int32_t> in, std::vector<int32_t> out, OpOptions o = {}) {
    Node n;
    n.code = static_cast<int32_t>(code);
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.options = std::move(o);
    g.nodes.push_back(std::move(n));
  }
};

// `n` uniform floats in [lo, hi) from seed `seed`.
inline std::vector<float> random_floats(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

}  // namespace fd
