// tkeras-optimizer-bench: the optimizer kernels LibTorch offers for one step of Adam, SGD with
// momentum and RMSprop, timed on the course's MLP weights (784x128, 128, 128x10, 10), with and
// without subnormal moments, with subnormals flushed and kept, in one run.
//
// Kernels: LibTorch's fused kernels (`_fused_adam_`, `_fused_sgd_`) on tkeras's one flat buffer
// and on the four weights; `_foreach_` ops on the four weights (what PyTorch's optimizers run);
// element-wise ops on the flat buffer (tkeras's rule where no fused kernel applies). Each timed
// step is the third from the same state (copied in; the copy and the first two steps untimed);
// prints microseconds per step (median).
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <tkeras/tkeras.h>
#include <CLI/CLI.hpp>

#include "timing.h"

namespace {

using tkeras::bench::Clock;
using tkeras::bench::median;
using tkeras::bench::seconds_since;

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-7, kLearningRate = 1e-3, kMomentum = 0.9;

// One optimizer's state: weights, gradients and up to two slots, as one flat buffer each and as
// views of it shaped as the MLP's four weights.
struct State {
  torch::Tensor w, g, a, b;  // flat
  torch::Tensor scratch;     // tkeras's reused buffer for the element-wise rules
  std::vector<torch::Tensor> ws, gs, as, bs;
  torch::Tensor step = torch::full({}, 100.0F);  // the flat buffer's step count
  std::vector<torch::Tensor> steps;              // each weight's (LibTorch's fused kernels keep one a tensor)
};

std::vector<torch::Tensor> split(const torch::Tensor& flat) {
  const std::vector<std::vector<int64_t>> shapes = {{128, 784}, {128}, {10, 128}, {10}};
  std::vector<torch::Tensor> views;
  int64_t offset = 0;
  for (const auto& shape : shapes) {
    int64_t size = 1;
    for (int64_t d : shape) size *= d;
    views.push_back(flat.narrow(0, offset, size).view(shape));
    offset += size;
  }
  return views;
}

// The template every timed step starts from. With `subnormal`, the first 10% of the weights
// (Fashion-MNIST's always-0 border pixels' share of the first kernel) have 0 gradients and slots
// of about 1e-39, as Adam's moments are after their gradients stopped.
State make_state(bool subnormal) {
  const int64_t size = 784 * 128 + 128 + 128 * 10 + 10;
  auto generator = at::detail::createCPUGenerator(1);
  State s;
  s.w = torch::randn({size}, generator) * 0.05;
  s.g = torch::randn({size}, generator) * 1e-3;
  s.a = torch::randn({size}, generator) * 1e-4;
  s.b = torch::rand({size}, generator) * 1e-6;
  if (subnormal) {
    const int64_t dead = size / 10;
    s.g.narrow(0, 0, dead).zero_();
    s.a.narrow(0, 0, dead).fill_(1e-39F);
    s.b.narrow(0, 0, dead).fill_(2e-39F);
  }
  return s;
}

State copy_of(const State& from) {
  State s;
  s.w = from.w.clone();
  s.g = from.g.clone();
  s.a = from.a.clone();
  s.b = from.b.clone();
  s.ws = split(s.w);
  s.gs = split(s.g);
  s.as = split(s.a);
  s.bs = split(s.b);
  s.scratch = torch::zeros_like(from.w);  // written once, as a reused buffer is
  s.step = from.step.clone();
  for (size_t i = 0; i < s.ws.size(); ++i) s.steps.push_back(from.step.clone());
  return s;
}

using Kernel = std::function<void(State&)>;

// Adam, as Keras's rule (adam.cpp): the fused kernel with epsilon scaled by the bias correction.
void adam_fused(const std::vector<torch::Tensor>& w, const std::vector<torch::Tensor>& g,
                const std::vector<torch::Tensor>& m, const std::vector<torch::Tensor>& v,
                const std::vector<torch::Tensor>& steps) {
  const double t = 101;
  at::_fused_adam_(w, g, m, v, {}, steps, kLearningRate, kBeta1, kBeta2, 0.0,
                   kEpsilon / std::sqrt(1 - std::pow(kBeta2, t)), false, false);
}

void adam_ops(torch::Tensor& w, const torch::Tensor& g, torch::Tensor& m, torch::Tensor& v, torch::Tensor& scratch) {
  const double t = 101;
  const double alpha = kLearningRate * std::sqrt(1 - std::pow(kBeta2, t)) / (1 - std::pow(kBeta1, t));
  m.mul_(kBeta1).add_(g, 1 - kBeta1);
  v.mul_(kBeta2).addcmul_(g, g, 1 - kBeta2);
  torch::sqrt_out(scratch, v);
  scratch.add_(kEpsilon);
  w.addcdiv_(m, scratch, -alpha);
}

void adam_foreach(State& s) {
  const double t = 101;
  const double alpha = kLearningRate * std::sqrt(1 - std::pow(kBeta2, t)) / (1 - std::pow(kBeta1, t));
  at::_foreach_lerp_(s.as, s.gs, 1 - kBeta1);
  at::_foreach_mul_(s.bs, kBeta2);
  at::_foreach_addcmul_(s.bs, s.gs, s.gs, 1 - kBeta2);
  std::vector<torch::Tensor> denominators = at::_foreach_sqrt(s.bs);
  at::_foreach_add_(denominators, kEpsilon);
  at::_foreach_addcdiv_(s.ws, s.as, denominators, -alpha);
}

// SGD with momentum, Keras's rule (sgd.cpp): m = momentum m - lr g; w += m.
void sgd_ops(torch::Tensor& w, const torch::Tensor& g, torch::Tensor& m) {
  m.mul_(kMomentum).add_(g, -kLearningRate);
  w.add_(m);
}

void sgd_foreach(State& s) {
  at::_foreach_mul_(s.as, kMomentum);
  at::_foreach_add_(s.as, s.gs, -kLearningRate);
  at::_foreach_add_(s.ws, s.as);
}

// PyTorch's rule (buffer = momentum buffer + g; w -= lr buffer): Keras's for a constant learning rate.
void sgd_fused(const std::vector<torch::Tensor>& w, const std::vector<torch::Tensor>& g,
               const std::vector<torch::Tensor>& m) {
  at::_fused_sgd_(w, g, m, 0.0, kMomentum, kLearningRate, 0.0, false, false, false);
}

// RMSprop, Keras's rule without momentum (rmsprop.cpp): v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps).
void rmsprop_ops(torch::Tensor& w, const torch::Tensor& g, torch::Tensor& v, torch::Tensor& scratch) {
  v.mul_(kBeta1).addcmul_(g, g, 1 - kBeta1);
  torch::add_out(scratch, v, kEpsilon);
  scratch.sqrt_();
  w.addcdiv_(g, scratch, -kLearningRate);
}

void rmsprop_foreach(State& s) {
  at::_foreach_mul_(s.bs, kBeta1);
  at::_foreach_addcmul_(s.bs, s.gs, s.gs, 1 - kBeta1);
  std::vector<torch::Tensor> denominators = at::_foreach_add(s.bs, kEpsilon);
  at::_foreach_sqrt_(denominators);
  at::_foreach_addcdiv_(s.ws, s.gs, denominators, -kLearningRate);
}

double microseconds_per_step(const Kernel& kernel, const State& initial, int steps, bool flush) {
  std::vector<double> times;
  for (int i = 0; i < steps; ++i) {
    State s = copy_of(initial);
    const tkeras::FlushDenormalScope scope(flush);
    kernel(s);  // two steps untimed, so that every buffer has been touched (a subnormal stays one)
    kernel(s);
    const auto start = Clock::now();
    kernel(s);
    times.push_back(seconds_since(start) * 1e6);
  }
  return median(times);
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 300;
  int threads = 1;
  CLI::App app{"Times LibTorch's optimizer kernels on the course's MLP weights, subnormals flushed and kept."};
  app.add_option("--steps", steps, "timed steps per kernel and setting")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--threads", threads, "LibTorch intra-op threads")->check(CLI::Range(1, 256))->capture_default_str();
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tkeras-optimizer-bench: {} (see --help)\n", error.what());
  });
  CLI11_PARSE(app, argc, argv);
  torch::set_num_threads(threads);
  const torch::NoGradGuard no_grad;
  try {
    const std::vector<std::pair<std::string, Kernel>> kernels = {
        {"Adam   _fused_adam_, flat buffer", [](State& s) { adam_fused({s.w}, {s.g}, {s.a}, {s.b}, {s.step}); }},
        {"Adam   _fused_adam_, 4 weights", [](State& s) { adam_fused(s.ws, s.gs, s.as, s.bs, s.steps); }},
        {"Adam   _foreach_ ops, 4 weights", adam_foreach},
        {"Adam   element-wise ops, flat buffer", [](State& s) { adam_ops(s.w, s.g, s.a, s.b, s.scratch); }},
        {"SGD    element-wise ops, flat buffer", [](State& s) { sgd_ops(s.w, s.g, s.a); }},
        {"SGD    _foreach_ ops, 4 weights", sgd_foreach},
        {"SGD    _fused_sgd_, flat buffer", [](State& s) { sgd_fused({s.w}, {s.g}, {s.a}); }},
        {"RMSprop element-wise ops, flat buffer", [](State& s) { rmsprop_ops(s.w, s.g, s.b, s.scratch); }},
        {"RMSprop _foreach_ ops, 4 weights", rmsprop_foreach},
    };
    const State normal = make_state(false);
    const State subnormal = make_state(true);
    fmt::print("tkeras-optimizer-bench: 101,770 weights, {} thread(s), median of {} steps, microseconds per step\n",
               threads, steps);
    fmt::print("{:<40} {:>14} {:>14} {:>14} {:>14}\n", "kernel", "normal/flush", "normal/keep", "subnorm/flush",
               "subnorm/keep");
    for (const auto& [name, kernel] : kernels) {
      fmt::print(
          "{:<40} {:>14.1f} {:>14.1f} {:>14.1f} {:>14.1f}\n", name, microseconds_per_step(kernel, normal, steps, true),
          microseconds_per_step(kernel, normal, steps, false), microseconds_per_step(kernel, subnormal, steps, true),
          microseconds_per_step(kernel, subnormal, steps, false));
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "tkeras-optimizer-bench: {}\n", error.what());
    return 1;
  }
  return 0;
}
