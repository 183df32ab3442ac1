#pragma once
// diffuse/io/json.hpp — a small writer for metrics.json: a flat or one-level-nested JSON object
// of numbers and strings, keys in insertion order. Reference: RFC 8259 (JSON).
//
// Numbers are written with the shortest text that reads back to the same value (std::to_chars),
// floats as floats and doubles as doubles; NaN and Inf, which JSON cannot express, become null.
//
//   diffuse::JsonObject metrics;
//   metrics.set("mmd2", 1.2e-4).set("sampler", "ddim").set("steps", 50);
//   metrics.set("modes", diffuse::JsonObject().set("covered", 8).set("kl", 0.01));
//   metrics.save("out/metrics.json");

#include <charconv>
#include <cmath>
#include <concepts>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "diffuse/core/error.hpp"

namespace diffuse {

namespace detail {

/// `text` as a JSON string literal, with quotes, backslashes and control characters escaped.
inline std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

/// Shortest round-trip text of a floating-point number, or null when it is not finite.
template <std::floating_point S>
std::string json_number(S value) {
  if (!std::isfinite(value)) return "null";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace detail

/// A JSON object with keys in insertion order; values are numbers, strings, booleans or (one
/// level deep) objects. Setting an existing key replaces its value in place.
class JsonObject {
 public:
  /// A floating-point number (float or double); NaN/Inf are written as null.
  template <std::floating_point S>
  JsonObject& set(const std::string& key, S value) { return put(key, detail::json_number(value), nullptr); }
  /// An integer.
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  JsonObject& set(const std::string& key, I value) { return put(key, std::to_string(value), nullptr); }
  /// true or false.
  JsonObject& set(const std::string& key, bool value) { return put(key, value ? "true" : "false", nullptr); }
  /// A string (escaped on output).
  JsonObject& set(const std::string& key, std::string_view value) { return put(key, detail::json_quote(value), nullptr); }
  JsonObject& set(const std::string& key, const char* value) { return set(key, std::string_view(value)); }
  JsonObject& set(const std::string& key, const std::string& value) { return set(key, std::string_view(value)); }
  /// A nested object, which itself must not contain objects.
  JsonObject& set(const std::string& key, const JsonObject& child) {
    for (const Entry& e : child.m_entries)
      DIFFUSE_REQUIRE(e.child == nullptr, "JsonObject::set", "objects nest only one level deep", key + "." + e.key,
                      "numbers and strings inside a nested object");
    return put(key, "", std::make_shared<const JsonObject>(child));
  }

  /// Number of keys.
  std::size_t size() const { return m_entries.size(); }

  /// The document, two-space indented, ending in a newline.
  std::string to_string() const { return text(0) + "\n"; }

  /// Writes to_string() to `path`, creating missing parent folders; throws diffuse::Error on failure.
  void save(const std::filesystem::path& path) const {
    if (path.has_parent_path()) {
      std::error_code error;
      std::filesystem::create_directories(path.parent_path(), error);
    }
    std::ofstream file(path, std::ios::binary);
    DIFFUSE_REQUIRE(file.good(), "JsonObject::save", "cannot open file for writing", path.string(), "a writable path");
    file << to_string();
    file.close();
    DIFFUSE_REQUIRE(file.good(), "JsonObject::save", "writing failed", path.string(), "a complete write");
  }

 private:
  struct Entry {
    std::string key;
    std::string value;  ///< JSON text of a scalar
    std::shared_ptr<const JsonObject> child;
  };

  JsonObject& put(const std::string& key, std::string value, std::shared_ptr<const JsonObject> child) {
    for (Entry& e : m_entries) {
      if (e.key == key) {
        e.value = std::move(value);
        e.child = std::move(child);
        return *this;
      }
    }
    m_entries.push_back({key, std::move(value), std::move(child)});
    return *this;
  }

  std::string text(int indent) const {
    if (m_entries.empty()) return "{}";
    const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
    std::string out = "{\n";
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
      const Entry& e = m_entries[i];
      out += pad;
      out += detail::json_quote(e.key);
      out += ": ";
      out += e.child ? e.child->text(indent + 2) : e.value;
      out += i + 1 < m_entries.size() ? ",\n" : "\n";
    }
    out.append(static_cast<std::size_t>(indent), ' ');
    out += '}';
    return out;
  }

  std::vector<Entry> m_entries;
};

}  // namespace diffuse
