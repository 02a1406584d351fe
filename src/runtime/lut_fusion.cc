#include "runtime/lut_fusion.h"

#include "model/tensor_uses.h"

namespace fd {
namespace {

bool is_8bit(DType t) { return t == DType::kInt8 || t == DType::kUInt8; }

bool is_unary_activation(int32_t code) {
  switch (static_cast<OpCode>(code)) {
    case OpCode::kLogistic:
    case OpCode::kTanh:
    case OpCode::kHardSwish:
    case OpCode::kRelu:
    case OpCode::kRelu6:
    case OpCode::kReluN1To1:
    case OpCode::kLeakyRelu:
      return true;
    default:
      return false;
  }
}

bool is_binary(int32_t code) {
  const OpCode c = static_cast<OpCode>(code);
  return c == OpCode::kMul || c == OpCode::kAdd || c == OpCode::kSub;
}

// Prepares and runs the op of `node` on `tensors` (inputs already filled); false on any error.
bool run_once(const Node& node, std::vector<RTensor>& tensors, const KernelTable& kernels) {
  const OpRegistration* reg = find_op(node.code);
  if (!reg) return false;
  std::unique_ptr<Op> op = reg->create();
  NodeContext ctx(node, -1, tensors, kernels);
  if (!op->prepare(ctx).ok()) return false;
  std::vector<uint8_t> scratch(ctx.scratch_bytes() + 64);
  ctx.set_scratch(reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) &
                                             ~static_cast<uintptr_t>(63)));
  return op->eval(ctx).ok();
}

// The table of producer -> consumer over every input byte, computed by the two ops themselves.
bool build_table(const Graph& graph, const std::vector<RTensor>& tensors, const KernelTable& kernels,
                 LutFusion* f) {
  const Node& p = graph.nodes[f->producer];
  const Node& c = graph.nodes[f->consumer];
  const int32_t x = p.inputs[0], s = p.outputs[0], y = c.outputs[0];
  std::array<uint8_t, 256> xb, sb, yb;
  for (int i = 0; i < 256; ++i) xb[i] = static_cast<uint8_t>(i);
  std::vector<RTensor> mini(3);
  const int32_t index[3] = {x, s, y};
  uint8_t* data[3] = {xb.data(), sb.data(), yb.data()};
  for (int i = 0; i < 3; ++i) {
    mini[i].dtype = tensors[index[i]].dtype;
    mini[i].quant = tensors[index[i]].quant;
    mini[i].shape = {256};
    mini[i].data = data[i];
  }
  mini[0].shape_known = true;
  Node np = p;
  np.inputs = {0};
  np.outputs = {1};
  Node nc = c;
  nc.inputs = {f->input_slot == 0 ? 0 : 1, f->input_slot == 0 ? 1 : 0};
  nc.outputs = {2};
  if (!run_once(np, mini, kernels) || !run_once(nc, mini, kernels)) return false;
  f->table = yb;
  return true;
}

class LutOp : public Op {
 public:
  explicit LutOp(const LutFusion& f) : slot_(f.input_slot), table_(f.table) {}
  Status prepare(NodeContext& ctx) override {
    kt_ = &ctx.kernels();
    rows_.init(ctx.input(slot_).shape);
    return Status();
  }
  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(slot_);
    const size_t n = static_cast<size_t>(num_elements(in.shape));
    uint8_t* out = ctx.output(0).data;
    if (rows_.contiguous()) {
      kt_->x8_lut(n, in.data, out, table_.data());
      return Status();
    }
    for (size_t i = 0; i < n; i += rows_.row, out += rows_.stride) kt_->x8_lut(rows_.row, in.data + i, out, table_.data());
    return Status();
  }

  bool set_output_row_stride(size_t row_stride) override { return rows_.set_stride(row_stride); }

 private:
  int slot_;
  OutputRows rows_;
  std::array<uint8_t, 256> table_;
  const KernelTable* kt_ = nullptr;
};

class FusedAwayOp : public Op {
 public:
  Status prepare(NodeContext&) override { return Status(); }
  Status eval(NodeContext&) override { return Status(); }
};

}  // namespace

std::vector<LutFusion> find_lut_fusions(const Graph& graph, const std::vector<RTensor>& tensors,
                                        const KernelTable& kernels) {
  const TensorUses uses(graph, tensors.size());
  std::vector<LutFusion> out;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& p = graph.nodes[n];
    if (!is_unary_activation(p.code) || p.inputs.size() != 1 || p.outputs.size() != 1) continue;
    const int32_t x = p.inputs[0], s = p.outputs[0];
    if (x < 0 || s < 0 || uses.sole_reader(s) < 0) continue;
    const RTensor& tx = tensors[x];
    const RTensor& ts = tensors[s];
    if (!is_8bit(tx.dtype) || ts.dtype != tx.dtype || tx.is_constant) continue;
    const int c = uses.sole_reader(s);
    const Node& cn = graph.nodes[c];
    if (c <= static_cast<int>(n) || !is_binary(cn.code) || cn.inputs.size() != 2 || cn.outputs.size() != 1) continue;
    const int slot = cn.inputs[0] == x && cn.inputs[1] == s ? 0 : (cn.inputs[1] == x && cn.inputs[0] == s ? 1 : -1);
    if (slot < 0) continue;
    const RTensor& ty = tensors[cn.outputs[0]];
    if (ty.dtype != tx.dtype || ty.shape != tx.shape || ts.shape != tx.shape) continue;
    LutFusion f;
    f.producer = static_cast<int>(n);
    f.consumer = c;
    f.input_slot = slot;
    if (build_table(graph, tensors, kernels, &f)) out.push_back(f);
  }
  return out;
}

std::unique_ptr<Op> make_lut_op(const LutFusion& fusion) { return std::make_unique<LutOp>(fusion); }

std::unique_ptr<Op> make_fused_away_op() { return std::make_unique<FusedAwayOp>(); }

}  // namespace fd
