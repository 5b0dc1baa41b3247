// text_dataset_from_directory: index the folder as Keras's index_directory, then read the files on
// worker threads.
#include "tkeras/data/text_dataset_from_directory.h"

#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/directory_index.h"
#include "tkeras/core/error.h"

namespace fs = std::filesystem;

namespace tkeras::data {
namespace {

constexpr std::array<std::string_view, 1> kTextExtensions = {".txt"};
constexpr directory::Kind kText{"text_dataset_from_directory", kTextExtensions, "text files"};

directory::Options shared_options(const TextDatasetOptions& options) {
  return {.labels = options.labels,
          .label_mode = options.label_mode,
          .class_names = options.class_names,
          .shuffle = options.shuffle,
          .seed = options.seed,
          .validation_split = options.validation_split,
          .subset = options.subset,
          .verbose = options.verbose};
}

void check_options(const TextDatasetOptions& options) {
  directory::check_options(kText, shared_options(options));
  if (options.batch_size < 0) {
    throw Error(fmt::format("text_dataset_from_directory: expected batch_size >= 0 (0: unbatched), received {}",
                            options.batch_size));
  }
  if (options.max_length && *options.max_length < 0) {
    throw Error(
        fmt::format("text_dataset_from_directory: expected max_length >= 0, received {}", *options.max_length));
  }
}

// A file's bytes, the first `max_length` of them with one.
std::string read_text(const std::string& path, std::optional<int64_t> max_length) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) {
    if (max_length) {
      text.resize(static_cast<size_t>(*max_length));
      in.read(text.data(), *max_length);
      text.resize(static_cast<size_t>(in.gcount()));
      if (in.bad()) in.setstate(std::ios::failbit);
      else in.clear();
    } else {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (!in) throw Error(fmt::format("text_dataset_from_directory: cannot read \"{}\"", path));
  return text;
}

DirectoryDataset make_dataset(const directory::Indexed& part, const TextDatasetOptions& options, bool shuffle,
                              uint64_t seed) {
  const bool labelled = directory::labelled(shared_options(options));
  const torch::Tensor indices = torch::arange(static_cast<int64_t>(part.paths.size()), torch::kLong);
  Dataset dataset = labelled ? Dataset::from_tensor_slices(indices, directory::label_tensor(part, options.label_mode))
                             : Dataset::from_tensor_slices(indices);
  if (shuffle) dataset = dataset.shuffle(options.batch_size > 0 ? options.batch_size * 8 : 1024, {.seed = seed});
  auto paths = std::make_shared<const std::vector<std::string>>(part.paths);
  dataset = dataset.map(
      [paths, max_length = options.max_length](Element element) {
        const auto index = static_cast<size_t>(element.x.item<int64_t>());
        return Element{.y = std::move(element.y), .text = {read_text((*paths)[index], max_length)}};
      },
      {.num_parallel_calls = Dataset::kAutotune});
  if (options.batch_size > 0) dataset = dataset.batch(options.batch_size);
  return {dataset.prefetch(), options.labels == "inferred" ? part.class_names : std::vector<std::string>{},
          part.paths};
}

}  // namespace

DirectoryDataset text_dataset_from_directory(const fs::path& directory, const TextDatasetOptions& options) {
  check_options(options);
  const directory::Options shared = shared_options(options);
  const uint64_t seed = directory::seed_of(shared);
  const directory::Indexed all = directory::index_directory(directory, kText, shared, seed);
  if (options.subset == "both") {
    DirectoryDataset training =
        make_dataset(directory::take_subset(all, kText, shared, "training"), options, options.shuffle, seed);
    training.set_validation(
        make_dataset(directory::take_subset(all, kText, shared, "validation"), options, false, seed));
    return training;
  }
  return make_dataset(directory::take_subset(all, kText, shared, options.subset), options, options.shuffle, seed);
}

}  // namespace tkeras::data
