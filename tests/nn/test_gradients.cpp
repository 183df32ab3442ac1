// Finite-difference checks (double) of every activation, layer, embedding and seed network,
// with respect to parameters and inputs: relative error below 1e-6.
#include "support/catch.hpp"

#include <diffuse/nn/conditional_mlp.hpp>
#include <diffuse/nn/mlp.hpp>
#include <diffuse/nn/seed_networks.hpp>

#include "gradcheck.hpp"

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;

namespace {

// A batch of n stacked inputs: d data rows ~ N(0, 1) (scaled), then extra rows given as
// callables of the column index.
Matrix<double> data(Rng& rng, Index d, Index n, double scale = 1.0) { return scale * rng.normal<double>(d, n); }

template <class Act>
void check_mlp_activation(bool final_activation) {
  Rng rng(1);
  diffuse::Mlp<double, Act> net({{3, 5, 4, 2}, final_activation}, rng);
  const Matrix<double> x = data(rng, 3, 4, 1.5);
  const auto r = gradcheck::check(net, x, gradcheck::all(net.parameters().size()));
  INFO(Act::name << " final_activation=" << final_activation);
  CHECK(r.parameters_checked == 5 * 3 + 5 + 4 * 5 + 4 + 2 * 4 + 2);
  CHECK(r.inputs_checked == 12);
  CHECK(r.worst_parameter < 1.0);
  CHECK(r.worst_input < 1.0);
}

}  // namespace

TEST_CASE("Mlp backward matches finite differences for every activation") {
  for (const bool final_activation : {false, true}) {
    check_mlp_activation<diffuse::Identity>(final_activation);
    check_mlp_activation<diffuse::Relu>(final_activation);
    check_mlp_activation<diffuse::Silu>(final_activation);
    check_mlp_activation<diffuse::Softplus>(final_activation);
    check_mlp_activation<diffuse::Tanh>(final_activation);
    check_mlp_activation<diffuse::Gelu>(final_activation);
    check_mlp_activation<diffuse::GeluTanh>(final_activation);
  }
}

TEST_CASE("a single Linear layer backward matches finite differences") {
  Rng rng(2);
  diffuse::Mlp<double, diffuse::Identity> net({{4, 3}, false}, rng);
  const Matrix<double> x = data(rng, 4, 5);
  const auto r = gradcheck::check(net, x, gradcheck::all(net.parameters().size()));
  CHECK(r.parameters_checked == 15);
  CHECK(r.worst_parameter < 1.0);
  CHECK(r.worst_input < 1.0);
}

TEST_CASE("embeddings route gradients to their parameters and inputs") {
  Rng rng(3);
  using S = double;
  SECTION("sinusoidal, log-spaced and transformer frequencies") {
    diffuse::ConditionalMlp<S, diffuse::Tanh, diffuse::SinusoidalEmbedding<S>, diffuse::SinusoidalEmbedding<S>> net(
        {.data_dim = 2, .hidden = {6}, .output_dim = 2}, rng, diffuse::SinusoidalEmbedding<S>::log_spaced(6, 1, 40),
        diffuse::SinusoidalEmbedding<S>::transformer(4));
    Matrix<double> x(4, 3);
    x.topRows(2) = data(rng, 2, 3);
    x.row(2) << 0.1, 0.5, 0.9;
    x.row(3) << 0.3, 2.0, 7.0;
    const auto r = gradcheck::check(net, x, gradcheck::all(net.parameters().size()));
    CHECK(r.inputs_checked == 12);
    CHECK(r.worst_parameter < 1.0);
    CHECK(r.worst_input < 1.0);
  }
  SECTION("embedding table, one-hot label and an MLP on a scalar") {
    diffuse::MlpEmbeddingOptions cond;
    cond.shape = {.widths = {1, 4, 3}, .final_activation = true};
    cond.name = "cond_embed";
    diffuse::ConditionalMlp<S, diffuse::Silu, diffuse::EmbeddingTable<S>, diffuse::OneHot<S>,
                            diffuse::MlpEmbedding<S, diffuse::Tanh>>
        net({.data_dim = 2, .hidden = {5}, .output_dim = 2}, rng,
            diffuse::EmbeddingTable<S>({.steps = 4, .dim = 3, .name = "time_embed"}), diffuse::OneHot<S>(3),
            diffuse::MlpEmbedding<S, diffuse::Tanh>(cond));
    Matrix<double> x(5, 4);
    x.topRows(2) = data(rng, 2, 4);
    x.row(2) << 0, 3, 1, 3;  // steps (step 2 unused: its gradient must stay zero)
    x.row(3) << 2, 0, 1, 2;  // labels
    x.row(4) << 0.4, -1.2, 2.0, 0.7;
    const auto r = gradcheck::check(net, x, gradcheck::all(net.parameters().size()));
    CHECK(r.parameters_checked == net.parameters().size());
    CHECK(r.worst_parameter < 1.0);
    CHECK(r.worst_input < 1.0);
    // The unused table row has no gradient; the integer rows have none either.
    CHECK(net.gradients().segment(2 * 3, 3).isZero(0));
    CHECK(net.backward(Matrix<double>::Ones(2, 4)).row(2).isZero(0));
    CHECK(net.backward(Matrix<double>::Ones(2, 4)).row(3).isZero(0));
  }
}

namespace {

template <class Net>
void check_seed_network(Net& net, const Matrix<double>& x, Index per_tensor) {
  Rng rng(4);
  const auto indices = gradcheck::sample(net.tensors(), per_tensor, rng);
  const auto r = gradcheck::check(net, x, indices);
  CHECK(r.parameters_checked == static_cast<Index>(indices.size()));
  CHECK(r.inputs_checked == x.size());
  CHECK(r.worst_parameter < 1.0);
  CHECK(r.worst_input < 1.0);
}

Matrix<double> stacked(Rng& rng, Index d, Index n, std::initializer_list<std::vector<double>> rows) {
  Matrix<double> x(d + static_cast<Index>(rows.size()), n);
  x.topRows(d) = rng.normal<double>(d, n);
  Index i = d;
  for (const auto& row : rows) {
    for (Index j = 0; j < n; ++j) x(i, j) = row[static_cast<std::size_t>(j)];
    ++i;
  }
  return x;
}

}  // namespace

TEST_CASE("every seed network passes the finite-difference check") {
  Rng rng(5);
  SECTION("seed 000 TinyDiffusionMLP") {
    auto net = diffuse::tiny_diffusion_mlp<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {{0.0, 0.37, 1.0}}), 12);
  }
  SECTION("seed 001 DiffusionModel") {
    auto net = diffuse::diffusion_model<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {{0, 17, 199}}), 12);
  }
  SECTION("seed 001 one-hot conditional DiffusionModel") {
    auto net = diffuse::conditional_diffusion_model<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {{5, 17, 150}, {7, 0, 3}}), 12);
  }
  SECTION("seed 001 radius-conditional DiffusionModel") {
    auto net = diffuse::conditional_diffusion_model_radius<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {{5, 17, 150}, {1.0, 2.5, 4.0}}), 12);
  }
  SECTION("seed 001 ScoreNet2D") {
    auto net = diffuse::score_net_2d<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {}), 12);
  }
  SECTION("seed 002 ScoreNetwork") {
    auto net = diffuse::score_network<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {{-4.6, 0.0, 2.3}}), 12);
  }
  SECTION("seed 003 SimpleScoreNet") {
    auto net = diffuse::simple_score_net<double>(rng);
    check_seed_network(net, stacked(rng, 2, 3, {{0.05, 0.5, 1.0}}), 12);
  }
}
