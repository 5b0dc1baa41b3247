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

void check_text_options(const TextDatasetOptions& options) {
  directory::check_options(kText, directory::shared_options(options));
  if (options.batch_size < 0) {
    throw Error(fmt::format("text_dataset_from_directory: expected batch_size >= 0 (0: unbatched), received {}",
                            options.batch_size));
  }
  if (options.max_length && *options.max_length < 0) {
    throw Error(fmt::format("text_dataset_from_directory: expected max_length >= 0, received {}", *options.max_length));
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
      if (in.bad())
        in.setstate(std::ios::failbit);
      else
        in.clear();
    } else {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (!in) throw Error(fmt::format("text_dataset_from_directory: cannot read \"{}\"", path));
  return text;
}

}  // namespace

DirectoryDataset text_dataset_from_directory(const fs::path& directory, const TextDatasetOptions& options) {
  check_text_options(options);
  return directory::load(directory, kText, directory::shared_options(options), options.batch_size,
                         [max_length = options.max_length](const std::string& path, Element element) {
                           element.text = {read_text(path, max_length)};
                           return element;
                         });
}

}  // namespace tkeras::data
