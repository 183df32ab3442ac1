#pragma once
// diffuse/integrators/integrate.hpp — the one loop that drives any stepper over a time grid
// (the Boost.Odeint split: system, stepper, loop, observer).

#include <type_traits>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/observer.hpp"
#include "diffuse/integrators/time_grid.hpp"

namespace diffuse {

/// Advances x in place from grid.front() to grid.back() with `stepper`, calling
/// observer(x, t_k, k) on the initial state (k = 0) and after every step (k = 1..K).
/// Works forward or backward in time, as the grid runs. Noise comes from `noise`, any
/// NoiseSource (Rng, ReplayNoise, RecordingNoise). Returns the number of steps.
template <class Stepper, class System, class Noise, class Observer = NoObserver>
  requires Integrator<Stepper, System, std::remove_cvref_t<Noise>>
Index integrate(Stepper& stepper, const System& system, Matrix<scalar_of<System>>& x,
                const TimeGrid<scalar_of<System>>& grid, Noise&& noise, Observer&& observer = {}) {
  check_nonempty("integrate", "x", x);
  if constexpr (requires { Stepper::forward_only; }) {
    DIFFUSE_REQUIRE(!Stepper::forward_only || grid.increasing(), "integrate",
                    "this stepper only runs forward in time", grid.back(),
                    "an increasing grid (t_end > " + detail::to_text(grid.front()) + ")");
  }
  observer(x, grid[0], Index{0});
  for (Index k = 0; k < grid.steps(); ++k) {
    stepper.step(system, x, grid[k], grid[k + 1], noise);
    observer(x, grid[k + 1], k + 1);
  }
  return grid.steps();
}

}  // namespace diffuse
