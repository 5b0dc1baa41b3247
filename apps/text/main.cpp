// tkeras-text: the course's third part, a text classifier, as a command-line program.
//
// It reads a folder of labelled texts with text_dataset_from_directory (by default passages of
// two of Jane Austen's novels, Pride and Prejudice and Sense and Sensibility, which
// `scripts/setup.sh data` writes from Debian's r-cran-janeaustenr), holds out a validation set,
// learns a vocabulary with TextVectorization's adapt, and trains one of the course's models on the
// texts themselves: Embedding then GlobalAveragePooling1D (pooling), a Bidirectional LSTM (lstm),
// Conv1D (conv) or a Transformer encoder block (transformer), then Dense layers with a sigmoid. It
// prints the accuracy on the held-out passages and classifies a few sentences of its own.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

namespace tk = tkeras;
namespace layers = tk::layers;

namespace {

struct Settings {
  std::string data_dir;
  std::string model = "pooling";
  int epochs = 10;
  int64_t max_tokens = 10000;
  int64_t sequence_length = 120;
  int64_t batch_size = 32;
  uint64_t seed = 42;
  std::string device = "auto";
  std::string plot_file;
  std::string save_file;
  std::string load_file;
  int verbose = 1;
};

// Where `scripts/setup.sh data` writes the passages: beside the digits, in $TKERAS_HOME/datasets.
std::filesystem::path default_dir() { return tk::datasets::mnist::default_dir().parent_path() / "austen"; }

// The Transformer encoder on token ids, as a Functional model: token and position embeddings,
// one encoder block (self-attention, then a feed-forward block, each added to its input and
// normalised after it) and the mean over the steps. The position embedding is a table of (steps,
// features) learned as the bias of an EinsumDense: Keras has no position embedding layer, and a
// second input of positions would keep the model from taking the texts, as `fit`, `--save` and
// `--load` need. The EinsumDense's kernel, a features x features map of the token embeddings, adds
// nothing they could not learn. No `mask_zero`: padding is attended and averaged, as in the
// parity test (tests/keras/test_transformer.py), since an EinsumDense ends a mask in Keras.
std::shared_ptr<tk::Model> transformer_encoder(int64_t vocabulary, const Settings& settings) {
  const int64_t steps = settings.sequence_length;
  const int64_t features = 32, heads = 2, hidden = 64;
  const tk::KerasTensor tokens = tk::Input({steps}, {.name = "tokens", .dtype = "int64"});
  tk::KerasTensor x = layers::Embedding(vocabulary, features)(tokens);
  x = layers::EinsumDense("abc,cd->abd", {steps, features}, {.bias_axes = "bd"})(x);  // + positions
  auto attention = std::make_shared<layers::MultiHeadAttention>(heads, features / heads);
  const tk::KerasTensor attended = layers::Dropout(0.1)((*attention)(x, x));
  x = layers::LayerNormalization({.epsilon = 1e-6})(layers::Add()({x, attended}));
  tk::KerasTensor fed = layers::Dense(hidden, "relu")(x);
  fed = layers::Dropout(0.1)(layers::Dense(features)(fed));
  x = layers::LayerNormalization({.epsilon = 1e-6})(layers::Add()({x, fed}));
  const tk::KerasTensor pooled = layers::GlobalAveragePooling1D()(x);
  return std::make_shared<tk::Model>(tokens, pooled, tk::ModelOptions{.name = "transformer_encoder"});
}

// The course's text models, after the TextVectorization: token ids to vectors, then a summary of
// the sequence, then a probability of the second class.
tk::Sequential text_classifier(const std::shared_ptr<layers::TextVectorization>& vectorize_layer,
                               const Settings& settings) {
  const int64_t vocabulary = vectorize_layer->vocabulary_size();
  tk::Sequential model({vectorize_layer});
  if (settings.model == "transformer") {
    model.add(transformer_encoder(vocabulary, settings));
  } else if (settings.model == "pooling") {
    model.add(layers::Embedding(vocabulary, 16, {.mask_zero = true}));
    model.add(layers::GlobalAveragePooling1D());
  } else if (settings.model == "lstm") {
    model.add(layers::Embedding(vocabulary, 64, {.mask_zero = true}));
    model.add(layers::Bidirectional(layers::LSTM(32)));
  } else {  // conv
    model.add(layers::Embedding(vocabulary, 64));
    model.add(layers::Conv1D(128, 5, {.activation = "relu"}));
    model.add(layers::GlobalMaxPooling1D());
  }
  model.add(layers::Dense(24, "relu"));
  model.add(layers::Dense(1, "sigmoid"));
  model.compile(
      {.optimizer = "adam", .loss = "binary_crossentropy", .metrics = {"accuracy"}, .device = settings.device});
  return model;
}

int run(const Settings& settings) {
  const std::filesystem::path dir =
      settings.data_dir.empty() ? default_dir() : std::filesystem::path(settings.data_dir);
  if (!std::filesystem::is_directory(dir)) {
    fmt::print(stderr,
               "tkeras-text: no folder of texts at {}; run `make data` in the tkeras checkout to write Jane "
               "Austen's passages, or pass --data DIR (one subfolder of .txt files per class, two classes)\n",
               dir.string());
    return 2;
  }
  tk::utils::set_random_seed(settings.seed);
  auto [train, validation] = tk::data::text_dataset_from_directory(dir, {.label_mode = "binary",
                                                                         .batch_size = settings.batch_size,
                                                                         .seed = settings.seed,
                                                                         .validation_split = 0.2,
                                                                         .subset = "both"});
  const std::vector<std::string>& classes = train.class_names();
  fmt::print("classes: {}\n", fmt::join(classes, ", "));

  std::shared_ptr<tk::Model> model;
  if (!settings.load_file.empty()) {
    model = tk::models::load_model(settings.load_file, {.device = settings.device});
  } else {
    // The vocabulary comes from the training passages only, as the course does.
    auto vectorize_layer = std::make_shared<layers::TextVectorization>(layers::TextVectorizationOptions{
        .max_tokens = settings.max_tokens, .output_sequence_length = settings.sequence_length});
    vectorize_layer->adapt(train);
    const std::vector<std::string> tokens = vectorize_layer->get_vocabulary(/*include_special_tokens=*/false);
    fmt::print(
        "vocabulary: {} tokens, the most frequent: {}\n", vectorize_layer->vocabulary_size(),
        fmt::join(tokens.begin(), tokens.begin() + static_cast<ptrdiff_t>(std::min<size_t>(10, tokens.size())), " "));
    auto trained = std::make_shared<tk::Sequential>(text_classifier(vectorize_layer, settings));
    trained->build({settings.sequence_length});  // the token ids of one text
    trained->summary();
    // The datasets hold the texts; the model's TextVectorization turns each batch into token ids.
    const tk::History history = trained->fit(
        train.cache(), {.epochs = settings.epochs, .validation_data = validation.cache(), .verbose = settings.verbose});
    if (!settings.plot_file.empty()) {
      // Where the validation curve leaves the training curve, the model starts to overfit.
      tk::plot_history(history, settings.plot_file, {.metrics = {"loss", "accuracy"}});
      fmt::print("wrote the training curves to {}\n", settings.plot_file);
    }
    if (!settings.save_file.empty()) {
      trained->save(settings.save_file);
      fmt::print("saved the model, with its vocabulary, to {}\n", settings.save_file);
    }
    model = trained;
  }
  const tk::Logs scores = model->evaluate(validation, {.verbose = 0});
  fmt::print("{}: held-out accuracy {:.4f}, loss {:.4f} on the validation texts\n",
             settings.load_file.empty() ? settings.model : fmt::format("model loaded from {}", settings.load_file),
             scores.at("accuracy"), scores.at("loss"));

  // The model takes texts, as a Keras model that starts with TextVectorization does.
  const std::vector<std::string> sentences = {
      "Elizabeth could not help smiling at Mr. Darcy's pride, and her sister Jane agreed.",
      "Marianne was in tears, for Willoughby had left Barton, and Elinor could not comfort her.",
      "She walked to the house in the rain."};
  const torch::Tensor probabilities = model->predict(sentences, {.verbose = 0});
  for (size_t i = 0; i < sentences.size(); ++i) {
    const double p = probabilities[static_cast<int64_t>(i)][0].item<double>();
    fmt::print("  {} ({:.2f}): \"{}\"\n", p >= 0.5 ? classes[1] : classes[0], p >= 0.5 ? p : 1 - p, sentences[i]);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{
      "Trains the course's text classifier (TextVectorization, Embedding, pooling, LSTM, Conv1D or a "
      "Transformer encoder, Dense with a sigmoid) on a folder of two classes of texts: by default passages "
      "of Pride and Prejudice and Sense and Sensibility."};
  app.add_option("--data", settings.data_dir,
                 fmt::format("folder with one subfolder of .txt files per class, two classes (default: {})",
                             default_dir().string()));
  app.add_option("--model", settings.model,
                 "pooling (Embedding, GlobalAveragePooling1D), lstm (Bidirectional LSTM), "
                 "conv (Conv1D, GlobalMaxPooling1D) or transformer (token and position embeddings, "
                 "a Transformer encoder block, GlobalAveragePooling1D)")
      ->check(CLI::IsMember({"pooling", "lstm", "conv", "transformer"}))
      ->capture_default_str();
  app.add_option("--epochs", settings.epochs, "epochs to train")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--max-tokens", settings.max_tokens, "largest vocabulary, the padding and [UNK] tokens included")
      ->check(CLI::Range(3, 10000000))
      ->capture_default_str();
  app.add_option("--length", settings.sequence_length, "tokens per text: longer texts are cut, shorter padded")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--batch-size", settings.batch_size, "texts per step")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "seed of the split, the shuffles and the weights")->capture_default_str();
  app.add_option("--device", settings.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--plot", settings.plot_file, "write the loss and accuracy curves to this SVG file");
  app.add_option("--save", settings.save_file, "save the trained model, vocabulary included, to this .tkeras file");
  app.add_option("--load", settings.load_file, "evaluate this saved model instead of training one")
      ->check(CLI::ExistingFile);
  app.add_option("--verbose", settings.verbose, "0 silent, 1 or 2 one line per epoch")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  app.failure_message([](const CLI::App* /*app*/, const CLI::Error& error) {
    return fmt::format("tkeras-text: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);

  try {
    return run(settings);
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-text: error: {}\n", error.what());
    return 1;
  }
}
