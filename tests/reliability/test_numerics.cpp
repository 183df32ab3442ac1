// Numerical safety: exact mixture scores and the oracle denoiser stay finite and accurate far from
// the data (|x| = 1e4) and at the small-noise end (t -> t_min, sigma -> sigma_min), in float and
// double, for the VP, VE, sub-VP and discrete noise levels; DDPM/DDIM/EDM runs through the ends of
// their schedules stay finite. The reference is the same mixture algebra in long double with a
// log-sum-exp, so "accurate" means: within float/double rounding of the exact value.
//
// Log-sum-exp audit (every place a mixture is summed): GaussianMixture::log_density (max-shifted
// log-sum-exp), GaussianMixture::responsibilities/score (max-shifted softmax), OracleDenoiser::
// predict (max-shifted softmax), mixture_nll (max-shifted log-sum-exp). The tests below hit each
// at |x| = 1e4, where an unshifted exp underflows to 0/0.
#include "support/catch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/metrics.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/processes/mixture_score.hpp>
#include <diffuse/processes/sub_vp.hpp>
#include <diffuse/processes/ve.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

namespace {

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Vector;
using Ld = long double;

// Three isotropic components in 2D with unequal weights and stds.
template <class S>
diffuse::GaussianMixture<S> mixture() {
  Matrix<S> means(2, 3);
  means << S(0), S(2), S(-1), S(0), S(1), S(3);
  Vector<S> stds(3), weights(3);
  stds << S(0.2), S(0.3), S(0.25);
  weights << S(0.2), S(0.3), S(0.5);
  return diffuse::GaussianMixture<S>(means, stds, weights);
}

// Points near the modes, between them, and at |x| = 1e4 in several directions.
template <class S>
Matrix<S> probe_points() {
  Matrix<S> x(2, 8);
  x << S(0.1), S(2), S(0.5), S(1e4), S(-1e4), S(0), S(1e4), S(-7e3),  //
      S(0), S(1), S(2), S(1e4), S(0), S(-1e4), S(-1e4), S(7e3);
  return x;
}

struct Reference {
  Matrix<Ld> score, x0;
};

// The exact score of x_t = alpha x0 + sigma eps and E[x0 | x_t], in long double.
Reference reference(const diffuse::GaussianMixture<double>& m, const Matrix<Ld>& x, Ld alpha, Ld sigma) {
  const Index K = m.components(), n = x.cols();
  Reference out{Matrix<Ld>::Zero(2, n), Matrix<Ld>::Zero(2, n)};
  for (Index j = 0; j < n; ++j) {
    std::vector<Ld> logit(static_cast<std::size_t>(K));
    Ld top = -INFINITY;
    for (Index k = 0; k < K; ++k) {
      const Ld s = m.stds()(k), v = alpha * alpha * s * s + sigma * sigma;
      const Matrix<Ld> diff = x.col(j) - alpha * m.means().col(k).cast<Ld>();
      logit[static_cast<std::size_t>(k)] = std::log(Ld(m.weights()(k))) - std::log(v) - diff.squaredNorm() / (2 * v);
      top = std::max(top, logit[static_cast<std::size_t>(k)]);
    }
    Ld total = 0;
    for (Ld& l : logit) total += (l = std::exp(l - top));
    for (Index k = 0; k < K; ++k) {
      const Ld r = logit[static_cast<std::size_t>(k)] / total;
      const Ld s = m.stds()(k), v = alpha * alpha * s * s + sigma * sigma;
      const Matrix<Ld> mu = m.means().col(k).cast<Ld>();
      out.score.col(j) += r * (alpha * mu - x.col(j)) / v;
      out.x0.col(j) += r * (mu + (alpha * s * s / v) * (x.col(j) - alpha * mu));
    }
  }
  return out;
}

// max_j |a_j − b_j| / max(|b_j|, floor): relative error per column, with a floor for near-zero values.
template <class S>
double column_error(const Matrix<S>& a, const Matrix<Ld>& b, double floor) {
  double worst = 0;
  for (Index j = 0; j < b.cols(); ++j) {
    const double err = static_cast<double>((a.col(j).template cast<Ld>() - b.col(j)).norm());
    worst = std::max(worst, err / std::max(static_cast<double>(b.col(j).norm()), floor));
  }
  return worst;
}

// The (alpha, sigma) pairs at which to probe each family of noise levels, with a label.
struct Level {
  std::string name;
  double alpha, sigma;
};

template <class S>
std::vector<Level> levels_to_probe() {
  std::vector<Level> out;
  const diffuse::VpProcess<S> vp;
  const diffuse::SubVpProcess<S> sub_vp;
  const diffuse::VeProcess<S> ve;
  for (S t : {vp.t_min(), S(0.5), vp.t_max()}) out.push_back({"VP t=" + std::to_string(t), vp.alpha(t), vp.sigma(t)});
  for (S t : {sub_vp.t_min(), sub_vp.t_max()})
    out.push_back({"sub-VP t=" + std::to_string(t), sub_vp.alpha(t), sub_vp.sigma(t)});
  for (S t : {ve.t_min(), ve.t_max()}) out.push_back({"VE t=" + std::to_string(t), ve.alpha(t), ve.sigma(t)});
  const diffuse::DiscreteSchedule<S> ddpm(diffuse::linear_betas(1000, 1e-4, 0.02));
  for (S t : {S(0), S(999)}) out.push_back({"discrete t=" + std::to_string(t), ddpm.alpha(t), ddpm.sigma(t)});
  const diffuse::DiscreteSchedule<S> cosine(diffuse::cosine_betas(1000));
  out.push_back({"cosine t=999", cosine.alpha(S(999)), cosine.sigma(S(999))});
  out.push_back({"EDM sigma_min", 1.0, 0.002});
  return out;
}

// Accuracy is checked on every column in double; in float on the points near the data (columns
// 0-2), because at |x| = 1e4 the logits −|x − αμ|²/(2v) ~ −1e9 carry an absolute float error far
// above their O(1) differences when α is tiny. The oracle's eps is checked at every σ: computed as
// (x − α x0)/σ it would cancel below σ ≈ 1e-2 (x − α x0 = O(σ²)), so it is computed directly.
// Finiteness is checked everywhere.
template <class S>
void check_scores_and_oracle(double score_tol, double x0_tol, double eps_tol) {
  constexpr bool is_float = std::is_same_v<S, float>;
  const auto m = mixture<S>();
  const auto md = mixture<double>();
  const Matrix<S> x = probe_points<S>();
  for (const Level& level : levels_to_probe<S>()) {
    INFO(level.name << " alpha=" << level.alpha << " sigma=" << level.sigma);
    const S alpha = static_cast<S>(level.alpha), sigma = static_cast<S>(level.sigma);
    const Reference ref = reference(md, x.template cast<Ld>(), alpha, sigma);

    // The exact score of the noised mixture (MixtureScore evaluates exactly this).
    const Matrix<S> score = m.noised(alpha, sigma).score(x);
    CHECK(score.allFinite());
    const Index checked = is_float ? 3 : x.cols();
    CHECK(column_error<S>(score.leftCols(checked), ref.score.leftCols(checked), 1.0) < score_tol);

    // The oracle denoiser at the same levels (SigmaLevels-like: alpha fixed through a lambda-free levels type).
    struct Fixed {
      using Scalar = S;
      S a, s;
      S alpha(S) const { return a; }
      S sigma(S) const { return s; }
    };
    diffuse::OracleDenoiser oracle(m, Fixed{alpha, sigma});
    diffuse::Prediction<S> pred;
    oracle.predict(x, S(0), pred);
    CHECK(pred.x0.allFinite());
    CHECK(pred.eps.allFinite());
    CHECK(column_error<S>(pred.x0.leftCols(checked), ref.x0.leftCols(checked), 1.0) < x0_tol);
    // eps = (x − α x0)/σ = −σ score: compare with the reference score.
    const Matrix<Ld> eps_ref = -Ld(sigma) * ref.score;
    CHECK(column_error<S>(pred.eps.leftCols(checked), eps_ref.leftCols(checked), 1.0) < eps_tol);

    // Log-density and responsibilities through the log-sum-exp.
    CHECK(m.noised(alpha, sigma).log_density(x).allFinite());
    const Matrix<S> r = m.noised(alpha, sigma).responsibilities(x);
    CHECK(r.allFinite());
    CHECK((r.colwise().sum().array() - S(1)).abs().maxCoeff() < S(1e-5));
  }
}

}  // namespace

TEST_CASE("exact mixture scores and the oracle stay finite and accurate far away and at small noise, double") {
  check_scores_and_oracle<double>(1e-9, 1e-7, 1e-7);
}

TEST_CASE("exact mixture scores and the oracle stay finite and accurate far away and at small noise, float") {
  check_scores_and_oracle<float>(2e-3, 2e-3, 5e-3);
}

TEST_CASE("MixtureScore of VP, sub-VP and VE processes is finite at t_min and at 1e4 in float") {
  const Matrix<float> x = probe_points<float>();
  Matrix<float> out;
  diffuse::MixtureScore(mixture<float>(), diffuse::VpProcess<float>())(x, 1e-3f, out);
  CHECK(out.allFinite());
  diffuse::MixtureScore(mixture<float>(), diffuse::SubVpProcess<float>())(x, 1e-3f, out);
  CHECK(out.allFinite());
  diffuse::MixtureScore(mixture<float>(), diffuse::VeProcess<float>())(x, 1e-5f, out);
  CHECK(out.allFinite());
  // Far from every mode the score points back at the nearest one: x = (1e4, 1e4) has (2, 1) nearest.
  CHECK(out(0, 3) < 0);
  CHECK(out(1, 3) < 0);
}

TEST_CASE("mixture_nll uses a log-sum-exp: finite and exact at 1e4") {
  Matrix<double> means(2, 2);
  means << 0, 1, 0, 0;
  Matrix<double> far(2, 1);
  far << 1e4, 0;
  // The nearest component dominates: −log(½ N(x; μ_1, I)) = (x − 1)²/2 + log(2π) + log 2.
  const double expected = 0.5 * 9999.0 * 9999.0 + std::log(2 * M_PI) + std::log(2.0);
  CHECK(diffuse::mixture_nll(far, means, 1.0) == Approx(expected).epsilon(1e-12));
  CHECK(std::isfinite(diffuse::mixture_nll(far.cast<float>().eval(), means, 0.01)));
}

namespace {

// Runs `sampler` on the oracle of the mixture over `grid` from a batch that includes far points,
// and returns the final batch.
template <class S, class Smp, class Levels>
Matrix<S> run(Smp sampler, Levels levels, const std::vector<S>& grid, Matrix<S> x) {
  diffuse::OracleDenoiser oracle(mixture<S>(), std::move(levels));
  diffuse::Rng rng(11);
  diffuse::sample(sampler, oracle, x, std::span<const S>(grid), rng);
  return x;
}

template <class S>
Matrix<S> start_batch(S scale) {
  diffuse::Rng rng(5);
  Matrix<S> x = scale * rng.normal<S>(2, 64);
  x.col(0).setConstant(S(1e4));
  x.col(1) << S(-1e4), S(1e4);
  return x;
}

template <class S>
void check_samplers_through_schedule_ends() {
  // Discrete chains: the whole DDPM grid T−1, …, 0, −1, including β_0 = 1e-4 (σ = 0.01) and the
  // cosine schedule's β up to 0.999 at the noisy end.
  for (const auto& [name, betas] : {std::pair<std::string, Vector<double>>{"linear", diffuse::linear_betas(1000, 1e-4, 0.02)},
                                    {"cosine", diffuse::cosine_betas(1000)},
                                    {"zero terminal SNR", diffuse::rescale_zero_terminal_snr(diffuse::linear_betas(1000, 1e-4, 0.02))}}) {
    INFO(name);
    const diffuse::DiscreteSchedule<S> schedule(betas);
    const std::vector<S> full = diffuse::ddim_timesteps<S>(1000, 1000);
    const std::vector<S> short_grid = diffuse::ddim_timesteps<S>(1000, 10, diffuse::Spacing::trailing);
    CHECK(run<S>(diffuse::Ddpm<S>{}, schedule, full, start_batch<S>(1)).allFinite());
    CHECK(run<S>(diffuse::Ddpm<S>{.variance = diffuse::DdpmVariance::fixed_large}, schedule, short_grid, start_batch<S>(1)).allFinite());
    CHECK(run<S>(diffuse::Ddim<S>{}, schedule, short_grid, start_batch<S>(1)).allFinite());
    CHECK(run<S>(diffuse::Ddim<S>{.eta = 1}, schedule, short_grid, start_batch<S>(1)).allFinite());
    CHECK(run<S>(diffuse::Ddim<S>{.clip_x0 = S(1)}, schedule, short_grid, start_batch<S>(1)).allFinite());
  }
  // Continuous VP down to t = 0 exactly (σ = 0 at the last point only).
  const diffuse::VpProcess<S> vp;
  std::vector<S> vp_grid = diffuse::uniform_grid<S>(1.0, 1e-3, 20);
  vp_grid.push_back(S(0));
  CHECK(run<S>(diffuse::Ddpm<S>{}, vp, vp_grid, start_batch<S>(1)).allFinite());
  CHECK(run<S>(diffuse::Ddim<S>{.eta = S(0.5)}, vp, vp_grid, start_batch<S>(1)).allFinite());
  CHECK(run<S>(diffuse::DpmSolverPP2M<S>{}, vp, vp_grid, start_batch<S>(1)).allFinite());
  // EDM Heun on the Karras grid down to σ_min = 0.002 and then 0, from σ_max = 80.
  const std::vector<S> karras = diffuse::karras_sigmas<S>(18);
  CHECK(run<S>(diffuse::EdmHeun<S>{}, diffuse::SigmaLevels<S>{}, karras, start_batch<S>(80)).allFinite());
  CHECK(run<S>(diffuse::EdmHeun<S>{.s_churn = 40}, diffuse::SigmaLevels<S>{}, karras, start_batch<S>(80)).allFinite());
}

}  // namespace

TEST_CASE("DDPM, DDIM, DPM-Solver++ and EDM with the oracle stay finite through both ends of their schedules, double") {
  check_samplers_through_schedule_ends<double>();
}

TEST_CASE("DDPM, DDIM, DPM-Solver++ and EDM with the oracle stay finite through both ends of their schedules, float") {
  check_samplers_through_schedule_ends<float>();
}

TEST_CASE("metrics of finite samples at a scale near the type's range are finite and scale as they should") {
  diffuse::Rng rng(9);
  const diffuse::Matrix<double> x = rng.normal<double>(2, 16), y = rng.normal<double>(2, 16).array() + 1.0;
  const double scale = 1e200;
  const diffuse::Matrix<double> xs = x * scale, ys = y * scale;
  const double e = diffuse::energy_distance(x, y), es = diffuse::energy_distance(xs, ys);
  CHECK(std::isfinite(es));
  CHECK(es / scale == Approx(e).epsilon(1e-9));
  diffuse::Rng r1(4), r2(4);
  const double sw = diffuse::sliced_wasserstein(x, y, 8, r1), sws = diffuse::sliced_wasserstein(xs, ys, 8, r2);
  CHECK(sws / scale == Approx(sw).epsilon(1e-9));
  // 12 dimensions take the GEMM path below 1e150: |a|² + |b|² − 2a·b would be inf − inf.
  const diffuse::Matrix<double> x12 = rng.normal<double>(12, 8) * 1e200, y12 = rng.normal<double>(12, 8) * 1e200;
  CHECK(std::isfinite(diffuse::mmd2(x12, y12)));
  CHECK(std::isfinite(diffuse::energy_distance(x12, y12)));
  // float samples at 1e30: squared distances overflow float, not double.
  const diffuse::Matrix<float> xf = (x * 1e30).cast<float>(), yf = (y * 1e30).cast<float>();
  CHECK(std::isfinite(diffuse::mmd2(xf, yf)));
  CHECK(diffuse::energy_distance(xf, yf) / 1e30 == Approx(e).epsilon(1e-5));
}

TEST_CASE("weights near double's maximum are normalised without overflow and sample both modes") {
  const double big = std::numeric_limits<double>::max();
  const diffuse::GaussianMixture<double> mixture(diffuse::Matrix<double>::Zero(2, 2), diffuse::Vector<double>::Ones(2),
                                                 diffuse::Vector<double>::Constant(2, big));
  CHECK(mixture.weights()(0) == 0.5);
  CHECK(mixture.weights()(1) == 0.5);
  diffuse::Rng rng(2);
  const auto samples = mixture.sample(400, rng);
  const auto zeros = std::count(samples.labels.begin(), samples.labels.end(), 0);
  CHECK(zeros > 150);
  CHECK(zeros < 250);
  const auto stats = diffuse::mode_stats(diffuse::Matrix<double>::Zero(2, 4), diffuse::Matrix<double>::Zero(2, 2), 1.0,
                                         3.0, {big, big});
  CHECK(std::isfinite(stats.kl_to_weights));
  CHECK(std::isfinite(diffuse::mixture_nll(diffuse::Matrix<double>::Zero(2, 4), diffuse::Matrix<double>::Zero(2, 2), 1.0, {big, big})));
}

TEST_CASE("karras_sigmas with a small rho does not overflow and approaches the geometric grid") {
  const std::vector<double> k = diffuse::karras_sigmas(4, {.sigma_min = 0.5, .sigma_max = 2, .rho = 0.05, .append_zero = false});
  for (double s : k) CHECK(std::isfinite(s));
  CHECK(k.front() == 2.0);
  CHECK(k.back() == 0.5);
  // The old formula σ_max^{1/ρ} agrees where it does not overflow.
  const std::vector<double> k7 = diffuse::karras_sigmas(6);
  const double hi = std::pow(80.0, 1 / 7.0), lo = std::pow(0.002, 1 / 7.0);
  for (int i = 0; i < 6; ++i) CHECK(k7[static_cast<std::size_t>(i)] == Approx(std::pow(hi + i * (lo - hi) / 5, 7.0)).epsilon(1e-12));
}
