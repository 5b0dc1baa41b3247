// Zeros, Ones, Constant and Identity, and their registration.
#include "tkeras/initializers/constant.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "initializers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::initializers {

torch::Tensor Zeros::generate(const Shape& shape) const { return torch::zeros(shape); }

torch::Tensor Ones::generate(const Shape& shape) const { return torch::ones(shape); }

// As Keras: the value cast to float32, times ones.
torch::Tensor Constant::generate(const Shape& shape) const {
  return torch::scalar_tensor(value_, torch::kFloat) * torch::ones(shape);
}

torch::Tensor Identity::generate(const Shape& shape) const {
  if (shape.size() != 2) {
    throw Error(fmt::format("Identity: expected a 2-D weight, received shape [{}] of rank {}", fmt::join(shape, ", "),
                            shape.size()));
  }
  return gain_ * torch::eye(shape[0], shape[1]);
}

namespace {

using registry::OptionsReader;

const registry::Registrar zeros_registration({.class_name = "Zeros",
                                              .name = "zeros",
                                              .aliases = {"zero"},
                                              .from_config = [](OptionsReader&) -> std::shared_ptr<const Initializer> {
                                                return std::make_shared<Zeros>();
                                              }});
const registry::Registrar ones_registration({.class_name = "Ones",
                                             .name = "ones",
                                             .aliases = {"one"},
                                             .from_config = [](OptionsReader&) -> std::shared_ptr<const Initializer> {
                                               return std::make_shared<Ones>();
                                             }});
const registry::Registrar constant_registration(
    {.class_name = "Constant",
     .name = "constant",
     .aliases = {},
     .from_config = [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
       // Keras serializes a float value as it is, and an array one as a tensor: only a number here.
       if (const Config& value = read.value("value"); !value.is_null() && !value.is_number()) {
         throw Error(fmt::format("Constant: expected value as a number, received {} (an array value is not supported)",
                                 value.dump().substr(0, 120)));
       }
       return std::make_shared<Constant>(read.number("value", 0.0));
     }});
const registry::Registrar identity_registration({.class_name = "Identity",
                                                 .name = "identity",
                                                 .aliases = {"IdentityInitializer"},
                                                 .from_config =
                                                     [](OptionsReader& read) -> std::shared_ptr<const Initializer> {
                                                   return std::make_shared<Identity>(read.number("gain", 1.0));
                                                 }});

}  // namespace
}  // namespace tkeras::initializers
