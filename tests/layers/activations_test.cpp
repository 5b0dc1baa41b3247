// Tests for activations by name.
#include "tkeras/layers/activations.h"

#include <cmath>
#include <filesystem>
#include <map>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/export/export_onnx.h"
#include "tkeras/layers/activation.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"

namespace activations = tkeras::activations;

TEST_CASE("every activation name Keras takes is known, aliases included, but glu and threshold") {
  CHECK(activations::names() ==
        std::vector<std::string>{"celu",         "elu",         "exponential", "gelu",        "hard_shrink",
                                 "hard_sigmoid", "hard_silu",   "hard_swish",  "hard_tanh",   "leaky_relu",
                                 "linear",       "log_sigmoid", "log_softmax", "mish",        "relu",
                                 "relu6",        "selu",        "sigmoid",     "silu",        "soft_shrink",
                                 "softmax",      "softplus",    "softsign",    "sparse_plus", "sparse_sigmoid",
                                 "sparsemax",    "squareplus",  "swish",       "tanh",        "tanh_shrink"});
  const torch::Tensor x = torch::tensor({{-1.0F, 0.0F, 2.0F}});
  CHECK(torch::equal(activations::get("relu")(x), torch::tensor({{0.0F, 0.0F, 2.0F}})));
  CHECK(torch::equal(activations::get("linear")(x), x));
  CHECK(torch::equal(activations::get("")(x), x));
}

TEST_CASE("each activation computes the formula of Keras's documentation, with Keras's default arguments") {
  // Both sides of every break (-3, -1, -0.5, 0.5, 1, 3, 6), in float64 so that the formulas
  // written out here round alike.
  const torch::Tensor x =
      torch::tensor({-7.0, -3.5, -3.0, -1.5, -1.0, -0.7, -0.5, -0.3, 0.0, 0.2, 0.5, 0.6, 1.0, 1.4, 3.0, 4.5, 6.0, 7.5},
                    torch::kFloat64);
  const torch::Tensor zero = torch::zeros_like(x);
  const torch::Tensor softplus = torch::log1p(torch::exp(x));
  const auto where = [](const torch::Tensor& condition, const torch::Tensor& a, const torch::Tensor& b) {
    return torch::where(condition, a, b);
  };
  const std::map<std::string, torch::Tensor> expected = {
      {"celu", where(x >= 0, x, torch::exp(x) - 1)},
      {"elu", where(x > 0, x, torch::exp(x) - 1)},
      {"exponential", torch::exp(x)},
      {"gelu", 0.5 * x * (1 + torch::erf(x / std::sqrt(2.0)))},
      {"hard_shrink", where(x.abs() > 0.5, x, zero)},
      {"hard_sigmoid", where(x <= -3, zero, where(x >= 3, zero + 1, x / 6 + 0.5))},
      {"hard_silu", where(x < -3, zero, where(x > 3, x, x * (x + 3) / 6))},
      {"hard_tanh", where(x < -1, zero - 1, where(x > 1, zero + 1, x))},
      {"leaky_relu", where(x >= 0, x, 0.2 * x)},
      {"linear", x},
      {"log_sigmoid", torch::log(1 / (1 + torch::exp(-x)))},
      {"mish", x * torch::tanh(softplus)},
      {"relu", where(x > 0, x, zero)},
      {"relu6", where(x > 6, zero + 6, where(x > 0, x, zero))},
      {"selu", 1.0507009873554805 * where(x > 0, x, 1.6732632423543772 * (torch::exp(x) - 1))},
      {"sigmoid", 1 / (1 + torch::exp(-x))},
      {"silu", x / (1 + torch::exp(-x))},
      {"soft_shrink", where(x > 0.5, x - 0.5, where(x < -0.5, x + 0.5, zero))},
      {"softplus", softplus},
      {"softsign", x / (x.abs() + 1)},
      {"sparse_plus", where(x <= -1, zero, where(x < 1, 0.25 * (x + 1) * (x + 1), x))},
      {"sparse_sigmoid", where(x <= -1, zero, where(x >= 1, zero + 1, 0.5 * (x + 1)))},
      {"squareplus", (x + torch::sqrt(x * x + 4)) / 2},
      {"tanh", (torch::exp(x) - torch::exp(-x)) / (torch::exp(x) + torch::exp(-x))},
      {"tanh_shrink", x - torch::tanh(x)}};
  for (const auto& [name, values] : expected) {
    CAPTURE(name);
    const torch::Tensor ours = activations::get(name)(x);
    CHECK(ours.sizes() == x.sizes());
    CHECK(torch::allclose(ours, values, 1e-12, 1e-12));
  }
  // As Keras's docstrings show them.
  CHECK(torch::allclose(activations::get("squareplus")(torch::tensor({-1.0F, 0.0F, 1.0F})),
                        torch::tensor({0.6180F, 1.0F, 1.6180F}), 1e-4));
  CHECK(torch::equal(activations::get("relu6")(torch::tensor({-1.0F, 7.0F})), torch::tensor({0.0F, 6.0F})));
}

TEST_CASE("softmax and log_softmax act on the last axis, each row a distribution") {
  auto generator = at::detail::createCPUGenerator(7);
  const torch::Tensor x = torch::randn({2, 4, 3}, generator, torch::kFloat64) * 2;
  const torch::Tensor p = activations::get("softmax")(x);
  CHECK(torch::allclose(p.sum(-1), torch::ones({2, 4}, torch::kFloat64)));
  CHECK(torch::allclose(activations::get("log_softmax")(x), torch::log(p)));
}

TEST_CASE("sparsemax acts on the last axis with Keras 3.15's threshold, the sum of the running sums in the support") {
  // Sorted [0.5, 0.1, -2], running sums [0.5, 0.6, -1.4], two in the support: Keras 3.15 takes
  // tau = (0.5 + 0.6 - 1) / 2 = 0.05 (keras-team/keras#23425; Martins's is (0.6 - 1) / 2 = -0.2).
  // A lead of more than 1 is the support alone, where both give one-hot.
  const torch::Tensor x = torch::tensor({{0.1, -2.0, 0.5}, {3.0, 0.0, 1.0}});
  CHECK(torch::allclose(activations::get("sparsemax")(x), torch::tensor({{0.05, 0.0, 0.45}, {1.0, 0.0, 0.0}})));
  CHECK(torch::allclose(activations::get("sparsemax")(x.unsqueeze(0).expand({2, 2, 3})).select(0, 1),
                        activations::get("sparsemax")(x)));
}

TEST_CASE("swish and hard_swish are silu and hard_silu, the names Keras saves them under") {
  const torch::Tensor x = torch::linspace(-4, 4, 9);
  CHECK(torch::equal(activations::get("swish")(x), activations::get("silu")(x)));
  CHECK(torch::equal(activations::get("hard_swish")(x), activations::get("hard_silu")(x)));
  CHECK(activations::canonical_name("swish") == "silu");
  CHECK(activations::canonical_name("hard_swish") == "hard_silu");
  CHECK(activations::canonical_name("") == "linear");
  CHECK(activations::canonical_name("relu") == "relu");
  CHECK(tkeras::layers::Activation("swish").get_config()["activation"] == "silu");
}

TEST_CASE("an unknown activation lists the valid names, and glu and threshold say why they are left out") {
  const std::string valid = fmt::format("expected one of: {}", fmt::join(activations::names(), ", "));
  CHECK_THROWS_WITH_AS(activations::get("relux"), fmt::format("unknown activation \"relux\"; {}", valid).c_str(),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(activations::canonical_name("glu"),
                       fmt::format("unsupported activation \"glu\" (it halves the last axis, so its output is not the "
                                   "shape of its input); {}",
                                   valid)
                           .c_str(),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(tkeras::layers::Dense(4, "threshold"),
                       doctest::Contains("unsupported activation \"threshold\" (it needs its threshold and "
                                         "default_value, which a name cannot give); expected one of: celu, elu"),
                       tkeras::Error);
}

TEST_CASE("every activation exports to ONNX at opsets 14 and 17, composed where ONNX has no one operator") {
  const tkeras::testing::TempDir dir;
  std::vector<tkeras::layers::AnyLayer> stack = {tkeras::layers::Input({3})};
  for (const std::string& name : activations::names()) {
    stack.push_back(tkeras::layers::Dense(3, name));
    stack.push_back(tkeras::layers::Activation(name));
  }
  tkeras::Sequential model(stack);
  model.build({3});
  for (const int64_t opset : {14, 17}) {
    CAPTURE(opset);
    const auto path = (dir.path() / fmt::format("activations_{}.onnx", opset)).string();
    tkeras::export_onnx(model, path, {.opset = opset});
    const std::string bytes = tkeras::testing::read_bytes(path);
    for (const char* op :
         {"Celu",      "Elu",      "Exp",        "Erf",       "Shrink", "HardSigmoid", "HardSwish", "Clip",
          "LeakyRelu", "Softplus", "LogSoftmax", "Relu",      "Selu",   "Sigmoid",     "Softmax",   "Softsign",
          "Where",     "TopK",     "CumSum",     "ReduceSum", "Sqrt",   "Tanh"}) {
      CAPTURE(op);
      CHECK(bytes.find(op) != std::string::npos);
    }
  }
}
