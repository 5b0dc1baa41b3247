// The code of docs/guides/saving.md, as a program: every C++ block of that page is an excerpt of
// this file (scripts/check_doc_snippets.py checks it). ctest runs it in an empty folder, on random
// data instead of the digits; it writes digits.tkeras, digits.keras, digits.onnx,
// digits.safetensors and digits.weights.h5 there, which docs/snippets/saving.py then opens in
// Python, as the page shows.
//
// Laid out by hand, as the pages show it, so clang-format leaves it alone.
// clang-format off
#include <memory>

#include <fmt/core.h>
#include <tkeras/tkeras.h>

namespace tk = tkeras;

// A user's own LibTorch module (a residual block), to show custom_objects.
struct BlockImpl : torch::nn::Module {
  torch::nn::Linear linear{nullptr};
  explicit BlockImpl(int64_t width) { linear = register_module("linear", torch::nn::Linear(width, width)); }
  torch::Tensor forward(const torch::Tensor& x) { return x + torch::relu(linear(x)); }
};
TORCH_MODULE(Block);

// The whole model in one file, and back.
void whole_model(tk::Sequential& model, const torch::Tensor& x_train, const torch::Tensor& y_train,
                 const torch::Tensor& x_test) {
  model.save("digits.tkeras");   // architecture (JSON), weights, compile settings, optimizer state
  std::shared_ptr<tk::Model> restored = tk::models::load_model("digits.tkeras");
  restored->predict(x_test);     // bit-identical to model.predict(x_test)
  restored->fit(x_train, y_train, {.epochs = 5});  // Adam goes on with its moments and step count
  if (!torch::equal(tk::models::load_model("digits.tkeras")->predict(x_test), model.predict(x_test)))
    throw tk::Error("whole model: other predictions");
}

// Keras's files and ONNX, for the Python side.
void keras_and_onnx(tk::Sequential& model) {
  model.save("digits.keras");              // Keras 3's model file: keras.saving.load_model opens it
  model.save_weights("digits.weights.h5");  // HDF5, laid out as Keras 3 saves it
  tk::export_onnx(model, "digits.onnx");    // for onnxruntime and the other ONNX runtimes
}

// Layers that hold C++ code load through factories.
void custom_objects() {
  tk::Sequential original({tk::layers::Input({16}), tk::layers::TorchModule(Block(16)),
                           tk::layers::Lambda([](const torch::Tensor& x) { return x * 400.0; }, {.name = "scale"})});
  original.save("m.tkeras");
  auto model = tk::models::load_model("m.tkeras", {.custom_objects = {
      {"Block", [] { return tk::layers::TorchModule(Block(16)); }},                 // a LibTorch module
      {"scale", [] { return tk::layers::Lambda([](const torch::Tensor& x) { return x * 400.0; }); }}}});
  const torch::Tensor x = torch::randn({4, 16});
  if (!torch::equal(model->predict(x), original.predict(x))) throw tk::Error("custom objects: another model came back");
}

// A loss and metrics of one's own: a function, and classes with their options.
torch::Tensor my_loss(const torch::Tensor& y_true, const torch::Tensor& y_pred) {
  return (y_true - y_pred).abs().mean(-1);
}
struct ScaledError : tk::losses::LossFunction {
  double scale;
  explicit ScaledError(double scale) : scale(scale) {}
  std::string class_name() const override { return "ScaledError"; }
  std::string name() const override { return "scaled_error"; }
  torch::Tensor call(const torch::Tensor& y, const torch::Tensor& p) const override { return scale * (y - p).square().mean(-1); }
  tk::Config get_config() const override { return {{"scale", scale}}; }
};
struct MaxError : tk::metrics::Metric {
  size_t largest = add_variable("largest");
  MaxError() : Metric("max_error") {}
  std::string class_name() const override { return "MaxError"; }
  using Metric::update_state;
  void update_state(const torch::Tensor& y, const torch::Tensor& p, const torch::Tensor&) override {
    variable(largest).copy_(torch::maximum(variable(largest), (y - p).abs().max().to(torch::kFloat64)));
  }
  torch::Tensor result() const override { return variable(largest).clone(); }
};

void custom_losses_and_metrics() {
  tk::Sequential original({tk::layers::Input({4}), tk::layers::Dense(2)});
  original.compile({.optimizer = "sgd", .loss = tk::losses::Loss(std::make_shared<ScaledError>(3.0)),
                    .metrics = {tk::metrics::MeanMetricWrapper(my_loss, "my_loss"), MaxError()}});
  original.save("m.keras");
  auto model = tk::models::load_model("m.keras", {.custom_objects = {
      {"my_loss", my_loss},                                   // torch::Tensor my_loss(y_true, y_pred)
      {"ScaledError", [](const tk::Config& config) { return ScaledError(config.value("scale", 1.0)); }},
      {"MaxError", [] { return MaxError(); }}}});             // a tk::metrics::Metric of your own
  const torch::Tensor x = torch::randn({8, 4}), y = torch::randn({8, 2});
  if (model->evaluate(x, y, {.verbose = 0}) != original.evaluate(x, y, {.verbose = 0}))
    throw tk::Error("custom losses and metrics: other scores");
}

// Checkpoints during training, and resuming after a crash.
void checkpoints(tk::Sequential& model, const torch::Tensor& x_train, const torch::Tensor& y_train) {
  namespace cb = tk::callbacks;
  auto checkpoint = std::make_shared<cb::ModelCheckpoint>(cb::ModelCheckpointOptions{
      .filepath = "ckpt/ckpt-{epoch:02d}-{val_loss:.3f}.tkeras", .monitor = "val_loss", .save_best_only = true});
  model.fit(x_train, y_train, {.epochs = 20, .validation_split = 0.1, .callbacks = {checkpoint}});
  // ckpt/ckpt-01-0.412.tkeras, ckpt/ckpt-02-0.355.tkeras, ... only the epochs that improved val_loss

  auto backup = std::make_shared<cb::BackupAndRestore>(cb::BackupAndRestoreOptions{.backup_dir = "backup"});
  model.fit(x_train, y_train, {.epochs = 20, .callbacks = {backup}});
}

// Weights only.
void weights_only(tk::Sequential& model, const torch::Tensor& x_test) {
  model.save_weights("digits.safetensors");   // written atomically: temporary file, fsync, rename
  tk::Sequential same({tk::layers::Input({28, 28}), tk::layers::Flatten(), tk::layers::Dense(128, "relu"),
                       tk::layers::Dense(10, "softmax")});
  same.build({28, 28});
  same.load_weights("digits.safetensors");    // predictions are bit-identical
  if (!torch::equal(same.predict(x_test), model.predict(x_test))) throw tk::Error("weights only: other predictions");
}

int main() {
  tk::utils::set_random_seed(0);
  // Random pixels and labels stand in for the digits: the files, not the accuracy, are the point.
  const torch::Tensor x_train = torch::rand({256, 28, 28});
  const torch::Tensor y_train = torch::randint(0, 10, {256});
  const torch::Tensor x_test = torch::rand({64, 28, 28});
  tk::Sequential model({tk::layers::Input({28, 28}), tk::layers::Flatten(), tk::layers::Dense(128, "relu"),
                        tk::layers::Dense(10, "softmax")});
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"},
                 .device = "cpu"});
  model.fit(x_train, y_train, {.epochs = 2, .verbose = 0});

  whole_model(model, x_train, y_train, x_test);
  custom_objects();
  custom_losses_and_metrics();
  checkpoints(model, x_train, y_train);
  // The files the Python side opens hold one and the same model.
  keras_and_onnx(model);
  weights_only(model, x_test);
  fmt::print("wrote digits.tkeras, digits.keras, digits.weights.h5, digits.onnx and digits.safetensors\n");
}
