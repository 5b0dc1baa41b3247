// Tests for text_dataset_from_directory: labels, batches of text, max_length, splits, errors, and
// a text classifier trained from a folder.
#include "tkeras/data/text_dataset_from_directory.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/core/random.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/adam.h"

using tkeras::data::DirectoryDataset;
using tkeras::data::Element;
using tkeras::data::text_dataset_from_directory;
namespace fs = std::filesystem;
namespace testing = tkeras::testing;

namespace {

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Each text of a pass with its label, in order.
std::vector<std::pair<std::string, int64_t>> read_texts(const tkeras::data::Dataset& dataset) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const Element& batch : dataset) {
    // (Unbatched, one text and a scalar label.)
    const torch::Tensor labels =
        batch.y.defined() ? batch.y.reshape({-1}) : torch::full({static_cast<int64_t>(batch.text.size())}, -1);
    REQUIRE(static_cast<int64_t>(batch.text.size()) == labels.size(0));
    for (size_t i = 0; i < batch.text.size(); ++i) {
      out.emplace_back(batch.text[i], labels[static_cast<int64_t>(i)].item<int64_t>());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("each text file comes as its bytes in the batch's text, with its folder's label") {
  const testing::TempDir dir;
  write_file(dir.path() / "pos" / "a.txt", "a fine film\n");
  write_file(dir.path() / "pos" / "more" / "b.TXT", "caf\xc3\xa9, superb");
  write_file(dir.path() / "neg" / "c.txt", "dull");
  write_file(dir.path() / "neg" / "notes.md", "not a .txt file");
  const DirectoryDataset dataset =
      text_dataset_from_directory(dir.path(), {.batch_size = 2, .shuffle = false, .verbose = false});
  CHECK(dataset.class_names() == std::vector<std::string>{"neg", "pos"});
  CHECK(dataset.cardinality() == 2);
  const Element first = *dataset.begin();
  CHECK(first.text.size() == 2);
  CHECK_FALSE(first.x.defined());
  CHECK((first.y.scalar_type() == torch::kInt32));
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"dull", 0}, {"a fine film\n", 1}, {"caf\xc3\xa9, superb", 1}};
  CHECK(read_texts(dataset) == expected);
  // max_length keeps the first bytes, as Keras's tf.strings.substr (here cutting the "é" in two).
  const auto cut = read_texts(
      text_dataset_from_directory(dir.path(), {.batch_size = 0, .max_length = 4, .shuffle = false, .verbose = false}));
  CHECK(cut[2].first == "caf\xc3");
  CHECK(cut[1].first == "a fi");
  // Categorical and binary labels, and text alone without labels.
  const Element categorical =
      *text_dataset_from_directory(dir.path(), {.label_mode = "categorical", .shuffle = false, .verbose = false})
           .begin();
  CHECK(torch::equal(categorical.y, torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}, {0.0f, 1.0f}})));
  const Element binary =
      *text_dataset_from_directory(dir.path(), {.label_mode = "binary", .shuffle = false, .verbose = false}).begin();
  CHECK(binary.y.sizes() == torch::IntArrayRef({3, 1}));
  const Element unlabelled =
      *text_dataset_from_directory(dir.path(), {.labels = "none", .shuffle = false, .verbose = false}).begin();
  CHECK_FALSE(unlabelled.y.defined());
  CHECK(unlabelled.text.size() == 4 - 1);  // the three .txt files of the whole folder
}

TEST_CASE("a seeded split holds each file in one subset, and subset both unpacks into training and validation") {
  const testing::TempDir dir;
  for (int i = 0; i < 10; ++i)
    write_file(dir.path() / (i % 2 ? "pos" : "neg") / fmt::format("{}.txt", i), std::to_string(i));
  auto [train, val] = text_dataset_from_directory(
      dir.path(), {.batch_size = 3, .seed = 5, .validation_split = 0.3, .subset = "both", .verbose = false});
  CHECK(train.file_paths().size() == 7);
  CHECK(val.file_paths().size() == 3);
  const auto first_pass = read_texts(train);
  std::set<std::string> seen;
  for (const auto& [text, label] : first_pass) seen.insert(text);
  for (const auto& [text, label] : read_texts(val)) seen.insert(text);
  CHECK(seen.size() == 10);
  // The same seed gives the same training files, and the same order in the first pass.
  const DirectoryDataset again = text_dataset_from_directory(
      dir.path(), {.batch_size = 3, .seed = 5, .validation_split = 0.3, .subset = "training", .verbose = false});
  CHECK(again.file_paths() == train.file_paths());
  CHECK(read_texts(again) == first_pass);
}

TEST_CASE("text folders without classes or files, and bad options, are refused naming what was expected") {
  const testing::TempDir dir;
  CHECK_THROWS_WITH_AS(text_dataset_from_directory(dir.path() / "missing", {.verbose = false}),
                       doctest::Contains("expected a directory"), tkeras::Error);
  CHECK_THROWS_WITH_AS(text_dataset_from_directory(dir.path(), {.verbose = false}),
                       doctest::Contains("expected one subfolder of text files per class"), tkeras::Error);
  write_file(dir.path() / "a" / "x.txt", "x");
  write_file(dir.path() / "b" / "y.md", "y");
  CHECK_THROWS_WITH_AS(text_dataset_from_directory(dir.path(), {.verbose = false}),
                       doctest::Contains("class \"b\" has no text files"), tkeras::Error);
  write_file(dir.path() / "b" / "y.txt", "y");
  write_file(dir.path() / "c" / "z.txt", "z");
  CHECK_THROWS_WITH_AS(text_dataset_from_directory(dir.path(), {.label_mode = "binary", .verbose = false}),
                       doctest::Contains("needs exactly 2 classes, received 3"), tkeras::Error);
  CHECK_THROWS_WITH_AS(text_dataset_from_directory(dir.path(), {.max_length = -1, .verbose = false}),
                       doctest::Contains("expected max_length >= 0, received -1"), tkeras::Error);
  CHECK_THROWS_WITH_AS(text_dataset_from_directory(dir.path(), {.validation_split = 0.5, .verbose = false}),
                       doctest::Contains("subset and validation_split go together"), tkeras::Error);
}

TEST_CASE("a model learns a text folder mapped to tensors, and one without TextVectorization refuses raw text") {
  // Two classes of short reviews, told apart by their words; word counts over a fixed vocabulary
  // are the vectorizer (TextVectorization is the Keras layer for this).
  const testing::TempDir dir;
  const std::vector<std::string> good = {"great", "superb", "moving", "brilliant", "fun"};
  const std::vector<std::string> bad = {"dull", "boring", "awful", "tedious", "weak"};
  for (int i = 0; i < 40; ++i) {
    const auto& words = i % 2 ? good : bad;
    write_file(dir.path() / (i % 2 ? "pos" : "neg") / fmt::format("{}.txt", i),
               fmt::format("the film was {} and {}", words[i % 5], words[(i / 2) % 5]));
  }
  std::map<std::string, int64_t> vocabulary;  // index 0: any other word
  for (const auto& words : {good, bad}) {
    for (const std::string& word : words) vocabulary.emplace(word, static_cast<int64_t>(vocabulary.size()) + 1);
  }
  const auto size = static_cast<int64_t>(vocabulary.size()) + 1;
  auto vectorize = [vocabulary, size](Element batch) {
    torch::Tensor counts = torch::zeros({static_cast<int64_t>(batch.text.size()), size});
    auto rows = counts.accessor<float, 2>();
    for (size_t i = 0; i < batch.text.size(); ++i) {
      std::istringstream words(batch.text[i]);
      for (std::string word; words >> word;) {
        const auto found = vocabulary.find(word);
        rows[static_cast<int64_t>(i)][found == vocabulary.end() ? 0 : found->second] += 1;
      }
    }
    batch.x = counts;
    return batch;
  };
  const DirectoryDataset train =
      text_dataset_from_directory(dir.path(), {.batch_size = 8, .seed = 1, .verbose = false});
  tkeras::utils::set_random_seed(3);
  tkeras::Sequential model({tkeras::layers::Input({size}), tkeras::layers::Dense(2, "softmax")});
  model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 0.05}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cpu"});
  const tkeras::History history = model.fit(train.map(vectorize), {.epochs = 20, .verbose = 0});
  CHECK(history.history.at("loss").back() < history.history.at("loss").front() / 2);
  CHECK(model.evaluate(train.map(vectorize), {.verbose = 0}).at("accuracy") >= 0.95);
  CHECK_THROWS_WITH_AS(
      model.fit(train, {.verbose = 0}),
      doctest::Contains("received texts, which only a model whose first layer is a TextVectorization takes"),
      tkeras::Error);
}
