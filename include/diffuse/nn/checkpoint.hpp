#pragma once
// diffuse/nn/checkpoint.hpp — network and optimizer checkpoints as safetensors files.
//
// A network checkpoint holds exactly the tensors of net.tensors(), with PyTorch's state_dict
// names and shapes ("net.0.weight" is out x in, row-major), so
//   model.load_state_dict({k: torch.from_numpy(v) for k, v in safetensors.numpy.load_file(p).items()})
// loads it. Optimizer state goes to a second file: "<tensor>.exp_avg", "<tensor>.exp_avg_sq"
// (Adam) or "<tensor>.momentum_buffer" (SGD), plus "step" (F64, shape []), and the optimizer
// kind in the metadata. Loading is strict: every expected tensor must be present with the
// expected shape, and no other tensor may be.

#include <cmath>
#include <concepts>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/optimizers.hpp"
#include "diffuse/nn/safetensors.hpp"
#include "diffuse/nn/tensor_spec.hpp"

namespace diffuse {

/// A network whose flat parameter vector splits into named tensors.
template <class N>
concept Checkpointable = requires(N& net, const N& cnet) {
  { cnet.tensors() } -> std::same_as<std::vector<TensorSpec>>;  // names, shapes, offsets of parameters()
  { net.parameters() } -> std::same_as<Vector<typename N::Scalar>&>;
};

namespace detail {

template <class S>
std::vector<TensorView<S>> views(const std::vector<TensorSpec>& specs, const Vector<S>& flat,
                                 const std::string& suffix = "") {
  std::vector<TensorView<S>> out;
  for (const auto& t : specs) out.push_back({t.name + suffix, t.shape, flat.data() + t.offset});
  return out;
}

inline std::string shape_text(const std::vector<Index>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}
inline std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Entries of a shape; a negative dimension or an overflowing product saturates to the maximum,
// so that it fails every bounds check.
inline Index entry_count(const std::vector<Index>& shape) {
  constexpr Index most = std::numeric_limits<Index>::max();
  Index n = 1;
  for (const Index s : shape) {
    if (s < 0 || (s > 0 && n > most / s)) return most;
    n *= s;
  }
  return n;
}

// The tensor specs must tile a flat vector of `size` entries (the optimizer's state, say), or the
// copies would run past it: "the tensors of another network".
inline void check_tensors_tile(const std::string& api, const std::vector<TensorSpec>& tensors, Index size,
                               const std::string& owner) {
  Index total = 0;
  for (const auto& t : tensors) {
    const Index n = entry_count(t.shape);
    DIFFUSE_REQUIRE(t.offset >= 0 && t.offset <= size && n <= size - t.offset, api,
                    "tensor '" + t.name + "' lies outside the " + owner + "'s " + std::to_string(size) + " values",
                    "[" + std::to_string(t.offset) + ", " + std::to_string(t.offset) + " + " + std::to_string(n) + ")",
                    "tensors of the network the " + owner + " was made for");
    total += n;
  }
  DIFFUSE_REQUIRE(total == size, api, "the tensors do not cover the " + owner + "'s values", total,
                  std::to_string(size) + " values: the tensors of the network the " + owner + " was made for");
}

// Copies every expected tensor from the file into flat vectors; rejects missing, extra,
// mis-shaped and non-finite tensors. `expected` pairs a spec (name, shape, offset) with its
// target vector.
template <class S>
void read_tensors(const SafetensorsFile& file, const std::vector<std::pair<TensorSpec, Vector<S>*>>& expected,
                  const std::string& api) {
  for (const auto& [spec, target] : expected) {
    DIFFUSE_REQUIRE(spec.offset >= 0 && spec.offset <= target->size() &&
                        entry_count(spec.shape) <= target->size() - spec.offset,
                    api, "tensor '" + spec.name + "' lies outside the values it is loaded into", spec.offset,
                    "an offset and shape within " + std::to_string(target->size()) + " values");
    const SafetensorsEntry* e = file.find(spec.name);
    DIFFUSE_REQUIRE(e != nullptr, api, "tensor '" + spec.name + "' is missing", "absent",
                    "shape " + shape_text(spec.shape));
    bool same = e->shape.size() == spec.shape.size();
    for (std::size_t i = 0; same && i < spec.shape.size(); ++i)
      same = e->shape[i] == static_cast<std::uint64_t>(spec.shape[i]);
    DIFFUSE_REQUIRE(same, api, "tensor '" + spec.name + "' has the wrong shape", shape_text(e->shape),
                    shape_text(spec.shape));
  }
  for (const auto& e : file.entries()) {
    bool known = false;
    for (const auto& [spec, target] : expected) known = known || spec.name == e.name;
    DIFFUSE_REQUIRE(known, api, "unexpected tensor '" + e.name + "'", shape_text(e.shape), "only the model's tensors");
  }
  for (const auto& [spec, target] : expected) file.copy_to(*file.find(spec.name), target->data() + spec.offset, api);
}

}  // namespace detail

/// Writes net's parameters as a safetensors file (dtype F32 by default, as PyTorch modules are).
template <Checkpointable Net>
void save_checkpoint(const std::filesystem::path& path, Net& net, Dtype dtype = Dtype::F32) {
  write_safetensors(path, detail::views(net.tensors(), net.parameters()), dtype, {{"format", "pt"}});
}

/// Loads net's parameters from a safetensors file written by save_checkpoint or by PyTorch.
/// Throws diffuse::Error (and leaves the network unchanged) on any mismatch.
template <Checkpointable Net>
void load_checkpoint(const std::filesystem::path& path, Net& net) {
  using S = typename Net::Scalar;
  const SafetensorsFile file = SafetensorsFile::read(path);
  Vector<S> loaded = net.parameters();
  std::vector<std::pair<TensorSpec, Vector<S>*>> expected;
  for (const auto& t : net.tensors()) expected.emplace_back(t, &loaded);
  detail::read_tensors(file, expected, "load_checkpoint");
  net.parameters() = loaded;
}

/// Writes an Adam/AdamW state (moments per parameter tensor and the step count).
template <class S>
void save_optimizer_state(const std::filesystem::path& path, const Adam<S>& opt, const std::vector<TensorSpec>& tensors) {
  detail::check_tensors_tile("save_optimizer_state", tensors, opt.size(), "optimizer");
  auto views = detail::views(tensors, opt.state().exp_avg, ".exp_avg");
  for (auto& v : detail::views(tensors, opt.state().exp_avg_sq, ".exp_avg_sq")) views.push_back(v);
  const S step = static_cast<S>(opt.state().steps);
  views.push_back({"step", {}, &step});
  write_safetensors(path, views, Dtype::F64, {{"optimizer", "Adam"}});
}

/// Writes an SGD state (momentum buffers, if any, and the step count).
template <class S>
void save_optimizer_state(const std::filesystem::path& path, const Sgd<S>& opt, const std::vector<TensorSpec>& tensors) {
  detail::check_tensors_tile("save_optimizer_state", tensors, opt.size(), "optimizer");
  std::vector<TensorView<S>> views;
  if (opt.state().momentum_buffer.size() > 0) views = detail::views(tensors, opt.state().momentum_buffer, ".momentum_buffer");
  const S step = static_cast<S>(opt.state().steps);
  views.push_back({"step", {}, &step});
  write_safetensors(path, views, Dtype::F64, {{"optimizer", "SGD"}});
}

namespace detail {
inline void check_optimizer_kind(const SafetensorsFile& file, const std::string& kind) {
  const auto it = file.metadata().find("optimizer");
  const std::string found = it == file.metadata().end() ? "none" : it->second;
  DIFFUSE_REQUIRE(found == kind, "load_optimizer_state", "file holds another optimizer's state", found, kind);
}
template <class S>
long read_step(const SafetensorsFile& file) {
  const SafetensorsEntry* e = file.find("step");
  double step = 0;
  file.copy_to(*e, &step);
  DIFFUSE_REQUIRE(step >= 0 && step < 9.0e15 && step == std::floor(step), "load_optimizer_state",
                  "step is not a count", step, "a non-negative integer");
  return static_cast<long>(step);
}
}  // namespace detail

/// Loads an Adam/AdamW state written by save_optimizer_state for a network with `tensors`.
template <class S>
void load_optimizer_state(const std::filesystem::path& path, Adam<S>& opt, const std::vector<TensorSpec>& tensors) {
  detail::check_tensors_tile("load_optimizer_state", tensors, opt.size(), "optimizer");
  const SafetensorsFile file = SafetensorsFile::read(path);
  detail::check_optimizer_kind(file, "Adam");
  AdamState<S> state = opt.state();
  Vector<S> step(1);
  std::vector<std::pair<TensorSpec, Vector<S>*>> expected;
  for (const auto& t : tensors) expected.push_back({{t.name + ".exp_avg", t.shape, t.offset}, &state.exp_avg});
  for (const auto& t : tensors) expected.push_back({{t.name + ".exp_avg_sq", t.shape, t.offset}, &state.exp_avg_sq});
  expected.push_back({{"step", {}, 0}, &step});
  detail::read_tensors(file, expected, "load_optimizer_state");
  // v is a running mean of g²: a negative entry makes √v NaN at the next step.
  DIFFUSE_REQUIRE(state.exp_avg_sq.size() == 0 || state.exp_avg_sq.minCoeff() >= S(0), "load_optimizer_state",
                  "exp_avg_sq has a negative entry", state.exp_avg_sq.minCoeff(), "second moments >= 0");
  state.steps = detail::read_step<S>(file);
  opt.state() = state;
}

/// Loads an SGD state written by save_optimizer_state for a network with `tensors`.
template <class S>
void load_optimizer_state(const std::filesystem::path& path, Sgd<S>& opt, const std::vector<TensorSpec>& tensors) {
  detail::check_tensors_tile("load_optimizer_state", tensors, opt.size(), "optimizer");
  const SafetensorsFile file = SafetensorsFile::read(path);
  detail::check_optimizer_kind(file, "SGD");
  SgdState<S> state = opt.state();
  Vector<S> step(1);
  std::vector<std::pair<TensorSpec, Vector<S>*>> expected;
  if (state.momentum_buffer.size() > 0)
    for (const auto& t : tensors) expected.push_back({{t.name + ".momentum_buffer", t.shape, t.offset}, &state.momentum_buffer});
  expected.push_back({{"step", {}, 0}, &step});
  detail::read_tensors(file, expected, "load_optimizer_state");
  state.steps = detail::read_step<S>(file);
  opt.state() = state;
}

}  // namespace diffuse
