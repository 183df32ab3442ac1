// CSV, NPY and JSON files: lossless round trips, byte-exact NPY headers, NumPy reading our files
// and us reading NumPy's, exact JSON text; the progress bar's line format.
#include "support/catch.hpp"

#include <diffuse/core/rng.hpp>
#include <diffuse/io.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

using diffuse::Matrix;

const std::filesystem::path scratch = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "io";

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

template <class S>
Matrix<S> awkward_batch() {
  diffuse::Rng rng(5);
  Matrix<S> m = rng.normal<S>(3, 17) * S(1e3);
  m(0, 0) = S(0.1);
  m(1, 0) = std::numeric_limits<S>::min();
  m(2, 0) = std::numeric_limits<S>::max();
  m(0, 1) = S(-0.0);
  m(1, 1) = std::numeric_limits<S>::denorm_min();
  m(2, 1) = S(1) / S(3);
  return m;
}

}  // namespace

TEMPLATE_TEST_CASE("CSV round trips are lossless with samples as rows", "", float, double) {
  const Matrix<TestType> m = awkward_batch<TestType>();
  // One file per type: ctest runs the float and double instances in parallel.
  const auto path = scratch / ("batch_" + std::to_string(sizeof(TestType)) + ".csv");
  diffuse::write_csv(path, m, {"x", "y, quoted \"name\"", "z"});
  const diffuse::CsvTable<TestType> table = diffuse::read_csv<TestType>(path);
  CHECK(table.names == std::vector<std::string>{"x", "y, quoted \"name\"", "z"});
  REQUIRE(table.data.rows() == 3);
  REQUIRE(table.data.cols() == 17);
  CHECK(table.data == m);
  // One sample per line: header + 17 lines; the first line after the header is sample 0.
  const std::string text = read_bytes(path);
  CHECK(std::count(text.begin(), text.end(), '\n') == 18);
  CHECK(text.substr(0, text.find('\n')) == "x,\"y, quoted \"\"name\"\"\",z");
}

TEST_CASE("CSV reading rejects ragged rows, text fields and missing files") {
  const auto path = scratch / "bad.csv";
  std::ofstream(path) << "a,b\n1,2\n3\n";
  CHECK_THROWS_AS(diffuse::read_csv(path), diffuse::Error);
  std::ofstream(path) << "a,b\n1,two\n";
  CHECK_THROWS_AS(diffuse::read_csv(path), diffuse::Error);
  std::ofstream(path) << "";
  CHECK_THROWS_AS(diffuse::read_csv(path), diffuse::Error);
  CHECK_THROWS_AS(diffuse::read_csv(scratch / "missing.csv"), diffuse::Error);
  CHECK_THROWS_AS(diffuse::write_csv(path, Matrix<double>::Zero(2, 2), {"only one"}), diffuse::Error);
  // Windows line endings and default names.
  std::ofstream(path) << "a,b\r\n1.5, 2\r\n";
  const auto table = diffuse::read_csv(path);
  CHECK(table.data(0, 0) == 1.5);
  CHECK(table.data(1, 0) == 2.0);
  diffuse::write_csv(path, Matrix<double>::Zero(2, 1));
  CHECK(read_bytes(path) == "x0,x1\n0,0\n");
}

TEST_CASE("the NPY header is byte-exact") {
  std::string expected("\x93NUMPY\x01\x00v\x00", 10);
  expected += "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
  expected += std::string(128 - 10 - 59 - 1, ' ');
  expected += '\n';
  CHECK(diffuse::detail::npy_header("<f8", {3, 2}) == expected);
  Matrix<float> m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const auto path = scratch / "header.npy";
  diffuse::write_npy(path, m);
  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() == 128 + 6 * 4);
  std::string f4 = expected;
  f4[23] = '4';  // '<f8' -> '<f4'
  CHECK(bytes.substr(0, 128) == f4);
  // Data: sample 0 = (1, 4), sample 1 = (2, 5), ... row by row, little-endian float32.
  float values[6];
  std::memcpy(values, bytes.data() + 128, sizeof(values));
  CHECK(std::vector<float>(values, values + 6) == std::vector<float>{1, 4, 2, 5, 3, 6});
  // Long first dimensions eat into numpy's 21 characters of growth room; still 64-aligned.
  for (const long n : {1L, 99999L, 123456789012L})
    CHECK(diffuse::detail::npy_header("<f4", {n, 7}).size() % 64 == 0);
}

TEMPLATE_TEST_CASE("NPY round trips are lossless", "", float, double) {
  const Matrix<TestType> m = awkward_batch<TestType>();
  // One file per type: ctest runs the float and double instances in parallel.
  const auto path = scratch / ("batch_" + std::to_string(sizeof(TestType)) + ".npy");
  diffuse::write_npy(path, m);
  const Matrix<TestType> back = diffuse::read_npy<TestType>(path);
  CHECK(back == m);
  CHECK(diffuse::read_npy<double>(path) == m.template cast<double>());
}

TEST_CASE("NPY reading rejects bad files") {
  const auto path = scratch / "bad.npy";
  std::ofstream(path, std::ios::binary) << "not numpy at all";
  CHECK_THROWS_AS(diffuse::read_npy(path), diffuse::Error);
  Matrix<double> m = Matrix<double>::Ones(2, 4);
  diffuse::write_npy(path, m);
  std::string bytes = read_bytes(path);
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  CHECK_THROWS_AS(diffuse::read_npy(path), diffuse::Error);
  bytes.replace(bytes.find("<f8"), 3, "<i8");
  std::ofstream(path, std::ios::binary) << bytes;
  CHECK_THROWS_AS(diffuse::read_npy(path), diffuse::Error);
  CHECK_THROWS_AS(diffuse::read_npy(scratch / "missing.npy"), diffuse::Error);
}

TEST_CASE("numpy reads our NPY files and we read numpy's") {
#ifndef DIFFUSE_SYSTEM_PYTHON
  WARN("skipped: no system python found by CMake");
#else
  const std::string python = DIFFUSE_SYSTEM_PYTHON;
  if (std::system((python + " -c \"import numpy\" 2>/dev/null").c_str()) != 0) {
    WARN("skipped: " + python + " has no numpy");
    return;
  }
  Matrix<double> m(2, 3);
  m << 0.1, 0.2, 0.3, -1.5, 2.5, 1e-300;
  diffuse::write_npy(scratch / "ours_f8.npy", m);
  diffuse::write_npy(scratch / "ours_f4.npy", Matrix<float>(m.cast<float>()));
  const std::string dir = scratch.string();
  // numpy: our files have shape (n, d) = (3, 2), row i = sample i; np.save of the same arrays
  // gives byte-identical files; then numpy writes files for us (C and Fortran order, 1-D).
  const std::string script =
      "import numpy as np, sys, io\n"
      "d = sys.argv[1]\n"
      "a = np.array([[0.1, -1.5], [0.2, 2.5], [0.3, 1e-300]])\n"
      "for name, x in (('ours_f8', a), ('ours_f4', a.astype(np.float32))):\n"
      "    b = np.load(d + '/' + name + '.npy')\n"
      "    assert b.dtype == x.dtype and b.shape == (3, 2) and np.array_equal(b, x), name\n"
      "    buf = io.BytesIO(); np.save(buf, x)\n"
      "    assert buf.getvalue() == open(d + '/' + name + '.npy', 'rb').read(), name + ' bytes'\n"
      "np.save(d + '/theirs_c.npy', np.arange(12, dtype=np.float32).reshape(4, 3) / 8)\n"
      "np.save(d + '/theirs_f.npy', np.asfortranarray(np.arange(12, dtype=np.float64).reshape(4, 3) / 8))\n"
      "np.save(d + '/theirs_1d.npy', np.array([1.0, 2.0, 4.0]))\n";
  std::ofstream(scratch / "check_npy.py") << script;
  REQUIRE(std::system((python + " " + (scratch / "check_npy.py").string() + " " + dir).c_str()) == 0);
  Matrix<double> expected(3, 4);  // sample i = row i of arange(12).reshape(4, 3) / 8
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) expected(j, i) = (3 * i + j) / 8.0;
  CHECK(diffuse::read_npy<double>(scratch / "theirs_c.npy") == expected);
  CHECK(diffuse::read_npy<double>(scratch / "theirs_f.npy") == expected);
  const Matrix<float> one_d = diffuse::read_npy<float>(scratch / "theirs_1d.npy");
  REQUIRE(one_d.rows() == 1);
  CHECK(one_d == (Matrix<float>(1, 3) << 1, 2, 4).finished());
#endif
}

TEST_CASE("metrics JSON keeps insertion order, round-trips numbers and writes null for NaN") {
  diffuse::JsonObject metrics;
  metrics.set("mmd2", 0.1).set("name", "ddim \"eta=0\"\n").set("steps", 50).set("ok", true);
  metrics.set("nan", std::numeric_limits<double>::quiet_NaN()).set("inf", -std::numeric_limits<double>::infinity());
  metrics.set("third", 1.0 / 3).set("float", 0.1f);
  metrics.set("modes", diffuse::JsonObject().set("covered", 8).set("kl", 1e-300));
  metrics.set("mmd2", 0.25);  // replaced in place
  CHECK(metrics.to_string() ==
        "{\n"
        "  \"mmd2\": 0.25,\n"
        "  \"name\": \"ddim \\\"eta=0\\\"\\n\",\n"
        "  \"steps\": 50,\n"
        "  \"ok\": true,\n"
        "  \"nan\": null,\n"
        "  \"inf\": null,\n"
        "  \"third\": 0.3333333333333333,\n"
        "  \"float\": 0.1,\n"
        "  \"modes\": {\n"
        "    \"covered\": 8,\n"
        "    \"kl\": 1e-300\n"
        "  }\n"
        "}\n");
  CHECK(std::stod("0.3333333333333333") == 1.0 / 3);
  diffuse::JsonObject nested;
  nested.set("inner", diffuse::JsonObject().set("a", 1));
  CHECK_THROWS_AS(diffuse::JsonObject().set("outer", nested), diffuse::Error);
  const auto path = scratch / "json" / "metrics.json";
  metrics.save(path);
  CHECK(read_bytes(path) == metrics.to_string());
#ifdef DIFFUSE_SYSTEM_PYTHON
  const std::string command = std::string(DIFFUSE_SYSTEM_PYTHON) +
                              " -c \"import json, sys; m = json.load(open(sys.argv[1])); "
                              "assert m['third'] == 1/3 and m['nan'] is None and m['modes']['covered'] == 8\" " +
                              path.string();
  CHECK(std::system(command.c_str()) == 0);
#endif
}

TEST_CASE("the progress line shows step, rate, ETA and loss, and summary mode prints one line") {
  CHECK(diffuse::detail::progress_line(50, 200, 10.0, 0.125, 8) == "[##------] 50/200 25% 5.00 it/s ETA 0:30 loss 0.125");
  CHECK(diffuse::detail::progress_line(200, 200, 4000.0, std::numeric_limits<double>::quiet_NaN(), 4) ==
        "[####] 200/200 100% 0.050 it/s");
  CHECK(diffuse::detail::clock_text(3725) == "1:02:05");
  std::ostringstream out;
  {
    diffuse::ProgressBar bar(100, {.label = "train", .mode = diffuse::ProgressMode::summary, .stream = &out});
    for (int i = 1; i <= 100; ++i) bar.update(i, 1.0 / i);
    CHECK(out.str().empty());
  }
  const std::string line = out.str();
  CHECK(line.rfind("train: 100/100 steps in ", 0) == 0);
  CHECK(line.find(", last loss 0.01\n") != std::string::npos);
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  std::ostringstream animated;
  {
    diffuse::ProgressBar bar(3, {.mode = diffuse::ProgressMode::animated, .stream = &animated, .width = 3});
    bar.update(3, 0.5);
  }
  CHECK(animated.str().find("\r[###] 3/3 100%") != std::string::npos);
  CHECK(animated.str().back() == '\n');
  CHECK_THROWS_AS(diffuse::ProgressBar(-1), diffuse::Error);
}

TEST_CASE("recorded noise draws round-trip through a (K, n, d) NPY file that numpy reads as randn_like draws") {
  diffuse::Rng rng(8);
  std::vector<Matrix<double>> draws;
  for (int k = 0; k < 3; ++k) draws.push_back(rng.normal<double>(2, 4));
  const auto path = scratch / "noise_draws.npy";
  diffuse::write_noise_npy(path, draws);
  CHECK(diffuse::read_noise_npy(path) == draws);
  // a 2-D (n, d) file is one draw
  diffuse::write_npy(scratch / "one_draw.npy", draws[1]);
  const auto one = diffuse::read_noise_npy(scratch / "one_draw.npy");
  REQUIRE(one.size() == 1);
  CHECK(one[0] == draws[1]);
  // mixed shapes, no draws and 1-D files are refused
  draws.push_back(rng.normal<double>(4, 2));
  CHECK_THROWS_AS(diffuse::write_noise_npy(path, draws), diffuse::Error);
  CHECK_THROWS_AS(diffuse::write_noise_npy(path, {}), diffuse::Error);
  std::ofstream(scratch / "flat.npy", std::ios::binary) << diffuse::detail::npy_header("<f8", {5}) << std::string(40, '\0');
  CHECK(diffuse::read_npy(scratch / "flat.npy").cols() == 5);  // (5,) is a 1 x 5 batch
  CHECK_THROWS_AS(diffuse::read_noise_npy(scratch / "flat.npy"), diffuse::Error);
  draws.pop_back();
#ifndef DIFFUSE_SYSTEM_PYTHON
  WARN("skipped the numpy half: no system python found by CMake");
#else
  const std::string python = DIFFUSE_SYSTEM_PYTHON;
  if (std::system((python + " -c \"import numpy\" 2>/dev/null").c_str()) != 0) {
    WARN("skipped the numpy half: " + python + " has no numpy");
    return;
  }
  // numpy sees draw k as an (n, d) array, sample j = row j; it writes float32 C and Fortran stacks
  std::ofstream(scratch / "expected_draw.txt") << std::setprecision(17) << draws[2](1, 3);
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "a = np.load(d + '/noise_draws.npy')\n"
      "assert a.shape == (3, 4, 2) and a.dtype == np.float64, a.shape\n"
      "assert a[2, 3, 1] == float(open(d + '/expected_draw.txt').read())\n"
      "b = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8)\n"
      "np.save(d + '/theirs_noise_c.npy', b)\n"
      "np.save(d + '/theirs_noise_f.npy', np.asfortranarray(b))\n";
  std::ofstream(scratch / "check_noise.py") << script;
  REQUIRE(std::system((python + " " + (scratch / "check_noise.py").string() + " " + scratch.string()).c_str()) == 0);
  for (const char* name : {"theirs_noise_c.npy", "theirs_noise_f.npy"}) {
    INFO(name);
    const auto theirs = diffuse::read_noise_npy(scratch / name);
    REQUIRE(theirs.size() == 2);
    // element [k, j, i] = (12 k + 4 j + i) / 8 is coordinate i of sample j in draw k
    CHECK(theirs[1](2, 1) == (12 + 4 + 2) / 8.0);
    CHECK(theirs[0](3, 2) == (8 + 3) / 8.0);
  }
#endif
}
