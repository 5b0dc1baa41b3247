// Sequential: a stack of layers, each built from its predecessor's output shape; its config.
#include "tkeras/models/sequential.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/activity_losses.h"
#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "layers/serialization.h"
#include "tkeras/core/error.h"

namespace tkeras {

Sequential::Sequential() : Model("sequential") {}

Sequential::Sequential(std::initializer_list<layers::AnyLayer> layers) : Sequential() {
  for (const layers::AnyLayer& layer : layers) add(layer);
}

Sequential::Sequential(const std::vector<layers::AnyLayer>& layers) : Sequential() {
  for (const layers::AnyLayer& layer : layers) add(layer);
}

Sequential::Sequential(Sequential&& other) noexcept = default;
Sequential::~Sequential() = default;

void Sequential::add(layers::AnyLayer layer) {
  const std::shared_ptr<layers::Layer>& added = layer.get();
  if (!added) throw Error(fmt::format("Sequential \"{}\": expected a layer, received none", name()));
  if (const auto input = std::dynamic_pointer_cast<layers::Input>(added)) {
    if (!sublayers().empty() || declared_input_shape_) {
      throw Error(
          fmt::format("Sequential \"{}\": expected Input as the first layer only, received it after {} layer(s)",
                      name(), sublayers().size() + (declared_input_shape_ ? 1 : 0)));
    }
    declared_input_shape_ = input->shape();
    return;
  }
  if (added.get() == this) throw Error(fmt::format("Sequential \"{}\": cannot add a model to itself", name()));
  int index = 0;
  for (const auto& existing : sublayers()) {
    // As Keras: names are unique within a model, so that get_layer finds one layer.
    if (existing->name() == added->name()) {
      throw Error(
          fmt::format("Sequential \"{}\": all layers added to a Sequential model should have unique names; "
                      "\"{}\" is already the name of a layer in this model",
                      name(), added->name()));
    }
    if (existing->base_name() == added->base_name()) ++index;
  }
  // Named within the model by kind and position, as Keras 3 saves them: dense, dense_1...
  add_sublayer(index == 0 ? added->base_name() : fmt::format("{}_{}", added->base_name(), index), added);
  if (built()) {
    set_output_shape(added->build(output_shape(), device()));
  } else if (declared_input_shape_) {
    build(*declared_input_shape_);
  }
}

Shape Sequential::build_weights(const Shape& input_shape) {
  if (declared_input_shape_ && input_shape != *declared_input_shape_) {
    throw Error(fmt::format("Sequential \"{}\": expected input shape {}, received {}", name(),
                            format_batch_shape(*declared_input_shape_), format_batch_shape(input_shape)));
  }
  if (sublayers().empty()) {
    throw Error(
        fmt::format("Sequential \"{}\": cannot be built because it has no layers; add layers with "
                    "model.add(layer)",
                    name()));
  }
  Shape shape = input_shape;
  for (const auto& layer : sublayers()) shape = layer->build(shape, build_device());
  return shape;
}

const layers::Layer& Sequential::output_layer() const {
  if (sublayers().empty())
    throw Error(fmt::format("Sequential \"{}\": expected at least one layer, received none", name()));
  const layers::Layer& last = *sublayers().back();
  if (const auto* model = dynamic_cast<const Model*>(&last)) return model->output_layer();
  return last;
}

std::string Sequential::activation() const { return sublayers().empty() ? "linear" : sublayers().back()->activation(); }

torch::Tensor Sequential::call(const torch::Tensor& inputs, bool training) {
  return call_and_mask(inputs, torch::Tensor(), training).first;
}

torch::Tensor Sequential::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) {
  return call_and_mask(inputs, mask, training).first;
}

std::pair<torch::Tensor, torch::Tensor> Sequential::call_and_mask(const torch::Tensor& inputs,
                                                                  const torch::Tensor& mask, bool training) {
  std::pair<torch::Tensor, torch::Tensor> state = {inputs, mask};
  for (const auto& layer : sublayers()) {
    state = layer->call_and_mask(state.first, state.second, training);
    layers::detail::ActivityLosses::record(*layer, state.first);
  }
  return state;
}

torch::Tensor Sequential::compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const {
  const torch::NoGradGuard no_grad;
  const layers::detail::ActivityLosses not_a_step;  // this pass's penalties are not the step's
  std::pair<torch::Tensor, torch::Tensor> state = {inputs, mask};
  for (const auto& layer : sublayers()) state = layer->call_and_mask(state.first, state.second, /*training=*/false);
  return state.second;
}

torch::Tensor Sequential::call_without_activation(const torch::Tensor& inputs, bool training) {
  const auto& all = sublayers();
  std::pair<torch::Tensor, torch::Tensor> state = {inputs, torch::Tensor()};
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    state = all[i]->call_and_mask(state.first, state.second, training);
    layers::detail::ActivityLosses::record(*all[i], state.first);
  }
  if (all.empty()) return state.first;
  const layers::Layer& last = *all.back();
  // A last layer with an activation for the loss to take off (Dense, Activation, Conv2D...) reads
  // no mask; one without (a recurrent layer) is called with its mask.
  if (last.activation() == "linear") {
    torch::Tensor outputs = all.back()->call_and_mask(state.first, state.second, training).first;
    layers::detail::ActivityLosses::record(last, outputs);
    return outputs;
  }
  torch::Tensor logits = all.back()->call_without_activation(state.first, training);
  layers::detail::ActivityLosses::record_logits(last, logits);
  return logits;
}

bool Sequential::takes_integer_inputs() const {
  return !sublayers().empty() && sublayers().front()->takes_integer_inputs();
}

Config Sequential::get_config() const {
  Config config = Layer::get_config();
  Config list = Config::array();
  const std::optional<Shape> input = built() ? std::optional<Shape>(input_shape()) : declared_input_shape_;
  if (input) list.push_back(layers::Input::entry_for(*input));
  for (const auto& layer : sublayers()) list.push_back(layers::detail::serialize(*layer));
  config["layers"] = std::move(list);
  return config;
}

const layers::registry::Registrar<Sequential> sequential_registration("Sequential");

std::shared_ptr<Sequential> Sequential::from_config(const Config& config, const layers::CustomObjects& custom_objects) {
  const ConfigReader read(config);
  const Config& entries = read.at("layers");
  if (!entries.is_array()) {
    throw Error(fmt::format("expected \"layers\" as a list of layers, received {}", entries.dump()));
  }
  auto model = std::make_shared<Sequential>();
  std::optional<Shape> input;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Config& entry = entries[i];
    const std::string where = fmt::format("layer {}{}", i, layers::detail::class_label(entry));
    try {
      if (layers::Input::is_entry(entry)) {
        if (i != 0) throw Error("expected an InputLayer first and only first");
        input = layers::Input::from_config(entry.contains("config") ? entry["config"] : Config())->shape();
        continue;
      }
      model->add(layers::detail::deserialize(entry, custom_objects));
    } catch (const Error& error) {
      throw Error(fmt::format("{}: {}", where, error.what()));
    }
  }
  // Declared last, so that nothing is built yet: the caller builds (a loader first on the meta
  // device, to check the weights against the file without allocating them).
  model->declared_input_shape_ = input;
  return configured(std::move(model), config);
}

// Keras's Sequential entry: module "keras", its layers each as the layer writes itself, after an
// InputLayer that declares what Keras feeds the model.
Config Sequential::to_keras(layers::keras_format::Writer& writer, const std::string& path) const {
  Config config = Layer::get_config();
  Config list = Config::array();
  const std::optional<Shape> input = built() ? std::optional<Shape>(input_shape()) : declared_input_shape_;
  if (input) {
    Config input_layer = layers::Input::entry_for(*input);
    if (!sublayers().empty()) input_layer["config"] = sublayers().front()->to_keras_input(input_layer["config"]);
    config["build_input_shape"] = input_layer["config"]["batch_shape"];
    input_layer["module"] = "keras.layers";
    input_layer["registered_name"] = nullptr;
    list.push_back(std::move(input_layer));
  }
  // Each at Keras's place for it: its class and a counter, as its weights (not its own name).
  for (size_t i = 0; i < sublayers().size(); ++i) {
    list.push_back(writer.entry(*sublayers()[i], layers::keras_format::join(path, "layers/" + sublayer_names()[i])));
  }
  config["layers"] = std::move(list);
  return layers::keras_format::entry(*this, std::move(config), "keras");
}

Config Sequential::from_keras(const Config& entry, layers::keras_format::Reader& reader, const std::string& path,
                              const std::string& where) {
  Config out = entry;
  Config& list = out["config"]["layers"];
  if (!list.is_array()) throw Error(fmt::format("{}: expected \"layers\" as a list", where));
  layers::keras_format::SavedNames saved;
  for (size_t i = 0; i < list.size(); ++i) {
    Config& layer = list[i];
    const std::string name = layer.is_object() && layer.contains("config") && layer["config"].is_object()
                                 ? layer["config"].value("name", std::string())
                                 : std::string();
    const std::string label =
        fmt::format("layer {}{}{}", i, layers::detail::class_label(layer), name.empty() ? "" : " \"" + name + "\"");
    const std::string kind = layer.is_object() ? layer.value("class_name", std::string()) : std::string();
    layer = reader.entry(layer, layers::keras_format::join(path, "layers/" + saved.next(kind)),
                         where.empty() ? label : where + " " + label);
  }
  // tkeras's model takes what its first layer makes of Keras's inputs (a TextVectorization: the
  // token ids of Keras's strings).
  if (list.size() > 1 && layers::Input::is_entry(list[0]) &&
      !layers::detail::made_by_custom_object(list[1], reader.custom_objects())) {
    list[0]["config"] =
        layers::detail::deserialize(list[1], reader.custom_objects())->from_keras_input(list[0]["config"]);
  }
  return out;
}

io::onnx::Value Sequential::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  io::onnx::Value x = inputs;
  for (const auto& layer : sublayers()) x = layer->to_onnx(graph, x);
  return x;
}

}  // namespace tkeras
