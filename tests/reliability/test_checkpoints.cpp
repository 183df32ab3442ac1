// Checkpoint safety beyond tests/nn/test_checkpoint.cpp: hostile files (truncations, lying sizes,
// huge shapes and offsets, deep or wide JSON) are rejected with diffuse::Error, never allocate
// more than the file size in one piece, and never take quadratic time; every fuzz seed and every
// input the fuzzer once crashed on (tests/data/fuzz/) loads or throws; an interrupted save
// (a child process killed mid-write, a save that fails half-way, or a temporary file that
// cannot be created) leaves the previous checkpoint loadable and intact and no temporary file of
// its own; concurrent saves to one path never expose a partial file; saving through a symbolic
// link keeps the link; a diverging fit() never writes a NaN checkpoint.
//
// This file replaces the global operator new for test_reliability to record the largest single
// request made while `watching` is set; it otherwise forwards to malloc/free.
#include "support/catch.hpp"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <diffuse/core/error.hpp>
#include <diffuse/nn/checkpoint.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/training.hpp>

namespace {
thread_local bool watching = false;
thread_local std::size_t largest_request = 0;
thread_local std::size_t total_requested = 0;

void* allocate(std::size_t size) {
  if (watching) {
    if (size > largest_request) largest_request = size;
    total_requested += size;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
// The nothrow forms too, so that no allocation comes from the runtime's new and is released by
// the free below (AddressSanitizer reports that as alloc-dealloc-mismatch).
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using diffuse::Rng;
namespace fs = std::filesystem;

std::string scratch(const std::string& name) { return std::string(DIFFUSE_TEST_SCRATCH_DIR) + "/reliability_ckpt_" + name; }

std::string le64(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

// header size + header + data bytes.
std::string st_file(const std::string& header, std::size_t data_bytes = 0) {
  return le64(header.size()) + header + std::string(data_bytes, '\0');
}

std::string write(const std::string& name, const std::string& bytes) {
  const std::string path = scratch(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

// The least Checkpointable network, as in the fuzz target: net.0.weight [2, 2], net.0.bias [2].
struct TinyNet {
  using Scalar = float;
  diffuse::Vector<float> theta = diffuse::Vector<float>::Constant(6, 0.5f);
  std::vector<diffuse::TensorSpec> tensors() const { return {{"net.0.weight", {2, 2}, 0}, {"net.0.bias", {2}, 4}}; }
  diffuse::Vector<float>& parameters() { return theta; }
};

struct LoadResult {
  std::string message;          // "ok", a diffuse::Error message, or another exception
  std::size_t largest = 0;      // largest single allocation while reading
  bool parameters_kept = true;  // a failed load left the network unchanged
};

// Loads `path` as a raw safetensors file and into TinyNet, watching allocations.
LoadResult load(const std::string& path) {
  LoadResult result{"ok"};
  TinyNet net;
  largest_request = 0;
  watching = true;
  try {
    const auto file = diffuse::SafetensorsFile::read(path);
    for (const auto& e : file.entries()) {
      std::vector<double> values(static_cast<std::size_t>(e.count()));
      file.copy_to(e, values.data());
    }
    diffuse::load_checkpoint(path, net);
  } catch (const diffuse::Error& e) {
    result.message = e.what();
    result.parameters_kept = net.theta == diffuse::Vector<float>::Constant(6, 0.5f);
  } catch (const std::exception& e) {
    result.message = std::string("not a diffuse::Error: ") + e.what();
  }
  watching = false;
  result.largest = largest_request;
  return result;
}

}  // namespace

TEST_CASE("hostile safetensors files are rejected without crashing or allocating more than the file") {
  const std::string entry = R"("net.0.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})";
  const std::string valid = st_file("{" + entry + R"(,"net.0.bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})", 24);
  struct Hostile {
    std::string name, bytes, expected;  // expected: a fragment of the error message
  };
  std::string deep_json(200, '[');
  const std::vector<Hostile> cases = {
      {"empty", "", "too short"},
      {"seven_bytes", std::string(7, '\0'), "too short"},
      {"size_only", le64(0), "malformed JSON"},
      {"truncated_in_size", valid.substr(0, 5), "too short"},
      {"truncated_in_header", valid.substr(0, 40), "header size exceeds the file size"},
      {"truncated_in_data", valid.substr(0, valid.size() - 3), "out of range"},
      {"header_one_past_end", le64(3) + "{}", "header size exceeds the file size"},
      {"header_size_2^64-1", le64(~std::uint64_t{0}) + "{}", "header size is over the 100 MB limit"},
      {"header_size_2^63", le64(std::uint64_t{1} << 63) + "{}", "header size is over the 100 MB limit"},
      {"not_json", st_file("not json"), "malformed JSON"},
      {"unterminated_string", st_file(R"({"a)"), "malformed JSON"},
      {"nul_in_header", st_file(std::string("{\"a\0\":1}", 8)), "malformed JSON"},
      {"deep_nesting", st_file(deep_json), "nesting too deep"},
      {"array_header", st_file("[1,2]"), "not a JSON object"},
      {"dtype_f16", st_file(R"({"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", 2), "unsupported dtype"},
      {"dtype_number", st_file(R"({"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})", 4), "unsupported dtype"},
      {"dtype_bf16", st_file(R"({"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}})", 2), "unsupported dtype"},
      {"shape_not_array", st_file(R"({"w":{"dtype":"F32","shape":4,"data_offsets":[0,16]}})", 16), "malformed shape"},
      {"shape_float", st_file(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8), "malformed shape entry"},
      {"shape_overflow_product", st_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", 16),
       "larger than the file"},
      {"shape_2^64", st_file(R"({"w":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,16]}})", 16),
       "malformed shape entry"},
      {"offsets_reversed", st_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4), "out of range"},
      {"offsets_past_end", st_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 2), "out of range"},
      {"offsets_huge", st_file(R"({"w":{"dtype":"F64","shape":[],"data_offsets":[18446744073709551608,18446744073709551615]}})", 8),
       "out of range"},
      {"offsets_three", st_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 8), "malformed data_offsets"},
      {"offsets_negative", st_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4), "malformed data_offsets"},
      {"overlap", st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
       "overlaps"},
      {"same_range_twice", st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8),
       "overlaps"},
      {"metadata_number", st_file(R"({"__metadata__":{"format":1}})"), "not a string"},
      {"wrong_shape_for_net",
       st_file(R"({"net.0.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"net.0.bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})", 24),
       "wrong shape"},
  };
  for (const Hostile& c : cases) {
    const std::string path = write(c.name, c.bytes);
    const LoadResult r = load(path);
    INFO(c.name << ": " << r.message << " (largest allocation " << r.largest << " bytes, file " << c.bytes.size() << ")");
    CHECK(r.message.rfind("diffuse::load_", 0) == 0);
    CHECK(r.message.find(c.expected) != std::string::npos);
    CHECK(r.message.find("(got ") != std::string::npos);
    CHECK(r.parameters_kept);
    // Nothing larger than the file itself, above a constant floor (std::ifstream's 8 kB buffer).
    CHECK(r.largest <= std::max<std::size_t>(c.bytes.size(), 16384));
  }
  CHECK(load(write("valid", valid)).message == "ok");
}

TEST_CASE("a header with 100000 keys parses in n log n, with memory linear in the file size") {
  // 100000 empty tensors at offset 0: valid, and a quadratic duplicate-key scan would take
  // ~5e9 string comparisons here (it did before nn/json.hpp kept the keys in a set).
  std::string header = "{";
  for (int i = 0; i < 100000; ++i)
    header += (i ? "," : "") + ("\"t" + std::to_string(i) + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
  header += "}";
  const std::string bytes = st_file(header);
  const std::string path = write("wide", bytes);
  largest_request = total_requested = 0;
  watching = true;
  const auto file = diffuse::SafetensorsFile::read(path);
  watching = false;
  CHECK(file.entries().size() == 100000);
  // The parsed JSON tree is larger than its text (a JSON value is ~100 bytes in memory, a few in
  // the file): the bound is linear, not "at most the file size".
  INFO("file " << bytes.size() << " bytes, largest allocation " << largest_request << ", total " << total_requested);
  CHECK(largest_request <= 4 * bytes.size());
  CHECK(total_requested <= 64 * bytes.size());
  // Loading it into a network names the first missing tensor.
  CHECK(load(path).message.find("is missing") != std::string::npos);
}

TEST_CASE("every fuzz seed and every input the fuzzer crashed on loads or throws diffuse::Error") {
  const fs::path root = fs::path(DIFFUSE_TEST_DATA_DIR) / "..";
  int files = 0;
  for (const fs::path& dir : {root / "fuzz" / "corpus", root / "data" / "fuzz"}) {
    if (!fs::exists(dir)) continue;
    for (const auto& f : fs::directory_iterator(dir)) {
      if (!f.is_regular_file() || f.path().extension() == ".md") continue;
      ++files;
      const LoadResult r = load(f.path().string());
      INFO(f.path().string() << ": " << r.message);
      CHECK((r.message == "ok" || r.message.rfind("diffuse::load_", 0) == 0));
      CHECK(r.largest <= std::max<std::uintmax_t>(4 * fs::file_size(f.path()), 16384));
    }
  }
  CHECK(files >= 10);
}

namespace {

// A network large enough (about 17 MB as F32) that a save takes many write() calls.
diffuse::Mlp<float, diffuse::Relu> big_net(std::uint64_t seed) {
  Rng rng(seed);
  return diffuse::Mlp<float, diffuse::Relu>({.widths = {2, 2048, 2048, 2}}, rng);
}

// Loads `path` into a fresh big network and returns its parameters (or an empty vector with the message).
diffuse::Vector<float> load_big(const std::string& path, std::string& message) {
  auto net = big_net(1000);
  net.parameters().setZero();
  try {
    diffuse::load_checkpoint(path, net);
  } catch (const diffuse::Error& e) {
    message = e.what();
    return {};
  }
  return net.parameters();
}

}  // namespace

namespace {

// The temporary files of saves to `path` ("<path>.tmp.<random>") present in its folder.
std::vector<fs::path> temporaries(const std::string& path) {
  std::vector<fs::path> found;
  const std::string prefix = fs::path(path).filename().string() + ".tmp";
  for (const auto& f : fs::directory_iterator(fs::path(path).parent_path()))
    if (f.path().filename().string().rfind(prefix, 0) == 0) found.push_back(f.path());
  return found;
}

void remove_temporaries(const std::string& path) {
  for (const auto& f : temporaries(path)) fs::remove(f);
}

}  // namespace

TEST_CASE("a save killed mid-write leaves the previous checkpoint intact") {
  auto a = big_net(1), b = big_net(2);
  REQUIRE(a.parameters() != b.parameters());
  const std::string path = scratch("atomic.safetensors");
  diffuse::save_checkpoint(path, a);
  const auto full_size = fs::file_size(path);
  remove_temporaries(path);

  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child saves b over and over until it is killed (bounded, should the parent fail).
    for (int i = 0; i < 200; ++i) diffuse::save_checkpoint(path, b);
    _exit(0);
  }
  // Wait until a temporary file is partly written, then kill the child with no warning.
  bool partial = false;
  for (long polls = 0; polls < 100000000L && !partial; ++polls) {
    for (const auto& tmp : temporaries(path)) {
      std::error_code ec;
      const auto size = fs::file_size(tmp, ec);
      partial = partial || (!ec && size > 0 && size < full_size);
    }
    if (waitpid(child, nullptr, WNOHANG) == child) break;
    sched_yield();
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(partial);
  CHECK(WIFSIGNALED(status));

  // The checkpoint is complete: exactly a (the kill came before any rename) or exactly b.
  std::string message;
  const diffuse::Vector<float> loaded = load_big(path, message);
  INFO(message);
  REQUIRE(loaded.size() == a.parameters().size());
  CHECK((loaded == a.parameters() || loaded == b.parameters()));
  // A later save succeeds next to the killed save's temporary file and leaves none of its own.
  const auto stale = temporaries(path).size();
  diffuse::save_checkpoint(path, a);
  CHECK(temporaries(path).size() == stale);
  CHECK(load_big(path, message) == a.parameters());
  remove_temporaries(path);
}

TEST_CASE("a failed save throws, removes its temporary file and leaves the previous checkpoint intact") {
  Rng rng(4);
  auto a = diffuse::score_net_2d<double>(rng, 4);
  auto b = diffuse::score_net_2d<double>(rng, 4);
  const std::string path = scratch("blocked.safetensors");
  diffuse::save_checkpoint(path, a, diffuse::Dtype::F64);
  remove_temporaries(path);
  // The last weight is NaN: the save fails after most of the file is written.
  b.parameters()(b.parameters().size() - 1) = std::numeric_limits<double>::quiet_NaN();
  std::string message = "no exception";
  try {
    diffuse::save_checkpoint(path, b, diffuse::Dtype::F64);
  } catch (const diffuse::Error& e) {
    message = e.what();
  }
  CHECK(message.rfind("diffuse::save_safetensors: tensor", 0) == 0);
  CHECK(temporaries(path).empty());
  auto loaded = diffuse::score_net_2d<double>(rng, 4);
  diffuse::load_checkpoint(path, loaded);
  CHECK(loaded.parameters() == a.parameters());
  // A folder that does not exist: the temporary file cannot be created.
  message = "no exception";
  try {
    diffuse::save_checkpoint(scratch("no_such_folder/x.safetensors"), a);
  } catch (const diffuse::Error& e) {
    message = e.what();
  }
  CHECK(message.rfind("diffuse::save_safetensors: cannot create a temporary file", 0) == 0);
}

TEST_CASE("concurrent saves to one path always leave one complete checkpoint and no temporary files") {
  auto a = big_net(1), b = big_net(2);
  const std::string path = scratch("concurrent.safetensors");
  diffuse::save_checkpoint(path, a);
  remove_temporaries(path);
  // Two processes with two threads each save a or b eight times; the parent reads meanwhile.
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      int failures = 0;
      auto work = [&](diffuse::Mlp<float, diffuse::Relu>& net) {
        for (int i = 0; i < 8; ++i) {
          try {
            diffuse::save_checkpoint(path, net);
          } catch (const std::exception&) {
            ++failures;
          }
        }
      };
      std::thread other([&] { work(p == 0 ? a : b); });
      work(p == 0 ? b : a);
      other.join();
      _exit(failures == 0 ? 0 : 1);
    }
    children.push_back(child);
  }
  int reads = 0, bad_reads = 0;
  for (bool running = true; running; ++reads) {
    std::string message;
    const diffuse::Vector<float> loaded = load_big(path, message);
    bad_reads += (loaded == a.parameters() || loaded == b.parameters()) ? 0 : 1;
    running = false;
    for (const pid_t c : children) running = running || waitpid(c, nullptr, WNOHANG) == 0;
  }
  for (const pid_t c : children) {
    int status = 0;
    waitpid(c, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));  // no save failed
  }
  CHECK(reads > 0);
  CHECK(bad_reads == 0);
  CHECK(temporaries(path).empty());
  std::string message;
  const diffuse::Vector<float> last = load_big(path, message);
  CHECK((last == a.parameters() || last == b.parameters()));
}

TEST_CASE("saving through a symbolic link replaces the file it names and keeps the link") {
  Rng rng(6);
  auto a = diffuse::score_net_2d<double>(rng, 4);
  auto b = diffuse::score_net_2d<double>(rng, 4);
  const std::string target = scratch("link_target.safetensors"), link = scratch("link.safetensors");
  diffuse::save_checkpoint(target, a, diffuse::Dtype::F64);
  fs::remove(link);
  fs::create_symlink(fs::path(target).filename(), link);  // a relative link
  diffuse::save_checkpoint(link, b, diffuse::Dtype::F64);
  CHECK(fs::is_symlink(link));
  auto loaded = diffuse::score_net_2d<double>(rng, 4);
  diffuse::load_checkpoint(target, loaded);
  CHECK(loaded.parameters() == b.parameters());
  CHECK(temporaries(link).empty());
  CHECK(temporaries(target).empty());
}

TEST_CASE("a diverging fit() stops with an error naming the step and never writes a NaN checkpoint") {
  Rng rng(3);
  diffuse::Mlp<double, diffuse::Silu> net({.widths = {3, 16, 2}}, rng);
  diffuse::DenoisingObjective objective(
      diffuse::VpProcess<double>(),
      diffuse::DenoisingOptions<double>{.model = {.input = diffuse::NoiseInput::time}, .draw = diffuse::NoiseDraw::uniform_time});
  diffuse::Dataset<double> data(rng.normal<double>(2, 64));
  diffuse::Sgd<double> opt({}, net.parameters().size());
  const std::string path = scratch("diverging.safetensors");
  fs::remove(path);
  std::string message = "no exception";
  try {
    diffuse::fit(net, objective, data, opt, diffuse::ConstantLr(1e30), {.steps = 200}, rng,
                 diffuse::SaveCheckpoint(net, path, 1));
  } catch (const diffuse::Error& e) {
    message = e.what();
  }
  INFO(message);
  // Either fit() stops on non-finite values, or the checkpoint refuses weights beyond float's range.
  CHECK((message.rfind("diffuse::fit: non-finite ", 0) == 0 ||
         message.rfind("diffuse::save_safetensors: tensor 'net.0.weight' has a non-finite value", 0) == 0));
  REQUIRE(fs::exists(path));  // the steps before the failure were saved
  auto loaded = diffuse::Mlp<double, diffuse::Silu>({.widths = {3, 16, 2}}, rng);
  diffuse::load_checkpoint(path, loaded);
  CHECK(loaded.parameters().allFinite());
}
