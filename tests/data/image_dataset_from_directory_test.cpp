// Tests for image_dataset_from_directory: Keras's indexing, labels, splits, resizing and errors.
#include "tkeras/data/image_dataset_from_directory.h"

#include <set>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data/image_files.h"
#include "support.h"
#include "tkeras/core/error.h"

using tkeras::data::DirectoryDataset;
using tkeras::data::image_dataset_from_directory;
namespace fs = std::filesystem;
namespace testing = tkeras::testing;

namespace {

// `counts[k]` PNG images of 6x4 in folder `names[k]`; image i of class k has every pixel 10 * k + i.
void write_classes(const fs::path& root, const std::vector<std::string>& names, const std::vector<int>& counts) {
  for (size_t k = 0; k < names.size(); ++k) {
    fs::create_directories(root / names[k]);
    for (int i = 0; i < counts[k]; ++i) {
      const torch::Tensor image = torch::full({4, 6, 3}, static_cast<int64_t>(10 * k + i), torch::kUInt8);
      testing::write_png(root / names[k] / fmt::format("img_{}.png", i), image);
    }
  }
}

// Every (pixel value, label) of a pass, in order.
std::vector<std::pair<int64_t, int64_t>> read_images(const tkeras::data::Dataset& dataset) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const tkeras::data::Element& batch : dataset) {
    for (int64_t i = 0; i < batch.x.size(0); ++i) {
      out.emplace_back(static_cast<int64_t>(batch.x[i][0][0][0].item<float>()),
                       batch.y.defined() ? batch.y[i].item<int64_t>() : -1);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the subfolders are the classes, sorted, and each image comes with its folder's label") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"dogs", "cats"}, {3, 2});
  const DirectoryDataset dataset = image_dataset_from_directory(
      dir.path(), {.batch_size = 2, .image_size = {4, 6}, .shuffle = false, .verbose = false});
  CHECK(dataset.class_names() == std::vector<std::string>{"cats", "dogs"});
  CHECK(dataset.cardinality() == 3);
  REQUIRE(dataset.file_paths().size() == 5);
  CHECK(dataset.file_paths().front() == (dir.path() / "cats" / "img_0.png").string());
  const tkeras::data::Element first = *dataset.begin();
  CHECK(first.x.sizes() == torch::IntArrayRef({2, 4, 6, 3}));
  CHECK((first.x.scalar_type() == torch::kFloat32));
  CHECK((first.y.scalar_type() == torch::kInt32));
  // cats (label 0) were written with pixels 10 and 11, dogs (label 1) with 0, 1 and 2.
  const std::vector<std::pair<int64_t, int64_t>> expected = {{10, 0}, {11, 0}, {0, 1}, {1, 1}, {2, 1}};
  CHECK(read_images(dataset) == expected);
}

TEST_CASE("Keras's extensions are found at any depth and in any case, but other files and hidden folders are not") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"a", "b"}, {1, 1});
  fs::create_directories(dir.path() / "a" / "nested");
  testing::write_png(dir.path() / "a" / "nested" / "deep.PNG", torch::zeros({4, 6, 3}, torch::kUInt8));
  testing::write_bmp(dir.path() / "a" / "x.bmp", torch::zeros({4, 6, 3}, torch::kUInt8));
  std::ofstream(dir.path() / "a" / "notes.txt") << "not an image";
  fs::create_directories(dir.path() / ".hidden");
  testing::write_png(dir.path() / ".hidden" / "h.png", torch::zeros({4, 6, 3}, torch::kUInt8));
  const DirectoryDataset dataset = image_dataset_from_directory(dir.path(), {.shuffle = false, .verbose = false});
  CHECK(dataset.class_names() == std::vector<std::string>{"a", "b"});
  const std::vector<std::string> expected = {
      (dir.path() / "a" / "img_0.png").string(), (dir.path() / "a" / "x.bmp").string(),
      (dir.path() / "a" / "nested" / "deep.PNG").string(), (dir.path() / "b" / "img_0.png").string()};
  CHECK(dataset.file_paths() == expected);
}

TEST_CASE("files are shuffled with NumPy's RandomState(seed), so a seed gives Keras's order and split") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"a"}, {10});
  const DirectoryDataset dataset =
      image_dataset_from_directory(dir.path(), {.batch_size = 0, .image_size = {4, 6}, .seed = 123, .verbose = false});
  // np.random.RandomState(123).shuffle(list(range(10))), printed by NumPy 2.4.
  const std::vector<int> numpy_order = {4, 0, 7, 5, 8, 3, 1, 6, 9, 2};
  REQUIRE(dataset.file_paths().size() == 10);
  for (size_t i = 0; i < 10; ++i) {
    CHECK(dataset.file_paths()[i] == (dir.path() / "a" / fmt::format("img_{}.png", numpy_order[i])).string());
  }
}

TEST_CASE("validation_split holds out the last files, and subset both unpacks into the same two sets") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"a", "b", "c"}, {4, 3, 3});
  const tkeras::data::ImageDatasetOptions base{.batch_size = 4, .image_size = {4, 6}, .seed = 7, .verbose = false};
  auto options = [&](const char* subset) {
    auto o = base;
    o.validation_split = 0.3;
    o.subset = subset;
    return o;
  };
  const DirectoryDataset training = image_dataset_from_directory(dir.path(), options("training"));
  const DirectoryDataset validation = image_dataset_from_directory(dir.path(), options("validation"));
  CHECK(training.file_paths().size() == 7);
  CHECK(validation.file_paths().size() == 3);
  std::set<std::string> all(training.file_paths().begin(), training.file_paths().end());
  all.insert(validation.file_paths().begin(), validation.file_paths().end());
  CHECK(all.size() == 10);
  auto [train, val] = image_dataset_from_directory(dir.path(), options("both"));
  CHECK(train.file_paths() == training.file_paths());
  CHECK(val.file_paths() == validation.file_paths());
  CHECK(val.class_names() == std::vector<std::string>{"a", "b", "c"});
  // The validation set is read in order every pass; the training set is reshuffled.
  CHECK(read_images(val) == read_images(val));
  CHECK(read_images(train).size() == 7);
  CHECK_THROWS_WITH_AS(training.validation(), doctest::Contains("pass subset=\"both\""), tkeras::Error);
}

TEST_CASE("label modes give int32 indices, float32 one-hot rows, float32 [1] for two classes, or no labels") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"a", "b", "c"}, {1, 1, 1});
  auto first = [&](const char* mode) {
    return *image_dataset_from_directory(
                dir.path(),
                {.label_mode = mode, .batch_size = 3, .image_size = {4, 6}, .shuffle = false, .verbose = false})
                .begin();
  };
  CHECK(torch::equal(first("categorical").y, torch::eye(3)));
  CHECK_FALSE(first("none").y.defined());
  const DirectoryDataset unlabelled = image_dataset_from_directory(
      dir.path(), {.labels = "none", .image_size = {4, 6}, .shuffle = false, .verbose = false});
  CHECK(unlabelled.file_paths().size() == 3);
  CHECK_THROWS_WITH_AS(
      image_dataset_from_directory(dir.path(), {.label_mode = "binary", .verbose = false}),
      "image_dataset_from_directory: label_mode=\"binary\" needs exactly 2 classes, received 3: a, b, c",
      tkeras::Error);
  const DirectoryDataset two = image_dataset_from_directory(dir.path(), {.label_mode = "binary",
                                                                         .class_names = {"c", "a"},
                                                                         .batch_size = 2,
                                                                         .image_size = {4, 6},
                                                                         .shuffle = false,
                                                                         .verbose = false});
  const tkeras::data::Element batch = *two.begin();
  // class_names chooses the classes and their order: c is 0, a is 1.
  CHECK(torch::equal(batch.y, torch::tensor({{0.0F}, {1.0F}})));
  CHECK(batch.x[0][0][0][0].item<float>() == 20.0F);
}

TEST_CASE("color modes give 1, 3 or 4 channels") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"a"}, {1});
  for (const auto& [mode, channels] :
       std::vector<std::pair<const char*, int64_t>>{{"grayscale", 1}, {"rgb", 3}, {"rgba", 4}}) {
    CAPTURE(mode);
    const auto batch =
        *image_dataset_from_directory(dir.path(), {.color_mode = mode, .image_size = {4, 6}, .verbose = false}).begin();
    CHECK(batch.x.size(3) == channels);
  }
}

TEST_CASE("resizing uses half-pixel centres as tf.image.resize, and crop_to_aspect_ratio crops the centre") {
  const testing::TempDir dir;
  fs::create_directories(dir.path() / "a");
  // One row 0, 40, 80, 120 (and three more like it): halved bilinearly with half-pixel centres
  // each output pixel averages two inputs (20, 100); with corners aligned it would be 0, 120.
  const torch::Tensor row = torch::tensor({0, 40, 80, 120}, torch::kUInt8).reshape({1, 4, 1}).expand({4, 4, 3});
  testing::write_png(dir.path() / "a" / "row.png", row.contiguous());
  auto load = [&](tkeras::data::ImageDatasetOptions options) {
    options.verbose = false;
    return (*image_dataset_from_directory(dir.path(), options).begin()).x[0];
  };
  const torch::Tensor halved = load({.image_size = {4, 2}});
  CHECK(torch::allclose(halved.select(2, 0)[0], torch::tensor({20.0F, 100.0F})));
  const torch::Tensor nearest = load({.image_size = {4, 2}, .interpolation = "nearest"});
  CHECK(torch::equal(nearest.select(2, 0)[0], torch::tensor({40.0F, 120.0F})));
  // A 4x4 image into 4x2 with crop_to_aspect_ratio: the centre 4x2 box, columns 1 and 2, unscaled.
  const torch::Tensor cropped = load({.image_size = {4, 2}, .crop_to_aspect_ratio = true});
  CHECK(torch::equal(cropped.select(2, 0)[0], torch::tensor({40.0F, 80.0F})));
}

TEST_CASE("the loader's bilinear resize gives LibTorch's interpolate's values within rounding, shrinking and growing") {
  // The loader resizes with its own loop over LibTorch's indices and weights (faster on a photo,
  // docs/benchmarks.md); the values must stay those of interpolate, which the parity suite compares
  // with Keras, within float32 rounding (LibTorch adds the four products in another order).
  const testing::TempDir dir;
  fs::create_directories(dir.path() / "a");
  auto generator = at::detail::createCPUGenerator(9);
  const torch::Tensor image = torch::randint(0, 256, {37, 53, 3}, generator, torch::kLong).to(torch::kUInt8);
  testing::write_png(dir.path() / "a" / "noise.png", image);
  namespace F = torch::nn::functional;
  double worst = 0.0;
  for (const auto& [height, width] : std::vector<std::pair<int64_t, int64_t>>{
           {37, 53}, {18, 26}, {36, 50}, {64, 90}, {1, 1}, {37, 20}, {100, 53}, {5, 200}}) {
    CAPTURE(height);
    CAPTURE(width);
    const torch::Tensor loaded =
        (*image_dataset_from_directory(dir.path(), {.image_size = {height, width}, .verbose = false}).begin()).x[0];
    const torch::Tensor expected = F::interpolate(image.to(torch::kFloat32).unsqueeze(0).permute({0, 3, 1, 2}),
                                                  F::InterpolateFuncOptions()
                                                      .size(std::vector<int64_t>{height, width})
                                                      .mode(torch::kBilinear)
                                                      .align_corners(false))
                                       .permute({0, 2, 3, 1})[0];
    REQUIRE(loaded.sizes() == expected.sizes());
    worst = std::max(worst, (loaded - expected).abs().max().item<double>());
  }
  CHECK(worst < 1e-3);  // on 0..255: 2.4e-4 measured
}

TEST_CASE("bad folders and options are refused at once, saying what was expected") {
  const testing::TempDir dir;
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path() / "missing"),
                       doctest::Contains("expected a directory, received"), tkeras::Error);
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path()),
                       doctest::Contains("expected one subfolder of images per class"), tkeras::Error);
  fs::create_directories(dir.path() / "empty_class");
  write_classes(dir.path(), {"full"}, {2});
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path(), {.verbose = false}),
                       doctest::Contains("class \"empty_class\" has no images"), tkeras::Error);
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path(), {.class_names = {"full", "cats"}, .verbose = false}),
                       doctest::Contains("expected some of empty_class, full, received \"cats\""), tkeras::Error);
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path(), {.validation_split = 0.2, .subset = "training"}),
                       doctest::Contains("pass a seed"), tkeras::Error);
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path(), {.validation_split = 0.2}),
                       doctest::Contains("subset and validation_split go together"), tkeras::Error);
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path(), {.color_mode = "cmyk"}),
                       "image_dataset_from_directory: expected color_mode to be one of rgb, grayscale, rgba, received "
                       "\"cmyk\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(image_dataset_from_directory(dir.path(), {.interpolation = "bicubic"}),
                       doctest::Contains("expected interpolation to be one of bilinear, nearest"), tkeras::Error);
}

TEST_CASE("a file that cannot be decoded stops the pass with an error naming it") {
  const testing::TempDir dir;
  write_classes(dir.path(), {"a"}, {3});
  std::ofstream(dir.path() / "a" / "broken.jpg") << "this is not a JPEG";
  const DirectoryDataset dataset = image_dataset_from_directory(dir.path(), {.shuffle = false, .verbose = false});
  CHECK_THROWS_WITH_AS(
      read_images(dataset),
      doctest::Contains(fmt::format("\"{}\" is not a JPEG", (dir.path() / "a" / "broken.jpg").string()).c_str()),
      tkeras::Error);
}
