// Tests for Recurrent, through SimpleRNN, LSTM and GRU: shapes, weights, LibTorch's kernels against
// Keras's step equations, masks, go_backwards and errors.
#include "tkeras/layers/recurrent.h"

#include <functional>
#include <memory>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/initializers/constant.h"
#include "tkeras/initializers/random.h"
#include "tkeras/layers/gru.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/layers/simple_rnn.h"

namespace layers = tkeras::layers;

namespace {

// Every recurrent configuration whose unmasked call runs one of LibTorch's sequence kernels.
std::vector<std::pair<std::string, std::function<std::shared_ptr<layers::Recurrent>(bool, bool)>>> kernel_cases() {
  return {
      {"SimpleRNN tanh",
       [](bool sequences, bool backwards) {
         return std::make_shared<layers::SimpleRNN>(
             3, layers::SimpleRNNOptions{.return_sequences = sequences, .go_backwards = backwards});
       }},
      {"SimpleRNN relu",
       [](bool sequences, bool backwards) {
         return std::make_shared<layers::SimpleRNN>(
             3,
             layers::SimpleRNNOptions{.activation = "relu", .return_sequences = sequences, .go_backwards = backwards});
       }},
      {"LSTM",
       [](bool sequences, bool backwards) {
         return std::make_shared<layers::LSTM>(
             3, layers::LSTMOptions{.return_sequences = sequences, .go_backwards = backwards});
       }},
      {"GRU",
       [](bool sequences, bool backwards) {
         return std::make_shared<layers::GRU>(
             3, layers::GRUOptions{.return_sequences = sequences, .go_backwards = backwards});
       }},
  };
}

void randomize(layers::Layer& layer) {
  const torch::NoGradGuard no_grad;
  for (const auto& weight : layer.weights()) weight.value.normal_(0.0, 0.5);
}

}  // namespace

TEST_CASE("recurrent layers keep Keras's weight names and layouts") {
  layers::LSTM lstm(8);
  CHECK(lstm.build({10, 5}) == tkeras::Shape{8});
  const auto w = lstm.weights();
  REQUIRE(w.size() == 3);
  CHECK(w[0].name == "kernel");
  CHECK(w[0].value.sizes().vec() == std::vector<int64_t>{5, 32});
  CHECK(w[1].name == "recurrent_kernel");
  CHECK(w[1].value.sizes().vec() == std::vector<int64_t>{8, 32});
  CHECK(w[2].name == "bias");
  // unit_forget_bias: the forget gate (the second block of units) starts at 1, the others at 0.
  CHECK(torch::equal(w[2].value, torch::cat({torch::zeros(8), torch::ones(8), torch::zeros(16)})));
  // The recurrent kernel starts orthogonal: its rows are orthonormal.
  CHECK(torch::allclose(torch::mm(w[1].value, w[1].value.t()), torch::eye(8), 1e-5, 1e-5));

  layers::GRU gru(4, {.return_sequences = true});
  CHECK(gru.build({6, 2}) == tkeras::Shape{6, 4});
  CHECK(gru.weights()[2].value.sizes().vec() == std::vector<int64_t>{2, 12});
  layers::GRU classic(4, {.reset_after = false});
  classic.build({6, 2});
  CHECK(classic.weights()[2].value.sizes().vec() == std::vector<int64_t>{12});

  layers::SimpleRNN rnn(7, {.use_bias = false});
  rnn.build({3, 2});
  CHECK(rnn.count_params() == 2 * 7 + 7 * 7);
}

TEST_CASE("LibTorch's sequence kernels compute Keras's step equations") {
  // An all-true mask takes the step-by-step path; no mask takes LibTorch's kernel.
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({4, 6, 5});
  const torch::Tensor all_steps = torch::ones({4, 6}, torch::kBool);
  for (const auto& [name, make] : kernel_cases()) {
    for (const bool sequences : {false, true}) {
      for (const bool backwards : {false, true}) {
        CAPTURE(name);
        CAPTURE(sequences);
        CAPTURE(backwards);
        const auto layer = make(sequences, backwards);
        layer->build({6, 5});
        randomize(*layer);
        const torch::NoGradGuard no_grad;
        const torch::Tensor fast = layer->call(x, false);
        const torch::Tensor stepped = layer->call_with_mask(x, all_steps, false);
        CHECK(fast.sizes().vec() == (sequences ? std::vector<int64_t>{4, 6, 3} : std::vector<int64_t>{4, 3}));
        CHECK(torch::allclose(fast, stepped, 1e-5, 1e-5));
      }
    }
  }
}

TEST_CASE("masked steps at the front leave the result of the unpadded sequence, as in Keras") {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({1, 7, 3});
  const torch::Tensor mask = torch::tensor({{false, false, false, true, true, true, true}});
  for (const auto& [name, make] : kernel_cases()) {
    CAPTURE(name);
    const auto layer = make(false, false);
    layer->build({7, 3});
    randomize(*layer);
    const torch::NoGradGuard no_grad;
    const torch::Tensor padded = layer->call_with_mask(x, mask, false);
    CHECK(torch::allclose(padded, layer->call(x.narrow(1, 3, 4), false), 1e-5, 1e-5));
    // With return_sequences, a masked step repeats the previous output (zeros before the first).
    const auto sequences = make(true, false);
    sequences->build({7, 3});
    sequences->set_weights(layer->get_weights());
    const torch::Tensor all = sequences->call_with_mask(x, mask, false);
    CHECK(torch::equal(all.narrow(1, 0, 3), torch::zeros({1, 3, 3})));
    CHECK(torch::allclose(all.select(1, 6), padded, 1e-5, 1e-5));
  }
}

TEST_CASE("go_backwards returns the outputs in the order it ran them, as Keras does") {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 5, 3});
  layers::LSTM forwards(4, {.return_sequences = true});
  layers::LSTM backwards(4, {.return_sequences = true, .go_backwards = true});
  forwards.build({5, 3});
  backwards.build({5, 3});
  backwards.set_weights(forwards.get_weights());
  const torch::NoGradGuard no_grad;
  CHECK(torch::allclose(backwards(x), forwards(x.flip(1)), 1e-6, 1e-6));
}

TEST_CASE("recurrent layers pass their mask on only with return_sequences") {
  const torch::Tensor mask = torch::tensor({{true, false}});
  CHECK(torch::equal(layers::LSTM(2, {.return_sequences = true}).compute_mask({}, mask), mask));
  CHECK_FALSE(layers::LSTM(2).compute_mask({}, mask).defined());
  CHECK(layers::GRU(2).supports_masking());
}

TEST_CASE("recurrent layers refuse inputs without a time axis, options tkeras lacks and bad units") {
  layers::LSTM lstm(3);
  CHECK_THROWS_WITH_AS(lstm.build({5}),
                       doctest::Contains("expected inputs of shape (None, timesteps, features), received (None, 5)"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::GRU(0), "gru: expected a positive number of units, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::SimpleRNN(2, {.activation = "tahn"}), doctest::Contains("unknown activation \"tahn\""),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::LSTM::from_config({{"units", 4}, {"dropout", 0.2}}),
                       doctest::Contains("LSTM: dropout = 0.2 is not supported by tkeras"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::GRU::from_config({{"units", 4}, {"return_state", true}}),
                       "GRU: return_state = true is not supported by tkeras; expected false", tkeras::Error);
  layers::SimpleRNN rnn(2);
  rnn.build({4, 3});
  CHECK_THROWS_WITH_AS(rnn(torch::zeros({2, 4, 5})), doctest::Contains("expected inputs of shape (None, timesteps, 3)"),
                       tkeras::Error);
}

TEST_CASE("recurrent layers' configs round-trip through from_config") {
  const layers::GRU gru(5,
                        {.activation = "relu", .return_sequences = true, .go_backwards = true, .reset_after = false});
  const auto copy = layers::GRU::from_config(gru.get_config());
  CHECK(copy->get_config() == gru.get_config());
  CHECK(copy->units() == 5);
  CHECK(copy->return_sequences());
  CHECK(copy->go_backwards());
  const layers::LSTM lstm(3, {.recurrent_activation = "tanh", .unit_forget_bias = false});
  CHECK(layers::LSTM::from_config(lstm.get_config())->get_config() == lstm.get_config());
  const layers::SimpleRNN rnn(2, {.use_bias = false});
  CHECK(layers::SimpleRNN::from_config(rnn.get_config())->get_config() == rnn.get_config());
}

TEST_CASE("LSTM's weights are drawn by its initializers, with the forget gate's bias at 1, as Keras's") {
  using tkeras::initializers::GlorotNormal;
  using tkeras::initializers::Orthogonal;
  tkeras::layers::LSTM lstm(3, {.kernel_initializer = GlorotNormal({.seed = 1}),
                                .recurrent_initializer = Orthogonal({.gain = 2.0, .seed = 2}),
                                .bias_initializer = tkeras::initializers::Constant(0.5),
                                .recurrent_regularizer = "l2",
                                .recurrent_constraint = "max_norm"});
  lstm.build({5, 4});
  const std::vector<tkeras::layers::Weight> weights = lstm.weights();
  CHECK(torch::equal(weights[0].value, GlorotNormal({.seed = 1})({4, 12})));
  CHECK(torch::equal(weights[1].value, Orthogonal({.gain = 2.0, .seed = 2})({3, 12})));
  CHECK(torch::equal(weights[2].value,
                     torch::tensor({0.5f, 0.5f, 0.5f, 1.0f, 1.0f, 1.0f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f})));
  CHECK(weights[1].regularizer != nullptr);
  CHECK(weights[1].constraint != nullptr);
  CHECK(weights[0].regularizer == nullptr);
  const tkeras::Config config = lstm.get_config();
  CHECK(config["recurrent_initializer"]["config"]["gain"] == 2.0);
  CHECK(config["recurrent_regularizer"]["class_name"] == "L2");
  const auto read = tkeras::layers::LSTM::from_config(config);
  CHECK(read->get_config() == config);
}

TEST_CASE("GRU's two bias rows and SimpleRNN's bias come from their bias initializer") {
  tkeras::layers::GRU gru(2, {.bias_initializer = "ones"});
  gru.build({3, 2});
  CHECK(torch::equal(gru.weights()[2].value, torch::ones({2, 6})));
  tkeras::layers::SimpleRNN rnn(2, {.bias_initializer = tkeras::initializers::Constant(-1.0)});
  rnn.build({3, 2});
  CHECK(torch::equal(rnn.weights()[2].value, torch::full({2}, -1.0f)));
  CHECK_THROWS_WITH_AS(tkeras::layers::GRU(2, {.recurrent_initializer = "orthogonl"}), doctest::Contains("orthogonl"),
                       tkeras::Error);
}
