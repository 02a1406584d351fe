#include "quantize/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

namespace fd {
namespace {

// Dequantized value i of `t` (INT8, UINT8 or FLOAT32).
float value_at(const RTensor& t, size_t i) {
  if (t.dtype == DType::kFloat32) return t.as<float>()[i];
  const float s = t.quant.scale.empty() ? 1.0f : t.quant.scale[0];
  const int32_t zp = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
  const int32_t q = t.dtype == DType::kInt8 ? t.as<int8_t>()[i] : t.as<uint8_t>()[i];
  return s * static_cast<float>(q - zp);
}

}  // namespace

Status ErrorReport::create(const Graph& float_graph, const Graph& quant_graph, std::unique_ptr<ErrorReport>* out) {
  std::unique_ptr<ErrorReport> r(new ErrorReport());
  InterpreterOptions every_tensor;  // the observers read every intermediate
  every_tensor.fuse = false;
  FD_RETURN_IF_ERROR(Interpreter::create(float_graph, &r->fp_, every_tensor));
  FD_RETURN_IF_ERROR(Interpreter::create(quant_graph, &r->q_, every_tensor));
  if (r->fp_->num_inputs() != 1 || r->q_->num_inputs() != 1 || r->fp_->input(0).shape != r->q_->input(0).shape) {
    return Status::error("the float and quantized models need one input of the same shape");
  }
  const Graph& fg = r->fp_->graph();
  const Graph& qg = r->q_->graph();
  std::map<std::string, int32_t> float_by_name;
  for (size_t i = 0; i < fg.tensors.size(); ++i) {
    const RTensor& t = r->fp_->tensor(static_cast<int>(i));
    if (t.dtype == DType::kFloat32 && !t.is_constant) float_by_name[fg.tensors[i].name] = static_cast<int32_t>(i);
  }
  r->fp_values_.resize(fg.tensors.size());
  r->acc_.resize(qg.tensors.size());
  for (size_t n = 0; n < qg.nodes.size(); ++n) {
    for (int32_t t : qg.nodes[n].outputs) {
      const RTensor& qt = r->q_->tensor(t);
      std::string name = qg.tensors[t].name;
      const std::string suffix = "/int8";
      if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        name.resize(name.size() - suffix.size());
      }
      auto it = float_by_name.find(name);
      if (it == float_by_name.end() || qt.is_constant) continue;
      if (num_elements(r->fp_->tensor(it->second).shape) != num_elements(qt.shape)) continue;
      if (qt.dtype != DType::kFloat32 && !is_quant8(qt.dtype)) continue;
      r->acc_[t].float_tensor = it->second;
      r->acc_[t].node = static_cast<int>(n);
    }
  }
  ErrorReport* self = r.get();
  r->fp_->set_observer([self](int node) {
    for (int32_t t : self->fp_->graph().nodes[node].outputs) {
      const RTensor& ft = self->fp_->tensor(t);
      if (ft.dtype != DType::kFloat32) continue;
      self->fp_values_[t].assign(ft.as<float>(), ft.as<float>() + num_elements(ft.shape));
    }
  });
  r->q_->set_observer([self](int node) {
    for (int32_t t : self->q_->graph().nodes[node].outputs) {
      Acc& a = self->acc_[t];
      if (a.float_tensor < 0) continue;
      const std::vector<float>& ref = self->fp_values_[a.float_tensor];
      const RTensor& qt = self->q_->tensor(t);
      for (size_t i = 0; i < ref.size(); ++i) {
        if (!(std::fabs(ref[i]) < 1e30f)) continue;  // fill values such as PADV2's -FLT_MAX
        const double d = static_cast<double>(value_at(qt, i)) - ref[i];
        a.ref2 += static_cast<double>(ref[i]) * ref[i];
        a.err2 += d * d;
        a.max_abs = std::max(a.max_abs, std::fabs(d));
      }
    }
  });
  *out = std::move(r);
  return Status();
}

Status ErrorReport::add_sample(const float* input) {
  RTensor& fin = fp_->input(0);
  RTensor& qin = q_->input(0);
  const size_t n = static_cast<size_t>(num_elements(fin.shape));
  std::memcpy(fin.data, input, n * sizeof(float));
  if (qin.dtype == DType::kFloat32) {
    std::memcpy(qin.data, fin.data, n * sizeof(float));
  } else {
    const float s = qin.quant.scale.empty() ? 1.0f : qin.quant.scale[0];
    const int32_t zp = qin.quant.zero_point.empty() ? 0 : qin.quant.zero_point[0];
    const int32_t lo = dtype_qmin(qin.dtype), hi = dtype_qmax(qin.dtype);
    for (size_t i = 0; i < n; ++i) {
      const int32_t q = std::min(hi, std::max(lo, static_cast<int32_t>(std::nearbyint(input[i] / s)) + zp));
      if (qin.dtype == DType::kInt8) qin.as<int8_t>()[i] = static_cast<int8_t>(q);
      else qin.as<uint8_t>()[i] = static_cast<uint8_t>(q);
    }
  }
  FD_RETURN_IF_ERROR(fp_->invoke());
  return q_->invoke();
}

std::vector<LayerError> ErrorReport::layers() const {
  std::vector<LayerError> out;
  const Graph& qg = q_->graph();
  for (size_t t = 0; t < acc_.size(); ++t) {
    const Acc& a = acc_[t];
    if (a.float_tensor < 0) continue;
    LayerError e;
    e.tensor = fp_->graph().tensors[a.float_tensor].name;
    e.node = a.node;
    e.op = op_name(qg.nodes[a.node].code);
    e.sqnr_db = a.err2 > 0 ? 10.0 * std::log10(std::max(a.ref2, 1e-30) / a.err2) : 200.0;
    e.rel_l2 = a.ref2 > 0 ? std::sqrt(a.err2 / a.ref2) : (a.err2 > 0 ? 1.0 : 0.0);
    e.max_abs = a.max_abs;
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const LayerError& x, const LayerError& y) { return x.sqnr_db < y.sqnr_db; });
  return out;
}

std::string ErrorReport::format(const std::vector<LayerError>& layers, size_t limit) {
  std::string s = "  node  op                      SQNR dB   rel L2    max |err|  tensor\n";
  char line[512];
  for (size_t i = 0; i < layers.size() && (limit == 0 || i < limit); ++i) {
    const LayerError& e = layers[i];
    std::snprintf(line, sizeof(line), "  %4d  %-22s %8.2f  %8.5f  %9.5f  %s\n", e.node, e.op.c_str(), e.sqnr_db,
                  e.rel_l2, e.max_abs, e.tensor.c_str());
    s += line;
  }
  return s;
}

}  // namespace fd
