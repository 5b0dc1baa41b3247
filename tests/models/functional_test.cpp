// Tests for Functional models (tkeras::Model(inputs, outputs)): graphs, shared layers, nesting, cuts, files, errors.
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/add.h"
#include "tkeras/layers/concatenate.h"
#include "tkeras/layers/conv2d.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/dropout.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/pooling1d.h"
#include "tkeras/layers/pooling2d.h"
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

namespace {

// The model, small: an image and 4 numbers in, a label and a size out.
struct TwoHeads {
  KerasTensor image = tkeras::Input({6, 6, 1}, {.name = "image"});
  KerasTensor meta = tkeras::Input({4}, {.name = "meta"});
  std::unique_ptr<Model> model;

  TwoHeads() {
    KerasTensor x = layers::Conv2D(4, 3, {.padding = "same", .activation = "relu"})(image);
    KerasTensor r = layers::Conv2D(4, 3, {.padding = "same"})(x);
    x = layers::GlobalAveragePooling2D()(layers::Activation("relu")(layers::Add()({x, r})));
    x = layers::Concatenate()({x, layers::Dense(8, "relu")(meta)});
    KerasTensor label = layers::Dense(3, "softmax", {.name = "label"})(x);
    KerasTensor size = layers::Dense(1, {.name = "size"})(x);
    model = std::make_unique<Model>(tkeras::KerasTensors{image, meta}, tkeras::KerasTensors{label, size});
  }
};

struct TwoHeadsData {
  torch::Tensor image, meta, label, size;
};

TwoHeadsData two_heads_data(int64_t n) {
  torch::manual_seed(11);
  TwoHeadsData data{torch::rand({n, 6, 6, 1}), torch::randn({n, 4}), torch::randint(3, {n}), torch::Tensor()};
  data.size = data.image.flatten(1).mean(1, /*keepdim=*/true);
  return data;
}

}  // namespace

TEST_CASE("a model of two inputs and two outputs trains with a loss per output, logged by Keras's names") {
  tkeras::utils::set_random_seed(8);
  TwoHeads net;
  Model& model = *net.model;
  CHECK(model.input_names() == std::vector<std::string>{"image", "meta"});
  CHECK(model.output_names() == std::vector<std::string>{"label", "size"});
  model.compile({.optimizer = "adam",
                 .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}},
                 .loss_weights = {{"label", 1.0}, {"size", 0.5}},
                 .metrics = {{"label", {"accuracy"}}}});
  const TwoHeadsData data = two_heads_data(40);
  const tkeras::History history =
      model.fit({{"image", data.image}, {"meta", data.meta}}, {{"label", data.label}, {"size", data.size}},
                {.epochs = 3, .batch_size = 8, .validation_split = 0.25, .verbose = 0});
  std::vector<std::string> keys;
  for (const auto& [key, values] : history.history) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"label_accuracy", "label_loss", "loss", "size_loss", "val_label_accuracy",
                                         "val_label_loss", "val_loss", "val_size_loss"});
  // The loss is the weighted sum of the outputs' losses.
  for (size_t epoch = 0; epoch < 3; ++epoch) {
    CHECK(history.history.at("val_loss")[epoch] == doctest::Approx(history.history.at("val_label_loss")[epoch] +
                                                                   0.5 * history.history.at("val_size_loss")[epoch])
                                                       .epsilon(1e-5));
  }
  // By position, the same as by name.
  const tkeras::Logs by_name = model.evaluate({{"image", data.image}, {"meta", data.meta}},
                                              {{"label", data.label}, {"size", data.size}}, {.verbose = 0});
  const tkeras::Logs by_position = model.evaluate({data.image, data.meta}, {data.label, data.size}, {.verbose = 0});
  CHECK(by_name.at("loss") == doctest::Approx(by_position.at("loss")));
  const tkeras::Data predicted = model.predict({data.image, data.meta}, {.verbose = 0});
  CHECK(predicted.names() == std::vector<std::string>{"label", "size"});
  CHECK(predicted["label"].sizes() == torch::IntArrayRef{40, 3});
  CHECK(torch::allclose(predicted["label"].sum(1), torch::ones({40})));
  CHECK(predicted["size"].sizes() == torch::IntArrayRef{40, 1});
  // One tensor for a model of two outputs is refused, naming the way to get both.
  CHECK_THROWS_WITH_AS(model.predict(data.image, {.verbose = 0}),
                       doctest::Contains("takes 2 inputs (image, meta), received one tensor"), tkeras::Error);
}

TEST_CASE("data for a model of several inputs is checked by name and count before anything runs") {
  TwoHeads net;
  Model& model = *net.model;
  model.compile({.optimizer = "adam", .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}}});
  const TwoHeadsData data = two_heads_data(8);
  const tkeras::Data targets = {{"label", data.label}, {"size", data.size}};
  CHECK_THROWS_WITH_AS(model.fit({{"image", data.image}}, targets, {.verbose = 0}),
                       doctest::Contains("x has no tensor for \"meta\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      model.fit({{"image", data.image}, {"meta", data.meta}, {"extra", data.meta}}, targets, {.verbose = 0}),
      doctest::Contains("x has a tensor for \"extra\", which is not one of the model's inputs"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit({data.image}, targets, {.verbose = 0}),
                       doctest::Contains("takes 2 tensors (image, meta), received 1 tensor(s) as x"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit({data.image, data.meta}, {data.label}, {.verbose = 0}),
                       doctest::Contains("output takes 2 tensors (label, size), received 1"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit({data.meta, data.image}, targets, {.verbose = 0}),
                       doctest::Contains("input \"image\" expects shape (None, 6, 6, 1), received a tensor of shape "
                                         "[8, 4]"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.loss = {{"label", "mse"}}}),
                       doctest::Contains("loss has no loss for the output \"size\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.compile({.loss = "mse", .loss_weights = {{"sizes", 1.0}}}),
                       doctest::Contains("loss_weights names \"sizes\", which is not an output"), tkeras::Error);
}

TEST_CASE("a dataset of named inputs and targets trains a model of two inputs and two outputs as its tensors do") {
  const TwoHeadsData data = two_heads_data(40);
  const tkeras::Data x = {{"image", data.image}, {"meta", data.meta}};
  const tkeras::Data y = {{"label", data.label}, {"size", data.size}};
  const tkeras::Data w = {{"label", torch::rand({40})}, {"size", torch::rand({40}) * 2}};
  const auto trained = [&](bool through_dataset) {
    tkeras::utils::set_random_seed(8);
    TwoHeads net;
    Model& model = *net.model;
    model.compile({.optimizer = "adam",
                   .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}},
                   .loss_weights = {{"label", 1.0}, {"size", 0.5}},
                   .metrics = {{"label", {"accuracy"}}},
                   .weighted_metrics = {"mae"}});
    tkeras::History history;
    tkeras::Logs evaluated;
    if (through_dataset) {
      const auto dataset = tkeras::data::Dataset::from_tensor_slices(x, y, w).batch(8);
      history = model.fit(dataset, {.epochs = 2, .verbose = 0});
      evaluated = model.evaluate(dataset, {.verbose = 0});
    } else {
      history = model.fit(x, y, {.epochs = 2, .batch_size = 8, .shuffle = false, .sample_weight = w, .verbose = 0});
      evaluated = model.evaluate(x, y, {.batch_size = 8, .verbose = 0, .sample_weight = w});
    }
    return std::pair{history, evaluated};
  };
  const auto [from_tensors, evaluated_tensors] = trained(false);
  const auto [from_dataset, evaluated_dataset] = trained(true);
  REQUIRE(from_dataset.history.size() == from_tensors.history.size());
  for (const auto& [key, values] : from_tensors.history) {
    CAPTURE(key);
    for (size_t epoch = 0; epoch < values.size(); ++epoch) {
      CHECK(from_dataset.history.at(key)[epoch] == doctest::Approx(values[epoch]).epsilon(1e-6));
    }
  }
  CHECK(from_tensors.history.count("size_mae") == 1);
  for (const auto& [key, value] : evaluated_tensors) {
    CAPTURE(key);
    CHECK(evaluated_dataset.at(key) == doctest::Approx(value).epsilon(1e-6));
  }
}

TEST_CASE("predict_outputs gives every output of a dataset's batches, named, and predict says to call it") {
  tkeras::utils::set_random_seed(8);
  TwoHeads net;
  Model& model = *net.model;
  const TwoHeadsData data = two_heads_data(20);
  const tkeras::Data x = {{"image", data.image}, {"meta", data.meta}};
  const auto dataset = tkeras::data::Dataset::from_tensor_slices(x).batch(6);
  const tkeras::Data from_dataset = model.predict_outputs(dataset, {.verbose = 0});
  const tkeras::Data from_tensors = model.predict(x, {.verbose = 0});
  CHECK(from_dataset.names() == std::vector<std::string>{"label", "size"});
  CHECK(torch::allclose(from_dataset["label"], from_tensors["label"], 1e-6, 1e-7));
  CHECK(torch::allclose(from_dataset["size"], from_tensors["size"], 1e-6, 1e-7));
  CHECK_THROWS_WITH_AS(model.predict(dataset, {.verbose = 0}),
                       doctest::Contains("has 2 outputs; call predict_outputs(dataset)"), tkeras::Error);
}

TEST_CASE("sample weights go per output by name, and one tensor weighs every output, as Keras") {
  tkeras::utils::set_random_seed(8);
  TwoHeads net;
  Model& model = *net.model;
  model.compile({.optimizer = "adam",
                 .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}},
                 .weighted_metrics = {"mae"}});
  const TwoHeadsData data = two_heads_data(16);
  const tkeras::Data x = {{"image", data.image}, {"meta", data.meta}};
  const tkeras::Data y = {{"label", data.label}, {"size", data.size}};
  const torch::Tensor w = torch::rand({16});
  const auto evaluate = [&](const tkeras::Data& weights) {
    return model.evaluate(x, y, {.batch_size = 16, .verbose = 0, .sample_weight = weights});
  };
  const tkeras::Logs plain = evaluate({});
  const tkeras::Logs one = evaluate(w);
  const tkeras::Logs both = evaluate({{"label", w}, {"size", w}});
  const tkeras::Logs label_only = evaluate({{"label", w}, {"size", torch::ones({16})}});
  for (const auto& [key, value] : one) {
    CAPTURE(key);
    CHECK(both.at(key) == doctest::Approx(value).epsilon(1e-6));
  }
  // Each output's loss is its own samples' losses times its own weights, over the batch size.
  CHECK(label_only.at("label_loss") == doctest::Approx(one.at("label_loss")).epsilon(1e-6));
  CHECK(label_only.at("size_loss") == doctest::Approx(plain.at("size_loss")).epsilon(1e-6));
  CHECK(label_only.at("size_mae") == doctest::Approx(plain.at("size_mae")).epsilon(1e-6));
  CHECK(label_only.at("size_loss") != doctest::Approx(one.at("size_loss")).epsilon(1e-3));
  const torch::Tensor predicted = model.predict(x, {.verbose = 0})["size"];
  const torch::Tensor squared = (predicted - data.size).pow(2).squeeze(1);
  CHECK(one.at("size_loss") == doctest::Approx((squared * w).mean().item<double>()).epsilon(1e-5));
  // As Keras: weights by name must cover every output.
  CHECK_THROWS_WITH_AS(evaluate({{"label", w}}), doctest::Contains("sample_weight has no tensor for \"size\""),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(evaluate({{"label", w}, {"size", torch::ones({15})}}), doctest::Contains("15"), tkeras::Error);
}

TEST_CASE("a dataset of the wrong structure for a model of several inputs is refused naming the inputs") {
  TwoHeads net;
  Model& model = *net.model;
  model.compile({.optimizer = "adam", .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}}});
  const TwoHeadsData data = two_heads_data(8);
  const tkeras::Data y = {{"label", data.label}, {"size", data.size}};
  using tkeras::data::Dataset;
  CHECK_THROWS_WITH_AS(model.fit(Dataset::from_tensor_slices(data.image, y).batch(4), {.verbose = 0}),
                       doctest::Contains("takes 2 tensors (image, meta), received 1 tensor(s) as x"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      model.fit(
          Dataset::from_tensor_slices({{"image", data.image}, {"meta", data.meta}}, {{"label", data.label}}).batch(4),
          {.verbose = 0}),
      doctest::Contains("y has no tensor for \"size\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      model.fit(Dataset::from_tensor_slices({{"image", data.image}, {"meta", data.meta}}, y), {.verbose = 0}),
      doctest::Contains("call .batch(batch_size) on it"), tkeras::Error);
  CHECK_THROWS_WITH_AS(model.fit(Dataset::from_tensor_slices({{"image", data.image}, {"meta", data.meta}}, y).batch(4),
                                 {.class_weight = {{0, 2.0}}, .verbose = 0}),
                       doctest::Contains("class_weight is only supported for a model of one output"), tkeras::Error);
}

TEST_CASE("merges of incompatible shapes are refused when the graph is drawn, naming the layer and the shapes") {
  KerasTensor a = tkeras::Input({16});
  KerasTensor b = tkeras::Input({32});
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum"})({a, b}), doctest::Contains("Add \"sum\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Add({.name = "sum_1"})({a, b}), doctest::Contains("(None, 16)"), tkeras::Error);
}

TEST_CASE("a model of two inputs and two outputs round-trips through tkeras's file and Keras's .keras, compiled") {
  tkeras::utils::set_random_seed(9);
  TwoHeads net;
  Model& model = *net.model;
  model.compile({.optimizer = "adam",
                 .loss = {{"label", "sparse_categorical_crossentropy"}, {"size", "mse"}},
                 .loss_weights = {{"label", 1.0}, {"size", 0.5}},
                 .metrics = {{"label", {"accuracy"}}}});
  const TwoHeadsData data = two_heads_data(16);
  model.fit({data.image, data.meta}, {data.label, data.size}, {.epochs = 1, .batch_size = 8, .verbose = 0});
  tkeras::testing::TempDir dir;
  for (const char* file : {"heads.tkeras", "heads.keras"}) {
    CAPTURE(file);
    model.save((dir.path() / file).string());
    auto loaded = tkeras::models::load_model((dir.path() / file).string());
    const tkeras::Data ours = model.predict({data.image, data.meta}, {.verbose = 0});
    const tkeras::Data theirs = loaded->predict({data.image, data.meta}, {.verbose = 0});
    CHECK(torch::allclose(ours["label"], theirs["label"]));
    CHECK(torch::allclose(ours["size"], theirs["size"]));
    const tkeras::Logs before = model.evaluate({data.image, data.meta}, {data.label, data.size}, {.verbose = 0});
    const tkeras::Logs after = loaded->evaluate({data.image, data.meta}, {data.label, data.size}, {.verbose = 0});
    CHECK(after.at("loss") == doctest::Approx(before.at("loss")));
    CHECK(after.at("label_accuracy") == doctest::Approx(before.at("label_accuracy")));
  }
}

namespace {

// A layer of a user's own: one trainable factor per feature.
class Scale : public layers::Layer {
 public:
  Scale() : Layer("scale") {}
  std::string class_name() const override { return "Scale"; }
  torch::Tensor call(const torch::Tensor& inputs, bool /*training*/) override { return inputs * factor_; }

 protected:
  tkeras::Shape build_weights(const tkeras::Shape& input_shape) override {
    factor_ = add_weight("factor", torch::ones({input_shape.back()}, initializer_options()));
    return input_shape;
  }

 private:
  torch::Tensor factor_;
};

}  // namespace

TEST_CASE("a layer class of your own works in a graph, trains, and loads back through custom_objects") {
  tkeras::utils::set_random_seed(12);
  KerasTensor input = tkeras::Input({3});
  auto scale = std::make_shared<Scale>();
  Model model(input, layers::Dense(1, {.name = "out"})((*scale)(input)));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const torch::Tensor x = torch::randn({16, 3});
  model.fit(x, x.sum(1, /*keepdim=*/true) * 2.0, {.epochs = 2, .batch_size = 4, .verbose = 0});
  CHECK_FALSE(torch::equal(scale->get_weights()[0], torch::ones({3})));

  tkeras::testing::TempDir dir;
  const auto path = (dir.path() / "scaled.tkeras").string();
  model.save(path);
  auto loaded =
      tkeras::models::load_model(path, {.custom_objects = {{"Scale", [] { return std::make_shared<Scale>(); }}}});
  CHECK(torch::allclose(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
  // Without the factory the class is named.
  CHECK_THROWS_WITH_AS(tkeras::models::load_model(path), doctest::Contains("Scale"), tkeras::Error);
  // Held by value, a class tkeras does not know cannot be copied into the graph: the message says how.
  Scale by_value;
  CHECK_THROWS_WITH_AS(by_value(input), doctest::Contains("std::make_shared<Scale>(...)"), tkeras::Error);
}

TEST_CASE("a cut from a model of several inputs keeps the inputs its outputs do not read, as Keras") {
  KerasTensor image = tkeras::Input({3}, {.name = "image"});
  KerasTensor meta = tkeras::Input({2}, {.name = "meta"});
  KerasTensor features = layers::Dense(4, {.name = "features"})(image);
  KerasTensor joined = layers::Concatenate()({features, layers::Dense(4)(meta)});
  Model model({image, meta}, layers::Dense(1)(joined));
  Model cut(model.inputs(), model.get_layer("features")->output());
  // As Keras's layers: the unused InputLayer at the outputs' depth, first there.
  REQUIRE(cut.layers().size() == 3);
  CHECK(cut.layers()[0]->name() == "image");
  CHECK(cut.layers()[1]->name() == "meta");
  CHECK(cut.layers()[2]->name() == "features");
  const torch::Tensor x = torch::randn({5, 3});
  const tkeras::Data out = cut.predict({{"image", x}, {"meta", torch::zeros({5, 2})}}, {.verbose = 0});
  CHECK(torch::allclose(out["features"], (*model.get_layer("features"))(x)));
}

TEST_CASE("the mask operations Keras writes (NotEqual, a mask= argument) are dropped on load, and only those") {
  tkeras::utils::set_random_seed(5);
  KerasTensor tokens = tkeras::Input({5}, {.dtype = "int64"});
  auto embedding = std::make_shared<layers::Embedding>(10, 3, layers::EmbeddingOptions{.mask_zero = true});
  auto pooling = std::make_shared<layers::GlobalAveragePooling1D>();
  Model model(tokens, layers::Dense(2)((*pooling)((*embedding)(tokens))));
  tkeras::Config config = model.get_config();
  // As Keras 3 writes the Embedding's mask: NotEqual(tokens, 0), read by the pooling as mask=.
  const std::string input_name = tokens.layer()->name();
  const tkeras::Config token_tensor = {
      {"class_name", "__keras_tensor__"},
      {"config", {{"shape", {nullptr, 5}}, {"dtype", "int64"}, {"keras_history", {input_name, 0, 0}}}}};
  tkeras::Config not_equal = {{"module", "keras.src.ops.numpy"},
                              {"class_name", "NotEqual"},
                              {"config", {{"name", "not_equal"}}},
                              {"registered_name", "NotEqual"},
                              {"name", "not_equal"},
                              {"inbound_nodes", {{{"args", {token_tensor, 0}}, {"kwargs", tkeras::Config::object()}}}}};
  tkeras::Config& list = config["layers"];
  list.insert(list.begin() + 2, not_equal);
  for (tkeras::Config& entry : list) {
    if (entry.at("name") == pooling->name()) {
      entry["inbound_nodes"][0]["kwargs"]["mask"] = {
          {"class_name", "__keras_tensor__"},
          {"config", {{"shape", {nullptr, 5}}, {"dtype", "bool"}, {"keras_history", {"not_equal", 0, 0}}}}};
    }
  }
  auto loaded = Model::from_config(config);
  CHECK(loaded->layers().size() == model.layers().size());
  loaded->set_weights(model.get_weights());
  const torch::Tensor ids = torch::tensor({{1, 2, 0, 0, 0}, {3, 4, 5, 6, 0}}, torch::kLong);
  CHECK(torch::allclose(loaded->predict(ids, {.verbose = 0}), model.predict(ids, {.verbose = 0})));

  // A NotEqual read as data (here the model's output) is a computation: it is kept, and refused.
  config["output_layers"] = tkeras::Config::array({tkeras::Config::array({"not_equal", 0, 0})});
  CHECK_THROWS_WITH_AS(Model::from_config(config), doctest::Contains("tkeras does not have: NotEqual"), tkeras::Error);
}
