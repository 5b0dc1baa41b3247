// Tests for Bidirectional: its two layers, their names and weights, the merge modes, configs.
#include "tkeras/layers/bidirectional.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/gru.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;

TEST_CASE("Bidirectional makes a forward and a backward layer from the one it wraps, as Keras") {
  const layers::LSTM lstm(4);
  layers::Bidirectional both(lstm);
  CHECK(both.forward_layer().name() == "forward_" + lstm.name());
  CHECK(both.backward_layer().name() == "backward_" + lstm.name());
  CHECK_FALSE(both.forward_layer().go_backwards());
  CHECK(both.backward_layer().go_backwards());
  CHECK(both.build({6, 3}) == tkeras::Shape{8});
  CHECK(both.count_params() == 2 * (3 * 16 + 4 * 16 + 16));
  const auto named = both.named_weights();
  REQUIRE(named.size() == 6);
  CHECK(named[0].first == "forward_layer.kernel");
  CHECK(named[5].first == "backward_layer.bias");
}

TEST_CASE("Bidirectional concatenates the forward outputs and the backward ones in the inputs' order") {
  torch::manual_seed(5);
  layers::Bidirectional both(layers::GRU(2, {.return_sequences = true}));
  CHECK(both.build({5, 3}) == tkeras::Shape{5, 4});
  const torch::Tensor x = torch::randn({2, 5, 3});
  const torch::NoGradGuard no_grad;
  const torch::Tensor out = both(x);
  // The backward layer's output at step t has read steps t to 4.
  layers::GRU reader(2, {.return_sequences = true});
  reader.build({5, 3});
  reader.set_weights(both.backward_layer().get_weights());
  CHECK(torch::allclose(out.narrow(2, 2, 2).select(1, 3), reader(x.narrow(1, 3, 2).flip(1)).select(1, 1), 1e-6, 1e-6));
  layers::Bidirectional summed(layers::GRU(2), {.merge_mode = "sum"});
  CHECK(summed.build({5, 3}) == tkeras::Shape{2});
}

TEST_CASE("Bidirectional refuses a layer that is not recurrent and unknown merge modes") {
  CHECK_THROWS_WITH_AS(layers::Bidirectional(layers::Dense(3)),
                       "Bidirectional: expected the layer to be a SimpleRNN, LSTM or GRU layer, received Dense",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Bidirectional(layers::LSTM(3), {.merge_mode = "max"}),
                       doctest::Contains("expected merge_mode \"concat\", \"sum\", \"ave\" or \"mul\""), tkeras::Error);
}

TEST_CASE("a model with Bidirectional saves and loads with both layers' weights") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model(
      {layers::Bidirectional(layers::LSTM(3, {.return_sequences = true}), {.merge_mode = "ave"}), layers::Dense(1)});
  model.build({4, 2});
  model.save(dir.path() / "b.tkeras");
  const auto loaded = tkeras::models::load_model(dir.path() / "b.tkeras");
  const auto both = std::dynamic_pointer_cast<layers::Bidirectional>(loaded->layers()[0]);
  REQUIRE(both);
  CHECK(both->merge_mode() == "ave");
  CHECK(both->backward_layer().go_backwards());
  const torch::Tensor x = torch::randn({3, 4, 2});
  CHECK(torch::equal(loaded->predict(x, {.verbose = 0}), model.predict(x, {.verbose = 0})));
}
