// The safetensors reader and writer, and what the model does with a checkpoint that does not fit.
#include "engine/safetensors.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "engine/adam.h"
#include "model/brain_detection_model.h"

using namespace braincam;
using Catch::Matchers::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("braincam_test_" + name)).string();
}

// A safetensors file from a header written by hand and `data_bytes` zero bytes of data.
std::vector<std::uint8_t> file_with_header(const std::string& header, std::size_t data_bytes,
                                           std::uint64_t declared_len = ~0ull) {
  const std::uint64_t len = declared_len == ~0ull ? header.size() : declared_len;
  std::vector<std::uint8_t> bytes(8 + header.size() + data_bytes, 0);
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(len >> (8 * i));
  std::copy(header.begin(), header.end(), bytes.begin() + 8);
  return bytes;
}

std::string parse_error(const std::vector<std::uint8_t>& bytes) {
  try {
    parse_safetensors(bytes.data(), bytes.size(), "damaged.safetensors");
  } catch (const SafetensorsError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("safetensors round trip keeps names, dtypes, shapes, values and metadata") {
  StateDict dict;
  dict["a.weight"] = Tensor::from_vector({2, 3}, {1, -2, 3.5, 4, 5, 6}, DType::F32);
  dict["b"] = Tensor::from_vector({3}, {0.1, 0.2, 0.3}, DType::F64);
  dict["count"] = Tensor::full({}, 42, DType::I64);
  dict["pixels"] = Tensor::from_vector({2, 2}, {0, 7, 128, 255}, DType::U8);
  dict["empty"] = Tensor({0, 4}, DType::F32);
  const std::string path = temp_path("roundtrip.safetensors");
  write_safetensors(path, dict, {{"epoch", "3"}});
  const Safetensors back = read_safetensors(path);
  REQUIRE(back.metadata.at("epoch") == "3");
  REQUIRE(back.tensors.size() == dict.size());
  for (const auto& [name, t] : dict) {
    const Tensor& b = back.tensors.at(name);
    CHECK(b.dtype() == t.dtype());
    CHECK(b.shape() == t.shape());
    CHECK(b.to_vector() == t.to_vector());
  }
  std::filesystem::remove(path);
}

TEST_CASE("damaged safetensors files are rejected with the problem named") {
  const std::string good = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  REQUIRE(parse_error(file_with_header(good, 8)) == "no error");

  CHECK_THAT(parse_error({1, 2, 3}), Contains("damaged.safetensors") && Contains("too short"));
  CHECK_THAT(parse_error(file_with_header(good, 8, 1ull << 40)), Contains("header length"));
  CHECK_THAT(parse_error(file_with_header(good, 8, 5000)), Contains("does not fit"));
  CHECK_THAT(parse_error(file_with_header("{not json", 0)), Contains("not valid JSON"));
  CHECK_THAT(parse_error(file_with_header("[1,2]", 0)), Contains("not a JSON object"));
  CHECK_THAT(parse_error(file_with_header(good, 4)),
             Contains("past the data section"));  // truncated
  CHECK_THAT(parse_error(file_with_header(good, 12)), Contains("unused bytes"));
  CHECK_THAT(
      parse_error(file_with_header(R"({"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4)),
      Contains("unsupported dtype 'F16'"));
  CHECK_THAT(
      parse_error(file_with_header(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
      Contains("8 bytes for shape [3]"));
  CHECK_THAT(parse_error(
                 file_with_header(R"({"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8)),
             Contains("non-negative"));
  CHECK_THAT(
      parse_error(file_with_header(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8)),
      Contains("begin after they end"));
  CHECK_THAT(parse_error(file_with_header(R"({"x":{"dtype":"F32","shape":[2]}})", 8)),
             Contains("missing \"data_offsets\""));
  CHECK_THAT(
      parse_error(file_with_header(
          R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
          12)),
      Contains("overlaps"));
  CHECK_THAT(
      parse_error(file_with_header(
          R"({"x":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,8]}})",
          8)),
      Contains("too large"));
  CHECK_THAT(parse_error(file_with_header(R"({"__metadata__":{"k":1}})", 0)),
             Contains("not a string"));
}

TEST_CASE("a missing file is an error naming it") {
  CHECK_THROWS_WITH(read_safetensors("/nonexistent/w.safetensors"),
                    Contains("/nonexistent/w.safetensors") && Contains("cannot open"));
}

TEST_CASE("the model refuses checkpoints whose names or shapes do not match") {
  ModelShape small{.height = 32, .width = 32};
  BrainDetectionModel model(small);
  StateDict dict = model.state_dict();
  REQUIRE_NOTHROW(model.load_state_dict(dict, "ok.safetensors"));

  StateDict missing = dict;
  missing.erase("fc.bias");
  CHECK_THROWS_WITH(model.load_state_dict(missing, "m.safetensors"),
                    Contains("m.safetensors") && Contains("missing tensor 'fc.bias'"));

  StateDict wrong_shape = dict;
  wrong_shape["conv1.weight"] = Tensor::zeros({32, 3, 3, 3}, DType::F32);
  CHECK_THROWS_WITH(model.load_state_dict(wrong_shape, "s.safetensors"),
                    Contains("conv1.weight") && Contains("[32x3x3x3]"));

  StateDict wrong_dtype = dict;
  wrong_dtype["fc.bias"] = Tensor::zeros({1}, DType::I64);
  CHECK_THROWS_WITH(model.load_state_dict(wrong_dtype, "d.safetensors"), Contains("dtype I64"));

  StateDict extra = dict;
  extra["conv2.weight"] = Tensor::zeros({1}, DType::F32);
  CHECK_THROWS_WITH(model.load_state_dict(extra, "e.safetensors"),
                    Contains("unexpected tensor 'conv2.weight'"));
}

TEST_CASE("the model refuses checkpoints with NaN or infinite weights, naming the tensor") {
  ModelShape small{.height = 32, .width = 32};
  BrainDetectionModel model(small);
  const StateDict dict = model.state_dict();
  for (const double bad :
       {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::quiet_NaN()}) {
    StateDict weights = dict;
    weights["fc.weight"] = dict.at("fc.weight").clone();
    weights["fc.weight"].data<float>()[3] = static_cast<float>(bad);
    CHECK_THROWS_WITH(
        model.load_state_dict(weights, "w.safetensors"),
        Contains("w.safetensors") && Contains("'fc.weight'") && Contains("at element 3"));
  }
  StateDict running = dict;
  running["bn1.running_var"] = Tensor::full({32}, std::nan(""), DType::F32);
  CHECK_THROWS_WITH(model.load_state_dict(running, "r.safetensors"),
                    Contains("r.safetensors") && Contains("'bn1.running_var'") && Contains("NaN"));
  StateDict tracked = dict;
  tracked["bn1.num_batches_tracked"] = Tensor::full({}, -1, DType::I64);
  CHECK_THROWS_WITH(model.load_state_dict(tracked, "t.safetensors"),
                    Contains("t.safetensors") && Contains("num_batches_tracked"));
}

TEST_CASE("Adam refuses optimizer state with NaN or infinite moments") {
  BrainDetectionModel model(ModelShape{.height = 32, .width = 32});
  Adam optimizer(model.parameters(), AdamOptions{});
  StateDict state;
  for (const auto& p : model.parameters()) {
    state["optim.exp_avg." + p.name] = Tensor::zeros(p.var.value().shape(), DType::F32);
    state["optim.exp_avg_sq." + p.name] = Tensor::zeros(p.var.value().shape(), DType::F32);
    state["optim.step." + p.name] = Tensor::full({}, 1, DType::I64);
  }
  REQUIRE_NOTHROW(optimizer.load_state_dict(state, "ok.safetensors"));
  state["optim.exp_avg_sq.fc.bias"] = Tensor::full({1}, INFINITY, DType::F32);
  CHECK_THROWS_WITH(optimizer.load_state_dict(state, "o.safetensors"),
                    Contains("o.safetensors") && Contains("'optim.exp_avg_sq.fc.bias'"));
}

TEST_CASE("a folder given as a file to read is an error naming it") {
  const std::filesystem::path dir = temp_path("folder.safetensors");
  std::filesystem::create_directories(dir);
  CHECK_THROWS_WITH(read_safetensors(dir.string()),
                    Contains(dir.string()) && Contains("not a regular file"));
  CHECK_THROWS_WITH(read_file(dir), Contains(dir.string()) && Contains("not a regular file"));
  std::filesystem::remove(dir);
}

TEST_CASE("a failed write leaves the old file as it was") {
  const std::string path = temp_path("atomic.txt");
  write_file_atomically(path, [](std::ostream& out) { out << "old"; });
  CHECK_THROWS(write_file_atomically(path, [](std::ostream& out) {
    out << "half";
    throw std::runtime_error("disk full");
  }));
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "old");
  // No temporary file stays behind.
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    CHECK_FALSE(entry.path().filename().string().starts_with(".braincam_test_atomic.txt.tmp"));
  std::filesystem::remove(path);
}
