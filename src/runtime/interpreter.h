// The interpreter: prepares a Graph once (ops, shapes, memory plan) and runs it many times.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"
#include "ops/op.h"

namespace fd {

// How an interpreter runs: its kernel table and whether it times each node.
struct InterpreterOptions {
  const KernelTable* kernels = nullptr;  // null: the process's table, kernels()
  bool profile = false;                  // time every node of every invoke (node_times())
  // Run 8-bit activation pairs such as SiLU as one table (runtime/lut_fusion.h) and a channel
  // shuffle after a concatenation as one interleave (runtime/shuffle_fusion.h); the tensors
  // between fused nodes then hold no data (off where an observer reads intermediates).
  bool fuse = true;
};

class Interpreter {
 public:
  // Builds ops for every node, runs their prepare in order, plans the arena. Fails with the op
  // name and node index on an unsupported op or a bad tensor.
  static Status create(Graph graph, std::unique_ptr<Interpreter>* out,
                       const InterpreterOptions& options = InterpreterOptions());

  // Runs every node once on the current input tensors.
  Status invoke();

  // Called by invoke after each node with its index, while that node's outputs are still valid
  // in the arena (calibration and per-layer error reports read intermediates this way).
  using NodeObserver = std::function<void(int node)>;
  // Installs `observer` (an empty function removes it); normal runs pay one branch per node.
  void set_observer(NodeObserver observer) { observer_ = std::move(observer); }
  // Runtime view of tensor `i`; intermediates hold valid data only inside the observer.
  const RTensor& tensor(int i) const { return tensors_[i]; }

  int num_inputs() const { return static_cast<int>(graph_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(graph_.outputs.size()); }
  RTensor& input(int i) { return tensors_[graph_.inputs[i]]; }
  RTensor& output(int i) { return tensors_[graph_.outputs[i]]; }
  const std::string& input_name(int i) const { return graph_.tensors[graph_.inputs[i]].name; }
  const std::string& output_name(int i) const { return graph_.tensors[graph_.outputs[i]].name; }
  const Graph& graph() const { return graph_; }
  // Bytes of the activation arena (all intermediate tensors and scratch).
  size_t arena_bytes() const { return arena_bytes_; }
  size_t node_count() const { return graph_.nodes.size(); }
  // The kernel table the ops were prepared with.
  const KernelTable& kernels() const { return *kernels_; }
  // The node that node `n` was fused with (runtime/lut_fusion.h, runtime/shuffle_fusion.h), or
  // -1; of fused nodes one runs the fused op and the others (fused_away) run nothing.
  int fused_with(int n) const { return fused_with_.empty() ? -1 : fused_with_[n]; }
  bool fused_away(int n) const { return !fused_away_.empty() && fused_away_[n] != 0; }

  // With options.profile: seconds spent in each node, summed over the invokes since the last
  // reset_profile() ([node_count()]), and how many invokes that covers.
  const std::vector<double>& node_times() const { return node_seconds_; }
  int profiled_invokes() const { return profiled_invokes_; }
  void reset_profile();

 private:
  Interpreter() = default;
  // Tensor indices in range (-1 only for an op's optional inputs), node arity per the registry,
  // every tensor written once and never a constant: checked before any op reads the graph.
  Status validate_graph() const;
  Status prepare();
  Status invoke_profiled();

  Graph graph_;
  std::vector<RTensor> tensors_;
  std::vector<std::unique_ptr<Op>> ops_;
  std::vector<size_t> scratch_bytes_;
  std::vector<uint8_t*> scratch_;
  uint8_t* arena_ = nullptr;
  std::unique_ptr<uint8_t[]> arena_storage_;
  size_t arena_bytes_ = 0;
  NodeObserver observer_;
  const KernelTable* kernels_ = nullptr;
  bool profile_ = false;
  bool fuse_ = true;
  std::vector<int> fused_with_;
  std::vector<uint8_t> fused_away_;
  std::vector<Node> run_nodes_;  // the nodes as their ops run (a fused transpose reads other inputs)
  std::vector<uint8_t> skip_;  // per node: every output is empty, so eval is not called
  std::vector<double> node_seconds_;
  int profiled_invokes_ = 0;
};

}  // namespace fd
