#pragma once
// diffuse/nn/safetensors.hpp — reading and writing the safetensors file layout.
//
// Layout (huggingface/safetensors): an 8-byte little-endian header size N, N bytes of JSON
//   {"__metadata__": {"k": "v"}, "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}}
// then the raw little-endian tensor data; offsets are relative to the end of the header and the
// tensors tile the data region exactly. Only F32 and F64 are supported. Writing goes to a
// temporary file of its own that is renamed over the target, so a crash never leaves a
// half-written file and concurrent writers never share one.
// Reading validates everything before any tensor is used and never allocates more than the file
// size.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/io/json.hpp"
#include "diffuse/nn/json.hpp"

namespace diffuse {

/// Element type of a stored tensor.
enum class Dtype { F32, F64 };

/// One tensor of a safetensors file: where its bytes are in the data region.
struct SafetensorsEntry {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0, end = 0;  ///< byte offsets into the data region
  std::uint64_t count() const {
    std::uint64_t n = 1;
    for (const auto s : shape) n *= s;
    return n;
  }
};

/// A tensor to write: name, shape and count() contiguous values (row-major).
template <class S>
struct TensorView {
  std::string name;
  std::vector<Index> shape;
  const S* data = nullptr;
};

namespace detail {

inline std::size_t dtype_size(Dtype d) { return d == Dtype::F32 ? 4 : 8; }
inline const char* dtype_name(Dtype d) { return d == Dtype::F32 ? "F32" : "F64"; }

// Copies a value's bytes in little-endian order.
template <class T>
void store_le(char* dst, T value) {
  std::memcpy(dst, &value, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(dst, dst + sizeof(T));
}
template <class T>
T load_le(const char* src) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, src, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof(T));
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

/// The file a path names after following symbolic links (a chain of at most 40), so that saving
/// through a link replaces the link's target and keeps the link.
inline std::filesystem::path resolve_symlinks(std::filesystem::path path, const std::string& api) {
  std::error_code ec;
  for (int hops = 0; std::filesystem::is_symlink(path, ec); ++hops) {
    DIFFUSE_REQUIRE(hops < 40, api, "too many levels of symbolic links at '" + path.string() + "'", hops, "<= 40");
    const std::filesystem::path link = std::filesystem::read_symlink(path, ec);
    DIFFUSE_REQUIRE(!ec, api, "cannot read the symbolic link '" + path.string() + "'", ec.message(), "a readable link");
    path = link.is_absolute() ? link : path.parent_path() / link;
  }
  return path;
}

/// A temporary file next to `target` that no other writer (thread or process) shares: its name
/// ends in a random suffix and it is created exclusively ("wbx"). The destructor removes it unless
/// commit() renamed it over the target, so every failure path cleans up.
class TempFile {
 public:
  TempFile(const std::filesystem::path& target, const std::string& api) : m_api(api) {
    // OS entropy, not diffuse::Rng: the name must differ between processes that share a seed,
    // and it never reaches a result (the file is renamed over the target or removed).
    std::random_device entropy;
    for (int attempt = 0; attempt < 16 && !m_file; ++attempt) {
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, ".tmp.%08x%08x", entropy(), entropy());
      m_path = target;
      m_path += suffix;
      m_file = std::fopen(m_path.string().c_str(), "wbx");
    }
    DIFFUSE_REQUIRE(m_file != nullptr, api, "cannot create a temporary file next to '" + target.string() + "'",
                    std::strerror(errno), "a writable folder");
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (m_file) std::fclose(m_file);
    if (!m_committed) {
      std::error_code ec;
      std::filesystem::remove(m_path, ec);
    }
  }

  void write(const char* data, std::size_t size) {
    DIFFUSE_REQUIRE(size == 0 || std::fwrite(data, 1, size, m_file) == size, m_api,
                    "write to '" + m_path.string() + "' failed", std::strerror(errno), "a complete write");
  }

  /// Closes the file and renames it over target (atomic on POSIX: readers see the old or the new file).
  void commit(const std::filesystem::path& target) {
    const int closed = std::fclose(m_file);
    m_file = nullptr;
    DIFFUSE_REQUIRE(closed == 0, m_api, "write to '" + m_path.string() + "' failed", std::strerror(errno),
                    "a complete write");
    std::error_code ec;
    std::filesystem::rename(m_path, target, ec);
    DIFFUSE_REQUIRE(!ec, m_api, "cannot rename '" + m_path.string() + "' to '" + target.string() + "'", ec.message(),
                    "a successful rename");
    m_committed = true;
  }

 private:
  std::string m_api;
  std::filesystem::path m_path;
  std::FILE* m_file = nullptr;
  bool m_committed = false;
};

}  // namespace detail

/// A validated safetensors file held in memory.
class SafetensorsFile {
 public:
  /// Reads and validates `path`; throws diffuse::Error naming the file, the tensor and the problem.
  static SafetensorsFile read(const std::filesystem::path& path) {
    const std::string api = "load_safetensors";
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    DIFFUSE_REQUIRE(!ec, api, "cannot read file '" + path.string() + "'", ec.message(), "a readable file");
    DIFFUSE_REQUIRE(size >= 8, api, "file '" + path.string() + "' is too short", size, ">= 8 bytes");
    SafetensorsFile file;
    file.m_bytes.resize(static_cast<std::size_t>(size));
    std::ifstream in(path, std::ios::binary);
    in.read(file.m_bytes.data(), static_cast<std::streamsize>(size));
    DIFFUSE_REQUIRE(in.gcount() == static_cast<std::streamsize>(size), api,
                    "cannot read file '" + path.string() + "'", in.gcount(), std::to_string(size) + " bytes");
    const std::uint64_t header_size = detail::load_le<std::uint64_t>(file.m_bytes.data());
    // The JSON parse takes several times the header's size in memory: cap it as the reference
    // implementation does.
    constexpr std::uint64_t max_header_size = 100'000'000;
    DIFFUSE_REQUIRE(header_size <= max_header_size, api, "header size is over the 100 MB limit", header_size,
                    "<= " + std::to_string(max_header_size));
    DIFFUSE_REQUIRE(header_size <= size - 8, api, "header size exceeds the file size", header_size,
                    "<= " + std::to_string(size - 8));
    file.m_data_offset = 8 + static_cast<std::size_t>(header_size);
    const std::uint64_t data_size = size - 8 - header_size;
    const std::string_view header(file.m_bytes.data() + 8, static_cast<std::size_t>(header_size));
    const detail::Json json = detail::JsonParser(header, api).parse();
    DIFFUSE_REQUIRE(json.kind == detail::Json::Kind::Object, api, "header is not a JSON object", "another JSON value",
                    "an object");
    for (const auto& [name, value] : json.object) {
      if (name == "__metadata__") {
        DIFFUSE_REQUIRE(value.kind == detail::Json::Kind::Object, api, "__metadata__ is not an object",
                        "another JSON value", "an object of strings");
        for (const auto& [k, v] : value.object) {
          DIFFUSE_REQUIRE(v.kind == detail::Json::Kind::String, api, "__metadata__ entry '" + k + "' is not a string",
                          "another JSON value", "a string");
          file.m_metadata[k] = v.text;
        }
        continue;
      }
      file.m_entries.push_back(parse_entry(api, name, value, data_size));
    }
    // The tensors must tile [0, data_size) without overlap or gap.
    std::vector<const SafetensorsEntry*> order;
    for (const auto& e : file.m_entries) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin < b->begin || (a->begin == b->begin && a->end < b->end); });
    std::uint64_t cursor = 0;
    for (const auto* e : order) {
      DIFFUSE_REQUIRE(e->begin >= cursor, api, "tensor '" + e->name + "' overlaps the previous tensor", e->begin,
                      ">= " + std::to_string(cursor));
      DIFFUSE_REQUIRE(e->begin == cursor, api, "gap before tensor '" + e->name + "'", e->begin,
                      std::to_string(cursor));
      cursor = e->end;
    }
    DIFFUSE_REQUIRE(cursor == data_size, api, "tensors do not cover the data region", cursor,
                    std::to_string(data_size) + " bytes");
    return file;
  }

  const std::vector<SafetensorsEntry>& entries() const { return m_entries; }
  const std::map<std::string, std::string>& metadata() const { return m_metadata; }

  /// The entry named `name`, or nullptr.
  const SafetensorsEntry* find(std::string_view name) const {
    for (const auto& e : m_entries)
      if (e.name == name) return &e;
    return nullptr;
  }

  /// Converts the entry's values to S and writes entry.count() of them to out. Throws
  /// diffuse::Error (after writing part of out) on a NaN, an Inf, or a value beyond S's range
  /// (an F64 value that overflows a float network).
  template <class S>
  void copy_to(const SafetensorsEntry& entry, S* out, std::string_view api = "load_safetensors") const {
    const char* src = m_bytes.data() + m_data_offset + entry.begin;
    const std::uint64_t n = entry.count();
    for (std::uint64_t i = 0; i < n; ++i) {
      const double value = entry.dtype == Dtype::F32 ? static_cast<double>(detail::load_le<float>(src + 4 * i))
                                                     : detail::load_le<double>(src + 8 * i);
      DIFFUSE_REQUIRE(std::isfinite(value) && std::abs(value) <= static_cast<double>(std::numeric_limits<S>::max()),
                      api, "tensor '" + entry.name + "' holds a value that is not finite in this model's scalar",
                      value, "finite values within +-" + detail::to_text(std::numeric_limits<S>::max()));
      out[i] = static_cast<S>(value);
    }
  }

 private:
  static SafetensorsEntry parse_entry(const std::string& api, const std::string& name, const detail::Json& value,
                                      std::uint64_t data_size) {
    using Kind = detail::Json::Kind;
    const std::string what = "tensor '" + name + "'";
    DIFFUSE_REQUIRE(value.kind == Kind::Object, api, what + " is not an object", "another JSON value",
                    "{dtype, shape, data_offsets}");
    for (const auto& [k, v] : value.object)
      DIFFUSE_REQUIRE(k == "dtype" || k == "shape" || k == "data_offsets", api, what + " has an unknown field", k,
                      "dtype, shape, data_offsets");
    const detail::Json* dtype = value.find("dtype");
    const detail::Json* shape = value.find("shape");
    const detail::Json* offsets = value.find("data_offsets");
    DIFFUSE_REQUIRE(dtype && shape && offsets, api, what + " lacks a field", "missing dtype, shape or data_offsets",
                    "all three");
    SafetensorsEntry e;
    e.name = name;
    DIFFUSE_REQUIRE(dtype->kind == Kind::String && (dtype->text == "F32" || dtype->text == "F64"), api,
                    what + " has an unsupported dtype", dtype->text, "F32 or F64");
    e.dtype = dtype->text == "F32" ? Dtype::F32 : Dtype::F64;
    DIFFUSE_REQUIRE(shape->kind == Kind::Array, api, what + " has a malformed shape", "not an array",
                    "an array of integers");
    std::uint64_t count = 1;
    for (const auto& s : shape->array) {
      std::uint64_t dim = 0;
      DIFFUSE_REQUIRE(s.to_uint64(dim), api, what + " has a malformed shape entry", s.text,
                      "a non-negative integer");
      DIFFUSE_REQUIRE(dim == 0 || count <= data_size / dim, api, what + " is larger than the file", dim,
                      "a shape that fits the data");
      count *= dim;
      e.shape.push_back(dim);
    }
    DIFFUSE_REQUIRE(offsets->kind == Kind::Array && offsets->array.size() == 2 &&
                        offsets->array[0].to_uint64(e.begin) && offsets->array[1].to_uint64(e.end),
                    api, what + " has malformed data_offsets", "not two integers", "[begin, end]");
    DIFFUSE_REQUIRE(e.begin <= e.end && e.end <= data_size, api, what + " has data_offsets out of range",
                    "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]",
                    "begin <= end <= " + std::to_string(data_size));
    const std::uint64_t bytes = count * detail::dtype_size(e.dtype);
    DIFFUSE_REQUIRE(count <= data_size && e.end - e.begin == bytes, api,
                    what + " has data_offsets that do not match its shape and dtype", e.end - e.begin,
                    std::to_string(bytes) + " bytes");
    return e;
  }

  std::vector<char> m_bytes;
  std::size_t m_data_offset = 0;
  std::vector<SafetensorsEntry> m_entries;
  std::map<std::string, std::string> m_metadata;
};

/// Writes tensors (converted to dtype) and string metadata to `path` atomically: the bytes go to
/// a temporary file of its own in the same folder ("<path>.tmp.<random>"), which is then renamed
/// over `path`. Concurrent saves to one path each write their own file, so `path` always holds one
/// complete checkpoint; a failed save removes its temporary file; a symbolic link at `path` keeps
/// pointing to the (replaced) file it names.
template <class S>
void write_safetensors(const std::filesystem::path& path, const std::vector<TensorView<S>>& tensors, Dtype dtype,
                       const std::map<std::string, std::string>& metadata = {}) {
  const std::string api = "save_safetensors";
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      if (!first) header += ',';
      header += detail::json_quote(k) + ":" + detail::json_quote(v);
      first = false;
    }
    header += "}";
  }
  std::uint64_t offset = 0;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    const auto& tensor = tensors[t];
    DIFFUSE_REQUIRE(tensor.name != "__metadata__" && !tensor.name.empty(), api, "invalid tensor name", tensor.name,
                    "a non-empty name other than __metadata__");
    std::uint64_t count = 1;
    std::string shape;
    for (const Index s : tensor.shape) {
      DIFFUSE_REQUIRE(s >= 0, api, "tensor '" + tensor.name + "' has a negative dimension", s, ">= 0");
      if (!shape.empty()) shape += ',';
      shape += std::to_string(s);
      count *= static_cast<std::uint64_t>(s);
    }
    const std::uint64_t end = offset + count * detail::dtype_size(dtype);
    if (!metadata.empty() || t > 0) header += ',';
    header += detail::json_quote(tensor.name) + ":{\"dtype\":\"" +
              detail::dtype_name(dtype) + "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(end) + "]}";
    offset = end;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // align the data region to 8 bytes

  const std::filesystem::path target = detail::resolve_symlinks(path, api);
  detail::TempFile tmp(target, api);
  char size_bytes[8];
  detail::store_le<std::uint64_t>(size_bytes, header.size());
  tmp.write(size_bytes, 8);
  tmp.write(header.data(), header.size());
  std::vector<char> buffer;
  for (const auto& tensor : tensors) {
    std::uint64_t count = 1;
    for (const Index s : tensor.shape) count *= static_cast<std::uint64_t>(s);
    buffer.resize(static_cast<std::size_t>(count * detail::dtype_size(dtype)));
    for (std::uint64_t i = 0; i < count; ++i) {
      // A double beyond float's range would be stored as Inf: no checkpoint holds non-finite values.
      DIFFUSE_REQUIRE(std::isfinite(static_cast<double>(tensor.data[i])) &&
                          (dtype == Dtype::F64 || std::abs(static_cast<double>(tensor.data[i])) <=
                                                      static_cast<double>(std::numeric_limits<float>::max())),
                      api, "tensor '" + tensor.name + "' has a non-finite value in " + detail::dtype_name(dtype),
                      static_cast<double>(tensor.data[i]), "finite values");
      if (dtype == Dtype::F32)
        detail::store_le<float>(buffer.data() + 4 * i, static_cast<float>(tensor.data[i]));
      else
        detail::store_le<double>(buffer.data() + 8 * i, static_cast<double>(tensor.data[i]));
    }
    tmp.write(buffer.data(), buffer.size());
  }
  tmp.commit(target);
}

}  // namespace diffuse
