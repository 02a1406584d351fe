#include "runtime/interpreter.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ops/ops.h"
#include "runtime/concat_elision.h"
#include "runtime/lut_fusion.h"
#include "runtime/memory_planner.h"
#include "runtime/shuffle_fusion.h"

namespace fd {

namespace {

std::string index_error(int32_t index, const std::string& where, size_t num_tensors) {
  return "tensor index " + std::to_string(index) + " out of range (" + where + "); the model has " +
         std::to_string(num_tensors) + " tensors";
}

}  // namespace

Status Interpreter::validate_graph() const {
  const size_t nt = graph_.tensors.size();
  auto in_range = [nt](int32_t t) { return t >= 0 && static_cast<size_t>(t) < nt; };
  std::vector<bool> written(nt, false);
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    const int32_t t = graph_.inputs[i];
    if (!in_range(t)) return Status::error(index_error(t, "model input " + std::to_string(i), nt));
    if (graph_.tensors[t].is_constant()) {
      return Status::error("model input " + std::to_string(i) + " ('" + graph_.tensors[t].name + "') is a constant");
    }
    written[t] = true;
  }
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    if (!in_range(graph_.outputs[i])) return Status::error(index_error(graph_.outputs[i], "model output " + std::to_string(i), nt));
  }
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    const Node& node = graph_.nodes[n];
    const OpRegistration* reg = find_op(node.code);
    if (!reg) {  // prepare names the unsupported op; its outputs count as written until then
      for (int32_t t : node.outputs) {
        if (in_range(t)) written[t] = true;
      }
      continue;
    }
    const std::string op = op_name(node.code);
    const std::string where = "node " + std::to_string(n);
    const int ni = static_cast<int>(node.inputs.size()), no = static_cast<int>(node.outputs.size());
    auto count_error = [&](const char* what, int have, int lo, int hi) {
      std::string want = std::to_string(lo);
      if (hi != lo) want += hi > (1 << 20) ? " or more" : " to " + std::to_string(hi);
      return Status::error(op + " (" + where + "): has " + std::to_string(have) + " " + what + ", needs " + want);
    };
    if (ni < reg->min_inputs || ni > reg->max_inputs) return count_error("inputs", ni, reg->min_inputs, reg->max_inputs);
    if (no < reg->min_outputs || no > reg->max_outputs) return count_error("outputs", no, reg->min_outputs, reg->max_outputs);
    for (int i = 0; i < ni; ++i) {
      const int32_t t = node.inputs[i];
      if (t == -1 && reg->optional_tail && i >= reg->min_inputs) continue;
      if (!in_range(t)) return Status::error(op + ": " + index_error(t, where + ", input " + std::to_string(i), nt));
    }
    for (int i = 0; i < no; ++i) {
      const int32_t t = node.outputs[i];
      const std::string out = where + ", output " + std::to_string(i);
      if (!in_range(t)) return Status::error(op + ": " + index_error(t, out, nt));
      if (graph_.tensors[t].is_constant()) {
        return Status::error(op + " (" + out + ") writes the constant tensor '" + graph_.tensors[t].name + "'");
      }
      if (written[t]) {
        return Status::error(op + " (" + out + ") writes tensor '" + graph_.tensors[t].name +
                             "', which a model input or an earlier node already holds");
      }
      written[t] = true;
    }
  }
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const int32_t t = graph_.outputs[i];
    if (!written[t] && !graph_.tensors[t].is_constant()) {
      return Status::error("model output " + std::to_string(i) + " ('" + graph_.tensors[t].name +
                           "') is neither a model input, a constant nor written by any node");
    }
  }
  return Status();
}

Status Interpreter::create(Graph graph, std::unique_ptr<Interpreter>* out,
                           const InterpreterOptions& options) {
  std::unique_ptr<Interpreter> interp(new Interpreter());
  interp->graph_ = std::move(graph);
  interp->kernels_ = options.kernels ? options.kernels : &fd::kernels();
  interp->profile_ = options.profile;
  interp->fuse_ = options.fuse;
  FD_RETURN_IF_ERROR(interp->prepare());
  *out = std::move(interp);
  return Status();
}

Status Interpreter::prepare() {
  FD_RETURN_IF_ERROR(validate_graph());
  const size_t nt = graph_.tensors.size();
  tensors_.assign(nt, RTensor());
  for (size_t i = 0; i < nt; ++i) {
    const TensorDesc& d = graph_.tensors[i];
    RTensor& t = tensors_[i];
    t.dtype = d.dtype;
    t.shape = d.shape;
    t.quant = d.quant;
    FD_RETURN_IF_ERROR(check_tensor_desc(d, "tensor " + std::to_string(i) + " ('" + d.name + "')"));
    if (d.is_constant()) {
      t.data = const_cast<uint8_t*>(d.data);
      t.is_constant = true;
      t.shape_known = true;
    }
  }
  for (int32_t in : graph_.inputs) {
    for (int32_t d : tensors_[in].shape) {
      if (d <= 0) return Status::error("model input '" + graph_.tensors[in].name +
                                       "' has a dynamic or empty shape " + shape_str(tensors_[in].shape));
    }
    tensors_[in].shape_known = true;
  }

  const int nn = static_cast<int>(graph_.nodes.size());
  ops_.clear();
  scratch_bytes_.assign(nn, 0);
  for (int n = 0; n < nn; ++n) {
    const Node& node = graph_.nodes[n];
    const OpRegistration* reg = find_op(node.code);
    if (!reg) {
      std::string name = node.code == static_cast<int32_t>(OpCode::kCustom)
                             ? "CUSTOM '" + node.custom_name + "'"
                             : std::string(op_name(node.code));
      return Status::unsupported("model uses op " + name + " (node " + std::to_string(n) +
                                 "), which featherdet does not support");
    }
    for (int32_t t : node.inputs) {
      if (t >= 0 && !tensors_[t].shape_known) {
        return Status::error(std::string(op_name(node.code)) + " (node " + std::to_string(n) +
                             ") reads tensor '" + graph_.tensors[t].name +
                             "' before any node produces it");
      }
    }
    ops_.push_back(reg->create());
    NodeContext ctx(node, n, tensors_, *kernels_);
    FD_RETURN_IF_ERROR(ops_.back()->prepare(ctx));
    for (int i = 0; i < ctx.num_outputs(); ++i) {
      if (!ctx.output(i).shape_known) return ctx.error("prepare left an output shape unset");
    }
    scratch_bytes_[n] = ctx.scratch_bytes();
  }
  fused_with_.assign(nn, -1);
  fused_away_.assign(nn, 0);
  run_nodes_ = graph_.nodes;
  std::vector<ConcatElision> elisions;
  if (fuse_) {
    for (const LutFusion& f : find_lut_fusions(graph_, tensors_, *kernels_)) {
      ops_[f.producer] = make_fused_away_op();
      ops_[f.consumer] = make_lut_op(f);
      NodeContext ctx(graph_.nodes[f.consumer], f.consumer, tensors_, *kernels_);
      FD_RETURN_IF_ERROR(ops_[f.consumer]->prepare(ctx));
      scratch_bytes_[f.producer] = scratch_bytes_[f.consumer] = 0;
      fused_with_[f.producer] = f.consumer;
      fused_with_[f.consumer] = f.producer;
      fused_away_[f.producer] = 1;
    }
    // The transpose reads the concatenation's two inputs.
    for (const ShuffleFusion& f : find_shuffle_fusions(graph_, tensors_, fused_with_)) {
      for (int away : {f.concat, f.reshape, f.reshape_back, f.split}) {
        if (away < 0) continue;
        ops_[away] = make_fused_away_op();
        scratch_bytes_[away] = 0;
        fused_with_[away] = f.transpose;
        fused_away_[away] = 1;
      }
      ops_[f.transpose] = make_shuffle_op(f);
      run_nodes_[f.transpose].inputs = graph_.nodes[f.concat].inputs;
      if (f.split >= 0) run_nodes_[f.transpose].outputs = graph_.nodes[f.split].outputs;
      NodeContext ctx(run_nodes_[f.transpose], f.transpose, tensors_, *kernels_);
      FD_RETURN_IF_ERROR(ops_[f.transpose]->prepare(ctx));
      scratch_bytes_[f.transpose] = 0;
      fused_with_[f.transpose] = f.concat;
    }
    // Convolutions building the same im2col rows run as one op where the first one runs, which
    // then produces every member's output.
    for (const std::vector<int>& group : find_conv_2d_groups(graph_, ops_, fused_with_)) {
      const int lead = group[0];
      std::vector<std::unique_ptr<Op>> members;
      for (int n : group) {
        members.push_back(std::move(ops_[n]));
        if (n == lead) continue;
        ops_[n] = make_fused_away_op();
        scratch_bytes_[n] = 0;
        fused_with_[n] = lead;
        fused_away_[n] = 1;
        run_nodes_[lead].outputs.push_back(graph_.nodes[n].outputs[0]);
      }
      ops_[lead] = make_conv_2d_group(std::move(members));
      fused_with_[lead] = group[1];
      NodeContext ctx(run_nodes_[lead], lead, tensors_, *kernels_);
      FD_RETURN_IF_ERROR(ops_[lead]->prepare(ctx));
    }
    for (const ConcatElision& e : find_concat_elisions(graph_, run_nodes_, fused_away_, tensors_)) {
      if (ops_[e.producer]->set_output_row_stride(e.row_stride)) elisions.push_back(e);
    }
  }

  // A node whose outputs are all empty has nothing to compute: it is not run and gets no scratch
  // (a convolution with zero output channels would otherwise still build every im2col row).
  skip_.assign(nn, 0);
  for (int n = 0; n < nn; ++n) {
    const std::vector<int32_t>& outs = run_nodes_[n].outputs;
    skip_[n] = !outs.empty() && std::all_of(outs.begin(), outs.end(),
                                             [&](int32_t t) { return num_elements(tensors_[t].shape) == 0; });
    if (skip_[n]) scratch_bytes_[n] = 0;
  }

  // Lifetimes: graph inputs live from the start, outputs to the end, others producer..last use,
  // over the nodes as they run. A fused-away node reads and writes nothing, so a tensor only it
  // produced gets no memory.
  std::vector<int32_t> first(nt, -1), last(nt, -1);
  for (int32_t in : graph_.inputs) first[in] = last[in] = 0;
  for (int n = 0; n < nn; ++n) {
    if (fused_away_[n]) continue;
    for (int32_t t : run_nodes_[n].outputs) {
      if (first[t] < 0) first[t] = n;
      last[t] = std::max(last[t], n);
    }
    for (int32_t t : run_nodes_[n].inputs) {
      if (t >= 0) last[t] = std::max(last[t], n);
    }
  }
  for (int32_t out : graph_.outputs) last[out] = nn;
  // A concatenation input written in place is a view into the output, which its producer fills.
  for (const ConcatElision& e : elisions) {
    first[e.into] = std::min(first[e.into], first[e.tensor]);
    first[e.tensor] = -1;
  }
  std::vector<BufferRequest> requests;
  std::vector<int64_t> owner;  // tensor index, or -(node+1) for scratch
  for (size_t i = 0; i < nt; ++i) {
    if (tensors_[i].is_constant || first[i] < 0) continue;
    requests.push_back({tensors_[i].bytes(), first[i], last[i]});
    owner.push_back(static_cast<int64_t>(i));
  }
  for (int n = 0; n < nn; ++n) {
    if (scratch_bytes_[n] == 0) continue;
    requests.push_back({scratch_bytes_[n], n, n});
    owner.push_back(-(n + 1));
  }
  uint64_t total = 0;
  for (const BufferRequest& r : requests) total += r.bytes;
  if (total > static_cast<uint64_t>(kMaxArenaBytes)) {
    return Status::error("the model's activations need " + std::to_string(total) + " bytes, over the " +
                         std::to_string(kMaxArenaBytes >> 20) + " MiB limit");
  }
  std::vector<size_t> offsets;
  arena_bytes_ = plan_memory(requests, &offsets);
  arena_storage_.reset(new uint8_t[arena_bytes_ + 64]());
  arena_ = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(arena_storage_.get()) + 63) &
                                      ~static_cast<uintptr_t>(63));
  scratch_.assign(nn, nullptr);
  for (size_t r = 0; r < requests.size(); ++r) {
    if (owner[r] >= 0) {
      tensors_[owner[r]].data = arena_ + offsets[r];
    } else {
      scratch_[-owner[r] - 1] = arena_ + offsets[r];
    }
  }
  for (const ConcatElision& e : elisions) {
    tensors_[e.tensor].data = tensors_[e.into].data + e.offset * dtype_size(tensors_[e.into].dtype);
  }
  return Status();
}

Status Interpreter::invoke() {
  const int nn = static_cast<int>(graph_.nodes.size());
  if (profile_) return invoke_profiled();
  for (int n = 0; n < nn; ++n) {
    NodeContext ctx(run_nodes_[n], n, tensors_, *kernels_);
    ctx.set_scratch(scratch_[n]);
    if (!skip_[n]) FD_RETURN_IF_ERROR(ops_[n]->eval(ctx));
    if (observer_) observer_(n);
  }
  return Status();
}

Status Interpreter::invoke_profiled() {
  using Clock = std::chrono::steady_clock;
  const int nn = static_cast<int>(graph_.nodes.size());
  node_seconds_.resize(nn, 0.0);
  for (int n = 0; n < nn; ++n) {
    NodeContext ctx(run_nodes_[n], n, tensors_, *kernels_);
    ctx.set_scratch(scratch_[n]);
    const Clock::time_point start = Clock::now();
    if (!skip_[n]) FD_RETURN_IF_ERROR(ops_[n]->eval(ctx));
    node_seconds_[n] += std::chrono::duration<double>(Clock::now() - start).count();
    if (observer_) observer_(n);
  }
  ++profiled_invokes_;
  return Status();
}

void Interpreter::reset_profile() {
  node_seconds_.assign(graph_.nodes.size(), 0.0);
  profiled_invokes_ = 0;
}

}  // namespace fd
