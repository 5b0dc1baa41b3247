// Bidirectional: two recurrent layers made from one config, their outputs merged as Keras's.
#include "tkeras/layers/bidirectional.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/serialization.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

namespace {

void check_merge_mode(const std::string& merge_mode) {
  if (merge_mode != "concat" && merge_mode != "sum" && merge_mode != "ave" && merge_mode != "mul") {
    throw Error(
        fmt::format("Bidirectional: expected merge_mode \"concat\", \"sum\", \"ave\" or \"mul\", received "
                    "\"{}\"",
                    merge_mode));
  }
}

std::shared_ptr<Recurrent> recurrent(const std::shared_ptr<Layer>& layer, std::string_view what) {
  auto wrapped = std::dynamic_pointer_cast<Recurrent>(layer);
  if (!wrapped) {
    throw Error(fmt::format("Bidirectional: expected {} to be a SimpleRNN, LSTM or GRU layer, received {}", what,
                            layer ? layer->class_name() : "none"));
  }
  return wrapped;
}

// The recurrent layer a serialized entry describes, rebuilt by its class's from_config.
std::shared_ptr<Recurrent> rebuild(const Config& entry, std::string_view what) {
  const ConfigReader read(entry);
  const std::string kind = read.string("class_name", "");
  const registry::LayerClass* layer_class = registry::find(kind);
  if (layer_class == nullptr || !layer_class->from_config) {
    throw Error(fmt::format("Bidirectional: expected {} to be a SimpleRNN, LSTM or GRU layer, received class \"{}\"",
                            what, kind));
  }
  return recurrent(layer_class->from_config(read.at("config"), {}), what);
}

// A new layer of `entry`'s class from its serialized config, renamed, and with go_backwards set.
std::shared_ptr<Recurrent> remake(Config entry, const std::string& name, std::optional<bool> go_backwards,
                                  std::string_view what) {
  entry["config"]["name"] = name;
  if (go_backwards) entry["config"]["go_backwards"] = *go_backwards;
  return rebuild(entry, what);
}

std::string strip(const std::string& name, std::string_view prefix) {
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

// The forward or backward copy of the layer Bidirectional wraps, made from its config as Keras
// makes them: named forward_<name> or backward_<name>, the backward one with go_backwards switched.
std::shared_ptr<Recurrent> copy_of(const std::shared_ptr<Layer>& layer, bool backward) {
  const auto wrapped = recurrent(layer, "the layer");
  const std::string prefix = backward ? "backward_" : "forward_";
  return remake(detail::serialize(*wrapped), prefix + strip(wrapped->name(), prefix),
                backward ? std::optional<bool>(!wrapped->go_backwards()) : std::nullopt, "the layer");
}

}  // namespace

Bidirectional::Bidirectional(std::shared_ptr<Recurrent> forward, std::shared_ptr<Recurrent> backward,
                             BidirectionalOptions options)
    : Layer("bidirectional"),
      forward_(std::move(forward)),
      backward_(std::move(backward)),
      options_(std::move(options)) {
  check_merge_mode(options_.merge_mode);
  if (forward_->go_backwards() == backward_->go_backwards()) {
    throw Error("Bidirectional: expected a forward and a backward layer with different go_backwards values");
  }
  if (forward_->return_sequences() != backward_->return_sequences()) {
    throw Error("Bidirectional: expected a forward and a backward layer with the same return_sequences");
  }
  // As Keras: with return_sequences, a masked step outputs zeros in both directions.
  forward_->zero_output_for_mask_ = forward_->return_sequences();
  backward_->zero_output_for_mask_ = backward_->return_sequences();
  add_sublayer("forward_layer", forward_);
  add_sublayer("backward_layer", backward_);
}

Bidirectional::Bidirectional(const AnyLayer& layer, BidirectionalOptions options)
    : Bidirectional(copy_of(layer.get(), false), copy_of(layer.get(), true), std::move(options)) {}

const registry::Registrar<Bidirectional> bidirectional_registration("Bidirectional");

std::shared_ptr<Bidirectional> Bidirectional::from_config(const Config& config) {
  const ConfigReader read(config);
  const std::string merge_mode = read.string("merge_mode", "concat");
  const Config& layer = read.at("layer");
  const auto forward = rebuild(layer, "\"layer\"");
  std::shared_ptr<Recurrent> backward;
  if (read.has("backward_layer")) {
    backward = rebuild(read.at("backward_layer"), "\"backward_layer\"");
  } else {
    backward = remake(layer, "backward_" + strip(forward->name(), "forward_"), !forward->go_backwards(), "\"layer\"");
  }
  return configured(std::shared_ptr<Bidirectional>(new Bidirectional(forward, backward, {.merge_mode = merge_mode})),
                    config);
}

Config Bidirectional::get_config() const {
  Config config = Layer::get_config();
  config["layer"] = detail::serialize(*forward_);
  config["backward_layer"] = detail::serialize(*backward_);
  config["merge_mode"] = options_.merge_mode;
  return config;
}

Shape Bidirectional::build_weights(const Shape& input_shape) {
  Shape output_shape = forward_->build(input_shape, build_device());
  backward_->build(input_shape, build_device());
  if (options_.merge_mode == "concat") output_shape.back() *= 2;
  return output_shape;
}

torch::Tensor Bidirectional::call(const torch::Tensor& inputs, bool training) {
  return call_with_mask(inputs, torch::Tensor(), training);
}

torch::Tensor Bidirectional::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) {
  const torch::Tensor forward = forward_->call_with_mask(inputs, mask, training);
  torch::Tensor backward = backward_->call_with_mask(inputs, mask, training);
  // The backward layer returns its steps last to first: put them in the inputs' order.
  if (forward_->return_sequences()) backward = backward.flip(1);
  if (options_.merge_mode == "concat") return torch::cat({forward, backward}, -1);
  if (options_.merge_mode == "sum") return forward + backward;
  if (options_.merge_mode == "ave") return (forward + backward) / 2;
  return forward * backward;
}

torch::Tensor Bidirectional::compute_mask(const torch::Tensor& /*inputs*/, const torch::Tensor& mask) const {
  return forward_->return_sequences() ? mask : torch::Tensor();
}

// ONNX's recurrent operators run both directions at once.
io::onnx::Value Bidirectional::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  if (forward_->go_backwards()) onnx_export::refuse(*this, "its forward layer goes backwards");
  return forward_->onnx_recurrence(graph, inputs, *this, backward_.get(), options_.merge_mode);
}

Config Bidirectional::to_keras(keras_format::Writer& writer, const std::string& path) const {
  Config config = get_config();
  config["layer"] = writer.entry(*forward_, path + "/forward_layer");
  config["backward_layer"] = writer.entry(*backward_, path + "/backward_layer");
  return keras_format::entry(*this, std::move(config));
}

Config Bidirectional::from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                                 const std::string& where) {
  Config out = entry;
  Config& config = out["config"];
  for (const std::string key : {"layer", "backward_layer"}) {
    if (!config.contains(key)) continue;
    Config nested = config[key];
    // Keras's Bidirectional makes its layers output zeros at masked steps, as tkeras's does.
    if (nested.is_object() && nested.contains("config") && nested["config"].is_object()) {
      nested["config"].erase("zero_output_for_mask");
    }
    config[key] = reader.entry(nested, path + (key == "layer" ? "/forward_layer" : "/backward_layer"),
                               fmt::format("{} {}", where, key));
  }
  reader.check_options(out, where);
  return out;
}

}  // namespace tkeras::layers
