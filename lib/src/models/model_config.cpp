// Checking a model file's architecture and compile settings (no LibTorch).
#include "models/model_config.h"

#include <algorithm>
#include <array>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tkeras/core/error.h"

namespace tkeras::models::config {
namespace {

using nlohmann::json;

// No shape or weight count may exceed this (2^48 scalars): far beyond any real model, and
// small enough that products of two such numbers cannot overflow an int64.
constexpr int64_t kMaxValues = int64_t{1} << 48;

// Where a problem is: the file, and the layer if there is one.
struct Where {
  std::string_view path;
  std::string layer;  // "layer 3 (Conv2D)", or empty

  [[noreturn]] void fail(const std::string& problem) const {
    if (layer.empty()) throw Error(fmt::format("\"{}\": {}", path, problem));
    throw Error(fmt::format("\"{}\": model_config {}: {}", path, layer, problem));
  }
};

json parse(std::string_view text, std::string_view what, const Where& where) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) where.fail(fmt::format("{} is not a JSON object", what));
  return parsed;
}

const json& member(const json& object, std::string_view key, const Where& where) {
  const auto found = object.find(key);
  if (found == object.end()) where.fail(fmt::format("expected \"{}\", found none", key));
  return *found;
}

int64_t checked_multiply(int64_t a, int64_t b, const Where& where) {
  if (a != 0 && b > kMaxValues / a) where.fail(fmt::format("expected at most {} values, received more", kMaxValues));
  return a * b;
}

int64_t positive_int(const json& value, std::string_view key, const Where& where) {
  if (!value.is_number_integer() || value.get<int64_t>() <= 0 || value.get<int64_t>() > kMaxValues) {
    where.fail(fmt::format("expected \"{}\" as a positive integer, received {}", key, value.dump()));
  }
  return value.get<int64_t>();
}

int64_t positive_member(const json& config, std::string_view key, const Where& where) {
  return positive_int(member(config, key, where), key, where);
}

std::array<int64_t, 2> pair(const json& config, std::string_view key, const Where& where) {
  const json& value = member(config, key, where);
  if (!value.is_array() || value.size() != 2) {
    where.fail(fmt::format("expected \"{}\" as [height, width], received {}", key, value.dump()));
  }
  return {positive_int(value[0], key, where), positive_int(value[1], key, where)};
}

void require(const json& config, std::string_view key, bool (json::*is_type)() const noexcept, std::string_view type,
             const Where& where) {
  const json& value = member(config, key, where);
  if (!(value.*is_type)()) where.fail(fmt::format("expected \"{}\" as {}, received {}", key, type, value.dump()));
}

std::string padding(const json& config, const Where& where) {
  require(config, "padding", &json::is_string, "a string", where);
  const std::string mode = config["padding"].get<std::string>();
  if (mode != "valid" && mode != "same") {
    where.fail(fmt::format("expected \"padding\" \"valid\" or \"same\", received \"{}\"", mode));
  }
  return mode;
}

// The output size of windows over one axis, as the 2-D layers compute it.
int64_t windows(int64_t size, int64_t window, int64_t stride, bool same, const Where& where) {
  if (same) return (size + stride - 1) / stride;
  if (window > size) where.fail(fmt::format("window {} is larger than its input {}", window, size));
  return (size - window) / stride + 1;
}

Shape image(const Shape& input, const Where& where) {
  if (input.size() != 3) {
    where.fail(fmt::format("expected input of rank 4 (batch, height, width, channels), received {}",
                           format_batch_shape(input)));
  }
  return input;
}

int64_t count(const Shape& shape, const Where& where) {
  int64_t total = 1;
  for (int64_t size : shape) total = checked_multiply(total, size, where);
  return total;
}

Shape shape_list(const json& value, std::string_view key, bool batch_axis, const Where& where) {
  if (!value.is_array() || value.size() < (batch_axis ? 2u : 1u) || value.size() > 16) {
    where.fail(fmt::format("expected \"{}\" as a list of 1 to 15 sizes, received {}", key, value.dump()));
  }
  Shape shape;
  for (size_t i = 0; i < value.size(); ++i) {
    if (batch_axis && i == 0) {
      if (!value[0].is_null()) where.fail(fmt::format("expected \"{}\" to start with null, received {}", key, value.dump()));
      continue;
    }
    if (!batch_axis && value[i] == -1) {
      shape.push_back(-1);
      continue;
    }
    shape.push_back(positive_int(value[i], key, where));
  }
  return shape;
}

// Checks one layer's options and returns its output shape, adding its weights' scalars to
// `weight_values`.
Shape check_layer(const std::string& kind, const json& config, const Shape& input, int64_t& weight_values,
                  const Where& where) {
  const auto add_weights = [&](int64_t values) {
    weight_values += values;
    if (weight_values > kMaxValues) where.fail(fmt::format("expected at most {} weight values, received more", kMaxValues));
  };
  if (kind == "Dense") {
    const int64_t units = positive_member(config, "units", where);
    require(config, "activation", &json::is_string, "a string", where);
    require(config, "use_bias", &json::is_boolean, "true or false", where);
    if (input.empty()) where.fail("expected input with a feature axis, received (None,)");
    add_weights(checked_multiply(input.back(), units, where) + (config["use_bias"].get<bool>() ? units : 0));
    Shape output = input;
    output.back() = units;
    return output;
  }
  if (kind == "Flatten") return {count(input, where)};
  if (kind == "Activation") {
    require(config, "activation", &json::is_string, "a string", where);
    return input;
  }
  if (kind == "Dropout") {
    require(config, "rate", &json::is_number, "a number", where);
    const double rate = config["rate"].get<double>();
    if (!(rate >= 0.0 && rate < 1.0)) where.fail(fmt::format("expected \"rate\" in [0, 1), received {}", rate));
    return input;
  }
  if (kind == "Rescaling") {
    require(config, "scale", &json::is_number, "a number", where);
    require(config, "offset", &json::is_number, "a number", where);
    return input;
  }
  if (kind == "BatchNormalization") {
    require(config, "momentum", &json::is_number, "a number", where);
    require(config, "epsilon", &json::is_number, "a number", where);
    if (input.empty()) where.fail("expected input with a feature axis, received (None,)");
    add_weights(checked_multiply(4, input.back(), where));
    return input;
  }
  if (kind == "Reshape") {
    Shape target = shape_list(member(config, "target_shape", where), "target_shape", false, where);
    const int64_t total = count(input, where);
    int64_t known = 1;
    for (int64_t size : target) known = checked_multiply(known, size == -1 ? 1 : size, where);
    const auto unknown = std::find(target.begin(), target.end(), -1);
    if (std::count(target.begin(), target.end(), -1) > 1) where.fail("expected at most one -1 in \"target_shape\"");
    if (unknown != target.end() && total % known == 0) *unknown = total / known;
    if (unknown != target.end() ? *unknown <= 0 || total % known != 0 : known != total) {
      where.fail(fmt::format("cannot reshape input {} to {}", format_batch_shape(input), config["target_shape"].dump()));
    }
    return target;
  }
  if (kind == "GlobalAveragePooling2D") return {image(input, where)[2]};
  // The windowed layers: Conv2D and the pooling layers.
  const bool conv = kind == "Conv2D";
  const auto window = pair(config, conv ? "kernel_size" : "pool_size", where);
  const auto strides = pair(config, "strides", where);
  const bool same = padding(config, where) == "same";
  const Shape pixels = image(input, where);
  const int64_t height = windows(pixels[0], window[0], strides[0], same, where);
  const int64_t width = windows(pixels[1], window[1], strides[1], same, where);
  if (!conv) return {height, width, pixels[2]};
  const int64_t filters = positive_member(config, "filters", where);
  require(config, "activation", &json::is_string, "a string", where);
  require(config, "use_bias", &json::is_boolean, "true or false", where);
  const int64_t kernel = checked_multiply(checked_multiply(window[0] * window[1], pixels[2], where), filters, where);
  add_weights(kernel + (config["use_bias"].get<bool>() ? filters : 0));
  return {height, width, filters};
}

}  // namespace

CheckedModel check_model_config(std::string_view text, std::string_view path) {
  Where where{path, {}};
  const json model = parse(text, "model_config", where);
  const json& class_name = member(model, "class_name", where);
  if (class_name != "Sequential") {
    where.fail(fmt::format("expected a model_config of class \"Sequential\", received {}", class_name.dump()));
  }
  const json& config = member(model, "config", where);
  if (!config.is_object()) where.fail("expected model_config's \"config\" as an object");
  const json& layers = member(config, "layers", where);
  if (!layers.is_array() || layers.empty()) {
    where.fail(fmt::format("expected \"layers\" as a list starting with an InputLayer, received {}", layers.dump()));
  }

  CheckedModel checked;
  checked.layers = json::array();
  Shape shape;
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& layer = layers[i];
    where.layer = fmt::format("layer {}", i);
    if (!layer.is_object()) where.fail(fmt::format("expected an object, received {}", layer.dump()));
    const json& kind = member(layer, "class_name", where);
    const bool known = kind.is_string() && std::find(std::begin(kLayerClasses), std::end(kLayerClasses),
                                                     kind.get<std::string>()) != std::end(kLayerClasses);
    if (!known) {
      where.fail(fmt::format("unknown layer class {}; expected one of: {}", kind.dump(), fmt::join(kLayerClasses, ", ")));
    }
    where.layer = fmt::format("layer {} ({})", i, kind.get<std::string>());
    const json& options = member(layer, "config", where);
    if (!options.is_object()) where.fail(fmt::format("expected \"config\" as an object, received {}", options.dump()));
    if ((i == 0) != (kind == "InputLayer")) where.fail("expected an InputLayer first and only first");
    if (i == 0) {
      shape = shape_list(member(options, "batch_shape", where), "batch_shape", true, where);
      (void)count(shape, where);
      checked.input_shape = shape;
      continue;
    }
    shape = check_layer(kind.get<std::string>(), options, shape, checked.weight_values, where);
    checked.layers.push_back(layer);
  }
  return checked;
}

nlohmann::json check_compile_config(std::string_view text, std::string_view path) {
  const Where where{path, {}};
  json compile = parse(text, "compile_config", where);
  const json& optimizer = member(compile, "optimizer", where);
  if (!optimizer.is_object()) where.fail(fmt::format("expected \"optimizer\" as an object, received {}", optimizer.dump()));
  const json& kind = member(optimizer, "class_name", where);
  if (kind != "Adam" && kind != "SGD" && kind != "RMSprop") {
    where.fail(fmt::format("unknown optimizer class {}; expected one of: Adam, SGD, RMSprop", kind.dump()));
  }
  const json& options = member(optimizer, "config", where);
  if (!options.is_object()) where.fail("expected the optimizer's \"config\" as an object");
  for (const auto& [key, value] : options.items()) {
    if (!value.is_number() && !value.is_boolean()) {
      where.fail(fmt::format("expected optimizer option \"{}\" as a number or boolean, received {}", key, value.dump()));
    }
  }
  const json& loss = member(compile, "loss", where);
  if (!loss.is_null()) {
    if (!loss.is_object()) where.fail(fmt::format("expected \"loss\" as an object or null, received {}", loss.dump()));
    require(loss, "name", &json::is_string, "a string", where);
    require(loss, "from_logits", &json::is_boolean, "true or false", where);
  }
  const json& metrics = member(compile, "metrics", where);
  if (!metrics.is_array() || !std::all_of(metrics.begin(), metrics.end(), [](const json& m) { return m.is_string(); })) {
    where.fail(fmt::format("expected \"metrics\" as a list of names, received {}", metrics.dump()));
  }
  // Written since jit and precision exist; older files have neither.
  if (compile.contains("jit_compile")) require(compile, "jit_compile", &json::is_boolean, "true or false", where);
  if (compile.contains("precision")) require(compile, "precision", &json::is_string, "a string", where);
  return compile;
}

}  // namespace tkeras::models::config
