// Softplus values and slopes against log(1 + e^z) and σ(z) computed in long double, across the
// whole range (deep negative, around 0, around torch's threshold 20, far above it).
#include "support/catch.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <diffuse/core/types.hpp>
#include <diffuse/nn/activations.hpp>

namespace {

template <class S>
void check_softplus(double tolerance) {
  const std::vector<double> zs = {-100, -30, -5, -1e-3, 0, 0.5, 5, 19.9, 20.1, 30, 100, 1000};
  const auto n = static_cast<diffuse::Index>(zs.size());
  diffuse::Matrix<S> z(1, n), a(1, n), g = diffuse::Matrix<S>::Ones(1, n);
  for (diffuse::Index j = 0; j < n; ++j) z(0, j) = S(zs[static_cast<std::size_t>(j)]);
  diffuse::Softplus::forward(z, a);
  diffuse::Softplus::backward(z, a, g);
  for (diffuse::Index j = 0; j < n; ++j) {
    const long double x = z(0, j);
    const long double value = x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    const long double slope = 1 / (1 + std::exp(-x));
    INFO("z = " << zs[static_cast<std::size_t>(j)]);
    CHECK(std::isfinite(a(0, j)));
    // Below e^-87 a float underflows to 0: allow an absolute error of the smallest normal number.
    const long double floor = std::numeric_limits<S>::min();
    CHECK(std::abs(a(0, j) - value) <= tolerance * value + floor);
    CHECK(std::abs(g(0, j) - slope) <= tolerance * slope + floor);
    // torch returns z (slope 1) above the threshold 20; the smooth form differs by < 2.1e-9.
    if (x > 20) CHECK(std::abs(a(0, j) - x) < 2.1e-9 * x + tolerance * x);
  }
}

}  // namespace

TEST_CASE("Softplus matches log(1 + e^z) and its slope sigma(z) from -100 to 1000") {
  check_softplus<double>(1e-14);
  check_softplus<float>(2e-6);  // Eigen's float logistic is good to a few ulp
}
