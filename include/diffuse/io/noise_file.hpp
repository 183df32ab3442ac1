#pragma once
// diffuse/io/noise_file.hpp — a run's noise draws as one .npy file of shape (K, n, d): draw k is
// a d x n batch, stored as PyTorch stores an (n, d) tensor, so `np.load(path)[k]` is the k-th
// `torch.randn_like(x)` of a peer's run and `ReplayNoise(read_noise_npy(path))` replays a peer's
// saved draws in diffuse.

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/io/npy.hpp"

namespace diffuse {

/// Writes K draws of one shape d x n as a float64 (K, n, d) C-order .npy file. Throws
/// diffuse::Error when there are no draws or their shapes differ (record runs whose draws share
/// one shape, or write them one file per shape).
inline void write_noise_npy(const std::filesystem::path& path, const std::vector<Matrix<double>>& draws) {
  constexpr const char* api = "write_noise_npy";
  DIFFUSE_REQUIRE(!draws.empty(), api, "no draws to write", 0, "at least one draw");
  const Index d = draws.front().rows(), n = draws.front().cols();
  for (std::size_t k = 1; k < draws.size(); ++k)
    DIFFUSE_REQUIRE(draws[k].rows() == d && draws[k].cols() == n, api,
                    "draw " + std::to_string(k) + " has another shape than draw 0",
                    std::to_string(draws[k].rows()) + "x" + std::to_string(draws[k].cols()),
                    std::to_string(d) + "x" + std::to_string(n) + " (one shape per file)");
  std::string bytes;
  bytes.reserve(draws.size() * static_cast<std::size_t>(d * n) * sizeof(double));
  for (const Matrix<double>& draw : draws)
    bytes.append(reinterpret_cast<const char*>(draw.data()), static_cast<std::size_t>(draw.size()) * sizeof(double));
  if constexpr (std::endian::native == std::endian::big) detail::swap_item_bytes(bytes.data(), bytes.size() / 8, 8);
  const std::string header = detail::npy_header("<f8", {static_cast<Index>(draws.size()), n, d});
  if (path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
  }
  std::ofstream file(path, std::ios::binary);
  DIFFUSE_REQUIRE(file.good(), api, "cannot open file for writing", path.string(), "a writable path");
  file << header << bytes;
  file.close();
  DIFFUSE_REQUIRE(file.good(), api, "writing failed", path.string(), "a complete write");
}

/// Reads a float32/float64 .npy file of shape (K, n, d) (C or Fortran order) as K draws of shape
/// d x n; a 2-D (n, d) file is one draw. Throws diffuse::Error for a bad file (see read_npy).
inline std::vector<Matrix<double>> read_noise_npy(const std::filesystem::path& path) {
  const detail::NpyArray array = detail::read_npy_array(path, "read_noise_npy", 3, "(K, n, d) or (n, d)");
  const bool stacked = array.shape.size() == 3;
  DIFFUSE_REQUIRE(array.shape.size() >= 2, "read_noise_npy", "a draw needs two dimensions", array.shape.size(),
                  "(K, n, d) or (n, d)");
  const Index K = stacked ? array.shape[0] : 1, n = array.shape[stacked ? 1 : 0], d = array.shape[stacked ? 2 : 1];
  auto unpack = [&](const auto& values) {
    std::vector<Matrix<double>> draws(static_cast<std::size_t>(K), Matrix<double>(d, n));
    // Element [k, j, i] (draw k, sample j, coordinate i) sits at ((k n + j) d + i) in C order and at
    // (k + K (j + n i)) in Fortran order.
    for (Index k = 0; k < K; ++k)
      for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < d; ++i)
          draws[static_cast<std::size_t>(k)](i, j) = static_cast<double>(
              values[static_cast<std::size_t>(array.fortran ? k + K * (j + n * i) : (k * n + j) * d + i)]);
    return draws;
  };
  return array.is_f4 ? unpack(detail::npy_values<float>(array)) : unpack(detail::npy_values<double>(array));
}

}  // namespace diffuse
