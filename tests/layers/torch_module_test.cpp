// Tests for TorchModule: LibTorch modules (Linear, LSTM, a user's own) as layers that build, train,
// summarise, save and load.
#include "tkeras/layers/torch_module.h"

#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;

namespace {

// A user's own LibTorch module: a residual block with a BatchNorm, so it has buffers too.
struct BlockImpl : torch::nn::Module {
  torch::nn::Linear linear{nullptr};
  torch::nn::BatchNorm1d norm{nullptr};
  explicit BlockImpl(int64_t width) {
    linear = register_module("linear", torch::nn::Linear(width, width));
    norm = register_module("norm", torch::nn::BatchNorm1d(width));
  }
  torch::Tensor forward(const torch::Tensor& x) { return x + torch::relu(norm(linear(x))); }
};
TORCH_MODULE(Block);

tkeras::CompileOptions classifier() {
  return {.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}, .device = "cpu"};
}

}  // namespace

TEST_CASE("a torch::nn::Linear becomes a layer whose weights are the module's parameters") {
  torch::nn::Linear linear(4, 3);
  layers::TorchModule layer(linear);
  CHECK(layer.class_name() == "TorchModule");
  CHECK(layer.module_type() == "Linear");
  CHECK(layer.name().starts_with("torch_module"));
  REQUIRE(layer.weights().size() == 2);
  CHECK(layer.weights()[0].name == "weight");
  CHECK(layer.weights()[0].value.is_same(linear->weight));
  CHECK(layer.weights()[1].value.is_same(linear->bias));
  CHECK(layer.count_params() == 15);
  CHECK(layer.build({4}) == tkeras::Shape{3});
  const torch::Tensor x = torch::randn({5, 4});
  CHECK(torch::equal(layer(x), linear(x)));
}

TEST_CASE("an LSTM's tuple output is adapted with a selector, and its output shape found by a dry run") {
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(3, 6).batch_first(true));
  layers::TorchModule layer(lstm, layers::select<0>, {.name = "encoder"});
  CHECK(layer.name() == "encoder");
  CHECK(layer.module_type() == "LSTM");
  CHECK(layer.build({7, 3}) == tkeras::Shape{7, 6});
  const torch::Tensor x = torch::randn({2, 7, 3});
  CHECK(torch::equal(layer(x), std::get<0>(lstm(x))));
  CHECK(layer.weights().size() == lstm->parameters().size());
}

TEST_CASE("a module's own train and eval modes follow the call, as Keras's wrapper does") {
  torch::nn::Dropout dropout(0.5);
  layers::TorchModule layer(dropout);
  layer.build({10});
  const torch::Tensor x = torch::ones({4, 10});
  CHECK(torch::equal(layer(x, /*training=*/false), x));
  CHECK_FALSE(dropout->is_training());
  tkeras::utils::set_random_seed(1);
  CHECK_FALSE(torch::equal(layer(x, /*training=*/true), x));
  CHECK(dropout->is_training());
}

TEST_CASE("a dry run that fails says which layer, which shape and why") {
  layers::TorchModule layer(torch::nn::Linear(4, 3), {.name = "fc"});
  CHECK_THROWS_WITH_AS(
      layer.build({5}),
      doctest::Contains("TorchModule \"fc\": calling it on input of shape (None, 5) to find its output "
                        "shape failed"),
      tkeras::Error);
}

TEST_CASE("output_shape skips the dry run, as Keras's option does") {
  layers::TorchModule layer(torch::nn::Linear(4, 3), {.output_shape = tkeras::Shape{3}});
  CHECK(layer.build({4}) == tkeras::Shape{3});
}

TEST_CASE("fit trains a wrapped module's parameters, and the optimizer updates the module's own tensors") {
  tkeras::utils::set_random_seed(3);
  const auto data = tkeras::testing::blobs(200, 3, 4, 5);
  torch::nn::Linear hidden(4, 16);
  tkeras::Sequential model({layers::Input({4}), layers::TorchModule(hidden), layers::Dense(3, "softmax")});
  model.compile(classifier());
  const torch::Tensor before = hidden->weight.detach().clone();
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 10, .batch_size = 16, .verbose = 0});
  CHECK(history.history.at("accuracy").back() > 0.9);
  CHECK_FALSE(torch::equal(hidden->weight, before));
  // The module computes with what fit trained: the model's outputs come from its weights.
  const torch::NoGradGuard no_grad;
  const torch::Tensor expected = torch::softmax(
      torch::addmm(model.get_layer(1)->weights()[1].value, hidden(data.x), model.get_layer(1)->weights()[0].value), -1);
  CHECK(torch::allclose(model.predict(data.x, {.verbose = 0}), expected, 1e-5, 1e-6));
}

TEST_CASE("summary lists a wrapped module with its type and parameter count") {
  tkeras::Sequential model({layers::Input({5, 2}),
                            layers::TorchModule(torch::nn::LSTM(torch::nn::LSTMOptions(2, 4).batch_first(true)),
                                                layers::select<0>, {.name = "lstm"}),
                            layers::Flatten(), layers::Dense(1)});
  std::ostringstream out;
  const std::string table = model.summary(out);
  // LSTM(2, 4): 4 gates x (4 x 2 + 4 x 4 + 4 + 4) = 128 parameters.
  const std::string row =
      fmt::format("│ {:<31} │ {:<22} │ {:>13} │", "lstm (TorchModule<LSTM>)", "(None, 5, 4)", "128");
  CHECK(table.find(row) != std::string::npos);
  CHECK(table.find("Total params: 149") != std::string::npos);
}

TEST_CASE("save_weights stores a wrapped module's parameters and buffers as <layer>.<parameter>") {
  const tkeras::testing::TempDir dir;
  const std::string path = (dir.path() / "w.safetensors").string();
  tkeras::Sequential model({layers::Input({3}), layers::TorchModule(Block(3)), layers::Dense(2)});
  model.save_weights(path);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : model.named_weights()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"torch_module.linear.weight", "torch_module.linear.bias",
                                          "torch_module.norm.weight", "torch_module.norm.bias",
                                          "torch_module.norm.running_mean", "torch_module.norm.running_var",
                                          "torch_module.norm.num_batches_tracked", "dense.kernel", "dense.bias"});
  // As Keras's wrapper: the buffers are saved, but the weights are the parameters.
  CHECK(model.get_layer(0)->weights().size() == 4);
  CHECK(model.get_layer(0)->count_params() == 3 * 3 + 3 + 3 + 3);
  tkeras::Sequential again({layers::Input({3}), layers::TorchModule(Block(3)), layers::Dense(2)});
  again.load_weights(path);
  const torch::Tensor x = torch::randn({4, 3});
  CHECK(torch::equal(model.predict(x, {.verbose = 0}), again.predict(x, {.verbose = 0})));
}

TEST_CASE("a whole model with a TorchModule loads with a factory in custom_objects, and names the missing one") {
  const tkeras::testing::TempDir dir;
  const std::string path = (dir.path() / "block.tkeras").string();
  tkeras::utils::set_random_seed(4);
  const auto data = tkeras::testing::blobs(64, 2, 3, 6);
  tkeras::Sequential model({layers::Input({3}), layers::TorchModule(Block(3)), layers::Dense(2, "softmax")});
  model.compile(classifier());
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  model.save(path);

  CHECK_THROWS_WITH_AS(
      tkeras::models::load_model(path),
      doctest::Contains("a TorchModule wrapping a LibTorch module \"Block\" holds C++ code, which a model file cannot; "
                        "pass a factory that makes it again: load_model(path, {.custom_objects = {{\"Block\", "
                        "make_it}}})"),
      tkeras::Error);

  const auto loaded = tkeras::models::load_model(
      path, {.device = "cpu", .custom_objects = {{"Block", [] { return layers::TorchModule(Block(3)); }}}});
  CHECK(torch::equal(loaded->predict(data.x, {.verbose = 0}), model.predict(data.x, {.verbose = 0})));
  CHECK(loaded->get_layer(0)->name() == model.get_layer(0)->name());
  // Training goes on from the saved optimizer state, on both sides alike.
  model.fit(data.x, data.y, {.epochs = 1, .shuffle = false, .verbose = 0});
  loaded->fit(data.x, data.y, {.epochs = 1, .shuffle = false, .verbose = 0});
  CHECK(torch::allclose(loaded->predict(data.x, {.verbose = 0}), model.predict(data.x, {.verbose = 0}), 1e-5, 1e-6));
}

TEST_CASE("a factory whose module does not match the file is refused before any weight changes") {
  const tkeras::testing::TempDir dir;
  const std::string path = (dir.path() / "linear.tkeras").string();
  tkeras::Sequential model({layers::Input({3}), layers::TorchModule(torch::nn::Linear(3, 4)), layers::Dense(2)});
  model.save(path);
  CHECK_THROWS_WITH_AS(
      tkeras::models::load_model(
          path, {.custom_objects = {{"Linear", [] { return layers::TorchModule(torch::nn::Linear(3, 5)); }}}}),
      doctest::Contains("tensor \"torch_module.weight\" has shape [4, 3]; the model expects [5, 3]"), tkeras::Error);
}

TEST_CASE("freezing a TorchModule stops its parameters from requiring grad and from training") {
  const auto data = tkeras::testing::blobs(64, 2, 3, 7);
  torch::nn::Linear frozen(3, 8);
  tkeras::Sequential model({layers::Input({3}), layers::TorchModule(frozen), layers::Dense(2, "softmax")});
  model.get_layer(0)->set_trainable(false);
  CHECK_FALSE(frozen->weight.requires_grad());
  model.compile(classifier());
  const torch::Tensor before = frozen->weight.detach().clone();
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  CHECK(torch::equal(frozen->weight, before));
  CHECK(model.trainable_weights().size() == 2);
}
