#pragma once
// diffuse/io/svg_writer.hpp — low-level SVG 1.1 text output: escaped text, fixed number format,
// elements with attributes. Reference: W3C SVG 1.1 (2011), XML 1.0 (character escaping).
//
// Output is deterministic: numbers are written with std::to_chars (locale-independent) in fixed
// notation with a fixed number of decimals, trailing zeros trimmed, and "-0" written as "0".

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace diffuse {

namespace detail {

/// `value` in fixed notation with at most `decimals` decimals, trailing zeros trimmed.
/// Non-finite values are written as 0 (callers skip them before drawing).
inline std::string format_fixed(double value, int decimals = 2) {
  if (!std::isfinite(value)) return "0";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                    std::chars_format::fixed, decimals);
  std::string text(buffer, result.ptr);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

/// `value` with `precision` significant digits, fixed or scientific as shorter, with a compact
/// exponent ("4e6", "1.5e-5" rather than "4e+06", "1.5e-05").
inline std::string format_general(double value, int precision = 4) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                    std::chars_format::general, precision);
  std::string text(buffer, result.ptr);
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  std::string exponent = text.substr(e + 1);
  const bool negative = exponent.front() == '-';
  exponent.erase(0, exponent.find_first_not_of("+-"));
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  text.resize(e + 1);
  if (negative) text += '-';
  text += exponent;
  return text;
}

/// A rate or similar positive quantity with three significant digits in fixed notation:
/// 1234, 123, 12.3, 1.23, 0.123.
inline std::string format_fixed_decimals(double value) {
  const double magnitude = std::abs(value);
  const int decimals = magnitude >= 100 || magnitude == 0 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, decimals);
  return std::string(buffer, result.ptr);
}

}  // namespace detail

/// `text` with the five XML special characters replaced by entities, and control characters
/// (which XML 1.0 forbids) replaced by spaces.
inline std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

/// One attribute: name and already formatted value (the value is escaped on output).
using SvgAttribute = std::pair<std::string_view, std::string>;

/// Writes an SVG document into a string, element by element. The caller keeps open/close
/// balanced; finish() closes the root element.
class SvgWriter {
 public:
  /// Starts a document of width x height user units (pixels) with a white background.
  SvgWriter(double width, double height, std::string_view font_family = "sans-serif") {
    m_text += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    m_text += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"";
    m_text += " width=\"" + num(width) + "\" height=\"" + num(height) + "\"";
    m_text += " viewBox=\"0 0 " + num(width) + " " + num(height) + "\"";
    m_text += " font-family=\"" + xml_escape(font_family) + "\">\n";
    element("rect", {{"width", "100%"}, {"height", "100%"}, {"fill", "white"}});
  }

  /// A coordinate or length with two decimals (a hundredth of a pixel).
  static std::string num(double value) { return detail::format_fixed(value, 2); }

  /// Appends one path command with its point, e.g. "M12.5 40", to path data `d`.
  static void path_point(std::string& d, char command, double x, double y) {
    d += command;
    d += num(x);
    d += ' ';
    d += num(y);
  }

  /// <tag attributes...>
  void open(std::string_view tag, std::initializer_list<SvgAttribute> attributes = {}) {
    start_tag(tag, attributes);
    m_text += ">\n";
  }

  /// </tag>
  void close(std::string_view tag) {
    m_text += "</";
    m_text += tag;
    m_text += ">\n";
  }

  /// <tag attributes.../>
  void element(std::string_view tag, std::initializer_list<SvgAttribute> attributes) {
    start_tag(tag, attributes);
    m_text += "/>\n";
  }

  /// <text x y attributes...>escaped content</text>
  void text(double x, double y, std::string_view content,
            std::initializer_list<SvgAttribute> attributes = {}) {
    m_text += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
    append_attributes(attributes);
    m_text += ">" + xml_escape(content) + "</text>\n";
  }

  /// Raw markup, for callers that build long attribute values (paths) themselves.
  void raw(std::string_view markup) { m_text += markup; }

  /// Closes the document and returns its text.
  std::string finish() {
    close("svg");
    return std::move(m_text);
  }

 private:
  void start_tag(std::string_view tag, std::initializer_list<SvgAttribute> attributes) {
    m_text += "<";
    m_text += tag;
    append_attributes(attributes);
  }

  void append_attributes(std::initializer_list<SvgAttribute> attributes) {
    for (const auto& [name, value] : attributes) {
      m_text += " ";
      m_text += name;
      m_text += "=\"" + xml_escape(value) + "\"";
    }
  }

  std::string m_text;
};

}  // namespace diffuse
