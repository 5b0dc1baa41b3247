// Tests for tkeras/optimizers/schedules.h: Keras's learning-rate schedules, per step, eager and
// captured, in files and with the callbacks that set the rate.
#include "tkeras/optimizers/schedules.h"

#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "optimizers/train_one_weight.h"
#include "support.h"
#include "tkeras/callbacks/learning_rate_scheduler.h"
#include "tkeras/callbacks/reduce_lr_on_plateau.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"
#include "tkeras/optimizers/sgd.h"
#include "tkeras/saving/load_model.h"

namespace {

namespace schedules = tkeras::optimizers::schedules;
using schedules::LearningRateSchedule;

// One of each class, with options that make every branch of its rule show within 40 steps.
std::vector<LearningRateSchedule> every_schedule() {
  return {
      schedules::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 5, .decay_rate = 0.5}),
      schedules::ExponentialDecay(
          {.initial_learning_rate = 0.1, .decay_steps = 5, .decay_rate = 0.5, .staircase = true}),
      schedules::PiecewiseConstantDecay({.boundaries = {3, 10}, .values = {0.1, 0.05, 0.01}}),
      schedules::PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 12, .power = 2.0}),
      schedules::PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 12, .cycle = true}),
      schedules::InverseTimeDecay({.initial_learning_rate = 0.1, .decay_steps = 4, .decay_rate = 0.5}),
      schedules::InverseTimeDecay(
          {.initial_learning_rate = 0.1, .decay_steps = 4, .decay_rate = 0.5, .staircase = true}),
      schedules::CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 20, .alpha = 0.1}),
      schedules::CosineDecay(
          {.initial_learning_rate = 0.0, .decay_steps = 20, .warmup_target = 0.1, .warmup_steps = 8}),
      schedules::CosineDecayRestarts({.initial_learning_rate = 0.1, .first_decay_steps = 5, .m_mul = 0.5}),
      schedules::CosineDecayRestarts({.initial_learning_rate = 0.1, .first_decay_steps = 5, .t_mul = 1.0}),
  };
}

}  // namespace

TEST_CASE("each learning-rate schedule gives the same rate on the host and from a device step tensor") {
  for (const LearningRateSchedule& schedule : every_schedule()) {
    CAPTURE(schedule.get_config().dump());
    for (int64_t step = 0; step < 40; ++step) {
      CAPTURE(step);
      const double host = schedule(step);
      const double device = schedule(torch::tensor(static_cast<double>(step), torch::kFloat64)).item<double>();
      CHECK(std::isfinite(host));
      CHECK(device == doctest::Approx(host).epsilon(1e-12));
    }
  }
}

TEST_CASE("learning-rate schedules follow Keras's rules at the points that define them") {
  const auto exponential =
      schedules::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 5, .decay_rate = 0.5});
  CHECK(exponential(10) == doctest::Approx(0.025));
  CHECK(exponential(7) == doctest::Approx(0.1 * std::pow(0.5, 1.4)));
  const auto stairs = schedules::ExponentialDecay(
      {.initial_learning_rate = 0.1, .decay_steps = 5, .decay_rate = 0.5, .staircase = true});
  CHECK(stairs(9) == doctest::Approx(0.05));
  // A boundary step still has the value before it.
  const auto piecewise = schedules::PiecewiseConstantDecay({.boundaries = {3, 10}, .values = {0.1, 0.05, 0.01}});
  CHECK(piecewise(3) == 0.1);
  CHECK(piecewise(4) == 0.05);
  CHECK(piecewise(10) == 0.05);
  CHECK(piecewise(11) == 0.01);
  const auto polynomial = schedules::PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 10});
  CHECK(polynomial(5) == doctest::Approx(0.05005));
  CHECK(polynomial(30) == doctest::Approx(0.0001));
  const auto cycling = schedules::PolynomialDecay({.initial_learning_rate = 0.1, .decay_steps = 10, .cycle = true});
  CHECK(cycling(0) == doctest::Approx(0.1));
  CHECK(cycling(15) == doctest::Approx((0.1 - 0.0001) * 0.25 + 0.0001));  // over 20 steps: 3/4 done
  const auto inverse = schedules::InverseTimeDecay({.initial_learning_rate = 0.1, .decay_steps = 4, .decay_rate = 0.5});
  CHECK(inverse(8) == doctest::Approx(0.05));
  const auto cosine = schedules::CosineDecay({.initial_learning_rate = 0.1, .decay_steps = 20});
  CHECK(cosine(10) == doctest::Approx(0.05));
  CHECK(cosine(25) == doctest::Approx(0.0));
  const auto warm = schedules::CosineDecay(
      {.initial_learning_rate = 0.0, .decay_steps = 20, .warmup_target = 0.1, .warmup_steps = 8});
  CHECK(warm(4) == doctest::Approx(0.05));
  CHECK(warm(8) == doctest::Approx(0.1));
  CHECK(warm(18) == doctest::Approx(0.05));
  // Restarts: the second period is twice as long and starts at half the rate.
  const auto restarts =
      schedules::CosineDecayRestarts({.initial_learning_rate = 0.1, .first_decay_steps = 5, .m_mul = 0.5});
  CHECK(restarts(5) == doctest::Approx(0.05));
  CHECK(restarts(10) == doctest::Approx(0.025));
  CHECK(restarts(15) == doctest::Approx(0.025));  // the third starts at step 15
}

TEST_CASE("learning-rate schedules serialize as Keras does and come back alike") {
  for (const LearningRateSchedule& schedule : every_schedule()) {
    const tkeras::Config serialized = schedule.serialize();
    CAPTURE(serialized.dump());
    CHECK(serialized["module"] == "keras.optimizers.schedules");
    CHECK(serialized["registered_name"].is_null());
    const LearningRateSchedule back = LearningRateSchedule::deserialize(serialized);
    CHECK(back.get_config() == schedule.get_config());
    for (int64_t step : {0, 3, 7, 19, 33}) CHECK(back(step) == schedule(step));
  }
}

TEST_CASE("a bad learning-rate schedule is refused with the option and the value") {
  CHECK_THROWS_WITH_AS(schedules::ExponentialDecay({.initial_learning_rate = 0.1, .decay_steps = 0, .decay_rate = 0.5}),
                       "ExponentialDecay: expected decay_steps > 0, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(schedules::PiecewiseConstantDecay({.boundaries = {3, 10}, .values = {0.1, 0.05}}),
                       doctest::Contains("expected one more value than boundaries"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      LearningRateSchedule::deserialize({{"class_name", "StepDecay"}, {"config", tkeras::Config::object()}}),
      doctest::Contains("unknown class \"StepDecay\"; expected one of: CosineDecay"), tkeras::Error);
  CHECK_THROWS_WITH_AS(
      LearningRateSchedule::deserialize({{"class_name", "CosineDecay"}, {"config", {{"decay_steps", 10}}}}),
      doctest::Contains("initial_learning_rate"), tkeras::Error);
}

TEST_CASE("an optimizer with a schedule uses its rate at the updates done before each, eager and under jit") {
  // SGD on one weight whose gradient is 2w: w *= 1 - 2 * rate. Steps 0 and 1 at 0.1, then 0.
  const auto schedule = schedules::PiecewiseConstantDecay({.boundaries = {1}, .values = {0.1, 0.0}});
  for (const bool jit : {false, true}) {
    CAPTURE(jit);
    CHECK(tkeras::testing::train_one_weight(tkeras::optimizers::SGD({.learning_rate = schedule}), 1, jit) ==
          doctest::Approx(0.8));
    CHECK(tkeras::testing::train_one_weight(tkeras::optimizers::SGD({.learning_rate = schedule}), 4, jit) ==
          doctest::Approx(0.64));
  }
  // Adam under jit computes the rate on the device, and agrees with the eager steps.
  const auto cosine = schedules::CosineDecay(
      {.initial_learning_rate = 0.05, .decay_steps = 6, .warmup_target = 0.1, .warmup_steps = 2});
  const double eager = tkeras::testing::train_one_weight(tkeras::optimizers::Adam({.learning_rate = cosine}), 9, false);
  const double captured =
      tkeras::testing::train_one_weight(tkeras::optimizers::Adam({.learning_rate = cosine}), 9, true);
  CHECK(captured == doctest::Approx(eager).epsilon(1e-6));
  CHECK(eager !=
        doctest::Approx(tkeras::testing::train_one_weight(tkeras::optimizers::Adam({.learning_rate = 0.05}), 9)));
}

TEST_CASE("a scheduled model reports the current rate, logs it, refuses to set it, and saves its schedule") {
  tkeras::utils::set_random_seed(3);
  const torch::Tensor x = torch::rand({20, 4});
  const torch::Tensor y = torch::randint(0, 3, {20});
  const auto schedule =
      schedules::ExponentialDecay({.initial_learning_rate = 0.01, .decay_steps = 3, .decay_rate = 0.5});
  const auto make = [&] {
    tkeras::utils::set_random_seed(5);
    auto model = std::make_shared<tkeras::Sequential>(
        std::vector<tkeras::layers::AnyLayer>{tkeras::layers::Input({4}), tkeras::layers::Dense(3, "softmax")});
    model->compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = schedule}),
                    .loss = "sparse_categorical_crossentropy"});
    return model;
  };
  const std::shared_ptr<tkeras::Sequential> model = make();
  CHECK(model->learning_rate() == doctest::Approx(0.01));
  // ReduceLROnPlateau that never reduces logs the rate at each epoch's end: 2 steps an epoch.
  const tkeras::History history =
      model->fit(x, y,
                 {.epochs = 2,
                  .batch_size = 10,
                  .shuffle = false,
                  .verbose = 0,
                  .callbacks = {std::make_shared<tkeras::callbacks::ReduceLROnPlateau>(
                      tkeras::callbacks::ReduceLROnPlateauOptions{.monitor = "loss", .patience = 100})}});
  REQUIRE(history.history.count("learning_rate") == 1);
  CHECK(history.history.at("learning_rate")[0] == doctest::Approx(schedule(2)));
  CHECK(history.history.at("learning_rate")[1] == doctest::Approx(schedule(4)));
  CHECK(model->learning_rate() == doctest::Approx(schedule(4)));
  CHECK_THROWS_WITH_AS(model->set_learning_rate(0.1), doctest::Contains("hence its learning rate is not settable"),
                       tkeras::Error);
  // LearningRateScheduler sets the rate, which a schedule refuses, as Keras raises.
  const auto scheduler =
      std::make_shared<tkeras::callbacks::LearningRateScheduler>([](int, double rate) { return rate * 0.5; });
  CHECK_THROWS_WITH_AS(model->fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {scheduler}}),
                       doctest::Contains("ExponentialDecay"), tkeras::Error);

  // The .keras file keeps the schedule and the step count (and no learning-rate variable, as
  // Keras's): training on from it matches training on without it.
  const tkeras::testing::TempDir dir;
  const std::shared_ptr<tkeras::Sequential> saved = make();
  saved->fit(x, y, {.epochs = 2, .batch_size = 10, .shuffle = false, .verbose = 0});
  const std::string path = (dir.path() / "scheduled.keras").string();
  saved->save(path);
  const std::shared_ptr<tkeras::Model> loaded = tkeras::models::load_model(path);
  REQUIRE(loaded->optimizer().learning_rate_schedule().has_value());
  // tkeras's own file keeps it too.
  const std::string native = (dir.path() / "scheduled.tkeras").string();
  saved->save(native);
  const std::shared_ptr<tkeras::Model> reloaded = tkeras::models::load_model(native);
  REQUIRE(reloaded->optimizer().learning_rate_schedule().has_value());
  CHECK(reloaded->optimizer().learning_rate_schedule()->get_config() == schedule.get_config());
  CHECK(reloaded->learning_rate() == doctest::Approx(schedule(4)));
  CHECK(loaded->optimizer().learning_rate_schedule()->get_config() == schedule.get_config());
  CHECK(loaded->optimizer_iterations() == 4);
  CHECK(loaded->learning_rate() == doctest::Approx(schedule(4)));
  saved->fit(x, y, {.epochs = 2, .batch_size = 10, .shuffle = false, .verbose = 0});
  loaded->fit(x, y, {.epochs = 2, .batch_size = 10, .shuffle = false, .verbose = 0});
  const std::vector<torch::Tensor> expected = saved->get_weights();
  const std::vector<torch::Tensor> resumed = loaded->get_weights();
  REQUIRE(expected.size() == resumed.size());
  for (size_t i = 0; i < expected.size(); ++i) CHECK(torch::allclose(expected[i], resumed[i], 1e-6, 1e-7));
}
