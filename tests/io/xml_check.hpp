#pragma once
// A small XML well-formedness checker for the SVG tests: balanced and properly nested elements,
// quoted attributes without raw '<', text without raw '<' or stray '&', one root element.
// Returns "" when well-formed, otherwise a description of the first problem.

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace test_io {

inline bool valid_entity(std::string_view text, std::size_t at) {
  for (const std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
    if (text.substr(at, e.size()) == e) return true;
  return false;
}

inline std::string xml_problem(std::string_view text) {
  std::vector<std::string> open;
  int roots = 0;
  std::size_t i = 0;
  if (text.substr(0, 5) == "<?xml") {
    i = text.find("?>");
    if (i == std::string_view::npos) return "unterminated XML declaration";
    i += 2;
  }
  while (i < text.size()) {
    if (text[i] != '<') {
      if (text[i] == '&' && !valid_entity(text, i)) return "stray & at " + std::to_string(i);
      if (text[i] == '>') return "raw > in text at " + std::to_string(i);
      if (open.empty() && !std::isspace(static_cast<unsigned char>(text[i])))
        return "text outside the root element at " + std::to_string(i);
      ++i;
      continue;
    }
    const bool closing = i + 1 < text.size() && text[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    std::string name;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '-' ||
                               text[j] == ':' || text[j] == '_'))
      name += text[j++];
    if (name.empty()) return "tag without a name at " + std::to_string(i);
    if (closing) {
      if (j >= text.size() || text[j] != '>') return "malformed closing tag </" + name;
      if (open.empty() || open.back() != name) return "closing </" + name + "> does not match";
      open.pop_back();
      i = j + 1;
      continue;
    }
    // Attributes: name="value" pairs until '>' or '/>'.
    std::vector<std::string> seen;
    while (true) {
      while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      if (j >= text.size()) return "unterminated tag <" + name;
      if (text[j] == '>' || (text[j] == '/' && j + 1 < text.size() && text[j + 1] == '>')) break;
      std::string attribute;
      while (j < text.size() && text[j] != '=' && !std::isspace(static_cast<unsigned char>(text[j])) && text[j] != '>')
        attribute += text[j++];
      if (attribute.empty() || j >= text.size() || text[j] != '=') return "attribute without value in <" + name;
      for (const auto& s : seen)
        if (s == attribute) return "duplicate attribute " + attribute + " in <" + name;
      seen.push_back(attribute);
      ++j;
      if (j >= text.size() || text[j] != '"') return "unquoted attribute " + attribute + " in <" + name;
      const std::size_t end = text.find('"', j + 1);
      if (end == std::string_view::npos) return "unterminated attribute in <" + name;
      for (std::size_t k = j + 1; k < end; ++k) {
        if (text[k] == '<') return "raw < in attribute " + attribute;
        if (text[k] == '&' && !valid_entity(text, k)) return "stray & in attribute " + attribute;
      }
      j = end + 1;
    }
    const bool self_closing = text[j] == '/';
    if (open.empty() && ++roots > 1) return "more than one root element";
    if (!self_closing) open.push_back(name);
    i = j + (self_closing ? 2 : 1);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "no root element";
  return "";
}

}  // namespace test_io
