#pragma once
// diffuse/io/csv.hpp — comma-separated values with a header line (RFC 4180 quoting).
//
// Layout: the library's batches are d x n with one sample per COLUMN, while files conventionally
// hold one sample per ROW. write_csv therefore writes n lines of d values (the transpose), and
// read_csv returns the d x n batch again. Numbers use the shortest text that reads back exactly
// (std::to_chars), so a write/read round trip is lossless for float and double.

#include <charconv>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// A table read from CSV: column names and the d x n batch (one sample per column).
template <class S = double>
struct CsvTable {
  std::vector<std::string> names;
  Matrix<S> data;
};

namespace detail {

/// Shortest decimal text of value that reads back to the same value of its type.
template <class S>
std::string shortest_text(S value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

inline std::string csv_quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

/// Splits one CSV line into fields, honouring double quotes ("" inside quotes is a quote).
inline std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace detail

/// Writes a d x n batch as CSV: a header with the d column names (default x0, x1, ...), then one
/// line per sample. Creates missing parent folders; throws diffuse::Error if the file cannot be
/// written or the names do not match d.
template <class D>
void write_csv(const std::filesystem::path& path, const Eigen::MatrixBase<D>& samples,
               std::vector<std::string> column_names = {}) {
  using S = typename D::Scalar;
  if (column_names.empty())
    for (Index i = 0; i < samples.rows(); ++i) column_names.push_back("x" + std::to_string(i));
  DIFFUSE_REQUIRE(static_cast<Index>(column_names.size()) == samples.rows(), "write_csv",
                  "column_names must have one name per row of the batch", column_names.size(),
                  std::to_string(samples.rows()) + " names");
  std::string text;
  for (std::size_t i = 0; i < column_names.size(); ++i) {
    if (i) text += ',';
    text += detail::csv_quote(column_names[i]);
  }
  text += '\n';
  for (Index j = 0; j < samples.cols(); ++j) {
    for (Index i = 0; i < samples.rows(); ++i) {
      if (i) text += ',';
      text += detail::shortest_text(static_cast<S>(samples(i, j)));
    }
    text += '\n';
  }
  if (path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
  }
  std::ofstream file(path, std::ios::binary);
  DIFFUSE_REQUIRE(file.good(), "write_csv", "cannot open file for writing", path.string(), "a writable path");
  file << text;
  file.close();
  DIFFUSE_REQUIRE(file.good(), "write_csv", "writing failed", path.string(), "a complete write");
}

/// Reads a CSV file written by write_csv (or any header + numeric rows file): returns the names
/// and the d x n batch (one line per sample becomes one column). Throws diffuse::Error for a
/// missing file, an empty file, a ragged row or a field that is not a number.
template <class S = double>
CsvTable<S> read_csv(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  DIFFUSE_REQUIRE(file.good(), "read_csv", "cannot open file", path.string(), "a readable CSV file");
  std::string line;
  auto next_line = [&]() {
    if (!std::getline(file, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  DIFFUSE_REQUIRE(next_line(), "read_csv", "file is empty", path.string(), "a header line");
  CsvTable<S> table;
  table.names = detail::csv_fields(line);
  const auto d = static_cast<Index>(table.names.size());
  std::vector<S> values;
  Index rows = 0;
  while (next_line()) {
    if (line.empty()) continue;
    const std::vector<std::string> fields = detail::csv_fields(line);
    DIFFUSE_REQUIRE(static_cast<Index>(fields.size()) == d, "read_csv",
                    "row " + std::to_string(rows + 1) + " has the wrong number of fields", fields.size(),
                    std::to_string(d) + " fields as in the header");
    for (const std::string& field : fields) {
      // Accept surrounding blanks, which other writers sometimes add.
      const auto begin = field.find_first_not_of(" \t");
      const auto end = field.find_last_not_of(" \t");
      const char* first = field.data() + (begin == std::string::npos ? field.size() : begin);
      const char* last = field.data() + (end == std::string::npos ? field.size() : end + 1);
      S value{};
      const auto result = std::from_chars(first, last, value);
      DIFFUSE_REQUIRE(result.ec == std::errc() && result.ptr == last, "read_csv",
                      "row " + std::to_string(rows + 1) + " has a field that is not a number", field, "a number");
      values.push_back(value);
    }
    ++rows;
  }
  table.data = Eigen::Map<const Matrix<S>>(values.data(), d, rows);
  return table;
}

}  // namespace diffuse
