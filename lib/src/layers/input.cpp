// Input: the declared sample shape.
#include "tkeras/layers/input.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "layers/keras_format.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Input::Input(Shape shape, const InputOptions& options)
    : Layer("input_layer", options.name), shape_(std::move(shape)), dtype_(options.dtype) {
  static const std::set<std::string> kDtypes = {"float32", "int32", "int64", "uint8", "bool", "string"};
  if (!kDtypes.contains(dtype_)) {
    throw Error(fmt::format("Input: expected a dtype of {}, received \"{}\"", fmt::join(kDtypes, ", "), dtype_));
  }
  if (shape_.empty()) throw Error(fmt::format("Input: expected a shape with at least one axis, received ()"));
  for (int64_t size : shape_) {
    if (size <= 0) {
      throw Error(fmt::format("Input: expected a shape of positive sizes, received {}", format_batch_shape(shape_)));
    }
  }
}

const registry::Registrar<Input> input_registration("InputLayer");

std::shared_ptr<const Node> Input::input_node(const std::shared_ptr<Input>& input) {
  if (const auto nodes = input->inbound_nodes(); !nodes.empty()) return nodes.front();
  input->build(input->shape_);
  auto node = std::make_shared<Node>();
  node->layer = input;
  node->output_shapes = {input->shape_};
  node->output_dtypes = {input->dtype_};
  return input->record_call(std::move(node));
}

std::shared_ptr<Input> Input::from_config(const Config& config) {
  const ConfigReader read(config);
  const Config& batch_shape = read.at("batch_shape");
  if (!batch_shape.is_array() || batch_shape.size() < 2 || !batch_shape[0].is_null()) {
    throw Error(fmt::format("expected \"batch_shape\" as [null, size, ...], received {}", batch_shape.dump()));
  }
  Config sizes = Config::object();
  sizes["shape"] = Config(batch_shape.begin() + 1, batch_shape.end());
  auto input = std::make_shared<Input>(ConfigReader(sizes).shape("shape"),
                                       InputOptions{.name = {}, .dtype = read.string("dtype", "float32")});
  (void)element_count(input->shape());  // a shape whose size overflows is refused here
  if (read.has("name")) detail::restore_identity(*input, {{"name", config["name"]}});
  return input;
}

Config Input::entry_for(const Shape& shape) {
  Config batch_shape = Config::array({nullptr});
  for (int64_t size : shape) batch_shape.push_back(size);
  return {{"class_name", "InputLayer"}, {"config", {{"batch_shape", batch_shape}}}};
}

bool Input::is_entry(const Config& entry) {
  return entry.is_object() && entry.value("class_name", Config()) == "InputLayer";
}

Config Input::from_keras(const Config& entry, keras_format::Reader& reader, const std::string& /*path*/,
                         const std::string& where) {
  Config out = entry;
  Config& config = out["config"];
  if (const auto dtype = config.find("dtype"); dtype != config.end()) {
    const std::string name = dtype->is_null() ? "float32" : keras_format::dtype_name(*dtype);
    if (name != "float32" && name != "int32" && name != "int64" && name != "string" && name != "uint8" &&
        name != "bool") {
      throw Error(fmt::format(
          "{}: dtype \"{}\" is not supported; tkeras computes in float32 and takes float32, integer or string inputs",
          where, name));
    }
    // An integer input stays one (token ids for an Embedding); a string one is a TextVectorization's.
    if (name == "float32" || name == "string") {
      config.erase("dtype");
    } else {
      config["dtype"] = name;
    }
  }
  // Older Keras wrote the shape and batch size apart; batch_shape says it all.
  config.erase("shape");
  config.erase("batch_size");
  reader.check_options(out, where);
  return out;
}

Config Input::get_config() const {
  Config batch_shape = Config::array({nullptr});
  for (int64_t size : shape_) batch_shape.push_back(size);
  Config config = {{"name", name()}, {"batch_shape", batch_shape}};
  if (dtype_ != "float32") config["dtype"] = dtype_;
  return config;
}

torch::Tensor Input::call(const torch::Tensor& inputs, bool /*training*/) { return inputs; }

Shape Input::build_weights(const Shape& input_shape) {
  if (input_shape != shape_) {
    throw Error(fmt::format("InputLayer \"{}\": expected input shape {}, received {}", name(),
                            format_batch_shape(shape_), format_batch_shape(input_shape)));
  }
  return shape_;
}

}  // namespace tkeras::layers
