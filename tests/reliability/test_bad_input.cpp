// Bad input at every public entry point throws diffuse::Error with the house message
//   diffuse::<Api>: <what is wrong> (got <value>, expected <constraint>)
// and never crashes, hangs, asserts or returns NaN.
//
// HOW TO ADD A NEW ENTRY POINT: add one row per bad input to the table in bad_input_general.cpp
// (or bad_input_sampling.cpp for models and samplers), under the header that declares it:
//   {"<module>/<header>.hpp", "<Api>", "<the bad input>", [] { <call that must throw> }},
// The first test checks that every row's call throws diffuse::Error whose message starts with
// "diffuse::<Api>:" and contains "got" and "expected". The second test reads the module
// umbrella headers (include/diffuse/<module>.hpp): every public header they include must have at
// least one row, or an entry in headers_without_runtime_input() below saying why it has none. A
// new public header therefore fails the second test until it is listed.
#include "support/catch.hpp"

#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <diffuse/core/error.hpp>

#include "bad_input.hpp"

namespace {

using reliability::BadInput;

std::vector<BadInput> all_bad_inputs() {
  std::vector<BadInput> rows = reliability::bad_inputs_general();
  for (auto& row : reliability::bad_inputs_sampling()) rows.push_back(std::move(row));
  for (auto& row : reliability::bad_inputs_noise()) rows.push_back(std::move(row));
  return rows;
}

// Public headers that take no runtime input an entry check could reject, and why.
const std::map<std::string, std::string>& headers_without_runtime_input() {
  static const std::map<std::string, std::string> exempt = {
      {"core/concepts.hpp", "concepts only"},
      {"core/observer.hpp", "NoObserver only"},
      {"core/error.hpp", "the checks themselves (tested in tests/core/test_error.cpp)"},
      {"core/types.hpp", "type aliases only"},
      {"distributions/samples.hpp", "a plain aggregate"},
      {"processes/score_source.hpp", "concepts and dispatch only"},
      {"processes/transition.hpp", "a formula on already validated processes"},
      {"integrators/ode_steppers.hpp", "steppers are driven by integrate(), which validates x and the grid"},
      {"models/parameterisation.hpp", "pure conversions; NoiseModel validates the noise levels they receive"},
      {"schedules/sigma_levels.hpp", "alpha = 1, sigma = t; sample() rejects grids where sigma < 0"},
      {"nn/activations.hpp", "parameter-free elementwise functions"},
      {"nn/tensor_spec.hpp", "a plain aggregate"},
  };
  return exempt;
}

}  // namespace

TEST_CASE("every bad input throws diffuse::Error naming the api, the value and the expectation") {
  const std::vector<BadInput> rows = all_bad_inputs();
  CHECK(rows.size() >= 250);
  int passed = 0;
  for (const BadInput& row : rows) {
    std::string message = "no exception";
    try {
      row.call();
    } catch (const diffuse::Error& e) {
      message = e.what();
    } catch (const std::exception& e) {
      message = std::string("not a diffuse::Error: ") + e.what();
    }
    INFO(row.header << " | " << row.api << " | " << row.input << "\n  message: " << message);
    const std::string prefix = "diffuse::" + row.api + ":";
    const bool ok = message.rfind(prefix, 0) == 0 && message.find("(got ") != std::string::npos &&
                    message.find(", expected ") != std::string::npos;
    CHECK(ok);
    passed += ok ? 1 : 0;
  }
  CHECK(passed == static_cast<int>(rows.size()));
}

TEST_CASE("every public header has bad-input rows or a reason why it takes no runtime input") {
  const std::filesystem::path include = std::filesystem::path(DIFFUSE_TEST_DATA_DIR) / ".." / ".." / "include" / "diffuse";
  REQUIRE(std::filesystem::exists(include / "diffuse.hpp"));
  std::set<std::string> covered;
  for (const BadInput& row : all_bad_inputs()) covered.insert(row.header);
  // Every header a module umbrella includes is public.
  const std::regex line(R"(#include "diffuse/([a-z_]+/[a-z_]+\.hpp)\")");
  int headers = 0;
  for (const auto& umbrella : std::filesystem::directory_iterator(include)) {
    if (umbrella.path().extension() != ".hpp" || umbrella.path().filename() == "diffuse.hpp" ||
        umbrella.path().filename() == "version.hpp")
      continue;
    std::ifstream in(umbrella.path());
    for (std::string text; std::getline(in, text);) {
      std::smatch m;
      if (!std::regex_search(text, m, line)) continue;
      const std::string header = m[1];
      ++headers;
      INFO(header << " (from " << umbrella.path().filename().string()
                  << ") has no row in the bad-input table and no entry in headers_without_runtime_input()");
      CHECK((covered.count(header) == 1 || headers_without_runtime_input().count(header) == 1));
    }
  }
  CHECK(headers >= 50);
  // Rows name real headers (a typo would make the coverage check meaningless).
  for (const std::string& header : covered) {
    INFO(header);
    CHECK(std::filesystem::exists(include / header));
  }
}
