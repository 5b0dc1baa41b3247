// Data: one tensor, a list or a map by name.
#include "tkeras/data/data.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"

namespace tkeras {

Data::Data(const std::map<std::string, torch::Tensor>& named) : list_(true) {
  for (const auto& [name, tensor] : named) {
    names_.push_back(name);
    tensors_.push_back(tensor);
  }
}

Data::Data(std::vector<std::string> names, std::vector<torch::Tensor> tensors)
    : tensors_(std::move(tensors)), names_(std::move(names)), list_(true) {
  if (names_.size() != tensors_.size()) {
    throw Error(fmt::format("Data: expected one name per tensor, received {} names and {} tensors", names_.size(),
                            tensors_.size()));
  }
}

const torch::Tensor& Data::operator[](const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return tensors_[i];
  }
  throw Error(
      fmt::format("Data: no tensor named \"{}\"; the names are: {}", name,
                  names_.empty() ? "none (the tensors are by position)" : fmt::format("{}", fmt::join(names_, ", "))));
}

const torch::Tensor& Data::operator[](size_t index) const {
  if (index >= tensors_.size()) {
    throw Error(fmt::format("Data: expected an index below {}, received {}", tensors_.size(), index));
  }
  return tensors_[index];
}

Data Data::map(const std::function<torch::Tensor(const torch::Tensor&)>& function) const {
  Data mapped = *this;
  for (torch::Tensor& tensor : mapped.tensors_) tensor = function(tensor);
  return mapped;
}

}  // namespace tkeras
