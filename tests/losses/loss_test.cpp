// Tests for tkeras/losses/loss.h: Keras's names and reductions, configs of every class, and a loss
// of one's own through LossFunction.
#include "tkeras/losses/loss.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/losses/regression.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

namespace losses = tkeras::losses;

namespace {

// A loss of one's own: the mean of cubed absolute errors.
class CubedError : public losses::LossFunction {
 public:
  std::string class_name() const override { return "CubedError"; }
  std::string name() const override { return "cubed_error"; }
  torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const override {
    return (y_pred - y_true).abs().pow(3).mean(-1);
  }
};

}  // namespace

TEST_CASE("every Keras loss name and alias is known, and an unknown one lists them") {
  const std::vector<std::string> names = losses::Loss::names();
  for (const char* name : {"binary_crossentropy",
                           "bce",
                           "BCE",
                           "binary_focal_crossentropy",
                           "categorical_crossentropy",
                           "categorical_focal_crossentropy",
                           "sparse_categorical_crossentropy",
                           "kl_divergence",
                           "kld",
                           "KLD",
                           "poisson",
                           "mean_squared_error",
                           "mse",
                           "MSE",
                           "mean_absolute_error",
                           "mae",
                           "MAE",
                           "mean_absolute_percentage_error",
                           "mape",
                           "MAPE",
                           "mean_squared_logarithmic_error",
                           "msle",
                           "MSLE",
                           "cosine_similarity",
                           "log_cosh",
                           "huber",
                           "hinge",
                           "squared_hinge",
                           "categorical_hinge",
                           "dice",
                           "tversky",
                           "circle",
                           "ctc"}) {
    CAPTURE(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
  CHECK(losses::Loss("Huber").name() == "huber");  // a class name, as keras.losses.get takes it
  CHECK(losses::Loss("kld").class_name() == "KLDivergence");
  CHECK_THROWS_WITH_AS(losses::Loss("crossentropy"),
                       doctest::Contains("compile: unknown loss \"crossentropy\"; expected one of: BCE, KLD, MAE"),
                       tkeras::Error);
}

TEST_CASE("every loss class's config reads back into the same loss") {
  for (const std::string& name : losses::Loss::names()) {
    CAPTURE(name);
    const losses::Loss loss(name);
    const tkeras::Config config = loss.get_config();
    CHECK(config["name"] == loss.name());
    CHECK(config["reduction"] == "sum_over_batch_size");
    CHECK(losses::Loss::from_config(config).get_config() == config);
  }
  // Files of earlier tkeras wrote from_logits: false for every loss.
  CHECK(losses::Loss::from_config({{"name", "mean_absolute_error"}, {"from_logits", false}}).name() ==
        "mean_absolute_error");
  CHECK_THROWS_WITH_AS(losses::Loss::from_config({{"name", "huber"}, {"delta", -1.0}}),
                       "Huber: expected a positive delta, received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(losses::Loss::from_config({{"name", "huber"}, {"delta", "big"}}),
                       "Huber: expected delta as a number, received \"big\"", tkeras::Error);
}

TEST_CASE("Keras's reductions: over the values, the sum, over the weights' sum, or none") {
  const torch::Tensor y = torch::zeros({3, 2});
  const torch::Tensor p = torch::tensor({{1.0f, 3.0f}, {2.0f, 2.0f}, {0.0f, 4.0f}});
  const torch::Tensor w = torch::tensor({1.0f, 0.5f, 2.0f});
  const torch::Tensor each = torch::tensor({5.0f, 4.0f, 8.0f});  // each sample's mean squared error
  const auto with = [](const char* reduction) { return losses::MeanSquaredError({.reduction = reduction}); };
  CHECK(with("sum_over_batch_size")(y, p, w).item<double>() == doctest::Approx((5 + 2 + 16) / 3.0));
  CHECK(with("mean")(y, p, w).item<double>() == doctest::Approx((5 + 2 + 16) / 3.0));
  CHECK(with("sum")(y, p, w).item<double>() == doctest::Approx(5 + 2 + 16));
  CHECK(with("mean_with_sample_weight")(y, p, w).item<double>() == doctest::Approx((5 + 2 + 16) / 3.5));
  CHECK(with("mean_with_sample_weight")(y, p).item<double>() == doctest::Approx(17 / 3.0));
  CHECK(with("none")(y, p).equal(each));
  CHECK(with("none")(y, p, w).equal(each * w));
  // Keras's None is "none"; an absent reduction is the default.
  CHECK(losses::Loss::from_config({{"name", "mse"}, {"reduction", nullptr}}).reduction() == "none");
  CHECK(losses::Loss::from_config({{"name", "mse"}}).reduction() == "sum_over_batch_size");
  CHECK_THROWS_WITH_AS(with("average"),
                       "expected a loss reduction among sum_over_batch_size, sum, mean, mean_with_sample_weight and "
                       "none, received \"average\"",
                       tkeras::Error);
}

TEST_CASE("a loss function of one's own is a loss, reduced and weighted as Keras's") {
  const losses::Loss loss(std::make_shared<CubedError>());
  const torch::Tensor y = torch::zeros({2, 1});
  const torch::Tensor p = torch::tensor({{1.0f}, {-2.0f}});
  CHECK(loss(y, p).item<double>() == doctest::Approx(4.5));
  CHECK(loss(y, p, torch::tensor({2.0f, 0.0f})).item<double>() == doctest::Approx(1.0));
  CHECK(loss.get_config() == tkeras::Config{{"name", "cubed_error"}, {"reduction", "sum_over_batch_size"}});
  CHECK_THROWS_WITH_AS(losses::Loss(std::shared_ptr<const losses::LossFunction>()),
                       "Loss: expected a loss function, received null", tkeras::Error);

  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model({tkeras::layers::Input({2}), tkeras::layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = loss});
  const torch::Tensor x = torch::randn({16, 2});
  const tkeras::History history = model.fit(x, x.sum(1, true), {.epochs = 3, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  // A model file keeps it by its class name, as Keras keeps a Loss subclass; loading it needs a
  // factory (tests/saving/custom_objects_test.cpp).
  const tkeras::testing::TempDir dir;
  for (const char* file : {"model.keras", "model.tkeras"}) {
    CAPTURE(file);
    model.save((dir.path() / file).string());
    CHECK_THROWS_WITH_AS(tkeras::models::load_model((dir.path() / file).string()),
                         doctest::Contains("loss class \"CubedError\" is not supported by tkeras (a loss of one's "
                                           "own needs a factory in load_model's custom_objects, under \"CubedError\")"),
                         tkeras::Error);
    const auto loaded = tkeras::models::load_model((dir.path() / file).string(),
                                                   {.custom_objects = {{"CubedError", [] { return CubedError(); }}}});
    CHECK(loaded->evaluate(x, x.sum(1, true), {.verbose = 0}).at("loss") ==
          doctest::Approx(model.evaluate(x, x.sum(1, true), {.verbose = 0}).at("loss")));
  }
}

TEST_CASE("a loss written as a function is a loss, named as given, and a factory makes it again") {
  const losses::Loss loss([](const torch::Tensor& y, const torch::Tensor& p) { return (y - p).abs().mean(-1); },
                          "mean_abs", "sum");
  CHECK(loss.is_function());
  CHECK(loss.name() == "mean_abs");
  CHECK(loss.class_name() == "LossFunctionWrapper");
  const torch::Tensor y = torch::zeros({2, 2});
  const torch::Tensor p = torch::tensor({{1.0f, 3.0f}, {-2.0f, 0.0f}});
  CHECK(loss(y, p).item<double>() == doctest::Approx(3.0));  // (2 + 1), summed
  CHECK_FALSE(losses::Loss("mse").is_function());
  const losses::LossFactory factory = [](const torch::Tensor& y_true, const torch::Tensor& y_pred) {
    return (y_true - y_pred).square().mean(-1);
  };
  CHECK(factory.is_function());
  const losses::Loss made = factory({{"name", "squares"}, {"reduction", "sum"}});
  CHECK(made.name() == "squares");
  CHECK(made.reduction() == "sum");
  CHECK(made(y, p).item<double>() == doctest::Approx(7.0));
  const losses::LossFactory of_class = [](const tkeras::Config&) { return std::make_shared<CubedError>(); };
  CHECK_FALSE(of_class.is_function());
  CHECK(of_class({{"name", "cubed_error"}, {"reduction", "mean"}}).reduction() == "mean");
  CHECK_THROWS_WITH_AS(of_class({{"reduction", "most"}}), doctest::Contains("most"), tkeras::Error);
}

TEST_CASE("compile refuses a loss that leaves one value per sample, as Keras's torch trainer cannot train on it") {
  tkeras::Sequential model({tkeras::layers::Input({2}), tkeras::layers::Dense(1)});
  CHECK_THROWS_WITH_AS(model.compile({.optimizer = "sgd", .loss = losses::MeanSquaredError({.reduction = "none"})}),
                       "compile: the loss MeanSquaredError has reduction \"none\", which leaves one value per sample; "
                       "training needs one number (sum_over_batch_size, mean, sum or mean_with_sample_weight)",
                       tkeras::Error);
}
