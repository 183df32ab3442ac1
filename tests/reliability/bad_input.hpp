#pragma once
// The table of bad inputs, one row per (entry point, bad input), shared by the files that fill
// it (bad_input_*.cpp) and the test that runs it (test_bad_input.cpp). See test_bad_input.cpp
// for how to add a row.

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <diffuse/core/types.hpp>

namespace reliability {

/// One bad input at one public entry point.
struct BadInput {
  std::string header;  ///< header under include/diffuse/ that declares the entry point
  std::string api;     ///< the message must start with "diffuse::<api>:"
  std::string input;   ///< what is wrong with the input
  std::function<void()> call;
};

/// Rows for core, distributions, processes, integrators, schedules, nn, training, metrics, io.
std::vector<BadInput> bad_inputs_general();
/// Rows for models and samplers (a second file keeps each translation unit's build light).
std::vector<BadInput> bad_inputs_sampling();
/// Rows for noise sources, the σ-space view and the samplers' relationships with their models.
std::vector<BadInput> bad_inputs_noise();

/// A scratch file path for these tests.
inline std::string scratch(const std::string& name) {
  return std::string(DIFFUSE_TEST_SCRATCH_DIR) + "/reliability_" + name;
}

/// A path whose folder cannot be created: its would-be parent is a regular file, so it is
/// unwritable even for root.
inline std::string unwritable(const std::string& name) {
  const std::string blocker = scratch("blocker_file");
  std::ofstream(blocker) << "not a folder";
  return blocker + "/sub/" + name;
}

/// Writes `bytes` to a scratch file and returns its path.
inline std::string file_with(const std::string& name, const std::string& bytes) {
  const std::string path = scratch(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

/// Overwrites the bytes that end `back` bytes before the end of file `path` with `value` (a
/// float or double, little-endian): corrupts the last tensors of a saved checkpoint.
template <class T>
void patch_from_end(const std::string& path, long back, T value) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(-back, std::ios::end);
  f.write(reinterpret_cast<const char*>(&value), sizeof(T));
}

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// A rows x cols matrix filled with value.
inline diffuse::Matrix<double> mat(diffuse::Index rows, diffuse::Index cols, double value = 0) {
  return diffuse::Matrix<double>::Constant(rows, cols, value);
}

}  // namespace reliability
