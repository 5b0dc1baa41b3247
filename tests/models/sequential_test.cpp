// Tests for Sequential: building, adding layers, the layer API (get_layer, trainable), models inside models.
#include "tkeras/models/sequential.h"

#include <iostream>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/batch_normalization.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lstm.h"

namespace layers = tkeras::layers;

TEST_CASE("a leading Input builds the model at once and is not listed as a layer") {
  tkeras::Sequential model({layers::Input({28, 28}), layers::Flatten(), layers::Dense(10)});
  CHECK(model.built());
  CHECK(model.layers().size() == 2);
  CHECK(model.input_shape() == tkeras::Shape{28, 28});
  CHECK(model.output_shape() == tkeras::Shape{10});
}

TEST_CASE("without Input the model is built by build() or by the first data it sees") {
  tkeras::Sequential model({layers::Dense(4), layers::Dense(2)});
  CHECK_FALSE(model.built());
  CHECK_THROWS_WITH_AS(model.input_shape(), doctest::Contains("input_shape is unknown until it is built"),
                       tkeras::Error);
  model.build({3});
  CHECK(model.built());
  CHECK(model.count_params() == 3 * 4 + 4 + 4 * 2 + 2);

  tkeras::Sequential lazy({layers::Dense(2)});
  lazy.predict(torch::zeros({1, 7}), {.verbose = 0});
  CHECK(lazy.input_shape() == tkeras::Shape{7});
}

TEST_CASE("add appends layers, building them when the model is already built") {
  tkeras::Sequential model;
  model.add(layers::Input({5}));
  model.add(layers::Dense(3, "relu"));
  model.add(layers::Activation("softmax"));
  CHECK(model.output_shape() == tkeras::Shape{3});
  CHECK(model.output_layer().activation() == "softmax");
  CHECK(model.weights().size() == 2);
  CHECK(model.weights()[0].name == model.layers()[0]->name() + "/kernel");
}

TEST_CASE("an Input anywhere but first is refused") {
  tkeras::Sequential model({layers::Dense(3)});
  CHECK_THROWS_WITH_AS(model.add(layers::Input({2})),
                       fmt::format("Sequential \"{}\": expected Input as the first layer only, received it after 1 "
                                   "layer(s)",
                                   model.name())
                           .c_str(),
                       tkeras::Error);
}

TEST_CASE("build with another shape than the Input's is refused") {
  tkeras::Sequential model({layers::Input({4}), layers::Dense(2)});
  CHECK_THROWS_WITH_AS(model.build({5}),
                       doctest::Contains("built for input shape (None, 4), received input shape (None, 5)"),
                       tkeras::Error);
  tkeras::Sequential declared;
  declared.add(layers::Input({4}));
  CHECK_THROWS_WITH_AS(declared.build({5}), doctest::Contains("expected input shape (None, 4), received (None, 5)"),
                       tkeras::Error);
}

TEST_CASE("models get unique Keras-style names") {
  const tkeras::Sequential a;
  const tkeras::Sequential b;
  CHECK(a.name().starts_with("sequential"));
  CHECK(a.name() != b.name());
}

TEST_CASE("call runs the layers in order, and call_without_activation stops before the last activation") {
  tkeras::Sequential model({layers::Input({3}), layers::Dense(4, "relu"), layers::Dense(2, "softmax")});
  const torch::Tensor x = torch::randn({5, 3});
  const torch::NoGradGuard no_grad;
  CHECK(torch::allclose(model(x), torch::softmax(model.call_without_activation(x, false), -1)));
}

TEST_CASE("a shared layer stays inspectable after it is added") {
  auto dense = std::make_shared<layers::Dense>(2);
  tkeras::Sequential model({layers::Input({3}), dense});
  CHECK(dense->built());
  CHECK(model.layers()[0] == dense);
}

TEST_CASE("get_layer finds a layer by name or by index, as Keras's") {
  tkeras::Sequential model({layers::Input({4}), layers::Dense(3), layers::Dense(2)});
  CHECK(model.get_layer(model.layers()[1]->name()) == model.layers()[1]);
  CHECK(model.get_layer(0) == model.layers()[0]);
  CHECK_THROWS_WITH_AS(model.get_layer("nope"),
                       fmt::format("Sequential \"{}\": no layer named \"nope\"; its layers are: {}, {}", model.name(),
                                   model.layers()[0]->name(), model.layers()[1]->name())
                           .c_str(),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.get_layer(2), doctest::Contains("expected a layer index in 0..1, received 2"),
                       tkeras::Error);
}

TEST_CASE("two layers of one name in a model are refused, as Keras refuses them") {
  const auto dense = std::make_shared<layers::Dense>(2);
  tkeras::Sequential model({dense});
  const std::string expected = "should have unique names; \"" + dense->name() + "\" is already the name of a layer";
  CHECK_THROWS_WITH_AS(model.add(dense), doctest::Contains(expected.c_str()), tkeras::Error);
}

namespace {

tkeras::Sequential build_classifier(int64_t classes) {
  tkeras::Sequential model({layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(classes, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  return model;  // a model is movable: returned by value, as Keras users return one from a function
}

}  // namespace

TEST_CASE("a function builds, compiles and returns a model by value") {
  tkeras::Sequential model = build_classifier(3);
  CHECK(model.compiled());
  CHECK(model.named_parameters().size() == 4);
  const auto data = tkeras::testing::blobs(32, 3, 4, 31);
  CHECK_NOTHROW(model.fit(data.x, data.y, {.epochs = 1, .verbose = 0}));
  tkeras::Sequential moved(std::move(model));
  CHECK(moved.optimizer_iterations() == 1);
}

TEST_CASE("a frozen layer keeps its weights through fit, also when frozen or unfrozen between fits") {
  tkeras::utils::set_random_seed(32);
  const auto data = tkeras::testing::blobs(64, 3, 4, 32);
  tkeras::Sequential model = build_classifier(3);
  const auto first = model.get_layer(0);
  const auto last = model.get_layer(1);
  model.fit(data.x, data.y, {.epochs = 1, .verbose = 0});

  first->set_trainable(false);
  const std::vector<torch::Tensor> frozen = first->get_weights();
  const std::vector<torch::Tensor> last_before = last->get_weights();
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  CHECK(torch::equal(first->get_weights()[0], frozen[0]));
  CHECK(torch::equal(first->get_weights()[1], frozen[1]));
  CHECK_FALSE(torch::equal(last->get_weights()[0], last_before[0]));

  first->set_trainable(true);
  model.fit(data.x, data.y, {.epochs = 1, .verbose = 0});
  CHECK_FALSE(torch::equal(first->get_weights()[0], frozen[0]));
  CHECK(model.optimizer_iterations() == 4 * 2);
}

TEST_CASE("summary's trainable and non-trainable counts follow freezing") {
  tkeras::Sequential model({layers::Input({4}), layers::Dense(8), layers::BatchNormalization(), layers::Dense(2)});
  std::ostringstream out;
  CHECK(model.summary(out).find("Trainable params: 74 (296.00 B)\n Non-trainable params: 16 (64.00 B)") !=
        std::string::npos);
  model.get_layer(0)->set_trainable(false);
  CHECK(model.summary(out).find("Trainable params: 34 (136.00 B)\n Non-trainable params: 56 (224.00 B)") !=
        std::string::npos);
  model.set_trainable(false);
  CHECK(model.trainable_weights().empty());
  CHECK(model.summary(out).find("Trainable params: 0 (0.00 B)\n Non-trainable params: 90 (360.00 B)") !=
        std::string::npos);
}

TEST_CASE("a model is a layer of another model: built, summarised, trained, frozen") {
  tkeras::utils::set_random_seed(33);
  auto base = std::make_shared<tkeras::Sequential>(
      std::initializer_list<layers::AnyLayer>{layers::Input({4}), layers::Dense(8, "relu"), layers::Dense(6, "relu")});
  tkeras::Sequential model({layers::Input({4}), base, layers::Dense(3, "softmax")});
  CHECK(model.output_shape() == tkeras::Shape{3});
  CHECK(model.named_parameters().keys() ==
        std::vector<std::string>{"sequential.dense.kernel", "sequential.dense.bias", "sequential.dense_1.kernel",
                                 "sequential.dense_1.bias", "dense.kernel", "dense.bias"});
  CHECK(model.weights()[0].name == base->name() + "/" + base->get_layer(0)->name() + "/kernel");
  std::ostringstream out;
  const std::string table = model.summary(out);
  CHECK(table.find(fmt::format("│ {:<31} │ {:<22} │ {:>13} │", base->name() + " (Sequential)", "(None, 6)", "94")) !=
        std::string::npos);

  base->set_trainable(false);
  CHECK_FALSE(base->get_layer(1)->trainable());
  CHECK(model.trainable_weights().size() == 2);
  const auto data = tkeras::testing::blobs(64, 3, 4, 33);
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .device = "cpu"});
  const std::vector<torch::Tensor> base_weights = base->get_weights();
  model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  const std::vector<torch::Tensor> after = base->get_weights();
  for (size_t i = 0; i < after.size(); ++i) CHECK(torch::equal(after[i], base_weights[i]));
}

TEST_CASE("a model with every layer frozen fits without updating anything, and says so, as Keras") {
  const auto data = tkeras::testing::blobs(32, 3, 4, 34);
  tkeras::Sequential model = build_classifier(3);
  model.set_trainable(false);
  const std::vector<torch::Tensor> before = model.get_weights();
  std::ostringstream captured;
  std::streambuf* const previous = std::cerr.rdbuf(captured.rdbuf());
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 2, .verbose = 0});
  std::cerr.rdbuf(previous);
  CHECK(history.history.at("loss").size() == 2);
  CHECK(history.history.at("loss")[0] == doctest::Approx(history.history.at("loss")[1]));
  CHECK(captured.str().find("does not have any trainable weights") != std::string::npos);
  CHECK(model.optimizer_iterations() == 0);
  for (size_t i = 0; i < before.size(); ++i) CHECK(torch::equal(model.get_weights()[i], before[i]));
}

TEST_CASE("Sequential passes a mask from layer to layer until one does not support masking") {
  torch::manual_seed(4);
  const torch::Tensor ids = torch::tensor({{0, 0, 3, 4}, {5, 6, 7, 8}});
  // Dense passes the mask to the LSTM, which then skips the two padding steps of the first row.
  tkeras::Sequential masked({layers::Embedding(10, 3, {.mask_zero = true}), layers::Dense(3), layers::LSTM(2)});
  masked.build({4});
  tkeras::Sequential unpadded({layers::Embedding(10, 3), layers::Dense(3), layers::LSTM(2)});
  unpadded.build({2});
  unpadded.set_weights(masked.get_weights());
  const torch::Tensor out = masked.predict(ids, {.verbose = 0});
  CHECK(torch::allclose(out[0], unpadded.predict(ids.narrow(1, 2, 2), {.verbose = 0})[0], 1e-6, 1e-6));
  CHECK_FALSE(masked.compute_mask(ids, {}).defined());
  tkeras::Sequential sequences(
      {layers::Embedding(10, 3, {.mask_zero = true}), layers::LSTM(2, {.return_sequences = true})});
  sequences.build({4});
  CHECK(torch::equal(sequences.compute_mask(ids, {}), ids != 0));
  // Flatten does not support masking, as in Keras: the mask ends there.
  tkeras::Sequential flattened({layers::Embedding(10, 3, {.mask_zero = true}), layers::Flatten()});
  flattened.build({4});
  CHECK_FALSE(flattened.call_and_mask(ids, {}, false).second.defined());
}
