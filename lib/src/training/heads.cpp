// Heads: each output's loss, weighted and summed, and each output's metrics under Keras's names.
#include "training/heads.h"

#include <fmt/format.h>
#include <torch/torch.h>

namespace tkeras::training {
namespace {

// Output `index`'s sample weights: undefined when there are none.
torch::Tensor weights(const std::vector<torch::Tensor>& w, size_t index) {
  return w.empty() ? torch::Tensor() : w[index];
}

}  // namespace

Heads::Heads(const CompiledState& state, const std::vector<std::string>& activations,
             const std::vector<Shape>& output_shapes, const std::vector<torch::Tensor>& example_targets)
    : activations_(activations), total_({}) {
  outputs_.reserve(state.heads.size());
  for (size_t i = 0; i < state.heads.size(); ++i) {
    const Head& head = state.heads[i];
    const Shape& output = output_shapes[i];
    const torch::Tensor& y = example_targets[i];
    const int64_t output_rank = static_cast<int64_t>(output.size()) + 1;
    outputs_.push_back({&head, activations::get(activations[i]),
                        MetricsTracker(resolve_metrics(head.metrics, head.weighted_metrics, y.dim(), output_rank,
                                                       y.dim() > 1 ? y.size(-1) : 1, output.back()))});
  }
  losses_.resize(outputs_.size());
}

torch::Tensor Heads::loss(const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& logits,
                          const std::vector<torch::Tensor>& w) {
  torch::Tensor total;
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Head& head = *outputs_[i].head;
    losses_[i] = head.loss.from_layer_output(targets[i], logits[i], activations_[i], weights(w, i));
    const torch::Tensor weighted = head.weight == 1.0 ? losses_[i] : losses_[i] * head.weight;
    total = total.defined() ? total + weighted : weighted;
  }
  return total;
}

void Heads::accumulate(const torch::Tensor& total, int64_t batch_size, const std::vector<torch::Tensor>& targets,
                       const std::vector<torch::Tensor>& logits, const std::vector<torch::Tensor>& w) {
  if (outputs_.size() == 1) {
    Output& output = outputs_.front();
    output.tracker.accumulate(total, batch_size, targets.front(), logits.front(), activations_.front(), output.apply,
                              weights(w, 0));
    return;
  }
  // The summed loss is a mean over the batch's samples, as Keras's loss tracker: no weights.
  total_.accumulate(total, batch_size, total, total, "linear", nullptr, {});
  for (size_t i = 0; i < outputs_.size(); ++i) {
    Output& output = outputs_[i];
    output.tracker.accumulate(losses_[i].detach(), batch_size, targets[i], logits[i], activations_[i], output.apply,
                              weights(w, i));
  }
}

void Heads::count(int64_t batch_size) {
  if (outputs_.size() > 1) total_.count(batch_size);
  for (Output& output : outputs_) output.tracker.count(batch_size);
}

Logs Heads::result() const {
  if (outputs_.size() == 1) return outputs_.front().tracker.result();
  Logs logs = total_.result();
  for (const Output& output : outputs_) {
    for (const auto& [key, value] : output.tracker.result()) logs[fmt::format("{}_{}", output.head->name, key)] = value;
  }
  return logs;
}

void Heads::reset() {
  total_.reset();
  for (Output& output : outputs_) output.tracker.reset();
}

void Heads::set_group(distribute::detail::ProcessGroup* group) {
  total_.set_group(group);
  for (Output& output : outputs_) output.tracker.set_group(group);
}

}  // namespace tkeras::training
