// Tests for Lambda: a C++ callable as a layer, its dry-run shape, and saving it through custom_objects.
#include "tkeras/layers/lambda.h"

#include <doctest/doctest.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;

namespace {

torch::Tensor add_axis(const torch::Tensor& x) { return x.unsqueeze(-1); }

}  // namespace

TEST_CASE("a Lambda applies its function and has no weights") {
  layers::Lambda scale([](const torch::Tensor& x) { return x * 400.0; }, {.name = "scale"});
  CHECK(scale.name() == "scale");
  CHECK(scale.class_name() == "Lambda");
  CHECK(scale.build({3}) == tkeras::Shape{3});
  CHECK(scale.weights().empty());
  const torch::Tensor x = torch::randn({2, 3});
  CHECK(torch::equal(scale(x), x * 400.0));
}

TEST_CASE("a Lambda's output shape comes from a dry run, as Keras's") {
  layers::Lambda axis(add_axis);
  CHECK(axis.name().starts_with("lambda"));
  CHECK(axis.build({20}) == tkeras::Shape{20, 1});
  // A function the meta device cannot run is tried on real zeros.
  layers::Lambda on_cpu([](const torch::Tensor& x) {
    if (x.is_meta()) throw std::runtime_error("no meta kernel");
    return x.sum(-1);
  });
  CHECK(on_cpu.build({4, 5}) == tkeras::Shape{4});
}

TEST_CASE("a Lambda that drops the batch axis or throws is refused with the layer's name") {
  layers::Lambda drops([](const torch::Tensor& x) { return x.sum(); }, {.name = "drops"});
  CHECK_THROWS_WITH_AS(drops.build({3}),
                       doctest::Contains("Lambda \"drops\": calling it on input of shape (None, 3) to find its output "
                                         "shape failed: expected an output of shape [batch, ...]"),
                       tkeras::Error);
  layers::Lambda throws([](const torch::Tensor&) -> torch::Tensor { throw std::runtime_error("bad"); },
                        {.name = "throws"});
  CHECK_THROWS_WITH_AS(throws.build({3}), doctest::Contains("Lambda \"throws\": calling it"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Lambda(nullptr), "Lambda: expected a function, received an empty one", tkeras::Error);
}

TEST_CASE("a model with Lambda layers trains, as the time-series course's does") {
  tkeras::utils::set_random_seed(5);
  const torch::Tensor x = torch::rand({64, 8});
  const torch::Tensor y = x.sum(1, true) * 400.0;
  tkeras::Sequential model({layers::Input({8}), layers::Lambda(add_axis, {.name = "add_axis"}),
                            layers::Lambda([](const torch::Tensor& t) { return t.squeeze(-1); }), layers::Dense(1),
                            layers::Lambda([](const torch::Tensor& t) { return t * 400.0; }, {.name = "scale"})});
  CHECK(model.output_shape() == tkeras::Shape{1});
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.01}), .loss = "mse", .device = "cpu"});
  const tkeras::History history = model.fit(x, y, {.epochs = 30, .batch_size = 16, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front() / 10);
}

TEST_CASE("saving refuses nothing, and load_model asks for the Lambda's function by its name") {
  const tkeras::testing::TempDir dir;
  const std::string path = (dir.path() / "lambda.tkeras").string();
  tkeras::Sequential model({layers::Input({3}), layers::Dense(2),
                            layers::Lambda([](const torch::Tensor& t) { return t * 2.0; }, {.name = "double"})});
  model.save(path);
  CHECK_THROWS_WITH_AS(
      tkeras::models::load_model(path),
      doctest::Contains("a Lambda \"double\" holds C++ code, which a model file cannot; pass a factory "
                        "that makes it again: load_model(path, {.custom_objects = {{\"double\", "
                        "make_it}}})"),
      tkeras::Error);
  const auto loaded = tkeras::models::load_model(
      path, {.custom_objects = {{"double", [](const tkeras::Config& config) {
                                   CHECK(config.at("name") == "double");
                                   return layers::Lambda([](const torch::Tensor& t) { return t * 2.0; });
                                 }}}});
  CHECK(loaded->get_layer(1)->name() == "double");
  const torch::Tensor x = torch::randn({4, 3});
  CHECK(torch::equal(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
}
