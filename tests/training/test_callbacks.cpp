// Callbacks: periodic checkpoints reload into the same weights; loss histories round-trip through
// CSV and draw as an SVG curve with its moving average.
#include "support/catch.hpp"

#include <diffuse/distributions/toy.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/training/callbacks.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/loss_curve.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace diffuse;

TEST_CASE("SaveCheckpoint writes the final weights, and the loss history round-trips through CSV") {
  const std::filesystem::path dir = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "callbacks";
  std::filesystem::remove_all(dir);
  Rng rng(3);
  auto net = tiny_diffusion_mlp<float>(rng);
  DenoisingObjective objective(DiscreteSchedule<float>(linear_betas(50, 1e-4, 0.035)), DenoisingOptions<float>{
      .model = {.input = NoiseInput::normalised_step, .train_steps = 50}, .draw = NoiseDraw::uniform_step, .steps = 50});
  auto data = sampled_data<float>([](Index n, Rng& r) { return toy::cross<float>(n, r).points; });
  Adam<float> adam(AdamOptions{.lr = 1e-3}, net.parameters().size());
  int calls = 0;
  const FitResult result = fit(net, objective, data, adam, ConstantLr(1e-3), FitOptions{.steps = 25, .batch_size = 64}, rng,
                               SaveCheckpoint(net, dir / "net.safetensors", 10), [&](const StepInfo& info) {
                                 CHECK(info.step == calls);
                                 CHECK(info.total_steps == 25);
                                 ++calls;
                               });
  CHECK(calls == 25);
  Rng other(99);
  auto reloaded = tiny_diffusion_mlp<float>(other);
  REQUIRE(reloaded.parameters() != net.parameters());
  load_checkpoint(dir / "net.safetensors", reloaded);
  CHECK(reloaded.parameters() == net.parameters());

  write_loss_history(dir / "loss.csv", result.losses);
  const auto table = read_csv<double>(dir / "loss.csv");
  REQUIRE(table.data.cols() == 25);
  for (Index k = 0; k < 25; ++k) {
    CHECK(table.data(0, k) == double(k));
    CHECK(table.data(1, k) == result.losses[static_cast<std::size_t>(k)]);
  }
  CHECK_THROWS_AS(SaveCheckpoint(net, dir / "x", 0), Error);
}

TEST_CASE("moving_average is the trailing mean over min(window, k + 1) values, and save_loss_curve draws both") {
  const std::vector<double> losses = {4, 2, 6, 8, 1};
  const std::vector<double> expected = {4, 3, 4, 7, 4.5};
  CHECK(moving_average(losses, 2) == expected);
  CHECK(moving_average(losses, 1) == losses);
  const std::vector<double> running = {4, 3, 4, 5, 4.2};
  const std::vector<double> long_window = moving_average(losses, 10);
  for (std::size_t k = 0; k < losses.size(); ++k) CHECK(long_window[k] == Approx(running[k]).epsilon(1e-15));

  const std::filesystem::path path = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "loss_curve.svg";
  std::filesystem::remove(path);
  save_loss_curve(path, losses, "DDPM loss", 3);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string svg = text.str();
  CHECK(svg.starts_with("<?xml"));
  CHECK(svg.find("DDPM loss") != std::string::npos);
  CHECK(svg.find("mean of the last 3") != std::string::npos);
  CHECK(svg.rfind("</svg>") != std::string::npos);
}
