// Tests for TextVectorization: Keras's vocabulary order, standardize and split, the outputs, models
// that take texts, saving, and the errors.
#include "tkeras/layers/text_vectorization.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/data/text_dataset_from_directory.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/pooling1d.h"
#include "tkeras/models/sequential.h"
#include "tkeras/saving/load_model.h"

namespace layers = tkeras::layers;
using Strings = std::vector<std::string>;

TEST_CASE("adapt orders the vocabulary by count, then by token from last to first, after the special tokens") {
  layers::TextVectorization vectorize_layer;
  vectorize_layer.adapt(Strings{"The cat sat.", "the dog sat", "A dog!"});
  CHECK(vectorize_layer.get_vocabulary() == Strings{"", "[UNK]", "the", "sat", "dog", "cat", "a"});
  CHECK(vectorize_layer.get_vocabulary(/*include_special_tokens=*/false) == Strings{"the", "sat", "dog", "cat", "a"});
  CHECK(vectorize_layer.vocabulary_size() == 7);
}

TEST_CASE("max_tokens keeps the most frequent tokens, counting the special ones") {
  layers::TextVectorization vectorize_layer({.max_tokens = 4});
  vectorize_layer.adapt(Strings{"b b b a a c", "c c c c"});
  CHECK(vectorize_layer.get_vocabulary() == Strings{"", "[UNK]", "c", "b"});
  const torch::Tensor ids = vectorize_layer(Strings{"a b c d"});
  CHECK(torch::equal(ids, torch::tensor({{1, 3, 2, 1}}, torch::kLong)));
}

TEST_CASE("standardize lowercases ASCII letters and strips ASCII punctuation only, as TensorFlow's string ops") {
  const auto vocabulary_of = [](std::optional<std::string> standardize, const std::string& text) {
    layers::TextVectorization vectorize_layer({.standardize = std::move(standardize)});
    vectorize_layer.adapt(Strings{text});
    return vectorize_layer.get_vocabulary(false);
  };
  // One token of each, so the order is the bytes' from last to first.
  const std::string text = "It's \xC3\x89t\xC3\xA9 \xE2\x80\x9Cok\xE2\x80\x9D_x [UNK] well-done!";
  CHECK(vocabulary_of("lower_and_strip_punctuation", text) ==
        Strings{"\xE2\x80\x9Cok\xE2\x80\x9Dx", "\xC3\x89t\xC3\xA9", "welldone", "unk", "its"});
  CHECK(vocabulary_of("lower", text) ==
        Strings{"\xE2\x80\x9Cok\xE2\x80\x9D_x", "\xC3\x89t\xC3\xA9", "well-done!", "it's", "[unk]"});
  CHECK(vocabulary_of("strip_punctuation", text) ==
        Strings{"\xE2\x80\x9Cok\xE2\x80\x9Dx", "\xC3\x89t\xC3\xA9", "welldone", "UNK", "Its"});
  // Without standardizing, "[UNK]" is the special token and is not learnt.
  CHECK(vocabulary_of(std::nullopt, text) ==
        Strings{"\xE2\x80\x9Cok\xE2\x80\x9D_x", "\xC3\x89t\xC3\xA9", "well-done!", "It's"});
}

TEST_CASE("whitespace split takes runs of ASCII whitespace, character split UTF-8 characters, none whole texts") {
  layers::TextVectorization words;
  words.adapt(Strings{" \t a\r\n\vb\f  a "});
  CHECK(words.get_vocabulary(false) == Strings{"a", "b"});

  layers::TextVectorization characters({.standardize = std::nullopt, .split = "character"});
  characters.adapt(Strings{"a\xC3\xA9 a\xFF"});
  CHECK(characters.get_vocabulary(false) == Strings{"a", "\xEF\xBF\xBD", "\xC3\xA9", " "});

  layers::TextVectorization whole({.split = std::nullopt});
  whole.adapt(Strings{"Good day", "good day!", "bad day"});
  CHECK(whole.get_vocabulary(false) == Strings{"good day", "bad day"});
  CHECK(torch::equal(whole(Strings{"GOOD DAY", "other"}), torch::tensor({{2}, {1}}, torch::kLong)));
}

TEST_CASE("int outputs are padded with 0 or truncated at the end, to output_sequence_length or the longest text") {
  layers::TextVectorization ragged;
  ragged.adapt(Strings{"a a b"});
  CHECK(torch::equal(ragged(Strings{"a", "b zzz a", ""}),
                     torch::tensor({{2, 0, 0}, {3, 1, 2}, {0, 0, 0}}, torch::kLong)));

  layers::TextVectorization fixed({.output_sequence_length = 2});
  fixed.adapt(Strings{"a a b"});
  const torch::Tensor ids = fixed(Strings{"a", "b zzz a"});
  CHECK((ids.scalar_type() == torch::kLong));
  CHECK(torch::equal(ids, torch::tensor({{2, 0}, {3, 1}}, torch::kLong)));
}

TEST_CASE("multi_hot and count outputs have one column per vocabulary entry, [UNK] first") {
  layers::TextVectorization multi_hot({.output_mode = "multi_hot"});
  multi_hot.adapt(Strings{"a a b"});
  CHECK(multi_hot.get_vocabulary() == Strings{"[UNK]", "a", "b"});
  CHECK(torch::equal(multi_hot(Strings{"b b x", "a"}), torch::tensor({{1.0F, 0.0F, 1.0F}, {0.0F, 1.0F, 0.0F}})));

  layers::TextVectorization count({.output_mode = "count"});
  count.adapt(Strings{"a a b"});
  CHECK(torch::equal(count(Strings{"b b x", "a"}), torch::tensor({{1.0F, 0.0F, 2.0F}, {0.0F, 1.0F, 0.0F}})));
}

TEST_CASE("a given vocabulary may carry the special tokens at its start, and forbids adapt, as in Keras") {
  layers::TextVectorization given({.vocabulary = {"", "[UNK]", "x", "y"}});
  CHECK(given.get_vocabulary() == Strings{"", "[UNK]", "x", "y"});
  layers::TextVectorization bare({.vocabulary = {"x", "y"}});
  CHECK(bare.get_vocabulary() == Strings{"", "[UNK]", "x", "y"});
  CHECK(torch::equal(bare(Strings{"y x w"}), torch::tensor({{3, 2, 1}}, torch::kLong)));
  CHECK_THROWS_WITH_AS(bare.adapt(Strings{"a"}),
                       doctest::Contains("cannot adapt a layer that was given its vocabulary"), tkeras::Error);

  layers::TextVectorization later;
  later.set_vocabulary({"b", "a"});
  CHECK(later.get_vocabulary() == Strings{"", "[UNK]", "b", "a"});
  CHECK_THROWS_WITH_AS(later.set_vocabulary({"a", "b", "a"}),
                       "TextVectorization: expected a vocabulary without repeated tokens, received \"a\" twice",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(later.set_vocabulary({"a", "[UNK]"}),
                       doctest::Contains("found the special token \"[UNK]\" at index 1 of the vocabulary"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(later.set_vocabulary({}), "TextVectorization: cannot set an empty vocabulary", tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.max_tokens = 3, .vocabulary = {"a", "b"}}),
                       "TextVectorization: expected a vocabulary of at most max_tokens = 3 tokens (special tokens "
                       "included), received 4",
                       tkeras::Error);
}

TEST_CASE("bad options and a layer without vocabulary are refused naming what was expected") {
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.standardize = "upper"}),
                       "TextVectorization: expected standardize as \"lower_and_strip_punctuation\", \"lower\", "
                       "\"strip_punctuation\" or none (std::nullopt), received \"upper\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.split = "comma"}), doctest::Contains("expected split as"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.output_mode = "tf_idf"}),
                       doctest::Contains("output_mode \"tf_idf\" is not supported by tkeras"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.max_tokens = 2}),
                       "TextVectorization: expected max_tokens above 2 (the special tokens' count in \"int\" mode), "
                       "received 2",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.output_mode = "count", .output_sequence_length = 5}),
                       doctest::Contains("output_sequence_length applies to output_mode \"int\" only"), tkeras::Error);
  CHECK_THROWS_WITH_AS(layers::TextVectorization({.output_sequence_length = 0}),
                       "TextVectorization: expected a positive output_sequence_length, received 0", tkeras::Error);
  const layers::TextVectorization empty;
  CHECK_THROWS_WITH_AS(empty(Strings{"a"}), doctest::Contains("the layer has no vocabulary yet; call adapt(texts)"),
                       tkeras::Error);
}

namespace {

// A sentiment-like task: texts with "good" are positive, with "bad" negative.
struct Reviews {
  Strings texts;
  torch::Tensor labels;
};

Reviews reviews(int64_t count, uint64_t seed) {
  const Strings fillers = {"the", "film", "was", "a", "plot", "and", "actors", "very", "story"};
  std::mt19937_64 random(seed);
  Reviews data;
  std::vector<float> labels;
  for (int64_t i = 0; i < count; ++i) {
    const bool positive = random() % 2 == 0;
    Strings words;
    for (int word = 0; word < 6; ++word) words.push_back(fillers[random() % fillers.size()]);
    words.insert(words.begin() + static_cast<ptrdiff_t>(random() % 7), positive ? "Good," : "BAD!");
    data.texts.push_back(fmt::format("{}", fmt::join(words, " ")));
    labels.push_back(positive ? 1.0F : 0.0F);
  }
  data.labels = torch::tensor(labels).unsqueeze(1);
  return data;
}

std::shared_ptr<layers::TextVectorization> adapted(const Strings& texts) {
  auto vectorize_layer = std::make_shared<layers::TextVectorization>(
      layers::TextVectorizationOptions{.max_tokens = 50, .output_sequence_length = 8});
  vectorize_layer->adapt(texts);
  return vectorize_layer;
}

}  // namespace

TEST_CASE("a model that starts with TextVectorization fits, evaluates and predicts on texts") {
  torch::manual_seed(3);
  const Reviews train = reviews(256, 1);
  const Reviews test = reviews(64, 2);
  auto vectorize_layer = adapted(train.texts);
  tkeras::Sequential model({vectorize_layer, layers::Embedding(vectorize_layer->vocabulary_size(), 8),
                            layers::GlobalAveragePooling1D(), layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  const tkeras::History history =
      model.fit(train.texts, train.labels, {.epochs = 30, .validation_data = {test.texts, test.labels}, .verbose = 0});
  CHECK(history.history.at("val_accuracy").back() > 0.95);
  CHECK(model.evaluate(test.texts, test.labels, {.verbose = 0}).at("accuracy") > 0.95);
  const torch::Tensor probabilities = model.predict(Strings{"a good film", "a bad film"}, {.verbose = 0});
  CHECK(probabilities.sizes().vec() == std::vector<int64_t>{2, 1});
  CHECK(probabilities[0].item<double>() > 0.5);
  CHECK(probabilities[1].item<double>() < 0.5);
  // The ids the layer makes give the same outputs as its texts.
  CHECK(torch::allclose(model.predict((*vectorize_layer)(Strings{"a good film", "a bad film"}), {.verbose = 0}),
                        probabilities));
}

TEST_CASE("a model that starts with TextVectorization takes a dataset of texts, as text_dataset_from_directory's") {
  const tkeras::testing::TempDir dir;
  const Reviews train = reviews(64, 4);
  for (size_t i = 0; i < train.texts.size(); ++i) {
    const auto folder = dir.path() / (train.labels[static_cast<int64_t>(i)].item<float>() > 0.5F ? "pos" : "neg");
    std::filesystem::create_directories(folder);
    std::ofstream(folder / fmt::format("{}.txt", i)) << train.texts[i];
  }
  auto dataset = tkeras::data::text_dataset_from_directory(
      dir.path(), {.label_mode = "binary", .batch_size = 16, .seed = 1, .verbose = false});
  auto vectorize_layer =
      std::make_shared<layers::TextVectorization>(layers::TextVectorizationOptions{.output_sequence_length = 8});
  vectorize_layer->adapt(dataset);
  CHECK(vectorize_layer->vocabulary_size() == adapted(train.texts)->vocabulary_size());
  tkeras::Sequential model({vectorize_layer, layers::Embedding(vectorize_layer->vocabulary_size(), 4),
                            layers::GlobalAveragePooling1D(), layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  model.fit(dataset, {.epochs = 2, .verbose = 0});
  CHECK(model.predict(dataset, {.verbose = 0}).size(0) == 64);
  CHECK(model.evaluate(dataset, {.verbose = 0}).count("accuracy") == 1);
}

TEST_CASE("a saved model keeps its vocabulary and predicts the same on texts after loading") {
  const Reviews train = reviews(32, 5);
  auto vectorize_layer = adapted(train.texts);
  tkeras::Sequential model({vectorize_layer, layers::Embedding(vectorize_layer->vocabulary_size(), 4),
                            layers::GlobalAveragePooling1D(), layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy"});
  model.fit(train.texts, train.labels, {.epochs = 1, .verbose = 0});
  const tkeras::testing::TempDir dir;
  model.save(dir.path() / "text.tkeras");
  const auto loaded = tkeras::models::load_model(dir.path() / "text.tkeras");
  const auto& restored = dynamic_cast<const layers::TextVectorization&>(*loaded->layers().front());
  CHECK(restored.get_vocabulary() == vectorize_layer->get_vocabulary());
  CHECK(restored.output_sequence_length() == 8);
  CHECK(torch::equal(loaded->predict(train.texts, {.verbose = 0}), model.predict(train.texts, {.verbose = 0})));
  // A learnt vocabulary does not forbid adapting again, as after Keras's load_model.
  const_cast<layers::TextVectorization&>(restored).adapt(Strings{"new words"});
  CHECK(restored.get_vocabulary(false) == Strings{"words", "new"});
}

TEST_CASE("texts for a model without TextVectorization, or tensors it did not make, are refused") {
  tkeras::Sequential plain({layers::Dense(1)});
  CHECK_THROWS_WITH_AS(plain.predict(Strings{"a"}, {.verbose = 0}),
                       doctest::Contains("predict: received texts, which only a model whose first layer is a "
                                         "TextVectorization takes"),
                       tkeras::Error);
  auto vectorize_layer = adapted(Strings{"a b"});
  tkeras::Sequential model({vectorize_layer, layers::Embedding(10, 2), layers::GlobalAveragePooling1D()});
  CHECK_THROWS_WITH_AS(model.predict(torch::rand({2, 8}), {.verbose = 0}),
                       doctest::Contains("expected texts, which a model vectorizes before this layer"), tkeras::Error);

  auto unsized = std::make_shared<layers::TextVectorization>();
  unsized->adapt(Strings{"a b"});
  tkeras::Sequential needs_length({unsized, layers::Embedding(10, 2)});
  CHECK_THROWS_WITH_AS(needs_length.predict(Strings{"a b"}, {.verbose = 0}),
                       doctest::Contains("in a model the layer needs output_sequence_length"), tkeras::Error);
}

TEST_CASE("from_config reads Keras's config and refuses the options tkeras lacks") {
  const tkeras::Config keras = {
      {"name", "text_vectorization"}, {"trainable", true},   {"max_tokens", 10},     {"standardize", nullptr},
      {"split", "whitespace"},        {"ngrams", nullptr},   {"output_mode", "int"}, {"output_sequence_length", 3},
      {"pad_to_max_tokens", false},   {"sparse", false},     {"ragged", false},      {"vocabulary", {"x", "Y"}},
      {"idf_weights", nullptr},       {"encoding", "utf-8"}, {"vocabulary_size", 4}};
  const auto layer = layers::TextVectorization::from_config(keras);
  CHECK(layer->get_vocabulary() == Strings{"", "[UNK]", "x", "Y"});
  CHECK(torch::equal((*layer)(Strings{"Y y"}), torch::tensor({{3, 1, 0}}, torch::kLong)));
  const tkeras::Config saved = layer->get_config();
  CHECK(saved.at("standardize").is_null());
  CHECK(saved.at("has_input_vocabulary") == true);

  tkeras::Config ngrams = keras;
  ngrams["ngrams"] = 2;
  CHECK_THROWS_WITH_AS(layers::TextVectorization::from_config(ngrams),
                       "TextVectorization: ngrams = 2 is not supported by tkeras; expected null", tkeras::Error);
  tkeras::Config custom = keras;
  custom["standardize"] = {{"class_name", "function"}};
  CHECK_THROWS_WITH_AS(layers::TextVectorization::from_config(custom),
                       doctest::Contains("a custom standardize function is not supported by tkeras"), tkeras::Error);
}
