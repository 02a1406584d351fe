// Structural edits of a Graph shared by the converter's rewrites: removing nodes, dropping the
// tensors nothing refers to any more, and cutting a graph at chosen output tensors.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "model/graph.h"

namespace fd {

// A FLOAT32 constant's values.
std::vector<float> float_data(const TensorDesc& t);

// Replaces tensor `t`'s constant payload with `values` (new storage owned by the graph).
void set_float_data(Graph* graph, int t, const std::vector<float>& values);

// Appends `t` (its constant data, if any, must already live in graph storage); returns its index.
int32_t add_tensor(Graph* graph, const TensorDesc& t);

// Appends a FLOAT32 constant of `shape` holding `values`; returns its index.
int32_t add_float_const(Graph* graph, const std::string& name, const Shape& shape, const std::vector<float>& values);

// Drops tensors no node, graph input or graph output refers to, renumbering the rest.
void drop_unused_tensors(Graph* graph);

// Removes the nodes whose `removed` flag is set (one flag per node), then the tensors left unused.
void remove_nodes(Graph* graph, const std::vector<char>& removed);

// Makes the tensors called `names` (in that order) the graph outputs and removes every node the
// new outputs do not depend on. Fails, leaving the graph unchanged, when a name matches no tensor,
// matches a constant, or is listed twice.
Status cut_at_outputs(Graph* graph, const std::vector<std::string>& names);

}  // namespace fd
