#pragma once
// diffuse/io/npy.hpp — NumPy .npy files (format version 1.0) of float32/float64 batches.
// Reference: NumPy Enhancement Proposal 1, "A simple file format for NumPy arrays"; the header
// is laid out exactly as numpy.save (>= 1.23) writes it, so the files are byte-identical.
//
// Layout: a d x n batch (one sample per column) is stored as an (n, d) C-order array, one sample
// per row as in PyTorch; that is the very same memory, so no transpose happens. read_npy returns
// the d x n batch again; it also reads Fortran-order files and 1-D arrays (as 1 x n).

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

namespace detail {

/// Reverses the bytes of every item (NPY data is little-endian; big-endian hosts swap).
inline void swap_item_bytes(char* data, std::size_t items, std::size_t item_size) {
  for (std::size_t i = 0; i < items; ++i)
    for (std::size_t a = 0, b = item_size - 1; a < b; ++a, --b) std::swap(data[i * item_size + a], data[i * item_size + b]);
}

/// The complete version 1.0 header of a C-order array of `shape` with dtype descr: magic,
/// version, little-endian uint16 length, the dict, spaces and a final newline so that the data
/// starts at a multiple of 64 bytes. As numpy, 21 - len(str(shape[0])) spaces of growth room
/// follow the dict before the padding.
inline std::string npy_header(const std::string& descr, const std::vector<Index>& shape) {
  const std::string first = std::to_string(shape.front());
  std::string dims = first;
  for (std::size_t i = 1; i < shape.size(); ++i) dims += ", " + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  dict.append(first.size() < 21 ? 21 - first.size() : 0, ' ');
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>((dict.size() >> 8) & 0xff);
  return header + dict;
}

/// The text following `key` in an NPY header dict, up to the next comma outside parentheses.
inline std::string npy_field(const std::string& dict, const std::string& key, const std::string& path) {
  const auto at = dict.find("'" + key + "'");
  DIFFUSE_REQUIRE(at != std::string::npos, "read_npy", "header has no '" + key + "' entry", path, "a valid .npy header");
  auto pos = dict.find(':', at);
  DIFFUSE_REQUIRE(pos != std::string::npos, "read_npy", "malformed header entry '" + key + "'", path, "key: value");
  std::string value;
  int depth = 0;
  for (++pos; pos < dict.size(); ++pos) {
    const char c = dict[pos];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == ',' || c == '}') && depth == 0) break;
    value += c;
  }
  const auto begin = value.find_first_not_of(" ");
  return begin == std::string::npos ? "" : value.substr(begin, value.find_last_not_of(" ") - begin + 1);
}

}  // namespace detail

/// Writes a d x n batch of float or double as an (n, d) little-endian C-order .npy file (numpy's
/// dtype float32/float64). Creates missing parent folders; throws diffuse::Error on failure.
template <class D>
void write_npy(const std::filesystem::path& path, const Eigen::MatrixBase<D>& samples) {
  using S = typename D::Scalar;
  static_assert(std::is_same_v<S, float> || std::is_same_v<S, double>,
                "write_npy stores float or double batches; cast other scalars first");
  const Matrix<S> data = samples;  // column-major d x n == C-order (n, d)
  std::string bytes(reinterpret_cast<const char*>(data.data()), static_cast<std::size_t>(data.size()) * sizeof(S));
  if constexpr (std::endian::native == std::endian::big) detail::swap_item_bytes(bytes.data(), static_cast<std::size_t>(data.size()), sizeof(S));
  const std::string header = detail::npy_header(std::is_same_v<S, float> ? "<f4" : "<f8", {data.cols(), data.rows()});
  if (path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
  }
  std::ofstream file(path, std::ios::binary);
  DIFFUSE_REQUIRE(file.good(), "write_npy", "cannot open file for writing", path.string(), "a writable path");
  file << header << bytes;
  file.close();
  DIFFUSE_REQUIRE(file.good(), "write_npy", "writing failed", path.string(), "a complete write");
}

namespace detail {

/// An .npy file's validated header and raw little-endian data (already swapped on big-endian hosts).
struct NpyArray {
  std::vector<Index> shape;
  bool fortran = false;
  bool is_f4 = false;
  std::string bytes;
};

/// Reads and validates an .npy file of float32/float64 with 1 to max_dims dimensions; `api` names
/// the caller in errors and `dims_expected` says which shapes it takes. Never allocates more than
/// the file holds.
inline NpyArray read_npy_array(const std::filesystem::path& path, const char* api, std::size_t max_dims,
                               const std::string& dims_expected) {
  const std::string name = path.string();
  std::ifstream file(path, std::ios::binary);
  DIFFUSE_REQUIRE(file.good(), api, "cannot open file", name, "a readable .npy file");
  char preamble[8] = {};
  file.read(preamble, 8);
  DIFFUSE_REQUIRE(file.good() && std::memcmp(preamble, "\x93NUMPY", 6) == 0, api, "not an .npy file (bad magic)",
                  name, "a file starting with \\x93NUMPY");
  const auto major = static_cast<unsigned char>(preamble[6]);
  DIFFUSE_REQUIRE(major >= 1 && major <= 3, api, "unsupported format version", static_cast<int>(major), "1, 2 or 3");
  unsigned char size_bytes[4] = {};
  const int width = major == 1 ? 2 : 4;
  file.read(reinterpret_cast<char*>(size_bytes), width);
  std::size_t header_size = 0;
  for (int i = width - 1; i >= 0; --i) header_size = header_size * 256 + size_bytes[i];
  // A hostile length field must not make us allocate more than the file holds.
  std::error_code size_error;
  const std::uintmax_t file_bytes = std::filesystem::file_size(path, size_error);
  const std::uintmax_t after_length = static_cast<std::uintmax_t>(8 + width);
  const std::uintmax_t available = !size_error && file_bytes > after_length ? file_bytes - after_length : 0;
  DIFFUSE_REQUIRE(header_size <= available, api, "header length exceeds the file size", header_size,
                  "<= " + std::to_string(available) + " bytes in " + name);
  std::string dict(header_size, '\0');
  file.read(dict.data(), static_cast<std::streamsize>(header_size));
  DIFFUSE_REQUIRE(file.good(), api, "truncated header", name, "a complete header");

  NpyArray array;
  const std::string descr = detail::npy_field(dict, "descr", name);
  array.is_f4 = descr == "'<f4'";
  DIFFUSE_REQUIRE(array.is_f4 || descr == "'<f8'", api, "unsupported dtype", descr,
                  "'<f4' or '<f8' (little-endian float32/float64)");
  array.fortran = detail::npy_field(dict, "fortran_order", name) == "True";
  std::string shape = detail::npy_field(dict, "shape", name);
  for (std::size_t i = 0; i < shape.size();) {
    if (shape[i] >= '0' && shape[i] <= '9') {
      // Digits accumulate only while the dimension can still fit in the file's bytes.
      std::uintmax_t dim = 0;
      for (; i < shape.size() && shape[i] >= '0' && shape[i] <= '9'; ++i) {
        DIFFUSE_REQUIRE(dim <= available / 10, api, "shape is larger than the file", shape,
                        "dimensions that fit in " + std::to_string(available) + " bytes");
        dim = dim * 10 + static_cast<std::uintmax_t>(shape[i] - '0');
      }
      array.shape.push_back(static_cast<Index>(dim));
    } else {
      ++i;
    }
  }
  DIFFUSE_REQUIRE(!array.shape.empty() && array.shape.size() <= max_dims, api, "unsupported number of dimensions", shape,
                  dims_expected);
  const std::size_t item = array.is_f4 ? 4 : 8;
  const std::uintmax_t data_bytes = available - header_size;
  // count = Π shape, each factor checked against what the data can hold (no overflow).
  std::uintmax_t count = 1;
  for (const Index dim : array.shape) {
    const auto u = static_cast<std::uintmax_t>(dim);
    DIFFUSE_REQUIRE(u == 0 || count <= data_bytes / item / u, api,
                    "truncated data (shape " + shape + " needs more bytes than the file has)", data_bytes,
                    "the product of the shape times " + std::to_string(item) + " bytes of data");
    count *= u;
  }
  array.bytes.assign(static_cast<std::size_t>(count) * item, '\0');
  file.read(array.bytes.data(), static_cast<std::streamsize>(array.bytes.size()));
  DIFFUSE_REQUIRE(file.gcount() == static_cast<std::streamsize>(array.bytes.size()), api, "truncated data", name,
                  std::to_string(array.bytes.size()) + " bytes of data");
  if constexpr (std::endian::native == std::endian::big) detail::swap_item_bytes(array.bytes.data(), static_cast<std::size_t>(count), item);
  return array;
}

/// The data of `array` as a vector of T (float32 data for T = float, float64 for T = double).
template <class T>
std::vector<T> npy_values(const NpyArray& array) {
  std::vector<T> values(array.bytes.size() / sizeof(T));
  std::memcpy(values.data(), array.bytes.data(), array.bytes.size());
  return values;
}

}  // namespace detail

/// Reads a float32 or float64 .npy file (any version, C or Fortran order, 1-D or 2-D) as a d x n
/// batch of S: shape (n, d) gives d x n, shape (n,) gives 1 x n. Throws diffuse::Error for a
/// missing or truncated file, a bad header, another dtype or more than two dimensions.
template <class S = double>
Matrix<S> read_npy(const std::filesystem::path& path) {
  const detail::NpyArray array = detail::read_npy_array(path, "read_npy", 2, "(n,) or (n, d)");
  const Index n = array.shape[0], d = array.shape.size() == 2 ? array.shape[1] : 1;
  auto as_batch = [&](const auto& values) -> Matrix<S> {
    using T = typename std::remove_cvref_t<decltype(values)>::value_type;
    // C order (n, d) is a column-major d x n matrix; Fortran order is a column-major n x d one.
    if (!array.fortran) return Eigen::Map<const Matrix<T>>(values.data(), d, n).template cast<S>();
    return Eigen::Map<const Matrix<T>>(values.data(), n, d).transpose().template cast<S>();
  };
  return array.is_f4 ? as_batch(detail::npy_values<float>(array)) : as_batch(detail::npy_values<double>(array));
}

}  // namespace diffuse
