// Tests for Rescaling.
#include "tkeras/layers/rescaling.h"

#include <doctest/doctest.h>
#include <torch/torch.h>

TEST_CASE("Rescaling(1/255) turns pixels 0..255 into 0..1 inside the model") {
  tkeras::layers::Rescaling rescale(1.0 / 255);
  CHECK(rescale.build({28, 28}) == tkeras::Shape{28, 28});
  CHECK(torch::allclose(rescale(torch::tensor({0.0f, 51.0f, 255.0f})), torch::tensor({0.0f, 0.2f, 1.0f})));
  tkeras::layers::Rescaling centred(1.0 / 127.5, -1.0);
  CHECK(torch::allclose(centred(torch::tensor({0.0f, 255.0f})), torch::tensor({-1.0f, 1.0f})));
}
