// Safetensors checkpoints: PyTorch's weights give PyTorch's outputs, PyTorch reads ours, round
// trips are exact, and every kind of corrupt file is rejected with a message naming the problem.
#include "support/catch.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <diffuse/nn/checkpoint.hpp>
#include <diffuse/nn/seed_networks.hpp>

#include "fixtures.hpp"

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;

namespace {

std::string scratch(const std::string& name) { return std::string(DIFFUSE_TEST_SCRATCH_DIR) + "/nn_" + name; }

std::string message_of(auto&& f) {
  try {
    f();
  } catch (const diffuse::Error& e) {
    return e.what();
  }
  return "no exception";
}

// The stacked input [x; extra] of an io fixture, as a d x n batch.
template <class S>
Matrix<S> stacked_input(const diffuse::SafetensorsFile& io, const std::string& extra) {
  const Matrix<S> x = fixtures::batch<S>(io, "x");
  const Matrix<S> e = fixtures::batch<S>(io, extra);
  Matrix<S> in(x.rows() + e.rows(), x.cols());
  in << x, e;
  return in;
}

template <class S, class Net>
double max_output_error(Net& net, const std::string& name, const std::string& extra) {
  diffuse::load_checkpoint(fixtures::path(name + ".safetensors"), net);
  const auto io = diffuse::SafetensorsFile::read(fixtures::path(name + "_io.safetensors"));
  const Matrix<S> expected = fixtures::batch<S>(io, "output");
  return (net.forward(stacked_input<S>(io, extra)) - expected).cwiseAbs().maxCoeff();
}

bool torch_available() {
#ifdef DIFFUSE_SYSTEM_PYTHON
  return std::system(DIFFUSE_SYSTEM_PYTHON " -c \"import torch\" > /dev/null 2>&1") == 0;
#else
  return false;
#endif
}

}  // namespace

TEST_CASE("PyTorch weights of the seed 000 network give PyTorch's outputs") {
  Rng rng(1);
  auto net = diffuse::tiny_diffusion_mlp<float>(rng);
  CHECK(max_output_error<float>(net, "tiny_diffusion_mlp", "t") < 1e-5);
  auto net64 = diffuse::tiny_diffusion_mlp<double>(rng);
  CHECK(max_output_error<double>(net64, "tiny_diffusion_mlp", "t") < 1e-5);
}

TEST_CASE("PyTorch weights of the seed 002 network give PyTorch's outputs") {
  Rng rng(2);
  auto net = diffuse::score_network<float>(rng);
  CHECK(max_output_error<float>(net, "score_network", "log_sigma") < 1e-5);
}

TEST_CASE("tensor names and shapes follow PyTorch's state_dict") {
  Rng rng(3);
  const auto tiny = diffuse::tiny_diffusion_mlp<float>(rng).tensors();
  REQUIRE(tiny.size() == 8);
  CHECK(tiny[0].name == "net.0.weight");
  CHECK(tiny[0].shape == std::vector<Index>{96, 34});
  CHECK(tiny[7].name == "net.6.bias");
  const auto radius = diffuse::conditional_diffusion_model_radius<float>(rng).tensors();
  CHECK(radius[0].name == "time_embed.weight");
  CHECK(radius[0].shape == std::vector<Index>{200, 16});
  CHECK(radius[1].name == "cond_embed.0.weight");
  CHECK(radius[3].name == "cond_embed.2.weight");
  CHECK(radius[5].name == "net.0.weight");
  CHECK(radius[5].shape == std::vector<Index>{128, 34});
  const auto score = diffuse::score_network<float>(rng).tensors();
  CHECK(score[2].name == "sigma_emb.2.weight");
  CHECK(score[4].shape == std::vector<Index>{256, 34});
  const auto simple = diffuse::simple_score_net<float>(rng).tensors();
  CHECK(simple[0].shape == std::vector<Index>{512, 4});
  CHECK(simple.back().name == "net.4.bias");
}

TEST_CASE("PyTorch loads diffuse's checkpoint and reproduces its outputs") {
  Rng rng(4);
  auto net = diffuse::tiny_diffusion_mlp<float>(rng);
  const std::string checkpoint = scratch("tiny.safetensors"), io = scratch("tiny_io.safetensors");
  diffuse::save_checkpoint(checkpoint, net);
  Matrix<float> input(3, 8);
  input.topRows(2) = rng.normal<float>(2, 8);
  input.row(2) = Eigen::RowVectorXf::LinSpaced(8, 0, 1);
  const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> out = net.forward(input);
  // A d x n batch is the memory of a PyTorch (n, d) tensor.
  diffuse::write_safetensors<float>(io,
                                    {{"x", {8, 2}, Matrix<float>(input.topRows(2)).data()},
                                     {"t", {8, 1}, Matrix<float>(input.bottomRows(1)).data()},
                                     {"output", {8, 2}, out.data()}},
                                    diffuse::Dtype::F32);
  if (!torch_available()) {
    WARN("torch is not importable by /usr/bin/python3: skipping the PyTorch side of this test");
    return;
  }
#ifdef DIFFUSE_SYSTEM_PYTHON
  const std::string script = std::string(DIFFUSE_TEST_DATA_DIR) + "/../nn/python/check_checkpoint.py";
  const std::string command = std::string(DIFFUSE_SYSTEM_PYTHON) + " " + script + " tiny_diffusion_mlp " +
                              checkpoint + " " + io;
  CHECK(std::system(command.c_str()) == 0);
#endif
}

TEST_CASE("checkpoints round-trip exactly and replace files atomically") {
  Rng rng(5);
  auto a = diffuse::conditional_diffusion_model_radius<double>(rng);
  auto b = diffuse::conditional_diffusion_model_radius<double>(rng);
  REQUIRE(a.parameters() != b.parameters());
  const std::string path = scratch("radius.safetensors");
  diffuse::save_checkpoint(path, a, diffuse::Dtype::F64);
  diffuse::save_checkpoint(path, a, diffuse::Dtype::F64);  // over an existing file
  for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    CHECK(f.path().filename().string().rfind("radius.safetensors.tmp", 0) != 0);
  diffuse::load_checkpoint(path, b);
  CHECK(a.parameters() == b.parameters());

  diffuse::Adam<double> opt({.lr = 0.1}, a.parameters().size());
  a.gradients().setRandom();
  opt.step(a.parameters(), a.gradients());
  opt.step(a.parameters(), a.gradients());
  diffuse::save_optimizer_state(scratch("adam.safetensors"), opt, a.tensors());
  diffuse::Adam<double> resumed({.lr = 0.1}, a.parameters().size());
  diffuse::load_optimizer_state(scratch("adam.safetensors"), resumed, a.tensors());
  CHECK(resumed.state().steps == 2);
  CHECK(resumed.state().exp_avg == opt.state().exp_avg);
  CHECK(resumed.state().exp_avg_sq == opt.state().exp_avg_sq);
  diffuse::Sgd<double> sgd({.lr = 0.1, .momentum = 0.9}, a.parameters().size());
  CHECK(message_of([&] { diffuse::load_optimizer_state(scratch("adam.safetensors"), sgd, a.tensors()); })
            .find("another optimizer") != std::string::npos);
}

namespace {

// Writes a file with the given JSON header (padded to 8 bytes) and `data_bytes` zero bytes.
std::string raw_file(const std::string& name, const std::string& header, std::size_t data_bytes,
                     std::int64_t header_size = -1) {
  const std::string path = scratch(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::uint64_t size = header_size < 0 ? header.size() : static_cast<std::uint64_t>(header_size);
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((size >> (8 * i)) & 0xFF));
  out << header << std::string(data_bytes, '\0');
  return path;
}

std::string load_error(const std::string& path) {
  Rng rng(6);
  auto net = diffuse::score_net_2d<float>(rng, 2);  // net.0: 2x2, net.2: 2x2, net.4: 2x2, net.6: 2x2
  const diffuse::Vector<float> before = net.parameters();
  const std::string message = message_of([&] { diffuse::load_checkpoint(path, net); });
  if (message != "no exception" && net.parameters() != before) return "parameters changed by a failed load";
  return message;
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, int begin, int end) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}";
}

// A valid header for score_net_2d(hidden 2): 8 tensors of 4 or 2 floats.
std::string valid_entries(const std::string& dtype = "F32") {
  const int w = dtype == "F32" ? 4 : 8;
  std::string s;
  int at = 0;
  for (int k = 0; k < 4; ++k) {
    const std::string l = "net." + std::to_string(2 * k);
    s += (k ? "," : "") + entry(l + ".weight", dtype, "[2,2]", at, at + 4 * w);
    at += 4 * w;
    s += "," + entry(l + ".bias", dtype, "[2]", at, at + 2 * w);
    at += 2 * w;
  }
  return s;
}

}  // namespace

TEST_CASE("load_checkpoint validates the file and names the problem") {
  const std::size_t bytes = 4 * 6 * 4;
  CHECK(load_error(raw_file("ok.st", "{" + valid_entries() + "}", bytes)) == "no exception");
  CHECK(load_error(raw_file("ok64.st", "{" + valid_entries("F64") + "}", 2 * bytes)) == "no exception");
  CHECK(load_error(scratch("does_not_exist.st")).find("cannot read") != std::string::npos);
  CHECK(load_error(raw_file("long_header.st", "{}", 0, 1 << 20)).find("header size exceeds the file size") !=
        std::string::npos);
  CHECK(load_error(raw_file("huge_header.st", "{}", 0, 1 << 30)).find("header size is over the 100 MB limit") !=
        std::string::npos);
  CHECK(load_error(raw_file("trailing_comma.st", "{" + valid_entries() + ",}", bytes)).find("malformed JSON") !=
        std::string::npos);
  CHECK(load_error(raw_file("not_json.st", "{\"a\":01}", 0)).find("malformed JSON") != std::string::npos);
  CHECK(load_error(raw_file("dup.st", "{" + valid_entries() + "," + entry("net.0.bias", "F32", "[2]", 0, 8) + "}",
                            bytes))
            .find("duplicate key") != std::string::npos);
  std::string f16 = valid_entries();
  f16.replace(f16.find("F32"), 3, "F16");
  CHECK(load_error(raw_file("f16.st", "{" + f16 + "}", bytes)).find("tensor 'net.0.weight' has an unsupported dtype") !=
        std::string::npos);
  std::string shape = valid_entries();
  shape.replace(shape.find("[2,2]"), 5, "[1,4]");
  CHECK(load_error(raw_file("shape.st", "{" + shape + "}", bytes)) ==
        "diffuse::load_checkpoint: tensor 'net.0.weight' has the wrong shape (got [1, 4], expected [2, 2])");
  CHECK(load_error(raw_file("range.st", "{" + valid_entries() + "}", bytes - 8)).find("out of range") !=
        std::string::npos);
  CHECK(load_error(raw_file("gap.st", "{" + valid_entries() + "}", bytes + 8)).find("do not cover") !=
        std::string::npos);
  std::string overlap = valid_entries();
  overlap.replace(overlap.find("[16,24]"), 7, "[12,20]");
  CHECK(load_error(raw_file("overlap.st", "{" + overlap + "}", bytes)).find("overlaps") != std::string::npos);
  std::string size_mismatch = valid_entries();
  size_mismatch.replace(size_mismatch.find("[16,24]"), 7, "[16,20]");
  CHECK(load_error(raw_file("mismatch.st", "{" + size_mismatch + "}", bytes)).find("do not match its shape") !=
        std::string::npos);
  const std::string extra = valid_entries() + "," + entry("net.8.weight", "F32", "[1]", 96, 100);
  CHECK(load_error(raw_file("extra.st", "{" + extra + "}", bytes + 4)).find("unexpected tensor 'net.8.weight'") !=
        std::string::npos);
  std::string missing = valid_entries();
  missing = missing.substr(0, missing.rfind(",\"net.6.bias\""));
  CHECK(load_error(raw_file("missing.st", "{" + missing + "}", bytes - 8)).find("tensor 'net.6.bias' is missing") !=
        std::string::npos);
  CHECK(load_error(raw_file("field.st", "{\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16],\"x\":1}}", 16))
            .find("unknown field") != std::string::npos);
  CHECK(load_error(raw_file("negative.st", "{" + entry("net.0.weight", "F32", "[-2,2]", 0, 16) + "}", 16))
            .find("malformed shape entry") != std::string::npos);
  CHECK(load_error(raw_file("giant.st", "{" + entry("net.0.weight", "F32", "[99999999999,99999999999]", 0, 16) + "}", 16))
            .find("larger than the file") != std::string::npos);
}

TEST_CASE("the JSON parser is strict") {
  auto parse = [](const std::string& text) {
    return message_of([&] { diffuse::detail::JsonParser(text, "test").parse(); });
  };
  CHECK(parse(R"({"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00"]})") == "no exception");
  CHECK(parse("{\"a\":1,}") != "no exception");
  CHECK(parse("[1 2]") != "no exception");
  CHECK(parse("{\"a\":1} x") != "no exception");
  CHECK(parse("\"\\ud800\"") != "no exception");
  CHECK(parse("\"tab\there\"") != "no exception");
  CHECK(parse(std::string(100, '[') + std::string(100, ']')) != "no exception");
  CHECK(parse("1.") != "no exception");
  CHECK(parse("-") != "no exception");
  const auto json = diffuse::detail::JsonParser(R"({"big": 18446744073709551615, "over": 18446744073709551616})",
                                                "test").parse();
  std::uint64_t value = 0;
  CHECK(json.find("big")->to_uint64(value));
  CHECK(value == 18446744073709551615ull);
  CHECK_FALSE(json.find("over")->to_uint64(value));
}
