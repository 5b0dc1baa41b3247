// The quick start: the course's digit classifier, exactly as a Keras user writes it in C++.
#include <fmt/core.h>
#include <tkeras/tkeras.h>
namespace tk = tkeras;

// Stop once the model is good enough (the course's callback lesson).
class StopAtAccuracy : public tk::callbacks::Callback {
 public:
  explicit StopAtAccuracy(double target) : target_(target) {}
  void on_epoch_end(int /*epoch*/, const tk::Logs& logs) override {
    if (logs.at("accuracy") >= target_) {
      fmt::print("Reached {:.0f}% accuracy, so cancelling training.\n", target_ * 100);
      model().stop_training = true;
    }
  }

 private:
  double target_;
};

int main() {
  // Images uint8 [N, 28, 28] and labels int64 [N]; the pixels normalised to 0..1.
  auto [x_train, y_train, x_test, y_test] = tk::datasets::mnist::load_data();
  x_train = x_train.to(torch::kFloat32) / 255.0;
  x_test = x_test.to(torch::kFloat32) / 255.0;

  tk::Sequential model({
      tk::layers::Input({28, 28}),       // the first layer takes the data's shape
      tk::layers::Flatten(),             // 28x28 -> 784
      tk::layers::Dense(128, "relu"),    // 128 neurons
      tk::layers::Dense(10, "softmax"),  // one unit per class
  });
  model.compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
  model.summary();
  auto stop = std::make_shared<StopAtAccuracy>(0.99);
  tk::History history = model.fit(x_train, y_train, {.epochs = 10, .validation_split = 0.1, .callbacks = {stop}});
  tk::Logs scores = model.evaluate(x_test, y_test);
  torch::Tensor probabilities = model.predict(x_test);  // [N, 10], each row sums to 1
  fmt::print("test accuracy {:.4f}, epochs run {}\n", scores.at("accuracy"), history.epoch.size());
}
