// Tests for MultiHeadAttention: Keras's weights, the attention computed by hand, the causal and
// explicit masks, Keras's two paths (fused and with scores) agreeing, and its checks.
#include "tkeras/layers/multi_head_attention.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace layers = tkeras::layers;

namespace {

// softmax(Q K^T / sqrt(d)) V per head, from the layer's own weights, as the paper writes it.
torch::Tensor by_hand(const layers::MultiHeadAttention& mha, const torch::Tensor& x, const torch::Tensor& allowed) {
  const auto w = mha.get_weights();  // query k/b, key k/b, value k/b, output k/b
  const auto project = [&](size_t i) { return torch::einsum("btf,fnh->bnth", {x, w[i]}) + w[i + 1].unsqueeze(1); };
  const torch::Tensor q = project(0), k = project(2), v = project(4);
  torch::Tensor logits = q.matmul(k.transpose(-1, -2)) / std::sqrt(static_cast<double>(mha.key_dim()));
  if (allowed.defined()) logits = logits.masked_fill(allowed.logical_not(), -1e9);
  const torch::Tensor heads = torch::softmax(logits, -1).matmul(v);  // [b, n, t, h]
  return torch::einsum("bnth,nho->bto", {heads, w[6]}) + w[7];
}

}  // namespace

TEST_CASE("MultiHeadAttention has Keras's weights, in Keras's order and shapes") {
  layers::MultiHeadAttention mha(2, 4, {.value_dim = 3, .output_shape = 5});
  mha.attend(torch::zeros({1, 6, 8}), torch::zeros({1, 7, 9}));
  std::vector<std::pair<std::string, std::vector<int64_t>>> seen;
  for (const auto& weight : mha.weights()) seen.emplace_back(weight.name, weight.value.sizes().vec());
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {{"query/kernel", {8, 2, 4}},
                                                                              {"query/bias", {2, 4}},
                                                                              {"key/kernel", {9, 2, 4}},
                                                                              {"key/bias", {2, 4}},
                                                                              {"value/kernel", {9, 2, 3}},
                                                                              {"value/bias", {2, 3}},
                                                                              {"attention_output/kernel", {2, 3, 5}},
                                                                              {"attention_output/bias", {5}}};
  CHECK(seen == expected);
}

TEST_CASE("MultiHeadAttention attends as softmax(QK^T/sqrt(d))V, with and without a causal mask") {
  torch::manual_seed(3);
  layers::MultiHeadAttention mha(2, 3);
  const torch::Tensor x = torch::randn({2, 5, 4});
  mha.attend(x, x);
  auto weights = mha.get_weights();
  for (auto& w : weights) w = torch::randn_like(w) * 0.5;
  mha.set_weights(weights);
  CHECK(torch::allclose(mha.attend(x, x).first, by_hand(mha, x, {}), 1e-4, 1e-5));
  const torch::Tensor causal = torch::ones({5, 5}, torch::kBool).tril();
  const torch::Tensor masked = mha.attend(x, x, {.use_causal_mask = true}).first;
  CHECK(torch::allclose(masked, by_hand(mha, x, causal), 1e-4, 1e-5));
  // The first step sees only itself: changing the later steps leaves it as it was.
  torch::Tensor later = x.clone();
  later.slice(1, 1) += 1.0;
  CHECK(torch::allclose(mha.attend(later, later, {.use_causal_mask = true}).first.select(1, 0), masked.select(1, 0),
                        1e-5, 1e-6));
}

TEST_CASE("MultiHeadAttention's scores are Keras's: rows of a softmax, zero where the mask forbids") {
  torch::manual_seed(4);
  layers::MultiHeadAttention mha(2, 2);
  const torch::Tensor x = torch::randn({3, 4, 6});
  torch::Tensor allowed = torch::rand({3, 4, 4}) < 0.6;
  allowed.select(2, 0).fill_(true);
  const auto [fused, none] = mha.attend(x, x, {.attention_mask = allowed});
  CHECK_FALSE(none.defined());
  const auto [explicit_path, scores] = mha.attend(x, x, {.attention_mask = allowed}, false, /*scores=*/true);
  CHECK(scores.sizes() == torch::IntArrayRef{3, 2, 4, 4});
  CHECK(torch::allclose(scores.sum(-1), torch::ones({3, 2, 4}), 1e-5, 1e-6));
  CHECK(scores.masked_select(allowed.logical_not().unsqueeze(1).expand_as(scores)).abs().max().item<float>() == 0.0f);
  // Keras's fused path (scaled_dot_product_attention) and its explicit one agree.
  CHECK(torch::allclose(fused, explicit_path, 1e-5, 1e-6));
}

TEST_CASE("MultiHeadAttention refuses one tensor, inputs of another rank, and bad options, naming them") {
  CHECK_THROWS_WITH_AS(layers::MultiHeadAttention(0, 4), doctest::Contains("expected positive num_heads and key_dim"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::MultiHeadAttention(2, 4, {.dropout = 1.0}), doctest::Contains("dropout in [0, 1)"),
                       tkeras::Error);
  layers::MultiHeadAttention mha(2, 4);
  CHECK_THROWS_WITH_AS(mha.attend(torch::zeros({2, 8}), torch::zeros({2, 8})),
                       doctest::Contains("expected tensors [batch, steps, features]"), tkeras::Error);
  const tkeras::KerasTensor x = tkeras::Input({6, 8});
  CHECK_THROWS_WITH_AS(mha(x), doctest::Contains("expected a list of tensors"), tkeras::Error);
}

TEST_CASE("MultiHeadAttention's config is Keras's and round-trips") {
  layers::MultiHeadAttention mha(3, 5, {.value_dim = 2, .dropout = 0.1, .use_gate = true});
  const tkeras::Config config = mha.get_config();
  CHECK(config.at("num_heads") == 3);
  CHECK(config.at("value_dim") == 2);
  CHECK(config.at("output_shape").is_null());
  CHECK(config.at("attention_axes") == tkeras::Config::array({1}));
  const auto again = layers::MultiHeadAttention::from_config(config);
  CHECK(again->key_dim() == 5);
  CHECK(again->options().use_gate);
  tkeras::Config other_axes = config;
  other_axes["attention_axes"] = tkeras::Config::array({2});
  CHECK_THROWS_WITH_AS(layers::MultiHeadAttention::from_config(other_axes),
                       doctest::Contains("attends over the steps (attention_axes [1]), received [2]"), tkeras::Error);
}
