// image_dataset_from_directory: a folder of class subfolders of images as a dataset, as Keras's.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/data/directory_dataset.h"

namespace tkeras::data {

/// The arguments of `image_dataset_from_directory`, Keras's, with Keras's defaults. Members are in
/// Keras's order.
struct ImageDatasetOptions {
  /// `"inferred"`: the label of an image is the index of its subfolder among `class_names`;
  /// `"none"`: no labels (a dataset of images only, for `predict`). Default: `"inferred"`.
  std::string labels = "inferred";
  /// `"int"` (int32 class indices, for `sparse_categorical_crossentropy`), `"categorical"`
  /// (float32 one-hot vectors), `"binary"` (float32 0 or 1 of shape `[1]`, for exactly two
  /// classes) or `"none"`. Default: `"int"`.
  std::string label_mode = "int";
  /// The subfolders to use, in the order that gives their labels. Default: all of them, sorted.
  std::vector<std::string> class_names;
  /// `"rgb"` (3 channels), `"grayscale"` (1) or `"rgba"` (4). Default: `"rgb"`.
  std::string color_mode = "rgb";
  /// Images per batch; 0 gives single images, unbatched (Keras's `batch_size=None`). Default: 32.
  int64_t batch_size = 32;
  /// Height and width every image is resized to. Default: 256 x 256.
  std::array<int64_t, 2> image_size = {256, 256};
  /// Shuffle the files once (with `seed`, as Keras, so that a split holds the same files on
  /// every call), then at each pass through a buffer of 8 batches. Without it the files come
  /// in sorted order. Default: true.
  bool shuffle = true;
  /// The seed of both shuffles. Default: none, one is drawn (so the `"training"` and
  /// `"validation"` subsets of two calls only split the files consistently with a seed).
  std::optional<uint64_t> seed;
  /// Fraction of the files to hold out for validation, in (0, 1); needs `subset`.
  /// Default: 0, none.
  double validation_split = 0.0;
  /// `"training"`, `"validation"` or `"both"` (returns both: `auto [train, val] = ...`);
  /// needs `validation_split`. Default: none.
  std::string subset;
  /// How images are resized: `"bilinear"` or `"nearest"`, with half-pixel centres as
  /// TensorFlow's `tf.image.resize` (no antialiasing). Default: `"bilinear"`.
  std::string interpolation = "bilinear";
  /// Crop each image to the largest centred box of `image_size`'s aspect ratio before
  /// resizing, so that nothing is stretched. Default: false.
  bool crop_to_aspect_ratio = false;
  /// Print how many files and classes were found, and how many are used. Default: true.
  bool verbose = true;
};

/// A dataset of the images in `directory`'s subfolders, one class per subfolder, as Keras's
/// `image_dataset_from_directory`: batches of float32 images `[batch, height, width, channels]`
/// with values 0..255 (rescale them in the model, as Keras), and their labels.
///
/// Files are found in subfolders at any depth (hidden subfolders skipped), sorted, and kept if
/// their extension is one of Keras's: .jpeg, .jpg, .png, .bmp, .gif (any case). Decoding (see
/// `decode_image`) and resizing run on worker threads, one per core, ahead of training.
///
/// Throws `tkeras::Error` at once for a missing directory, no class subfolders, a class folder
/// without images, `class_names` that are not subfolders, a `"binary"` label_mode without
/// exactly two classes, and invalid options; and while reading, for a file that cannot be
/// decoded, naming it.
///
/// Example:
/// ```
/// auto [train, val] = tkeras::data::image_dataset_from_directory(
///     "flower_photos", {.image_size = {180, 180}, .seed = 123, .validation_split = 0.2, .subset = "both"});
/// std::cout << fmt::format("{}\n", fmt::join(train.class_names(), ", "));
/// model.fit(train, {.epochs = 15, .validation_data = val});
/// ```
DirectoryDataset image_dataset_from_directory(const std::filesystem::path& directory,
                                              const ImageDatasetOptions& options = {});

}  // namespace tkeras::data
