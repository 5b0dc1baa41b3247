// Tests for Operation: KerasTensor's arithmetic operators in a Functional graph, with numbers,
// broadcasting, and refusals.
#include "tkeras/layers/operation.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/models/model.h"

namespace {

torch::Tensor run(const tkeras::KerasTensor& input, const tkeras::KerasTensor& output, const torch::Tensor& x) {
  tkeras::Model model(input, output);
  return model(x);
}

}  // namespace

TEST_CASE("KerasTensor's operators add, subtract, multiply and divide as Keras's ops, numbers included") {
  const tkeras::KerasTensor x = tkeras::Input({3});
  const torch::Tensor values = torch::tensor({{1.0f, 2.0f, 4.0f}, {-1.0f, 0.5f, 8.0f}});
  CHECK(torch::allclose(run(x, x + x * 2.0, values), values * 3));
  CHECK(torch::allclose(run(x, (x - x) + 1.0, values), torch::ones_like(values)));
  CHECK(torch::allclose(run(x, x / (x + 1.0), values), values / (values + 1)));
  CHECK(run(x, x * x, values).equal(values * values));
}

TEST_CASE("An operation broadcasts its operands as NumPy does, and refuses shapes that do not") {
  const tkeras::KerasTensor image = tkeras::Input({2, 3, 4});
  const tkeras::KerasTensor scale = tkeras::Input({1, 1, 4});
  const tkeras::KerasTensor product = image * scale;
  CHECK(product.shape() == tkeras::Shape{2, 3, 4});
  const tkeras::KerasTensor other = tkeras::Input({3, 5});
  CHECK_THROWS_WITH_AS(image + other, doctest::Contains("the operands' shapes do not broadcast"), tkeras::Error);
}

TEST_CASE("An operation is saved as Keras's ops.numpy class of its kind") {
  const tkeras::KerasTensor x = tkeras::Input({3});
  const tkeras::KerasTensor y = x + x;
  CHECK(y.layer()->class_name() == "Add");
  CHECK(y.layer()->name().starts_with("add"));
  CHECK(y.layer()->get_config() == tkeras::Config{{"name", y.layer()->name()}});
  CHECK_THROWS_WITH_AS(tkeras::layers::Operation("numpy.Power"), doctest::Contains("received \"numpy.Power\""),
                       tkeras::Error);
}
