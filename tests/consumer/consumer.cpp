// A program outside the project that uses diffuse as a user would.
#include <diffuse/diffuse.hpp>

#include <iostream>

int main() {
  diffuse::Rng rng(42);
  const diffuse::Matrix<float> x = rng.normal<float>(2, 1000);
  const float mean = x.mean();
  std::cout << "consumer: mean of 2000 normals = " << mean << '\n';
  return (x.allFinite() && mean > -0.2f && mean < 0.2f) ? 0 : 1;
}
