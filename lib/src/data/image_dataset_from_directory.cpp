// image_dataset_from_directory: index the folder as Keras's index_directory, then decode and
// resize on worker threads.
#include "tkeras/data/image_dataset_from_directory.h"

#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>

#include "data/directory_index.h"
#include "data/resize.h"
#include "tkeras/core/error.h"
#include "tkeras/data/decode_image.h"

namespace fs = std::filesystem;

namespace tkeras::data {
namespace {

constexpr std::array<std::string_view, 5> kImageExtensions = {".jpeg", ".jpg", ".png", ".bmp", ".gif"};
constexpr directory::Kind kImages{"image_dataset_from_directory", kImageExtensions, "images"};

directory::Options shared_options(const ImageDatasetOptions& options) {
  return {.labels = options.labels,
          .label_mode = options.label_mode,
          .class_names = options.class_names,
          .shuffle = options.shuffle,
          .seed = options.seed,
          .validation_split = options.validation_split,
          .subset = options.subset,
          .verbose = options.verbose};
}

void check_options(const ImageDatasetOptions& options) {
  directory::check_options(kImages, shared_options(options));
  directory::check_one_of(kImages, "color_mode", options.color_mode, {"rgb", "grayscale", "rgba"});
  directory::check_one_of(kImages, "interpolation", options.interpolation, {"bilinear", "nearest"});
  if (options.batch_size < 0) {
    throw Error(fmt::format("image_dataset_from_directory: expected batch_size >= 0 (0: unbatched), received {}",
                            options.batch_size));
  }
  if (options.image_size[0] <= 0 || options.image_size[1] <= 0) {
    throw Error(fmt::format("image_dataset_from_directory: expected a positive image_size, received {{{}, {}}}",
                            options.image_size[0], options.image_size[1]));
  }
}

struct Loader {
  std::shared_ptr<const std::vector<std::string>> paths;
  int channels = 3;
  std::array<int64_t, 2> size{};
  bool nearest = false;
  bool crop = false;

  // A decoded image as float32 [height, width, channels], resized as tf.image.resize (half-pixel
  // centres, no antialiasing).
  torch::Tensor operator()(int64_t index) const {
    torch::Tensor image = decode_image(fs::path((*paths)[static_cast<size_t>(index)]), channels).unsqueeze(0);
    if (crop) image = resize::crop_to_aspect(image, size[0], size[1]);
    if (!nearest) return resize::bilinear_image(image.squeeze(0), size[0], size[1]);
    return resize::images(image, size[0], size[1], "nearest").squeeze(0);
  }
};

DirectoryDataset make_dataset(const directory::Indexed& part, const ImageDatasetOptions& options, bool shuffle,
                              uint64_t seed) {
  const bool labelled = directory::labelled(shared_options(options));
  const torch::Tensor indices = torch::arange(static_cast<int64_t>(part.paths.size()), torch::kLong);
  Dataset dataset = labelled ? Dataset::from_tensor_slices(indices, directory::label_tensor(part, options.label_mode))
                             : Dataset::from_tensor_slices(indices);
  if (shuffle) {
    dataset = dataset.shuffle(options.batch_size > 0 ? options.batch_size * 8 : 1024, {.seed = seed});
  }
  Loader loader{std::make_shared<const std::vector<std::string>>(part.paths),
                options.color_mode == "grayscale" ? 1 : options.color_mode == "rgba" ? 4 : 3, options.image_size,
                options.interpolation == "nearest", options.crop_to_aspect_ratio};
  dataset = dataset.map([loader](Element element) { return Element{loader(element.x.item<int64_t>()), element.y}; },
                        {.num_parallel_calls = Dataset::kAutotune});
  if (options.batch_size > 0) dataset = dataset.batch(options.batch_size);
  return {dataset.prefetch(), labelled || options.labels == "inferred" ? part.class_names : std::vector<std::string>{},
          part.paths};
}

}  // namespace

DirectoryDataset image_dataset_from_directory(const fs::path& directory, const ImageDatasetOptions& options) {
  check_options(options);
  const directory::Options shared = shared_options(options);
  const uint64_t seed = directory::seed_of(shared);
  const directory::Indexed all = directory::index_directory(directory, kImages, shared, seed);
  if (options.subset == "both") {
    DirectoryDataset training =
        make_dataset(directory::take_subset(all, kImages, shared, "training"), options, options.shuffle, seed);
    training.set_validation(
        make_dataset(directory::take_subset(all, kImages, shared, "validation"), options, false, seed));
    return training;
  }
  return make_dataset(directory::take_subset(all, kImages, shared, options.subset), options, options.shuffle, seed);
}

}  // namespace tkeras::data
