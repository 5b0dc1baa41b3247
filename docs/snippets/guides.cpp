// The code of docs/library.md and the guides (your own data, LibTorch, distributed training, GPUs),
// as a program: every C++ block of those pages is an excerpt of this file
// (scripts/check_doc_snippets.py checks it). ctest runs it in an empty folder, on small random
// data; the folders of texts it would read are the user's, so that part is compiled only.
//
// Laid out by hand, as the pages show it, so clang-format leaves it alone.
// clang-format off
#include <fstream>
#include <functional>
#include <memory>

#include <fmt/core.h>
#include <tkeras/tkeras.h>

namespace tk = tkeras;

namespace {

tk::Sequential digits_model() {
  tk::Sequential model({tk::layers::Input({28, 28}), tk::layers::Flatten(), tk::layers::Dense(32, "relu"),
                        tk::layers::Dense(10, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  return model;
}

}  // namespace

// docs/library.md: callbacks.
void callbacks(tk::Sequential& model, const torch::Tensor& x_train, const torch::Tensor& y_train) {
  namespace cb = tk::callbacks;
  model.fit(x_train, y_train, {.epochs = 100, .validation_split = 0.1, .callbacks = {
      std::make_shared<cb::EarlyStopping>(cb::EarlyStoppingOptions{.patience = 3, .restore_best_weights = true}),
      std::make_shared<cb::ReduceLROnPlateau>(cb::ReduceLROnPlateauOptions{.factor = 0.5, .patience = 2}),
      std::make_shared<cb::CSVLogger>("training.csv")}});
}

// docs/guides/your-own-data.md: datasets.
void datasets(tk::Sequential& model, const torch::Tensor& x_train, const torch::Tensor& y_train) {
  tk::data::Dataset train = tk::data::Dataset::from_tensor_slices(x_train, y_train)  // uint8 pixels, labels
                                .shuffle(1000, {.seed = 42})
                                .batch(32)
                                .map([](tk::data::Element batch) {
                                  batch.x = batch.x.to(torch::kFloat32) / 255.0;  // on worker threads, in order
                                  return batch;
                                }, {.num_parallel_calls = 2})
                                .prefetch();
  model.fit(train, {.epochs = 5});
}

// docs/guides/your-own-data.md: a folder of texts.
void text_folder(tk::Model& model, const std::function<tk::data::Element(tk::data::Element)>& vectorize) {
  auto [train, val] = tk::data::text_dataset_from_directory(
      "aclImdb/train", {.seed = 42, .validation_split = 0.2, .subset = "both"});
  for (const tk::data::Element& batch : train.take(1)) fmt::print("{}\n", batch.text[0]);
  model.fit(train.map(vectorize), {.epochs = 10, .validation_data = val.map(vectorize)});
}

// docs/guides/your-own-data.md: CSV.
void csv(tk::Sequential& model) {
  auto csv = tk::data::read_csv("heart.csv", {.label_column = "target"});
  model.fit(csv.x, csv.y, {.epochs = 20, .validation_split = 0.2});
}

// docs/guides/your-own-data.md: time series.
void time_series(tk::Sequential& forecaster, const torch::Tensor& series) {
  const int64_t n = series.size(0);
  auto windows = tk::data::timeseries_dataset_from_array(
      series.narrow(0, 0, n - 20), series.narrow(0, 20, n - 20),  // 20 values, then the next one
      {.sequence_length = 20, .batch_size = 32, .shuffle = true, .seed = 1});
  forecaster.fit(windows, {.epochs = 10});
}

// docs/guides/libtorch.md: LibTorch in.
void torch_module_in() {
  tk::Sequential model({
      tk::layers::Input({20, 8}),   // 20 steps of 8 features
      tk::layers::TorchModule(torch::nn::LSTM(torch::nn::LSTMOptions(8, 16).batch_first(true)),
                              tk::layers::select<0>),  // (output, (h, c)) -> output: [N, 20, 16]
      tk::layers::Flatten(),
      tk::layers::Dense(1),
  });
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.summary();
  auto scale = tk::layers::Lambda([](const torch::Tensor& x) { return x * 400.0; }, {.name = "scale"});
  tk::Sequential scaled({tk::layers::Input({20}), scale});
}

// docs/guides/libtorch.md: LibTorch out.
struct Classifier : torch::nn::Module {
  std::shared_ptr<tk::Sequential> body = register_module("body", std::make_shared<tk::Sequential>(
      std::initializer_list<tk::layers::AnyLayer>{tk::layers::Input({4}), tk::layers::Dense(16, "relu")}));
  torch::nn::Linear head = register_module("head", torch::nn::Linear(16, 3));
  torch::Tensor forward(const torch::Tensor& x) { return head(body->forward(x)); }
};

void own_loop(const torch::Tensor& x, const torch::Tensor& y) {
  auto net = std::make_shared<Classifier>();
  torch::optim::Adam optimizer(net->parameters(), 0.01);  // body.dense.kernel, body.dense.bias, head.weight...
  for (int step = 0; step < 100; ++step) {
    optimizer.zero_grad();
    torch::nn::functional::cross_entropy(net->forward(x), y).backward();
    optimizer.step();
  }
}

// docs/guides/distributed.md.
void distributed(tk::Sequential& model, const torch::Tensor& x_train, const torch::Tensor& y_train) {
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"},
                 .distribute = tk::distribute::DataParallel{}});   // Keras 3: keras.distribution.DataParallel
  tk::History history = model.fit(x_train, y_train, {.epochs = 5, .batch_size = 128});
  if (tk::distribute::is_chief()) model.save("digits.keras");       // one process saves
}

// docs/guides/gpu.md.
void gpu(tk::Sequential& model, const torch::Tensor& x_train, const torch::Tensor& y_train) {
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"},
                 .device = "auto",               // CUDA when there is a GPU
                 .jit = true,                    // on CUDA, each step replays one captured CUDA graph
                 .precision = "bf16-mixed"});    // bfloat16 products, float32 weights
  model.fit(x_train, y_train, {.epochs = 5, .batch_size = 32});
}

int main() {
  tk::utils::set_random_seed(0);
  const torch::Tensor pixels = torch::randint(0, 256, {512, 28, 28}, torch::kUInt8);
  const torch::Tensor x_train = pixels.to(torch::kFloat32) / 255.0;
  const torch::Tensor y_train = torch::randint(0, 10, {512});

  tk::Sequential model = digits_model();
  callbacks(model, x_train, y_train);
  datasets(model, pixels, y_train);

  std::ofstream("heart.csv") << "age,chol,target\n63,233,1\n37,250,0\n41,204,1\n56,236,0\n57,354,1\n";
  tk::Sequential heart({tk::layers::Input({2}), tk::layers::Dense(1, "sigmoid")});
  heart.compile({.optimizer = "adam", .loss = "binary_crossentropy"});
  csv(heart);

  tk::Sequential forecaster({tk::layers::Input({20}), tk::layers::Dense(10, "relu"), tk::layers::Dense(1)});
  forecaster.compile({.optimizer = "adam", .loss = "huber"});
  time_series(forecaster, torch::sin(torch::arange(400) * 0.1));

  torch_module_in();
  own_loop(torch::randn({64, 4}), torch::randint(0, 3, {64}));

  tk::Sequential parallel = digits_model();
  distributed(parallel, x_train, y_train);
  tk::Sequential fast = digits_model();
  gpu(fast, x_train, y_train);

  // A folder of texts is the user's: this part is compiled, not run.
  const std::function<void()> compiled_only = [&] { text_folder(model, {}); };
  fmt::print("the guides' code ran\n");
  return compiled_only ? 0 : 1;
}
