// Tests for Attention: the dot and concat scores computed by hand, Keras's masks (value, query,
// causal), its weights, its config, and its refusals.
#include "tkeras/layers/attention.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

TEST_CASE("Attention weighs the value by softmax(query . key), and the key defaults to the value") {
  torch::manual_seed(1);
  const torch::Tensor q = torch::randn({2, 3, 4});
  const torch::Tensor v = torch::randn({2, 5, 4});
  const torch::Tensor k = torch::randn({2, 5, 4});
  layers::Attention attention;
  const auto [output, weights] = attention.attend({q, v, k});
  const torch::Tensor expected_weights = torch::softmax(q.matmul(k.transpose(1, 2)), -1);
  CHECK(torch::allclose(weights, expected_weights, 1e-5, 1e-6));
  CHECK(torch::allclose(output, expected_weights.matmul(v), 1e-5, 1e-6));
  CHECK(attention.weights().empty());
  CHECK(torch::allclose(attention.attend({q, v}).first, torch::softmax(q.matmul(v.transpose(1, 2)), -1).matmul(v), 1e-5,
                        1e-6));
}

TEST_CASE("Attention's concat scores are concat_score_weight * sum(tanh(scale * (query + key)))") {
  torch::manual_seed(2);
  const torch::Tensor q = torch::randn({1, 2, 3});
  const torch::Tensor v = torch::randn({1, 4, 3});
  layers::Attention attention({.use_scale = true, .score_mode = "concat"});
  attention.attend({q, v});
  REQUIRE(attention.weights().size() == 2);
  CHECK(attention.weights()[0].name == "scale");
  CHECK(attention.weights()[1].name == "concat_score_weight");
  CHECK(attention.weights()[0].value.dim() == 0);
  attention.set_weights({torch::tensor(0.5f), torch::tensor(2.0f)});
  const torch::Tensor scores = 2.0 * torch::tanh(0.5 * (q.unsqueeze(2) + v.unsqueeze(1))).sum(-1);
  CHECK(torch::allclose(attention.attend({q, v}).second, torch::softmax(scores, -1), 1e-5, 1e-6));
}

TEST_CASE("Attention keeps the value's masked steps out and zeroes the query's masked steps, as Keras") {
  torch::manual_seed(3);
  const torch::Tensor q = torch::randn({1, 3, 2});
  const torch::Tensor v = torch::randn({1, 4, 2});
  const torch::Tensor value_mask = torch::tensor({true, true, false, true}).unsqueeze(0);
  const torch::Tensor query_mask = torch::tensor({true, false, true}).unsqueeze(0);
  layers::Attention attention;
  const auto [output, weights] = attention.attend({q, v}, {query_mask, value_mask});
  CHECK(weights.select(2, 2).abs().max().item<float>() == 0.0f);
  const torch::Tensor kept = torch::tensor({0, 1, 3});
  const torch::Tensor expected =
      torch::softmax(q.matmul(v.index_select(1, kept).transpose(1, 2)), -1).matmul(v.index_select(1, kept));
  CHECK(torch::allclose(output.select(1, 0), expected.select(1, 0), 1e-5, 1e-6));
  CHECK(output.select(1, 1).abs().max().item<float>() == 0.0f);
}

TEST_CASE("Attention with use_causal_mask lets each query step see only the value steps up to its own") {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({1, 4, 3});
  layers::Attention attention;
  const torch::Tensor weights = attention.attend({x, x}, {}, /*use_causal_mask=*/true).second;
  CHECK(weights.triu(1).abs().max().item<float>() == 0.0f);
  CHECK(torch::allclose(weights.sum(-1), torch::ones({1, 4})));
}

TEST_CASE("Attention drops attention weights only in training, and a seed repeats the draw") {
  const torch::Tensor x = torch::ones({1, 8, 2});
  layers::Attention first({.dropout = 0.5, .seed = 7});
  layers::Attention second({.dropout = 0.5, .seed = 7});
  CHECK(torch::allclose(first.attend({x, x}).second, torch::full({1, 8, 8}, 0.125f)));
  const torch::Tensor dropped = first.attend({x, x}, {}, false, /*training=*/true).second;
  CHECK(torch::equal(dropped, second.attend({x, x}, {}, false, /*training=*/true).second));
  const torch::Tensor kept = dropped.ne(0);
  CHECK(kept.any().item<bool>());
  CHECK(kept.logical_not().any().item<bool>());
  CHECK(torch::allclose(dropped.masked_select(kept), torch::full({kept.sum().item<int64_t>()}, 0.25f)));
}

TEST_CASE("Attention's config round-trips with Keras's keys, and bad options or inputs are refused") {
  const auto again = layers::Attention::from_config(
      layers::Attention({.use_scale = true, .score_mode = "concat", .dropout = 0.1, .seed = 3}).get_config());
  CHECK(again->options().use_scale);
  CHECK(again->options().score_mode == "concat");
  CHECK(again->options().dropout == doctest::Approx(0.1));
  CHECK(again->get_config().at("seed") == 3);
  CHECK_THROWS_WITH_AS(layers::Attention({.score_mode = "additive"}), doctest::Contains("\"dot\" or \"concat\""),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::Attention({.dropout = 1.0}), doctest::Contains("dropout in [0, 1)"), tkeras::Error);
  layers::Attention attention;
  CHECK_THROWS_WITH_AS(attention.build_list({{3, 4}}), doctest::Contains("[query, value]"), tkeras::Error);
  CHECK_THROWS_WITH_AS(attention.build_list({{3, 4}, {5, 2}}), doctest::Contains("same last size"), tkeras::Error);
  CHECK_THROWS_WITH_AS(attention.call(torch::zeros({1, 3, 4}), false), doctest::Contains("expected a list"),
                       tkeras::Error);
}
