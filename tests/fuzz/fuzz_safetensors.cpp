// libFuzzer target for the safetensors loader: any byte string given as a file must either load
// or throw diffuse::Error; never crash, read out of bounds, overflow, or allocate more than the
// file size (run with -malloc_limit_mb well below the sanitizer's limits; see run.sh).
//
// Each input is read as a raw file by SafetensorsFile::read, then loaded into a small network
// (two tensors, as a state dict "net.0.weight" [2, 2], "net.0.bias" [2]) and as an Adam state,
// which exercises the name, shape and dtype checks of checkpoint.hpp after the layout checks.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <diffuse/nn/checkpoint.hpp>

namespace {

// The least Checkpointable network: a 2x2 weight and a bias of 2 in one flat vector.
struct TinyNet {
  using Scalar = float;
  diffuse::Vector<float> theta = diffuse::Vector<float>::Zero(6);
  std::vector<diffuse::TensorSpec> tensors() const { return {{"net.0.weight", {2, 2}, 0}, {"net.0.bias", {2}, 4}}; }
  diffuse::Vector<float>& parameters() { return theta; }
};

// The input lives in an anonymous in-memory file, reached through /proc/self/fd: no disk I/O.
const std::string& input_path() {
  static const std::string path = [] {
    const int fd = memfd_create("diffuse_fuzz", 0);
    if (fd < 0) std::abort();
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void write_input(const std::uint8_t* data, std::size_t size) {
  const int fd = std::stoi(input_path().substr(input_path().rfind('/') + 1));
  if (ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_input(data, size);
  try {
    const diffuse::SafetensorsFile file = diffuse::SafetensorsFile::read(input_path());
    // Touch every tensor's bytes, as a user converting the whole file would.
    for (const auto& entry : file.entries()) {
      if (entry.dtype == diffuse::Dtype::F32) {
        std::vector<float> values(static_cast<std::size_t>(entry.count()));
        file.copy_to(entry, values.data());
      } else {
        std::vector<double> values(static_cast<std::size_t>(entry.count()));
        file.copy_to(entry, values.data());
      }
    }
  } catch (const diffuse::Error&) {
  }
  try {
    TinyNet net;
    diffuse::load_checkpoint(input_path(), net);
  } catch (const diffuse::Error&) {
  }
  try {
    TinyNet net;
    diffuse::Adam<float> adam({}, 6);
    diffuse::load_optimizer_state(input_path(), adam, net.tensors());
  } catch (const diffuse::Error&) {
  }
  return 0;
}
