// LossSpec: losses given by name or by position.
#include "tkeras/models/options.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"

namespace tkeras {

LossSpec::LossSpec(std::initializer_list<std::pair<const std::string, losses::Loss>> named) {
  for (const auto& [name, loss] : named) {
    names_.push_back(name);
    losses_.push_back(loss);
  }
}

LossSpec::LossSpec(const std::map<std::string, losses::Loss>& named) {
  for (const auto& [name, loss] : named) {
    names_.push_back(name);
    losses_.push_back(loss);
  }
}

}  // namespace tkeras
