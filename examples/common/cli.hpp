#pragma once
// The flags every example takes (--out, --seed, --quick), parsed with CLI11. Bad flags or values
// print the usage line and exit with code 2; errors from the library exit with code 1 and a
// one-line message, never an exception trace.

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>

namespace examples {

struct Options {
  std::filesystem::path out;
  std::uint64_t seed = 0;
  bool quick = false;
};

/// Adds --out, --seed and --quick to `app`, with `default_out` as the output folder.
inline Options& add_common_flags(CLI::App& app, Options& options, const std::string& default_out) {
  options.out = default_out;
  app.add_option("--out", options.out, "folder for figures, samples and metrics.json")
      ->capture_default_str();
  // CLI11 would wrap "-3" around to a huge unsigned seed and saturate one beyond 64 bits: accept
  // only a non-empty string of digits whose value fits in 64 bits.
  const CLI::Validator unsigned_integer(
      [](std::string& text) {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto parsed = std::from_chars(text.data(), end, value);
        const bool ok = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
                        parsed.ec == std::errc() && parsed.ptr == end;
        return ok ? std::string() : "must be an integer from 0 to 18446744073709551615";
      },
      "UINT64");
  app.add_option("--seed", options.seed, "random seed (a non-negative integer)")
      ->check(unsigned_integer)
      ->capture_default_str();
  app.add_flag("--quick", options.quick, "a short run (seconds), as the tests use");
  return options;
}

/// Parses argv; on bad input prints the error and the usage line and exits with code 2.
inline void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << "\n" << app.help("", CLI::AppFormatMode::Normal);
    std::exit(2);
  }
}

/// Runs body(), turning any escaping exception into a one-line message and exit code 1.
template <class Body>
int run_guarded(Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace examples
