// Tests for save_weights and load_weights: safetensors files, their byte layout, and the loader's
// checks of every way a file can be wrong; and Keras's .weights.h5.
#include <cstring>
#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/bidirectional.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/gru.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/layers/pooling2d.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

using tkeras::testing::read_bytes;

namespace {

tkeras::Sequential weights_cnn() {
  return tkeras::Sequential({layers::Input({6, 6, 1}), layers::Conv2D(2, 3, {.activation = "relu"}),
                             layers::BatchNormalization(), layers::MaxPooling2D(2), layers::Flatten(),
                             layers::Dense(3, "softmax")});
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string little_endian_u64(uint64_t value) {
  std::string bytes(8, '\0');
  for (size_t i = 0; i < 8; ++i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
  return bytes;
}

// A safetensors file written by hand, byte by byte, from the format's specification.
std::string hand_written_file(const std::string& header, const std::string& data) {
  return little_endian_u64(header.size()) + header + data;
}

}  // namespace

TEST_CASE("weights saved and loaded into a fresh model give bit-identical predictions") {
  const tkeras::testing::TempDir dir;
  tkeras::utils::set_random_seed(1);
  tkeras::Sequential trained = weights_cnn();
  trained.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy"});
  const torch::Tensor x = torch::rand({16, 6, 6, 1});
  trained.fit(x, torch::randint(0, 3, {16}), {.epochs = 2, .batch_size = 4, .verbose = 0});
  const auto path = (dir.path() / "model.weights.safetensors").string();
  trained.save_weights(path);

  tkeras::Sequential fresh = weights_cnn();
  fresh.build({6, 6, 1});
  CHECK_FALSE(torch::equal(fresh.predict(x, {.verbose = 0}), trained.predict(x, {.verbose = 0})));
  fresh.load_weights(path);
  CHECK(torch::equal(fresh.predict(x, {.verbose = 0}), trained.predict(x, {.verbose = 0})));
  // The moving statistics of BatchNormalization travel too.
  const auto fresh_weights = fresh.get_weights();
  const auto trained_weights = trained.get_weights();
  REQUIRE(fresh_weights.size() == trained_weights.size());
  for (size_t i = 0; i < fresh_weights.size(); ++i) CHECK(torch::equal(fresh_weights[i], trained_weights[i]));
}

TEST_CASE("the weights file follows the safetensors specification byte for byte") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3, "relu"), layers::Dense(2)});
  model.build({4});
  const auto path = (dir.path() / "w.safetensors").string();
  model.save_weights(path);
  const std::string bytes = read_bytes(path);

  // 8 bytes: the header length N, little-endian; then N bytes of JSON, padded to 8 with spaces.
  REQUIRE(bytes.size() >= 8);
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  CHECK(length % 8 == 0);
  REQUIRE(8 + length <= bytes.size());
  const std::string header = bytes.substr(8, length);
  CHECK(header.front() == '{');
  const std::string name = "dense";  // the first Dense within the model, whatever its global name
  // Each tensor: dtype, shape in Keras's layout, and offsets into the data after the header.
  CHECK(header.find(fmt::format("\"{}.kernel\":{{\"data_offsets\":[0,48],\"dtype\":\"F32\",\"shape\":[4,3]}}", name)) !=
        std::string::npos);
  CHECK(header.find(fmt::format("\"{}.bias\":{{\"data_offsets\":[48,60],\"dtype\":\"F32\",\"shape\":[3]}}", name)) !=
        std::string::npos);
  CHECK(header.find("\"__metadata__\":{") != std::string::npos);
  // The second Dense is `dense_1` within the model.
  CHECK(header.find("\"dense_1.kernel\":{\"data_offsets\":[60,84],\"dtype\":\"F32\",\"shape\":[3,2]}") !=
        std::string::npos);
  // The kernel's bytes are its row-major float32 values.
  const torch::Tensor kernel = model.layers().front()->weights()[0].value.contiguous();
  CHECK(std::memcmp(bytes.data() + 8 + length, kernel.data_ptr(), 48) == 0);
  // 2 x (kernel + bias) = (12 + 3 + 6 + 2) floats, and nothing else after the header.
  CHECK(bytes.size() == 8 + length + (12 + 3 + 6 + 2) * 4);
}

TEST_CASE("a file written by hand from the specification loads") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({2}), layers::Dense(1, "linear", /*use_bias=*/false)});
  model.build({2});
  const std::string name = "dense";
  const float values[2] = {1.5f, -2.0f};
  const std::string header =
      fmt::format("{{\"{}.kernel\":{{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}}}}", name);
  write_bytes(dir.path() / "hand.safetensors",
              hand_written_file(header, std::string(reinterpret_cast<const char*>(values), 8)));
  model.load_weights((dir.path() / "hand.safetensors").string());
  CHECK(torch::equal(model.get_weights()[0], torch::tensor({{1.5f}, {-2.0f}})));
}

TEST_CASE("every kind of bad weights file is an error naming the file, and leaves the model unchanged") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({2}), layers::Dense(1, "linear", /*use_bias=*/false)});
  model.build({2});
  const std::string name = "dense";
  const torch::Tensor before = model.get_weights()[0].clone();
  const auto file = [&](const std::string& bytes) {
    const auto path = (dir.path() / "bad.safetensors").string();
    write_bytes(path, bytes);
    return path;
  };
  const std::string eight_bytes(8, '\x01');
  const auto kernel_header = [&](const std::string& dtype, const std::string& shape, int end) {
    return fmt::format("{{\"{}.kernel\":{{\"dtype\":\"{}\",\"shape\":{},\"data_offsets\":[0,{}]}}}}", name, dtype,
                       shape, end);
  };

  SUBCASE("no file") {
    CHECK_THROWS_WITH_AS(model.load_weights((dir.path() / "missing.safetensors").string()),
                         doctest::Contains("cannot open"), tkeras::Error);
  }
  SUBCASE("shorter than the length prefix") {
    CHECK_THROWS_WITH_AS(model.load_weights(file("abc")),
                         doctest::Contains("expected at least 8 bytes (the header length), the file has 3"),
                         tkeras::Error);
  }
  SUBCASE("a header length beyond the file") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(little_endian_u64(1000) + "{}")),
                         doctest::Contains("header length 1000 goes beyond the file's 10 bytes"), tkeras::Error);
  }
  SUBCASE("a huge header length is refused without allocating it") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(little_endian_u64(uint64_t{1} << 62) + "{}")),
                         doctest::Contains("above the limit of 100000000 bytes"), tkeras::Error);
  }
  SUBCASE("a header that is not JSON") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file("{not json", ""))),
                         doctest::Contains("the header is not valid JSON"), tkeras::Error);
  }
  SUBCASE("a header that does not start with an object (wrong magic)") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file("PK\x03\x04", ""))),
                         doctest::Contains("does not start with '{'"), tkeras::Error);
  }
  SUBCASE("a truncated file") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file(kernel_header("F32", "[2,1]", 8), "1234"))),
                         doctest::Contains("the tensors take 8 bytes, the file holds 4 after the header"),
                         tkeras::Error);
  }
  SUBCASE("offsets that do not match the shape") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file(kernel_header("F32", "[2,1]", 4), "1234"))),
                         doctest::Contains("needs 8 bytes, its data_offsets [0, 4] hold 4"), tkeras::Error);
  }
  SUBCASE("a shape whose element count overflows") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file(
                             kernel_header("F32", "[4611686018427387904,4611686018427387904]", 8), eight_bytes))),
                         doctest::Contains("too large"), tkeras::Error);
  }
  SUBCASE("an unknown dtype") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file(kernel_header("F8", "[2,1]", 2), "12"))),
                         doctest::Contains("has dtype \"F8\"; expected one of F64, F32"), tkeras::Error);
  }
  SUBCASE("a dtype that differs from the model's") {
    CHECK_THROWS_WITH_AS(
        model.load_weights(file(hand_written_file(kernel_header("F64", "[2,1]", 16), eight_bytes + eight_bytes))),
        doctest::Contains(fmt::format("tensor \"{}.kernel\" has dtype Double; the model expects Float", name).c_str()),
        tkeras::Error);
  }
  SUBCASE("a shape that differs from the model's") {
    CHECK_THROWS_WITH_AS(
        model.load_weights(file(hand_written_file(kernel_header("F32", "[1,2]", 8), eight_bytes))),
        doctest::Contains(fmt::format("tensor \"{}.kernel\" has shape [1, 2]; the model expects [2, 1]", name).c_str()),
        tkeras::Error);
  }
  SUBCASE("a tensor the model does not have") {
    const std::string header = "{\"other.kernel\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}}";
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file(header, eight_bytes))),
                         doctest::Contains(fmt::format("unexpected tensor \"other.kernel\"").c_str()), tkeras::Error);
  }
  SUBCASE("a weight missing from the file") {
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file("{}", ""))),
                         doctest::Contains(fmt::format("no tensor \"{}.kernel\"", name).c_str()), tkeras::Error);
  }
  SUBCASE("overlapping tensors") {
    const std::string header = fmt::format(
        "{{\"{}.kernel\":{{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}},"
        "\"x\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}}}",
        name);
    CHECK_THROWS_WITH_AS(model.load_weights(file(hand_written_file(header, eight_bytes))),
                         doctest::Contains("overlap or gap"), tkeras::Error);
  }
  CHECK(torch::equal(model.get_weights()[0], before));
}

TEST_CASE("saving or loading the weights of a model that is not built says what to do") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Dense(2)});
  CHECK_THROWS_WITH_AS(model.save_weights((dir.path() / "w").string()),
                       doctest::Contains("needs a built model (call build or fit first)"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.load_weights((dir.path() / "w").string()),
                       doctest::Contains("needs a built model (call build first)"), tkeras::Error);
}

TEST_CASE("saving over an existing weights file replaces it whole and leaves no temporary file") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({3}), layers::Dense(2)});
  model.build({3});
  const auto path = (dir.path() / "w.safetensors").string();
  write_bytes(path, std::string(10000, 'x'));
  model.save_weights(path);
  CHECK(read_bytes(path).size() < 10000);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);
  CHECK_THROWS_WITH_AS(model.save_weights((dir.path() / "no-such-dir" / "w").string()),
                       doctest::Contains("cannot create"), tkeras::Error);
}

namespace {

// Every way tkeras nests weights in Keras's file: a recurrent cell, a Bidirectional's halves, and a
// model inside the model.
tkeras::Sequential sequence_model() {
  return tkeras::Sequential({layers::Input({5}), layers::Embedding(12, 4),
                             layers::Bidirectional(layers::LSTM(3, {.return_sequences = true})), layers::GRU(2),
                             tkeras::Sequential({layers::Dense(3, "relu"), layers::Dense(2)})});
}

}  // namespace

TEST_CASE("weights saved as Keras's .weights.h5 load into a fresh model and predict bit-identically") {
  const tkeras::testing::TempDir dir;
  for (const bool recurrent : {false, true}) {
    CAPTURE(recurrent);
    tkeras::utils::set_random_seed(2);
    tkeras::Sequential trained = recurrent ? sequence_model() : weights_cnn();
    const torch::Tensor x = recurrent ? torch::randint(0, 12, {6, 5}) : torch::rand({6, 6, 6, 1});
    trained.build(recurrent ? tkeras::Shape{5} : tkeras::Shape{6, 6, 1});
    const auto path = (dir.path() / "model.weights.h5").string();
    trained.save_weights(path);
    const std::string bytes = read_bytes(path);
    CHECK(bytes.substr(0, 8) == std::string("\x89HDF\r\n\x1a\n", 8));
    // Keras's group names are in the file's name heap.
    for (const char* group : recurrent ? std::vector<const char*>{"layers", "embedding", "bidirectional",
                                                                  "forward_layer", "cell", "gru", "sequential"}
                                       : std::vector<const char*>{"layers", "conv2d", "batch_normalization", "vars"}) {
      CHECK_MESSAGE(bytes.find(group) != std::string::npos, group);
    }
    tkeras::Sequential fresh = recurrent ? sequence_model() : weights_cnn();
    fresh.build(recurrent ? tkeras::Shape{5} : tkeras::Shape{6, 6, 1});
    CHECK_FALSE(torch::equal(fresh.predict(x, {.verbose = 0}), trained.predict(x, {.verbose = 0})));
    fresh.load_weights(path);
    CHECK(torch::equal(fresh.predict(x, {.verbose = 0}), trained.predict(x, {.verbose = 0})));
  }
}

TEST_CASE("a Keras weights file that does not fit the model, or is not one, is refused and changes nothing") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model({layers::Input({2}), layers::Dense(3), layers::Dense(1)});
  model.build({2});
  const auto before = model.get_weights();
  const auto saved_from = [&](tkeras::Sequential other) {
    other.build({2});
    const auto path = (dir.path() / "other.weights.h5").string();
    other.save_weights(path);
    return path;
  };
  SUBCASE("a layer of another size") {
    CHECK_THROWS_WITH_AS(model.load_weights(saved_from(tkeras::Sequential({layers::Dense(4), layers::Dense(1)}))),
                         doctest::Contains("tensor \"dense.kernel\" has shape [2, 4]; the model expects [2, 3]"),
                         tkeras::Error);
  }
  SUBCASE("a layer more") {
    CHECK_THROWS_WITH_AS(
        model.load_weights(saved_from(tkeras::Sequential({layers::Dense(3), layers::Dense(1), layers::Dense(1)}))),
        doctest::Contains("unexpected dataset \"layers/dense_2/vars/0\""), tkeras::Error);
  }
  SUBCASE("a layer less") {
    CHECK_THROWS_WITH_AS(model.load_weights(saved_from(tkeras::Sequential({layers::Dense(3)}))),
                         doctest::Contains("no dataset \"layers/dense_1/vars/0\" (the weight dense_1.kernel)"),
                         tkeras::Error);
  }
  SUBCASE("HDF5's signature before other bytes, or a file cut short") {
    const auto path = (dir.path() / "bad.weights.h5").string();
    write_bytes(path, std::string("\x89HDF\r\n\x1a\n", 8) + std::string(200, '\x07'));
    CHECK_THROWS_WITH_AS(model.load_weights(path), doctest::Contains("expected an HDF5 file, which libhdf5 could not"),
                         tkeras::Error);
    const std::string whole = read_bytes(saved_from(tkeras::Sequential({layers::Dense(3), layers::Dense(1)})));
    for (const size_t size : {size_t{96}, whole.size() / 2, whole.size() - 1}) {
      CAPTURE(size);
      write_bytes(path, whole.substr(0, size));
      CHECK_THROWS_WITH_AS(model.load_weights(path), doctest::Contains("bad.weights.h5"), tkeras::Error);
    }
  }
  const auto after = model.get_weights();
  for (size_t i = 0; i < before.size(); ++i) CHECK(torch::equal(after[i], before[i]));
}

TEST_CASE("a weights file Keras wrote loads, and one on which libhdf5 asks for terabytes is an error, not a crash") {
  const std::filesystem::path corpus = TKERAS_WEIGHTS_H5_CORPUS;
  tkeras::Sequential model({layers::Input({4, 3}), layers::LSTM(2), layers::Dense(1)});
  model.build({4, 3});
  // Written by Keras 3.15.1's save_weights; the outputs are Keras's predict on the same inputs.
  model.load_weights((corpus / "keras-lstm-dense.weights.h5").string());
  const torch::Tensor x = torch::arange(24, torch::kFloat32).reshape({2, 4, 3}) / 10 - 1;
  const torch::Tensor keras_outputs = torch::tensor({0.01310323178768158, -0.11546061933040619}, torch::kFloat32);
  CHECK(torch::allclose(model.predict(x, {.verbose = 0}).flatten(), keras_outputs, /*rtol=*/1e-5, /*atol=*/1e-6));

  const auto before = model.get_weights();
  // A fuzzer's find: libhdf5 1.10 asks for 2^49 bytes reading it. libhdf5 reads in a child process
  // whose memory is capped, so the request fails there and the load is an error.
  CHECK_THROWS_WITH_AS(model.load_weights((corpus / "libhdf5-asks-for-terabytes.weights.h5").string()),
                       doctest::Contains("libhdf5-asks-for-terabytes.weights.h5"), tkeras::Error);
  const auto after = model.get_weights();
  for (size_t i = 0; i < before.size(); ++i) CHECK(torch::equal(after[i], before[i]));
}
