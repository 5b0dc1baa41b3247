// Data: one tensor, a list of them, or a map of them by name: what a model takes as inputs,
// targets and sample weights, and what a dataset's elements carry for a model of several.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace tkeras {

/// Inputs, targets, sample weights or outputs of a model, as Keras takes them: one tensor, a list
/// in the order of the model's inputs (or outputs), or a map by their names. A Functional model's
/// inputs are named by their `Input`s, its outputs by their layers. A dataset's elements carry the
/// same (`data::Element::inputs`).
///
/// Example:
/// ```
/// model.fit({{"image", x_image}, {"meta", x_meta}}, {{"label", y_label}, {"size", y_size}});
/// ```
class Data {
 public:
  /// None.
  Data() = default;
  /// One tensor.
  Data(torch::Tensor tensor) : tensors_{std::move(tensor)} {}  // NOLINT: implicit, as Keras takes any
  /// Tensors by position.
  Data(std::vector<torch::Tensor> tensors) : tensors_(std::move(tensors)), list_(true) {}  // NOLINT
  /// Tensors by position.
  Data(std::initializer_list<torch::Tensor> tensors) : tensors_(tensors), list_(true) {}
  /// Tensors by name.
  Data(const std::map<std::string, torch::Tensor>& named);  // NOLINT: implicit, as above
  /// Tensors by name.
  Data(std::initializer_list<std::pair<const std::string, torch::Tensor>> named)
      : Data(std::map<std::string, torch::Tensor>(named)) {}
  /// Tensors named `names`, in that order (a model's outputs, from `predict`).
  Data(std::vector<std::string> names, std::vector<torch::Tensor> tensors);

  /// The tensors, in the order given (by name: in the order of their names).
  const std::vector<torch::Tensor>& tensors() const { return tensors_; }
  /// The names, when given by name; else empty.
  const std::vector<std::string>& names() const { return names_; }
  /// Whether the tensors are named.
  bool named() const { return !names_.empty(); }
  /// Whether a list was given (rather than one tensor).
  bool list() const { return list_; }
  /// Whether it holds a tensor: false for none, and for one undefined tensor.
  bool defined() const { return tensors_.size() > 1 || (tensors_.size() == 1 && tensors_.front().defined()); }
  /// The same structure (one tensor, a list or names), each tensor through `function`.
  Data map(const std::function<torch::Tensor(const torch::Tensor&)>& function) const;
  /// The number of tensors.
  size_t size() const { return tensors_.size(); }
  /// The tensor called `name`. Throws `tkeras::Error` listing the names when there is none.
  const torch::Tensor& operator[](const std::string& name) const;
  /// The `index`-th tensor. Throws `tkeras::Error` when out of range.
  const torch::Tensor& operator[](size_t index) const;

 private:
  std::vector<torch::Tensor> tensors_;
  std::vector<std::string> names_;
  bool list_ = false;
};

}  // namespace tkeras
