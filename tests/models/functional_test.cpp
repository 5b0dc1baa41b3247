// Tests for Functional models (tkeras::Model(inputs, outputs)): graphs, shared layers, nesting, cuts, files, errors.
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/model.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;
using tkeras::KerasTensor;
using tkeras::Model;

namespace {

// A chain input -> dense (relu) -> dense_1 (softmax), with the layers' handles.
struct Chain {
  KerasTensor input = tkeras::Input({6});
  std::shared_ptr<layers::Dense> hidden = std::make_shared<layers::Dense>(5, "relu");
  std::shared_ptr<layers::Dense> head = std::make_shared<layers::Dense>(3, "softmax");
  KerasTensor features = (*hidden)(input);
  KerasTensor output = (*head)(features);
};

}  // namespace

TEST_CASE("a Functional chain computes what a Sequential of the same layers computes") {
  tkeras::utils::set_random_seed(3);
  Chain chain;
  Model model(chain.input, chain.output);
  CHECK(model.class_name() == "Functional");
  CHECK(model.built());
  CHECK(model.input_shape() == tkeras::Shape{6});
  CHECK(model.output_shape() == tkeras::Shape{3});
  // As Keras 3: the InputLayer is one of a Functional model's layers.
  REQUIRE(model.layers().size() == 3);
  CHECK(model.layers()[0]->class_name() == "InputLayer");
  CHECK(model.layers()[1] == chain.hidden);
  CHECK(model.layers()[2] == chain.head);

  tkeras::Sequential sequential({layers::Input({6}), layers::Dense(5, "relu"), layers::Dense(3, "softmax")});
  sequential.set_weights(model.get_weights());
  const torch::Tensor x = torch::randn({4, 6});
  CHECK(torch::allclose(model.predict(x, {.verbose = 0}), sequential.predict(x, {.verbose = 0})));
  CHECK(torch::allclose(model(x), (*chain.head)((*chain.hidden)(x))));
  CHECK(model.activation() == "softmax");
}

TEST_CASE("a layer called twice is shared: one set of weights, two calls in the graph") {
  KerasTensor input = tkeras::Input({4});
  auto dense = layers::Dense(4, "tanh");  // by value: its first call puts a copy in the graph
  KerasTensor once = dense(input);
  KerasTensor twice = dense(once);
  CHECK(once.layer() == twice.layer());
  CHECK(once.node_index() == 0);
  CHECK(twice.node_index() == 1);
  CHECK(dense.graph_layer() == once.layer());
  Model model(input, twice);
  CHECK(model.layers().size() == 2);
  CHECK(model.count_params() == 4 * 4 + 4);
  const torch::Tensor x = torch::randn({2, 4});
  const auto& layer = *once.layer();
  CHECK(torch::allclose(
      model(x),
      torch::tanh(torch::tanh(x.mm(layer.get_weights()[0]) + layer.get_weights()[1]).mm(layer.get_weights()[0]) +
                  layer.get_weights()[1])));
}

TEST_CASE("a model cut at an intermediate layer shares its weights with the whole model") {
  Chain chain;
  Model model(chain.input, chain.output);
  Model features(model.inputs(), model.get_layer(chain.hidden->name())->output());
  CHECK(features.output_shape() == tkeras::Shape{5});
  const torch::Tensor x = torch::randn({3, 6});
  CHECK(torch::allclose(features.predict(x, {.verbose = 0}), (*chain.hidden)(x)));
  // Training the whole model moves the cut model's weights too.
  model.compile({.optimizer = "sgd", .loss = "sparse_categorical_crossentropy"});
  const torch::Tensor before = features.get_weights()[0].clone();
  model.fit(x, torch::tensor({0, 1, 2}), {.epochs = 1, .verbose = 0});
  CHECK_FALSE(torch::equal(before, features.get_weights()[0]));
}

TEST_CASE("a new head on a cut model trains with the base frozen") {
  tkeras::utils::set_random_seed(5);
  Chain chain;
  Model base(chain.input, chain.output);
  base.set_trainable(false);
  KerasTensor x = base.get_layer(chain.hidden->name())->output();
  KerasTensor head = layers::Dense(2, "softmax", {.name = "head"})(x);
  Model model(base.inputs(), head);
  CHECK(model.trainable_weights().size() == 2);
  const tkeras::testing::Blobs data = tkeras::testing::blobs(64, 2, 6, 7);
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  const torch::Tensor frozen = chain.hidden->get_weights()[0].clone();
  const tkeras::History history = model.fit(data.x, data.y, {.epochs = 8, .batch_size = 16, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  CHECK(torch::equal(frozen, chain.hidden->get_weights()[0]));
}

TEST_CASE("a Sequential is a layer of a Functional model, and a Functional model a layer of a Sequential") {
  tkeras::utils::set_random_seed(2);
  auto inner = std::make_shared<tkeras::Sequential>(
      std::vector<layers::AnyLayer>{layers::Input({6}), layers::Dense(4, "relu"), layers::Dense(2)});
  KerasTensor input = tkeras::Input({6});
  KerasTensor output = layers::Dense(1)((*inner)(input, {.training = false}));
  auto outer = std::make_shared<Model>(input, output);
  CHECK(outer->layers().size() == 3);
  CHECK(outer->layers()[1] == inner);
  const torch::Tensor x = torch::randn({5, 6});
  CHECK(torch::allclose(outer->predict(x, {.verbose = 0}), (*outer->layers()[2])((*inner)(x))));

  tkeras::Sequential stack({layers::Input({6}), layers::AnyLayer(outer), layers::Dense(3)});
  CHECK(stack.output_shape() == tkeras::Shape{3});
  CHECK(torch::allclose(stack.predict(x, {.verbose = 0}), (*stack.layers()[1])((*outer)(x))));
}

TEST_CASE("a Functional model of a Dropout follows training in fit and inference in predict") {
  KerasTensor input = tkeras::Input({8});
  Model model(input, layers::Dropout(0.5)(input));
  const torch::Tensor x = torch::ones({2, 8});
  CHECK(torch::equal(model.predict(x, {.verbose = 0}), x));
  CHECK_FALSE(torch::equal(model(x, /*training=*/true), x));
}

TEST_CASE("a Functional model round-trips through its config, tkeras's file and Keras's .keras") {
  tkeras::utils::set_random_seed(4);
  Chain chain;
  Model model(chain.input, chain.output, {.name = "chain"});
  const tkeras::Config config = model.get_config();
  CHECK(config.at("name") == "chain");
  CHECK(config.at("layers").size() == 3);
  CHECK(config.at("layers")[1].at("inbound_nodes")[0].at("args")[0].at("config").at("keras_history") ==
        tkeras::Config::array({chain.input.layer()->name(), 0, 0}));
  CHECK(config.at("input_layers") == tkeras::Config::array({chain.input.layer()->name(), 0, 0}));

  auto rebuilt = Model::from_config(config);
  rebuilt->set_weights(model.get_weights());
  const torch::Tensor x = torch::randn({3, 6});
  CHECK(torch::allclose(rebuilt->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
  CHECK(rebuilt->name() == "chain");

  tkeras::testing::TempDir dir;
  for (const char* file : {"chain.tkeras", "chain.keras"}) {
    CAPTURE(file);
    model.save((dir.path() / file).string());
    auto loaded = tkeras::models::load_model((dir.path() / file).string());
    CHECK(loaded->class_name() == "Functional");
    CHECK(torch::allclose(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
  }
}

TEST_CASE("the summary of a chain is Keras's plain table, with the InputLayer's row") {
  Chain chain;
  Model model(chain.input, chain.output, {.name = "chain"});
  std::ostringstream out;
  const std::string summary = model.summary(out);
  CHECK(summary.find(fmt::format("{} (InputLayer)", chain.input.layer()->name())) != std::string::npos);
  CHECK(summary.find("Connected to") == std::string::npos);
  CHECK(summary.find("(None, 6)") != std::string::npos);
  CHECK(summary.find(" Total params: 53 (212.00 B)") != std::string::npos);
}

TEST_CASE("the summary of a graph with a shared layer has Keras's Connected to column") {
  KerasTensor input = tkeras::Input({4}, {.name = "x"});
  auto dense = std::make_shared<layers::Dense>(4, "linear", layers::DenseOptions{.name = "shared"});
  Model model(input, (*dense)((*dense)(input)), {.name = "twice"});
  std::ostringstream out;
  const std::string summary = model.summary(out);
  CHECK(summary.find("Connected to") != std::string::npos);
  CHECK(summary.find("│ shared (Dense)      │ (None, 4)         │         20 │ x[0][0],          │") !=
        std::string::npos);
  CHECK(summary.find("shared[0][0]") != std::string::npos);
}

TEST_CASE("bad graphs are refused before anything runs, naming the layer and the shapes") {
  KerasTensor a = tkeras::Input({4}, {.name = "a"});
  KerasTensor b = tkeras::Input({4}, {.name = "b"});
  KerasTensor from_a = layers::Dense(2, {.name = "from_a"})(a);
  // An output the inputs do not reach.
  CHECK_THROWS_WITH_AS(Model(b, from_a), doctest::Contains("graph disconnected"), tkeras::Error);
  // An input nothing uses.
  CHECK_THROWS_WITH_AS(Model({a, b}, from_a),
                       doctest::Contains("the input KerasTensor(shape=(None, 4), name=b) is "
                                         "not connected to any output"),
                       tkeras::Error);
  // Two layers of one name.
  KerasTensor twin = layers::Dense(2, {.name = "from_a"})(from_a);
  CHECK_THROWS_WITH_AS(Model(a, twin), doctest::Contains("the name \"from_a\" is used 2 times in the model"),
                       tkeras::Error);
  // A built layer called on another shape.
  auto dense = std::make_shared<layers::Dense>(3, "linear", layers::DenseOptions{.name = "narrow"});
  (*dense)(a);
  KerasTensor wide = tkeras::Input({7});
  CHECK_THROWS_WITH_AS((*dense)(wide),
                       doctest::Contains("Dense \"narrow\": built for input shape (None, 4), received "
                                         "input shape (None, 7)"),
                       tkeras::Error);
  // A list to a layer that takes one tensor.
  CHECK_THROWS_WITH_AS((*dense)({a, b}),
                       doctest::Contains("Dense \"narrow\": expected one tensor, received a list of 2"), tkeras::Error);
}

TEST_CASE("a layer's output is the output of its first call, and a layer never called has none") {
  Chain chain;
  CHECK(chain.hidden->output() == chain.features);
  CHECK(chain.hidden->input() == chain.input);
  CHECK(chain.input.layer()->output() == chain.input);
  layers::Dense lonely(2);
  CHECK_THROWS_WITH_AS(lonely.output(), doctest::Contains("it was never called on symbolic tensors"), tkeras::Error);
}

