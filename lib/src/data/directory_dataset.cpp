// DirectoryDataset: a dataset with the class names and files of the folder it was read from.
#include "tkeras/data/directory_dataset.h"

#include <utility>

#include "tkeras/core/error.h"

namespace tkeras::data {

DirectoryDataset::DirectoryDataset(Dataset pipeline, std::vector<std::string> class_names,
                                   std::vector<std::string> file_paths)
    : Dataset(std::move(pipeline)), class_names_(std::move(class_names)), file_paths_(std::move(file_paths)) {}

DirectoryDataset DirectoryDataset::validation() const {
  if (!validation_) {
    throw Error(
        "DirectoryDataset: this dataset has no validation set to unpack; pass subset=\"both\" with a "
        "validation_split to get (training, validation)");
  }
  return *validation_;
}

void DirectoryDataset::set_validation(const DirectoryDataset& validation) {
  validation_ = std::make_shared<const DirectoryDataset>(validation);
}

}  // namespace tkeras::data
