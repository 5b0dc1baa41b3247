// Identity: the inputs and their mask passed on unchanged.
#include "tkeras/layers/identity.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

namespace layers = tkeras::layers;

TEST_CASE("Identity returns its inputs of any shape and passes their mask on") {
  layers::Identity identity;
  CHECK(identity.name().rfind("identity", 0) == 0);
  CHECK(identity.build({3, 2}) == tkeras::Shape{3, 2});
  const torch::Tensor x = torch::randn({4, 3, 2}, torch::Generator(at::detail::createCPUGenerator(7)));
  CHECK(torch::equal(identity(x), x));
  CHECK(identity.weights().empty());
  const torch::Tensor mask = torch::tensor({{true, false, true}});
  CHECK(identity.supports_masking());
  CHECK(torch::equal(identity.compute_mask(x, mask), mask));
}

TEST_CASE("Identity's config is its name and trainable flag, as Keras's") {
  layers::Identity identity;
  const tkeras::Config config = identity.get_config();
  const auto again = layers::Identity::from_config(config);
  CHECK(again->name() == identity.name());
  CHECK(again->get_config() == config);
}
