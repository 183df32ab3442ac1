#pragma once
// diffuse/core/observer.hpp — the observer that does nothing, shared by integrate() and sample().
//
// Observers are plain callables observer(x, t, k) called on the initial state (k = 0) and after
// every step; this one is the default when the caller wants none.

namespace diffuse {

/// An observer that ignores every state.
struct NoObserver {
  template <class State, class Time, class Step>
  void operator()(const State&, Time, Step) const {}
};

}  // namespace diffuse
