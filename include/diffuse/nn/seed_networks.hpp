#pragma once
// diffuse/nn/seed_networks.hpp — the networks of the seed documents, by name.
//
// Widths, activations, layer order and state-dict names match the seeds' PyTorch modules, so a
// checkpoint moves between them. Input rows follow the stacked convention
// [x; noise level; condition]:
//   seed 000 TinyDiffusionMLP        [x (2); t normalised to [0, 1]]           34→96→96→96→2, SiLU
//   seed 001 DiffusionModel          [x (2); integer step in 0..199]          18→128→128→2, ReLU
//   seed 001 ConditionalDiffusionModel        + [label in 0..7] (one-hot)     26→128→128→2, ReLU
//   seed 001 ConditionalDiffusionModelRadius  + [radius] (Linear 1→16, ReLU, Linear 16→16)
//   seed 001 ScoreNet2D              [x (2)]                         2→128→128→128→2, Softplus
//   seed 002 ScoreNetwork            [x (2); log(σ + 1e-8)] (σ-MLP 1→32→32, SiLU after both)
//                                                                    34→256→256→256→2, SiLU
//   seed 003 SimpleScoreNet          [x (2); t] ([sin t; cos t])             4→512→512→2, ReLU
// Seed 002 takes log σ in its noise-level row: the model wrapper computes log(σ + 1e-8).

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/nn/activations.hpp"
#include "diffuse/nn/conditional_mlp.hpp"
#include "diffuse/nn/embeddings.hpp"

namespace diffuse {

/// Seed 000's TinyDiffusionMLP(hidden, time_dim).
template <class S>
using TinyDiffusionMlp = ConditionalMlp<S, Silu, SinusoidalEmbedding<S>>;
/// Seed 001's DiffusionModel(n_steps, time_emb_dim, hidden_dim).
template <class S>
using DiffusionModel = ConditionalMlp<S, Relu, EmbeddingTable<S>>;
/// Seed 001's ConditionalDiffusionModel (one-hot label).
template <class S>
using ConditionalDiffusionModel = ConditionalMlp<S, Relu, EmbeddingTable<S>, OneHot<S>>;
/// Seed 001's ConditionalDiffusionModelRadius.
template <class S>
using ConditionalDiffusionModelRadius = ConditionalMlp<S, Relu, EmbeddingTable<S>, MlpEmbedding<S, Relu>>;
/// Seed 001's ScoreNet2D (no noise-level input).
template <class S>
using ScoreNet2D = ConditionalMlp<S, Softplus>;
/// Seed 002's ScoreNetwork.
template <class S>
using ScoreNetwork = ConditionalMlp<S, Silu, MlpEmbedding<S, Silu>>;
/// Seed 003's SimpleScoreNet.
template <class S>
using SimpleScoreNet = ConditionalMlp<S, Relu, SinusoidalEmbedding<S>>;

/// Options of seed 000's network.
struct TinyDiffusionMlpOptions {
  Index hidden = 96;
  Index time_dim = 32;  ///< sinusoidal width; frequencies log-spaced in [1, 40]
};

/// Seed 000: x (2) + sinusoidal(t) (32) → 96 → 96 → 96 → 2 with SiLU.
template <class S>
TinyDiffusionMlp<S> tiny_diffusion_mlp(Rng& rng, TinyDiffusionMlpOptions o = {}) {
  return TinyDiffusionMlp<S>({.data_dim = 2, .hidden = {o.hidden, o.hidden, o.hidden}, .output_dim = 2}, rng,
                             SinusoidalEmbedding<S>::log_spaced(o.time_dim, 1.0, 40.0));
}

/// Options of seed 001's networks.
struct DiffusionModelOptions {
  Index steps = 200;     ///< rows of the time-embedding table (T)
  Index time_dim = 16;   ///< time_emb_dim
  Index hidden = 128;    ///< hidden_dim
  Index classes = 8;     ///< label_dim of the one-hot variant
  Index cond_dim = 16;   ///< cond_emb_dim of the radius variant
};

/// Seed 001: x (2) + Embedding(200, 16)(step) → 128 → 128 → 2 with ReLU.
template <class S>
DiffusionModel<S> diffusion_model(Rng& rng, DiffusionModelOptions o = {}) {
  return DiffusionModel<S>({.data_dim = 2, .hidden = {o.hidden, o.hidden}, .output_dim = 2}, rng,
                           EmbeddingTable<S>({.steps = o.steps, .dim = o.time_dim, .name = "time_embed"}));
}

/// Seed 001 with a one-hot mode label: [x; step; label] → 128 → 128 → 2 with ReLU.
template <class S>
ConditionalDiffusionModel<S> conditional_diffusion_model(Rng& rng, DiffusionModelOptions o = {}) {
  return ConditionalDiffusionModel<S>({.data_dim = 2, .hidden = {o.hidden, o.hidden}, .output_dim = 2}, rng,
                                      EmbeddingTable<S>({.steps = o.steps, .dim = o.time_dim, .name = "time_embed"}),
                                      OneHot<S>(o.classes));
}

/// Seed 001 with a continuous radius through Linear(1, 16), ReLU, Linear(16, 16).
template <class S>
ConditionalDiffusionModelRadius<S> conditional_diffusion_model_radius(Rng& rng, DiffusionModelOptions o = {}) {
  MlpEmbeddingOptions cond;  // a named aggregate: GCC 12 warns spuriously about a braced temporary
  cond.shape = {.widths = {1, o.cond_dim, o.cond_dim}, .final_activation = false};
  cond.name = "cond_embed";
  return ConditionalDiffusionModelRadius<S>(
      {.data_dim = 2, .hidden = {o.hidden, o.hidden}, .output_dim = 2}, rng,
      EmbeddingTable<S>({.steps = o.steps, .dim = o.time_dim, .name = "time_embed"}), MlpEmbedding<S, Relu>(cond));
}

/// Seed 001's ScoreNet2D: 2 → 128 → 128 → 128 → 2 with Softplus, no noise-level input.
template <class S>
ScoreNet2D<S> score_net_2d(Rng& rng, Index hidden = 128) {
  return ScoreNet2D<S>({.data_dim = 2, .hidden = {hidden, hidden, hidden}, .output_dim = 2}, rng);
}

/// Options of seed 002's network.
struct ScoreNetworkOptions {
  Index input_dim = 2;
  Index hidden = 256;
  Index sigma_dim = 32;  ///< sigma_emb_dim
};

/// Seed 002: x + [Linear(1, 32), SiLU, Linear(32, 32), SiLU](log σ) → 256 → 256 → 256 → x-dim, SiLU.
template <class S>
ScoreNetwork<S> score_network(Rng& rng, ScoreNetworkOptions o = {}) {
  MlpEmbeddingOptions sigma;  // a named aggregate: GCC 12 warns spuriously about a braced temporary
  sigma.shape = {.widths = {1, o.sigma_dim, o.sigma_dim}, .final_activation = true};
  sigma.name = "sigma_emb";
  return ScoreNetwork<S>(
      {.data_dim = o.input_dim, .hidden = {o.hidden, o.hidden, o.hidden}, .output_dim = o.input_dim}, rng,
      MlpEmbedding<S, Silu>(sigma));
}

/// Options of seed 003's network.
struct SimpleScoreNetOptions {
  Index input_dim = 2;
  Index hidden = 512;
  Index time_dim = 2;  ///< transformer-style sinusoidal width (2: [sin t; cos t])
};

/// Seed 003: x + sinusoidal(t) → 512 → 512 → x-dim with ReLU.
template <class S>
SimpleScoreNet<S> simple_score_net(Rng& rng, SimpleScoreNetOptions o = {}) {
  return SimpleScoreNet<S>({.data_dim = o.input_dim, .hidden = {o.hidden, o.hidden}, .output_dim = o.input_dim},
                           rng, SinusoidalEmbedding<S>::transformer(o.time_dim));
}

static_assert(Network<TinyDiffusionMlp<double>>);
static_assert(Network<DiffusionModel<double>>);
static_assert(Network<ConditionalDiffusionModel<double>>);
static_assert(Network<ConditionalDiffusionModelRadius<double>>);
static_assert(Network<ScoreNet2D<double>>);
static_assert(Network<ScoreNetwork<double>>);
static_assert(Network<SimpleScoreNet<double>>);

}  // namespace diffuse
