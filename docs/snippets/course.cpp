// The code of docs/course.md, in functions that compile: every C++ block of that page is an excerpt
// of this file (scripts/check_doc_snippets.py checks it). Run, it builds the course's CNN and
// prints its summary; the lessons that need a folder of images or texts only compile here.
//
// Laid out by hand, as the pages show it, so clang-format leaves it alone.
// clang-format off
#include <functional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tkeras/tkeras.h>

namespace tk = tkeras;

// The next lesson: convolutions.
tk::Sequential convolutions() {
  tk::Sequential model({
      tk::layers::Input({28, 28, 1}),
      tk::layers::Conv2D(64, 3, {.activation = "relu"}),
      tk::layers::MaxPooling2D(2),
      tk::layers::Conv2D(64, 3, {.activation = "relu"}),
      tk::layers::MaxPooling2D(2),
      tk::layers::Flatten(),
      tk::layers::Dense(128, "relu"),
      tk::layers::Dense(10, "softmax"),
  });
  model.summary();
  return model;
}

// Colour photos in a folder per class, with augmentation.
void flowers() {
  auto [train, val] = tk::data::image_dataset_from_directory(
      "flower_photos", {.image_size = {180, 180}, .seed = 123, .validation_split = 0.2, .subset = "both"});
  fmt::print("{}\n", fmt::join(train.class_names(), ", "));   // daisy, dandelion, roses, sunflowers, tulips

  tk::Sequential model({tk::layers::Input({180, 180, 3}),
                        tk::layers::RandomFlip("horizontal"), tk::layers::RandomRotation(0.1), tk::layers::RandomZoom(0.1),
                        tk::layers::Rescaling(1.0 / 255),
                        tk::layers::Conv2D(16, 3, {.padding = "same", .activation = "relu"}), tk::layers::MaxPooling2D(),
                        tk::layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"}), tk::layers::MaxPooling2D(),
                        tk::layers::Conv2D(64, 3, {.padding = "same", .activation = "relu"}), tk::layers::MaxPooling2D(),
                        tk::layers::Dropout(0.2), tk::layers::Flatten(), tk::layers::Dense(128, "relu"),
                        tk::layers::Dense(5)});
  model.compile({.optimizer = "adam",
                 .loss = tk::losses::SparseCategoricalCrossentropy({.from_logits = true}),
                 .metrics = {"accuracy"}});
  model.fit(train.cache().prefetch(), {.epochs = 15, .validation_data = val.cache().prefetch()});
}

// Text and sequences (course 3) and time series (course 4).
void text_and_sequences(const std::vector<std::string>& train_texts, const torch::Tensor& train_labels,
                        const std::vector<std::string>& test_texts, const torch::Tensor& test_labels,
                        const std::vector<std::vector<int64_t>>& token_lists, const torch::Tensor& labels) {
  // Course 3: a text classifier that takes texts; TextVectorization learns the vocabulary.
  auto vectorize_layer = std::make_shared<tk::layers::TextVectorization>(
      tk::layers::TextVectorizationOptions{.max_tokens = 10000, .output_sequence_length = 120});
  vectorize_layer->adapt(train_texts);  // or a dataset of texts: adapt(train)
  tk::Sequential classifier({vectorize_layer,
                             tk::layers::Embedding(vectorize_layer->vocabulary_size(), 16, {.mask_zero = true}),
                             tk::layers::GlobalAveragePooling1D(),
                             tk::layers::Dense(24, "relu"), tk::layers::Dense(1, "sigmoid")});
  classifier.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  classifier.fit(train_texts, train_labels, {.epochs = 10, .validation_data = {test_texts, test_labels}});
  torch::Tensor p = classifier.predict({"a fine film", "a dull one"});

  // The same on padded token ids of your own (0 is padding, masked for the LSTM).
  torch::Tensor ids = tk::utils::pad_sequences(token_lists, {.maxlen = 120});  // [N, 120] int64
  tk::Sequential model({tk::layers::Input({120}),
                        tk::layers::Embedding(10000, 16, {.mask_zero = true}),
                        tk::layers::Bidirectional(tk::layers::LSTM(32)),
                        tk::layers::Dense(24, "relu"), tk::layers::Dense(1, "sigmoid")});
  model.compile({.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}});
  model.fit(ids, labels, {.epochs = 10, .validation_split = 0.2});

  // Course 4: 20 past values predict the next one.
  tk::Sequential forecaster({tk::layers::Input({20}), tk::layers::Reshape({20, 1}),
                             tk::layers::Conv1D(32, 5, {.padding = "causal", .activation = "relu"}),
                             tk::layers::LSTM(64, {.return_sequences = true}), tk::layers::LSTM(64),
                             tk::layers::Dense(1)});
  forecaster.compile({.optimizer = tk::optimizers::SGD({.learning_rate = 1e-5, .momentum = 0.9}),
                      .loss = tk::losses::Huber(), .metrics = {"mae"}});
}

int main() {
  tk::Sequential model = convolutions();
  fmt::print("the course's CNN has {} parameters\n", model.count_params());
  // The other lessons need data from outside (flower_photos, texts): they are compiled, not run.
  const std::vector<std::function<void()>> compiled_only = {
      flowers, [] { text_and_sequences({}, {}, {}, {}, {}, {}); }};
  return compiled_only.size() == 2 ? 0 : 1;
}
