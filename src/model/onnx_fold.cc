// Host evaluation of constant ONNX nodes (shape arithmetic and constant weights).
#include "model/onnx_fold.h"

#include <algorithm>
#include <cmath>

namespace fd {
namespace {

using Dims = std::vector<int64_t>;

int64_t count(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

Dims strides_of(const Dims& d) {
  Dims s(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * d[i + 1];
  return s;
}

Status fail(const OnnxNode& n, const std::string& what) {
  return Status::error("ONNX node '" + n.name + "' (op " + n.op_type + "): " + what);
}

Status normalize(const OnnxNode& n, int64_t axis, size_t rank, int64_t* out) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return fail(n, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(r));
  *out = axis < 0 ? axis + r : axis;
  return Status();
}

// A tensor shaped like `like` (type and float-ness) with dims `dims` and zeroed values.
OnnxTensor make_like(const OnnxTensor& like, const Dims& dims) {
  OnnxTensor t;
  t.data_type = like.data_type;
  t.dims = dims;
  if (like.is_float()) t.f.assign(count(dims), 0.0f); else t.i.assign(count(dims), 0);
  return t;
}

// Copies element `src_index` of `src` to element `dst_index` of `dst` (same float-ness).
inline void copy_elem(const OnnxTensor& src, int64_t si, OnnxTensor* dst, int64_t di) {
  if (src.is_float()) dst->f[di] = src.f[si]; else dst->i[di] = src.i[si];
}

Status binary(const OnnxNode& n, const OnnxTensor& a, const OnnxTensor& b, OnnxTensor* out) {
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  Dims da(rank, 1), db(rank, 1), dout(rank, 1);
  std::copy(a.dims.begin(), a.dims.end(), da.begin() + (rank - a.dims.size()));
  std::copy(b.dims.begin(), b.dims.end(), db.begin() + (rank - b.dims.size()));
  for (size_t k = 0; k < rank; ++k) {
    if (da[k] != db[k] && da[k] != 1 && db[k] != 1) return fail(n, "operands do not broadcast");
    dout[k] = da[k] == 1 ? db[k] : da[k];
  }
  const bool is_float = a.is_float() || b.is_float();
  *out = make_like(is_float ? (a.is_float() ? a : b) : a, dout);
  const std::string& op = n.op_type;
  const Dims sa = strides_of(da), sb = strides_of(db), so = strides_of(dout);
  const int64_t total = count(dout);
  for (int64_t o = 0; o < total; ++o) {
    int64_t ia = 0, ib = 0, rem = o;
    for (size_t k = 0; k < rank; ++k) {
      const int64_t c = rem / so[k];
      rem %= so[k];
      if (da[k] != 1) ia += c * sa[k];
      if (db[k] != 1) ib += c * sb[k];
    }
    if (is_float) {
      const float x = a.is_float() ? a.f[ia] : static_cast<float>(a.i[ia]);
      const float y = b.is_float() ? b.f[ib] : static_cast<float>(b.i[ib]);
      float r = 0;
      if (op == "Add") r = x + y; else if (op == "Sub") r = x - y; else if (op == "Mul") r = x * y;
      else if (op == "Div") r = x / y; else if (op == "Pow") r = std::pow(x, y);
      else return fail(n, "cannot fold");
      out->f[o] = r;
    } else {
      const int64_t x = a.i[ia], y = b.i[ib];
      int64_t r = 0;
      if (op == "Add") r = x + y; else if (op == "Sub") r = x - y; else if (op == "Mul") r = x * y;
      else if (op == "Div") {
        if (y == 0) return fail(n, "integer division by zero");
        r = x / y;
      } else if (op == "Equal") {
        r = x == y;
      } else {
        return fail(n, "cannot fold on integers");
      }
      out->i[o] = r;
    }
  }
  if (op == "Equal") out->data_type = static_cast<int32_t>(OnnxType::kBool);
  return Status();
}

Status gather(const OnnxNode& n, const OnnxTensor& data, const OnnxTensor& idx, OnnxTensor* out) {
  int64_t axis = 0;
  FD_RETURN_IF_ERROR(normalize(n, n.attr_int("axis", 0), data.dims.size(), &axis));
  std::vector<int64_t> indices;
  FD_RETURN_IF_ERROR(onnx_const_ints(idx, &indices));
  const int64_t dim = data.dims[axis];
  Dims od(data.dims.begin(), data.dims.begin() + axis);
  od.insert(od.end(), idx.dims.begin(), idx.dims.end());
  od.insert(od.end(), data.dims.begin() + axis + 1, data.dims.end());
  *out = make_like(data, od);
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= data.dims[k];
  for (size_t k = axis + 1; k < data.dims.size(); ++k) inner *= data.dims[k];
  int64_t o = 0;
  for (int64_t a = 0; a < outer; ++a) {
    for (int64_t j : indices) {
      if (j < 0) j += dim;
      if (j < 0 || j >= dim) return fail(n, "index out of range");
      for (int64_t k = 0; k < inner; ++k) copy_elem(data, (a * dim + j) * inner + k, out, o++);
    }
  }
  return Status();
}

Status slice(const OnnxNode& n, int64_t opset, const std::vector<const OnnxTensor*>& in, OnnxTensor* out) {
  const OnnxTensor& data = *in[0];
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = n.attr_ints("starts");
    ends = n.attr_ints("ends");
    axes = n.attr_ints("axes");
  } else {
    if (in.size() < 3 || !in[1] || !in[2]) return fail(n, "needs starts and ends");
    FD_RETURN_IF_ERROR(onnx_const_ints(*in[1], &starts));
    FD_RETURN_IF_ERROR(onnx_const_ints(*in[2], &ends));
    if (in.size() > 3 && in[3]) FD_RETURN_IF_ERROR(onnx_const_ints(*in[3], &axes));
    if (in.size() > 4 && in[4]) FD_RETURN_IF_ERROR(onnx_const_ints(*in[4], &steps));
  }
  const size_t rank = data.dims.size();
  Dims b(rank, 0), st(rank, 1), od = data.dims;
  if (axes.empty()) for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || ends.size() != starts.size() || steps.size() != starts.size()) {
    return fail(n, "starts, ends, axes and steps differ in length");
  }
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t ax = 0;
    FD_RETURN_IF_ERROR(normalize(n, axes[k], rank, &ax));
    const int64_t dim = data.dims[ax], step = steps[k];
    if (step == 0) return fail(n, "step 0");
    int64_t s = starts[k] < 0 ? starts[k] + dim : starts[k];
    int64_t e = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      od[ax] = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      od[ax] = s > e ? (s - e - step - 1) / (-step) : 0;
    }
    b[ax] = s;
    st[ax] = step;
  }
  *out = make_like(data, od);
  const Dims si = strides_of(data.dims), so = strides_of(od);
  const int64_t total = count(od);
  for (int64_t o = 0; o < total; ++o) {
    int64_t src = 0, rem = o;
    for (size_t k = 0; k < rank; ++k) {
      const int64_t c = rem / so[k];
      rem %= so[k];
      src += (b[k] + c * st[k]) * si[k];
    }
    copy_elem(data, src, out, o);
  }
  return Status();
}

Status transpose(const OnnxNode& n, const OnnxTensor& data, OnnxTensor* out) {
  const size_t rank = data.dims.size();
  std::vector<int64_t> perm = n.attr_ints("perm");
  if (perm.empty()) for (size_t k = 0; k < rank; ++k) perm.push_back(static_cast<int64_t>(rank - 1 - k));
  if (perm.size() != rank) return fail(n, "perm does not match the rank");
  Dims od(rank);
  for (size_t k = 0; k < rank; ++k) {
    if (perm[k] < 0 || perm[k] >= static_cast<int64_t>(rank)) return fail(n, "bad perm");
    od[k] = data.dims[perm[k]];
  }
  *out = make_like(data, od);
  const Dims si = strides_of(data.dims), so = strides_of(od);
  for (int64_t o = 0; o < count(od); ++o) {
    int64_t src = 0, rem = o;
    for (size_t k = 0; k < rank; ++k) {
      src += (rem / so[k]) * si[perm[k]];
      rem %= so[k];
    }
    copy_elem(data, src, out, o);
  }
  return Status();
}

// Axes of Unsqueeze/Squeeze: attribute before opset 13, input 1 from 13 on.
Status axes_of(const OnnxNode& n, int64_t opset, const std::vector<const OnnxTensor*>& in, std::vector<int64_t>* axes) {
  if (opset >= 13 && in.size() > 1 && in[1]) return onnx_const_ints(*in[1], axes);
  *axes = n.attr_ints("axes");
  return Status();
}

}  // namespace

Status onnx_const_ints(const OnnxTensor& t, std::vector<int64_t>* out) {
  if (t.is_float()) return Status::error("ONNX tensor '" + t.name + "' holds floats where integers are expected");
  *out = t.i;
  return Status();
}

std::vector<float> onnx_const_floats(const OnnxTensor& t) {
  if (t.is_float()) return t.f;
  return std::vector<float>(t.i.begin(), t.i.end());
}

bool onnx_foldable(const std::string& op) {
  static const char* const kOps[] = {"Constant", "Identity", "Cast", "Gather", "Unsqueeze", "Squeeze", "Concat",
                                     "Slice", "Reshape", "Flatten", "Transpose", "Add", "Sub", "Mul", "Div",
                                     "Pow", "Equal", "Floor", "Ceil", "Neg", "Sqrt", "ConstantOfShape", "Range"};
  for (const char* k : kOps) {
    if (op == k) return true;
  }
  return false;
}

Status resolve_reshape(const std::vector<int64_t>& in, std::vector<int64_t> target, std::vector<int64_t>* out) {
  // Counts stay below 2^40 before each multiplication, so no product overflows.
  constexpr int64_t kLimit = int64_t{1} << 40;
  int64_t total = 1;
  for (int64_t d : in) {
    if (d < 0 || (d != 0 && total > kLimit / d)) return Status::error("input shape out of range");
    total *= d;
  }
  int64_t known = 1;
  int wild = -1;
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k] == 0) {
      if (k >= in.size()) return Status::error("shape entry " + std::to_string(k) + " copies a dimension the input lacks");
      target[k] = in[k];
    }
    if (target[k] == -1) {
      if (wild >= 0) return Status::error("shape has more than one -1");
      wild = static_cast<int>(k);
      continue;
    }
    if (target[k] < 0 || (target[k] != 0 && known > kLimit / target[k])) {
      return Status::error("shape entry " + std::to_string(target[k]) + " out of range");
    }
    known *= target[k];
  }
  if (wild >= 0) target[wild] = known ? total / known : 0;
  if ((wild >= 0 ? known * target[wild] : known) != total) return Status::error("cannot reshape");
  *out = std::move(target);
  return Status();
}

Status fold_onnx_node(const OnnxNode& n, int64_t opset, const std::vector<const OnnxTensor*>& in,
                      std::vector<OnnxTensor>* outputs) {
  outputs->assign(std::max<size_t>(n.outputs.size(), 1), OnnxTensor());
  OnnxTensor& out = (*outputs)[0];
  const std::string& op = n.op_type;
  if (op == "Constant") {
    const OnnxAttribute* v = n.attr("value");
    if (v && v->t) {
      out = *v->t;
    } else if ((v = n.attr("value_float"))) {
      out.data_type = 1;
      out.f = {v->f};
    } else if ((v = n.attr("value_floats"))) {
      out.data_type = 1;
      out.dims = {static_cast<int64_t>(v->floats.size())};
      out.f = v->floats;
    } else if ((v = n.attr("value_int"))) {
      out.data_type = 7;
      out.i = {v->i};
    } else if ((v = n.attr("value_ints"))) {
      out.data_type = 7;
      out.dims = {static_cast<int64_t>(v->ints.size())};
      out.i = v->ints;
    } else {
      return fail(n, "Constant without a supported value attribute");
    }
    return Status();
  }
  for (size_t k = 0; k < 1 && k < in.size(); ++k) {
    if (!in[k]) return fail(n, "missing input");
  }
  if (in.empty() && op != "Range") return fail(n, "missing input");
  const OnnxTensor& x = *in[0];
  if (op == "Identity") {
    out = x;
  } else if (op == "Cast") {
    const int32_t to = static_cast<int32_t>(n.attr_int("to", 1));
    out = x;
    out.data_type = to;
    const bool to_float = out.is_float();
    if (to_float && !x.is_float()) {
      out.f.assign(x.i.begin(), x.i.end());
      out.i.clear();
    } else if (!to_float && x.is_float()) {
      out.i.resize(x.f.size());
      for (size_t k = 0; k < x.f.size(); ++k) out.i[k] = static_cast<int64_t>(x.f[k]);
      out.f.clear();
    }
    if (to == static_cast<int32_t>(OnnxType::kBool)) for (int64_t& v : out.i) v = v != 0;
  } else if (op == "Gather") {
    if (in.size() < 2 || !in[1]) return fail(n, "needs indices");
    FD_RETURN_IF_ERROR(gather(n, x, *in[1], &out));
  } else if (op == "Unsqueeze") {
    std::vector<int64_t> axes;
    FD_RETURN_IF_ERROR(axes_of(n, opset, in, &axes));
    const size_t rank = x.dims.size() + axes.size();
    std::vector<bool> is_new(rank, false);
    for (int64_t a : axes) {
      int64_t ax = 0;
      FD_RETURN_IF_ERROR(normalize(n, a, rank, &ax));
      is_new[ax] = true;
    }
    out = x;
    out.dims.clear();
    size_t src = 0;
    for (size_t k = 0; k < rank; ++k) out.dims.push_back(is_new[k] ? 1 : x.dims[src++]);
  } else if (op == "Squeeze") {
    std::vector<int64_t> axes;
    FD_RETURN_IF_ERROR(axes_of(n, opset, in, &axes));
    std::vector<bool> drop(x.dims.size(), axes.empty());
    for (int64_t a : axes) {
      int64_t ax = 0;
      FD_RETURN_IF_ERROR(normalize(n, a, x.dims.size(), &ax));
      drop[ax] = true;
    }
    out = x;
    out.dims.clear();
    for (size_t k = 0; k < x.dims.size(); ++k) {
      if (!(drop[k] && x.dims[k] == 1)) out.dims.push_back(x.dims[k]);
    }
  } else if (op == "Concat") {
    int64_t axis = 0;
    FD_RETURN_IF_ERROR(normalize(n, n.attr_int("axis", 0), x.dims.size(), &axis));
    Dims od = x.dims;
    od[axis] = 0;
    for (const OnnxTensor* t : in) {
      if (!t || t->dims.size() != x.dims.size()) return fail(n, "inputs differ in rank");
      od[axis] += t->dims[axis];
    }
    out = make_like(x, od);
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= od[k];
    int64_t o = 0;
    for (int64_t a = 0; a < outer; ++a) {
      for (const OnnxTensor* t : in) {
        const int64_t block = t->size() / std::max<int64_t>(outer, 1);
        for (int64_t k = 0; k < block; ++k) {
          if (out.is_float()) out.f[o++] = t->is_float() ? t->f[a * block + k] : static_cast<float>(t->i[a * block + k]);
          else out.i[o++] = t->is_float() ? static_cast<int64_t>(t->f[a * block + k]) : t->i[a * block + k];
        }
      }
    }
  } else if (op == "Slice") {
    FD_RETURN_IF_ERROR(slice(n, opset, in, &out));
  } else if (op == "Reshape" || op == "Flatten") {
    out = x;
    if (op == "Flatten") {
      int64_t axis = n.attr_int("axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(x.dims.size());
      int64_t a = 1;
      for (int64_t k = 0; k < axis && k < static_cast<int64_t>(x.dims.size()); ++k) a *= x.dims[k];
      out.dims = {a, x.size() / std::max<int64_t>(a, 1)};
    } else {
      if (in.size() < 2 || !in[1]) return fail(n, "needs a shape");
      std::vector<int64_t> shape;
      FD_RETURN_IF_ERROR(onnx_const_ints(*in[1], &shape));
      Status s = resolve_reshape(x.dims, shape, &out.dims);
      if (!s.ok()) return fail(n, s.message());
    }
  } else if (op == "Transpose") {
    FD_RETURN_IF_ERROR(transpose(n, x, &out));
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "Equal") {
    if (in.size() < 2 || !in[1]) return fail(n, "needs two inputs");
    FD_RETURN_IF_ERROR(binary(n, x, *in[1], &out));
  } else if (op == "Floor" || op == "Ceil" || op == "Neg" || op == "Sqrt") {
    out = x;
    for (float& v : out.f) {
      v = op == "Floor" ? std::floor(v) : op == "Ceil" ? std::ceil(v) : op == "Neg" ? -v : std::sqrt(v);
    }
    if (op == "Neg") for (int64_t& v : out.i) v = -v;
  } else if (op == "ConstantOfShape") {
    std::vector<int64_t> shape;
    FD_RETURN_IF_ERROR(onnx_const_ints(x, &shape));
    for (int64_t d : shape) {
      if (d < 0 || d > (1 << 24)) return fail(n, "invalid shape");
    }
    if (count(shape) > (1 << 26)) return fail(n, "constant too large");
    const OnnxAttribute* v = n.attr("value");
    OnnxTensor proto;
    proto.data_type = 1;
    proto.f = {0.0f};
    if (v && v->t && v->t->size() == 1) proto = *v->t;
    out = make_like(proto, shape);
    if (proto.is_float()) std::fill(out.f.begin(), out.f.end(), proto.f[0]);
    else std::fill(out.i.begin(), out.i.end(), proto.i[0]);
  } else if (op == "Range") {
    if (in.size() < 3 || !in[1] || !in[2]) return fail(n, "needs start, limit, delta");
    if (x.is_float()) return fail(n, "float Range is not supported");
    std::vector<int64_t> s, l, d;
    FD_RETURN_IF_ERROR(onnx_const_ints(x, &s));
    FD_RETURN_IF_ERROR(onnx_const_ints(*in[1], &l));
    FD_RETURN_IF_ERROR(onnx_const_ints(*in[2], &d));
    if (s.size() != 1 || l.size() != 1 || d.size() != 1 || d[0] == 0) return fail(n, "bad Range operands");
    // Element count in doubles: int64 differences of fuzzed operands could overflow.
    const double steps = std::ceil((static_cast<double>(l[0]) - static_cast<double>(s[0])) / static_cast<double>(d[0]));
    if (steps > (1 << 24)) return fail(n, "range too long");
    out.data_type = x.data_type;
    for (int64_t v = s[0]; d[0] > 0 ? v < l[0] : v > l[0]; v += d[0]) out.i.push_back(v);
    out.dims = {static_cast<int64_t>(out.i.size())};
  } else {
    return fail(n, "cannot be folded");
  }
  out.name = n.outputs.empty() ? std::string() : n.outputs[0];
  return Status();
}

}  // namespace fd
