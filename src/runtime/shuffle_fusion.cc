#include "runtime/shuffle_fusion.h"

#include <cstring>

#include "model/tensor_uses.h"

namespace fd {
namespace {

bool same_quant(const RTensor& x, const RTensor& y) {
  return x.dtype == y.dtype && x.quant.scale.size() == 1 && y.quant.scale.size() == 1 &&
         x.quant.zero_point.size() == 1 && y.quant.zero_point.size() == 1 && x.quant.scale[0] == y.quant.scale[0] &&
         x.quant.zero_point[0] == y.quant.zero_point[0];
}

// `sn` is a SPLIT of `input` into two halves [..., n] along the last axis of a rank-`rank` tensor,
// its outputs shaped `half` with the quantization of `like`.
bool split_halves(const Node& sn, int32_t input, int rank, const Shape& half, const RTensor& like,
                  const std::vector<RTensor>& tensors) {
  if (static_cast<OpCode>(sn.code) != OpCode::kSplit || sn.inputs.size() != 2 || sn.inputs[1] != input ||
      sn.inputs[0] < 0 || sn.outputs.size() != 2) {
    return false;
  }
  const RTensor& axis_t = tensors[sn.inputs[0]];
  if (!axis_t.is_constant || axis_t.dtype != DType::kInt32 || num_elements(axis_t.shape) != 1) return false;
  int32_t axis = 0;
  std::memcpy(&axis, axis_t.data, 4);
  if (axis != -1 && axis != rank - 1) return false;
  for (int32_t o : sn.outputs) {
    if (o < 0 || tensors[o].shape != half || !same_quant(tensors[o], like)) return false;
  }
  return true;
}

class ShuffleOp : public Op {
 public:
  explicit ShuffleOp(const ShuffleFusion& f) : outer_(f.outer), n_(f.n), halves_(f.split >= 0) {}
  Status prepare(NodeContext& ctx) override {
    zip_ = ctx.kernels().x8_zip2;
    return Status();
  }
  Status eval(NodeContext& ctx) override {
    const uint8_t* a = ctx.input(0).data;
    const uint8_t* b = ctx.input(1).data;
    uint8_t* out = ctx.output(0).data;
    if (halves_) {
      // Channels [0, n) of the interleave are pairs [0, n/2) of a and b, channels [n, 2n) the rest.
      uint8_t* out2 = ctx.output(1).data;
      const size_t h = n_ / 2;
      for (size_t o = 0; o < outer_; ++o) {
        zip_(h, a + o * n_, b + o * n_, out + o * n_);
        zip_(h, a + o * n_ + h, b + o * n_ + h, out2 + o * n_);
      }
      return Status();
    }
    for (size_t o = 0; o < outer_; ++o) zip_(n_, a + o * n_, b + o * n_, out + o * 2 * n_);
    return Status();
  }

 private:
  size_t outer_, n_;
  bool halves_;
  decltype(KernelTable::x8_zip2) zip_ = nullptr;
};

}  // namespace

std::vector<ShuffleFusion> find_shuffle_fusions(const Graph& graph, const std::vector<RTensor>& tensors,
                                                const std::vector<int>& fused_with) {
  const TensorUses uses(graph, tensors.size());
  std::vector<ShuffleFusion> out;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& tn = graph.nodes[n];
    if (static_cast<OpCode>(tn.code) != OpCode::kTranspose || tn.inputs.size() != 2 || tn.outputs.size() != 1) continue;
    const int32_t r_out = tn.inputs[0], perm_t = tn.inputs[1];
    if (r_out < 0 || perm_t < 0 || uses.sole_reader(r_out) < 0 || uses.producer[r_out] < 0) continue;
    const int r = uses.producer[r_out];
    const Node& rn = graph.nodes[r];
    if (static_cast<OpCode>(rn.code) != OpCode::kReshape || rn.inputs.empty() || rn.inputs[0] < 0) continue;
    const int32_t c_out = rn.inputs[0];
    if (uses.sole_reader(c_out) < 0 || uses.producer[c_out] < 0) continue;
    const int c = uses.producer[c_out];
    const Node& cn = graph.nodes[c];
    if (static_cast<OpCode>(cn.code) != OpCode::kConcatenation || cn.inputs.size() != 2 || cn.outputs.size() != 1 ||
        cn.options.activation != Activation::kNone) {
      continue;
    }
    if (fused_with[n] >= 0 || fused_with[r] >= 0 || fused_with[c] >= 0) continue;
    const int32_t ai = cn.inputs[0], bi = cn.inputs[1];
    if (ai < 0 || bi < 0) continue;
    const RTensor& a = tensors[ai];
    const RTensor& b = tensors[bi];
    const RTensor& cat = tensors[c_out];
    const RTensor& shaped = tensors[r_out];
    const RTensor& y = tensors[tn.outputs[0]];
    if ((a.dtype != DType::kInt8 && a.dtype != DType::kUInt8) || !same_quant(a, cat) || !same_quant(b, cat) ||
        shaped.dtype != a.dtype || y.dtype != a.dtype) {
      continue;
    }
    // a, b: L + [n]; the concatenation: L + [2n] along its last axis; the reshape: L + [2, n];
    // the transpose: the last two axes swapped, L + [n, 2].
    const Shape& sa = a.shape;
    const int rank = static_cast<int>(sa.size());
    if (rank < 1 || b.shape != sa || cat.shape.size() != sa.size()) continue;
    const int32_t axis = cn.options.axis < 0 ? cn.options.axis + rank : cn.options.axis;
    if (axis != rank - 1) continue;
    const int32_t ch = sa[rank - 1];
    Shape want_cat = sa, want_shaped(sa.begin(), sa.end() - 1), want_y(sa.begin(), sa.end() - 1);
    want_cat[rank - 1] = 2 * ch;
    want_shaped.push_back(2);
    want_shaped.push_back(ch);
    want_y.push_back(ch);
    want_y.push_back(2);
    if (cat.shape != want_cat || shaped.shape != want_shaped || y.shape != want_y) continue;
    const RTensor& perm = tensors[perm_t];
    if (!perm.is_constant || perm.dtype != DType::kInt32 || num_elements(perm.shape) != rank + 1) continue;
    bool swap_last = true;
    for (int d = 0; d <= rank; ++d) {
      const int32_t want = d < rank - 1 ? d : (d == rank - 1 ? rank : rank - 1);
      int32_t v = 0;
      std::memcpy(&v, perm.data + 4 * d, 4);
      swap_last &= v == want;
    }
    if (!swap_last) continue;
    ShuffleFusion f;
    // A RESHAPE back to L + [2n] whose only reader is a SPLIT of its last axis into two halves.
    const int m = ch % 2 == 0 ? uses.sole_reader(tn.outputs[0]) : -1;
    const Node* bn = m >= 0 ? &graph.nodes[m] : nullptr;
    const int32_t back = bn && static_cast<OpCode>(bn->code) == OpCode::kReshape && bn->outputs.size() == 1 &&
                                 !bn->inputs.empty() && bn->inputs[0] == tn.outputs[0] && fused_with[m] < 0
                             ? bn->outputs[0]
                             : -1;
    const int k = back >= 0 && tensors[back].shape == want_cat && tensors[back].dtype == a.dtype
                      ? uses.sole_reader(back)
                      : -1;
    if (k >= 0 && split_halves(graph.nodes[k], back, rank, sa, cat, tensors) && fused_with[k] < 0) {
      f.reshape_back = m;
      f.split = k;
    }
    f.concat = c;
    f.reshape = r;
    f.transpose = static_cast<int>(n);
    f.n = static_cast<size_t>(ch);
    f.outer = static_cast<size_t>(num_elements(sa) / (ch > 0 ? ch : 1));
    if (ch > 0) out.push_back(f);
  }
  return out;
}

std::unique_ptr<Op> make_shuffle_op(const ShuffleFusion& fusion) { return std::make_unique<ShuffleOp>(fusion); }

}  // namespace fd
