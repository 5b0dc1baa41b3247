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

void check_image_options(const ImageDatasetOptions& options) {
  directory::check_options(kImages, directory::shared_options(options));
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
  int channels = 3;
  std::array<int64_t, 2> size{};
  bool nearest = false;
  bool crop = false;

  // A decoded image as float32 [height, width, channels], resized as tf.image.resize (half-pixel
  // centres, no antialiasing).
  torch::Tensor operator()(const std::string& path) const {
    torch::Tensor image = decode_image(fs::path(path), channels).unsqueeze(0);
    if (crop) image = resize::crop_to_aspect(image, size[0], size[1]);
    if (!nearest) return resize::bilinear_image(image.squeeze(0), size[0], size[1]);
    return resize::images(image, size[0], size[1], "nearest").squeeze(0);
  }
};

}  // namespace

DirectoryDataset image_dataset_from_directory(const fs::path& directory, const ImageDatasetOptions& options) {
  check_image_options(options);
  const Loader loader{options.color_mode == "grayscale" ? 1
                      : options.color_mode == "rgba"    ? 4
                                                        : 3,
                      options.image_size, options.interpolation == "nearest", options.crop_to_aspect_ratio};
  return directory::load(directory, kImages, directory::shared_options(options), options.batch_size,
                         [loader](const std::string& path, Element element) {
                           element.x = loader(path);
                           return element;
                         });
}

}  // namespace tkeras::data
