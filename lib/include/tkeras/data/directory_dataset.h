// DirectoryDataset: the dataset a folder of class subfolders becomes, with its class names and files.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "tkeras/data/dataset.h"

namespace tkeras::data {

/// The dataset `image_dataset_from_directory` and `text_dataset_from_directory` return: (image
/// or text, label) batches, with the class names and file paths, as the attributes Keras sets on
/// its dataset. After `subset = "both"` it unpacks into training and validation sets:
/// `auto [train, val] = ...`.
class DirectoryDataset : public Dataset {
 public:
  /// A dataset of `pipeline`, over `file_paths`, labelled by `class_names`.
  DirectoryDataset(Dataset pipeline, std::vector<std::string> class_names, std::vector<std::string> file_paths);

  /// The class names, in the order of their labels (the sorted subfolder names by default).
  const std::vector<std::string>& class_names() const { return class_names_; }
  /// The files, in the order of the dataset before its per-pass shuffle.
  const std::vector<std::string>& file_paths() const { return file_paths_; }

  /// For `subset = "both"`: element 0 is the training set, 1 the validation set. Throws
  /// `tkeras::Error` for element 1 of any other dataset.
  template <std::size_t I>
  DirectoryDataset get() const {
    static_assert(I < 2, "a DirectoryDataset unpacks into (training, validation)");
    if constexpr (I == 0) {
      return DirectoryDataset(*this, class_names_, file_paths_);
    } else {
      return validation();
    }
  }

  /// The validation set made with this training set (`subset = "both"`).
  DirectoryDataset validation() const;
  /// Attaches the validation set made with this one.
  void set_validation(const DirectoryDataset& validation);

 private:
  std::vector<std::string> class_names_;
  std::vector<std::string> file_paths_;
  std::shared_ptr<const DirectoryDataset> validation_;
};

}  // namespace tkeras::data

// Structured bindings: auto [train, val] = image_dataset_from_directory(..., {.subset = "both"}) and
// text_dataset_from_directory.
template <>
struct std::tuple_size<tkeras::data::DirectoryDataset> : std::integral_constant<std::size_t, 2> {};
template <std::size_t I>
struct std::tuple_element<I, tkeras::data::DirectoryDataset> {
  using type = tkeras::data::DirectoryDataset;
};
