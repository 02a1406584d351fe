// CAST: plain numeric conversion between FLOAT32, INT32, INT64, UINT8, INT8, INT16 and BOOL, as
// TFLite does it (static_cast; float -> integer truncates toward zero; to BOOL is x != 0).
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace fd {
namespace {

class Cast : public Op {
 public:
  Status prepare(NodeContext& ctx) override {
    if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1) return ctx.error("expects 1 input and 1 output");
    const RTensor& in = ctx.input(0);
    const RTensor& out = ctx.output(0);
    // A zero-length conversion only reports whether the type pair is supported.
    if (!any_vcast_ref(in.dtype, out.dtype, 0, nullptr, nullptr)) {
      return ctx.unsupported(std::string("cast from ") + dtype_name(in.dtype) + " to " + dtype_name(out.dtype) +
                       " is not supported (supported types: FLOAT32, INT32, INT64, UINT8, INT8, INT16, BOOL)");
    }
    FD_RETURN_IF_ERROR(ctx.set_output_shape(0, in.shape));
    return Status();
  }

  Status eval(NodeContext& ctx) override {
    const RTensor& in = ctx.input(0);
    RTensor& out = ctx.output(0);
    any_vcast_ref(in.dtype, out.dtype, static_cast<size_t>(num_elements(in.shape)), in.data, out.data);
    return Status();
  }
};

}  // namespace

std::unique_ptr<Op> create_cast() { return std::make_unique<Cast>(); }

}  // namespace fd
