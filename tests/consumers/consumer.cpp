// A program outside tkeras's tree that links it as a user would: trains a tiny model and checks it learned.
#include <cstdio>

#include <tkeras/tkeras.h>

int main() {
  namespace tk = tkeras;
  tk::utils::set_random_seed(0);
  // Two classes on either side of x0 + x1 = 0.
  const torch::Tensor x = torch::randn({256, 2});
  const torch::Tensor y = (x.sum(1) > 0).to(torch::kLong);
  tk::Sequential model({tk::layers::Input({2}), tk::layers::Dense(8, "relu"), tk::layers::Dense(2, "softmax")});
  model.compile({.optimizer = tk::optimizers::Adam({.learning_rate = 0.01}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"},
                 .device = "cpu"});
  model.fit(x, y, {.epochs = 20, .verbose = 0});
  const double accuracy = model.evaluate(x, y, {.verbose = 0}).at("accuracy");
  std::printf("tkeras %s consumer: accuracy %.3f\n", TKERAS_VERSION, accuracy);
  return accuracy > 0.9 ? 0 : 1;
}
