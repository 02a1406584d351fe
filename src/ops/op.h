// The op interface: every operator validates and prepares once at load, then evaluates per run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/dtype.h"
#include "core/quant.h"
#include "core/shape.h"
#include "core/status.h"
#include "kernels/kernel_table.h"
#include "model/graph.h"

namespace fd {

// A tensor as the runtime sees it: metadata plus a data pointer (arena or constant bytes).
struct RTensor {
  DType dtype = DType::kFloat32;
  Shape shape;
  QuantParams quant;
  uint8_t* data = nullptr;
  bool is_constant = false;
  bool shape_known = false;  // set for graph inputs/constants, and by the producing op's prepare
  size_t bytes() const { return static_cast<size_t>(num_elements(shape)) * dtype_size(dtype); }
  template <typename T> T* as() { return reinterpret_cast<T*>(data); }
  template <typename T> const T* as() const { return reinterpret_cast<const T*>(data); }
};

// What an op sees of the graph while it prepares or runs: its node and its tensors.
class NodeContext {
 public:
  NodeContext(const Node& node, int node_index, std::vector<RTensor>& tensors,
              const KernelTable& kernels = fd::kernels())
      : node_(node), index_(node_index), tensors_(tensors), kernels_(&kernels) {}
  // The kernel table this interpreter runs with; ops pick their kernels from it at prepare.
  const KernelTable& kernels() const { return *kernels_; }
  const Node& node() const { return node_; }
  const OpOptions& options() const { return node_.options; }
  int node_index() const { return index_; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  // False when input `i` is absent or marked omitted (-1).
  bool has_input(int i) const { return i < num_inputs() && node_.inputs[i] >= 0; }
  RTensor& input(int i) { return tensors_[node_.inputs[i]]; }
  RTensor& output(int i) { return tensors_[node_.outputs[i]]; }
  // Prepare only: ask for `bytes` of scratch memory, valid during this node's eval.
  void request_scratch(size_t bytes) { scratch_bytes_ = bytes; }
  size_t scratch_bytes() const { return scratch_bytes_; }
  // Eval only: the scratch memory requested at prepare (64-byte aligned).
  uint8_t* scratch() const { return scratch_; }
  void set_scratch(uint8_t* p) { scratch_ = p; }
  // An error prefixed with the op name and node index.
  Status error(const std::string& what) const;
  // The same for something about this node featherdet does not implement (StatusCode::kUnsupported).
  Status unsupported(const std::string& what) const;
  // Fails unless input `i` has one of the listed dtypes.
  Status expect_input_type(int i, std::initializer_list<DType> allowed);
  // Fails unless a requantization scale (a ratio or product of the model's tensor scales) is
  // finite: scales near the float limits overflow to infinity, and infinity times a zero
  // accumulator is NaN.
  Status expect_finite_scale(double scale, const std::string& what) const;
  // Sets output `i`'s shape (its dtype and quantization come from the model). Fails when the
  // tensor would pass kMaxTensorBytes; ops that size tables by the output call it before that.
  Status set_output_shape(int i, Shape shape);

 private:
  const Node& node_;
  int index_;
  std::vector<RTensor>& tensors_;
  const KernelTable* kernels_;
  size_t scratch_bytes_ = 0;
  uint8_t* scratch_ = nullptr;
};

// Base of every operator implementation. One instance per node; holds that node's prepared
// parameters (requant scales, packed weights, lookup tables).
class Op {
 public:
  virtual ~Op() = default;
  // Validates dtypes, shapes and options, sets output shapes, precomputes parameters. Runs once.
  virtual Status prepare(NodeContext& ctx) = 0;
  // Computes the outputs from the inputs. Must not allocate.
  virtual Status eval(NodeContext& ctx) = 0;
  // Asks the op to write output 0 as rows of its last dimension `row_stride` elements apart (its
  // slice of a wider tensor, which the interpreter then points output 0 into). Called after
  // prepare, before eval; returns false, changing nothing, where the op cannot.
  virtual bool set_output_row_stride(size_t row_stride) {
    (void)row_stride;
    return false;
  }
};

// Shortest row an elementwise op writes with a stride: it then calls its kernel once per row and
// pays the kernel's set-up (and scalar tail) each time, which below this costs more than the
// concatenation's copy it saves (YOLOX-Nano's 16- to 32-channel ADDs and QUANTIZEs: +0.4 ms for
// -0.2 ms of copies; YOLOv8n's SiLU tables through the SIMD128 lookup: 7% slower overall).
constexpr size_t kMinStridedRow = 64;

// Where an elementwise op writes its output rows (the last dimension): contiguous, or
// `stride` elements apart once Op::set_output_row_stride accepted a stride.
struct OutputRows {
  size_t row = 0, stride = 0;
  void init(const Shape& shape) { row = stride = shape.empty() ? 1 : static_cast<size_t>(shape.back()); }
  bool contiguous() const { return stride == row; }
  // set_output_row_stride for an op that runs its kernel once per row.
  bool set_stride(size_t row_stride) {
    if (row < kMinStridedRow || row_stride < row) return false;
    stride = row_stride;
    return true;
  }
};

// Entry of the op registry: builtin code, factory, and the node arity the op accepts. Inputs
// past min_inputs may be omitted (tensor index -1) only when optional_tail is set.
struct OpRegistration {
  int32_t code;
  std::unique_ptr<Op> (*create)();
  int min_inputs = 1, max_inputs = 1;
  bool optional_tail = false;
  int min_outputs = 1, max_outputs = 1;
};

// Looks up the registration for a builtin code; null when featherdet lacks the op.
const OpRegistration* find_op(int32_t code);
// All registered builtin codes (for docs and tests).
std::vector<int32_t> registered_ops();

}  // namespace fd
