#pragma once
// diffuse/nn/json.hpp — a small strict JSON parser (RFC 8259) for safetensors headers.
//
// Strict: no comments, no trailing commas, no leading zeros, no control characters in strings,
// no duplicate keys, bounded nesting depth, and nothing but whitespace after the value. Numbers
// keep their text so that integers up to 2^64 − 1 (data offsets) convert exactly.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "diffuse/core/error.hpp"

namespace diffuse::detail {

/// A parsed JSON value.
struct Json {
  struct Member;
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  ///< the string's value, or a number's literal text
  std::vector<Json> array;
  std::vector<Member> object;  ///< members in file order

  /// The member named key, or nullptr.
  const Json* find(std::string_view key) const;

  /// The value as an unsigned 64-bit integer, if it is a plain non-negative integer literal.
  bool to_uint64(std::uint64_t& out) const {
    if (kind != Kind::Number || text.empty() || text.size() > 20) return false;
    std::uint64_t value = 0;
    for (const char c : text) {
      if (c < '0' || c > '9') return false;
      const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
      if (value > (UINT64_MAX - digit) / 10) return false;
      value = value * 10 + digit;
    }
    out = value;
    return true;
  }
};

/// One member of a JSON object. (A named struct rather than std::pair<std::string, Json>, which
/// Clang rejects while Json is still incomplete.)
struct Json::Member {
  std::string key;
  Json value;
};

inline const Json* Json::find(std::string_view key) const {
  for (const auto& [k, v] : object)
    if (k == key) return &v;
  return nullptr;
}

/// Parses `text` as one JSON value; throws diffuse::Error naming `api` and the byte offset.
class JsonParser {
 public:
  JsonParser(std::string_view text, std::string api) : m_text(text), m_api(std::move(api)) {}

  Json parse() {
    skip_space();
    Json value = parse_value(0);
    skip_space();
    if (m_pos != m_text.size()) fail("unexpected characters after the JSON value");
    return value;
  }

 private:
  static constexpr int max_depth = 32;

  [[noreturn]] void fail(const std::string& what) const {
    detail::fail(m_api, "malformed JSON header: " + what, m_pos, "valid JSON (RFC 8259)");
  }
  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++m_pos;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++m_pos;
  }
  void literal(std::string_view word) {
    if (m_text.substr(m_pos, word.size()) != word) fail("invalid literal");
    m_pos += word.size();
  }

  Json parse_value(int depth) {
    if (depth > max_depth) fail("nesting too deep");
    Json v;
    switch (peek()) {
      case '{': v.kind = Json::Kind::Object; parse_object(v, depth); break;
      case '[': v.kind = Json::Kind::Array; parse_array(v, depth); break;
      case '"': v.kind = Json::Kind::String; v.text = parse_string(); break;
      case 't': literal("true"); v.kind = Json::Kind::Bool; v.boolean = true; break;
      case 'f': literal("false"); v.kind = Json::Kind::Bool; break;
      case 'n': literal("null"); break;
      default: v.kind = Json::Kind::Number; v.text = parse_number(); break;
    }
    return v;
  }

  void parse_object(Json& v, int depth) {
    std::set<std::string> keys;
    expect('{');
    skip_space();
    if (peek() == '}') { ++m_pos; return; }
    while (true) {
      skip_space();
      if (peek() != '"') fail("expected a string key");
      std::string key = parse_string();
      // A set, not v.find(): a hostile header with n keys must cost O(n log n), not O(n²).
      if (!keys.insert(key).second) fail("duplicate key \"" + key + "\"");
      skip_space();
      expect(':');
      skip_space();
      Json member = parse_value(depth + 1);
      v.object.push_back({std::move(key), std::move(member)});
      skip_space();
      if (peek() == ',') { ++m_pos; continue; }
      expect('}');
      return;
    }
  }

  void parse_array(Json& v, int depth) {
    expect('[');
    skip_space();
    if (peek() == ']') { ++m_pos; return; }
    while (true) {
      skip_space();
      v.array.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',') { ++m_pos; continue; }
      expect(']');
      return;
    }
  }

  std::string parse_number() {
    const std::size_t start = m_pos;
    auto digits = [&] {
      const std::size_t from = m_pos;
      while (!at_end() && peek() >= '0' && peek() <= '9') ++m_pos;
      return m_pos - from;
    };
    if (peek() == '-') ++m_pos;
    if (peek() == '0') {
      ++m_pos;
    } else if (digits() == 0) {
      fail("invalid number");
    }
    if (peek() == '.') {
      ++m_pos;
      if (digits() == 0) fail("invalid fraction");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++m_pos;
      if (peek() == '+' || peek() == '-') ++m_pos;
      if (digits() == 0) fail("invalid exponent");
    }
    return std::string(m_text.substr(start, m_pos - start));
  }

  unsigned hex4() {
    if (m_pos + 4 > m_text.size()) fail("truncated \\u escape");
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = m_text[m_pos++];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
      else fail("invalid \\u escape");
    }
    return value;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (at_end()) fail("unterminated string");
      const char c = m_text[m_pos++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') { out += c; continue; }
      if (at_end()) fail("unterminated escape");
      switch (m_text[m_pos++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (m_text.substr(m_pos, 2) != "\\u") fail("unpaired surrogate");
            m_pos += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("invalid surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default: fail("invalid escape");
      }
    }
  }

  std::string_view m_text;
  std::string m_api;
  std::size_t m_pos = 0;
};

}  // namespace diffuse::detail
