// Error messages name the API, the argument, the value and the expectation.
#include "support/catch.hpp"

#include <diffuse/core/error.hpp>
#include <diffuse/core/types.hpp>

#include <limits>
#include <string>

namespace {
std::string message_of(auto&& f) {
  try {
    f();
  } catch (const diffuse::Error& e) {
    return e.what();
  }
  return "no exception";
}
}  // namespace

TEST_CASE("checks throw diffuse::Error with the documented message pattern") {
  CHECK(message_of([] { diffuse::check_positive("VpProcess", "beta_min", -0.5); }) ==
        "diffuse::VpProcess: beta_min must be positive (got -0.5, expected a finite number > 0)");
  CHECK(message_of([] { diffuse::check_positive("X", "s", std::numeric_limits<double>::quiet_NaN()); })
            .find("got nan") != std::string::npos);
  CHECK(message_of([] { diffuse::check_open_interval("Linear", "beta", 1.5, 0.0, 1.0); }) ==
        "diffuse::Linear: beta is out of range (got 1.5, expected a number in (0, 1))");
  const diffuse::Matrix<double> m(3, 4);
  CHECK(message_of([&] { diffuse::check_shape("sample", "x", m, 2, -1); }) ==
        "diffuse::sample: x has the wrong shape (got 3x4, expected 2xany)");
  CHECK(message_of([] { diffuse::check_at_least("Ddim", "steps", 0, 1); }) ==
        "diffuse::Ddim: steps is too small (got 0, expected >= 1)");
  // Values are printed with enough digits to read back exactly.
  const double tiny = -1.2345678901234567e-300;
  const std::string text = message_of([&] { diffuse::check_non_negative("Ddim", "eta", tiny); });
  const auto at = text.find("got ") + 4;
  CHECK(std::stod(text.substr(at, text.find(',', at) - at)) == tiny);
  const diffuse::Matrix<float> empty(2, 0);
  CHECK_THROWS_AS(diffuse::check_nonempty("mmd", "x", empty), diffuse::Error);
  diffuse::Matrix<float> bad = diffuse::Matrix<float>::Zero(2, 2);
  bad(1, 1) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(diffuse::check_all_finite("fit", "data", bad), diffuse::Error);
  CHECK_NOTHROW(diffuse::check_all_finite("fit", "data", empty));
  CHECK_NOTHROW(diffuse::check_positive("X", "ok", 1e-300));
}

TEST_CASE("diffuse::Error is a std::runtime_error") {
  CHECK_THROWS_AS(diffuse::check_finite("X", "v", std::numeric_limits<float>::infinity()),
                  std::runtime_error);
}
