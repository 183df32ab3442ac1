#pragma once
// diffuse/core/noise.hpp — noise sources besides Rng: ReplayNoise hands out given draws in order,
// RecordingNoise keeps every draw another source hands out. With them a stochastic run is
// replayed draw for draw: record a diffuse run and feed it to a Python peer, or feed a peer's
// saved draws (k-diffusion's noise_sampler, EDM's randn_like, diffusers' variance_noise) to
// diffuse. Both model NoiseSource for float and double.
//
// Draws are kept in double: a float draw converts to double and back exactly, so a recorded
// float run replays bitwise.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// When a stochastic sampler draws its noise (its header says what each choice means for it).
enum class NoiseDraws {
  when_used,   ///< only where the draw is multiplied by a nonzero scale (diffuse's default)
  every_step,  ///< at every step, even where the draw is then multiplied by zero, as the peer
               ///< whose algorithm the sampler follows does: a peer's saved draws then replay
};

/// Hands out the given draws in order, one per fill_normal call. Throws diffuse::Error, naming the
/// draw index, when the draws run out or a draw's shape differs from the one asked for.
class ReplayNoise {
 public:
  /// The draws to hand out, in order; each is a d x n batch (the layout of a PyTorch (n, d) tensor).
  explicit ReplayNoise(std::vector<Matrix<double>> draws) : m_draws(std::move(draws)) {}

  /// The same from float draws (converted to double exactly).
  explicit ReplayNoise(const std::vector<Matrix<float>>& draws) {
    m_draws.reserve(draws.size());
    for (const Matrix<float>& draw : draws) m_draws.push_back(draw.cast<double>());
  }

  /// Copies the next draw into `draw`, whose shape must equal that draw's.
  template <class S>
  void fill_normal(Matrix<S>& draw) {
    constexpr const char* api = "ReplayNoise";
    const std::size_t k = m_next;
    DIFFUSE_REQUIRE(k < m_draws.size(), api,
                    "ran out of draws: the sampler asks for draw " + std::to_string(k) + " (counting from 0)",
                    std::to_string(m_draws.size()) + " draws given", "at least " + std::to_string(k + 1) + " draws");
    const Matrix<double>& given = m_draws[k];
    DIFFUSE_REQUIRE(given.rows() == draw.rows() && given.cols() == draw.cols(), api,
                    "draw " + std::to_string(k) + " has the wrong shape",
                    std::to_string(given.rows()) + "x" + std::to_string(given.cols()),
                    std::to_string(draw.rows()) + "x" + std::to_string(draw.cols()) + " (d x n, as the sampler asks)");
    draw = given.cast<S>();
    ++m_next;
  }

  std::size_t size() const { return m_draws.size(); }               ///< draws given
  std::size_t used() const { return m_next; }                       ///< draws handed out so far
  std::size_t remaining() const { return m_draws.size() - m_next; } ///< draws not yet handed out
  const std::vector<Matrix<double>>& draws() const { return m_draws; }

 private:
  std::vector<Matrix<double>> m_draws;
  std::size_t m_next = 0;
};

static_assert(NoiseSource<ReplayNoise, float> && NoiseSource<ReplayNoise, double>);

/// Wraps a noise source (by reference: it must outlive the recorder) and keeps a copy of every
/// draw it hands out, in order. ReplayNoise(recording.draws()) replays them; write_noise_npy
/// (io/noise_file.hpp) saves them for a Python run.
template <class Source>
class RecordingNoise {
 public:
  explicit RecordingNoise(Source& source) : m_source(&source) {}

  /// Fills `draw` from the wrapped source and keeps a copy.
  template <class S>
    requires NoiseSource<Source, S>
  void fill_normal(Matrix<S>& draw) {
    m_source->fill_normal(draw);
    m_draws.push_back(draw.template cast<double>());
  }

  std::size_t size() const { return m_draws.size(); }  ///< draws recorded
  const std::vector<Matrix<double>>& draws() const { return m_draws; }
  void clear() { m_draws.clear(); }

 private:
  Source* m_source;
  std::vector<Matrix<double>> m_draws;
};

static_assert(NoiseSource<RecordingNoise<Rng>, float> && NoiseSource<RecordingNoise<Rng>, double>);

}  // namespace diffuse
