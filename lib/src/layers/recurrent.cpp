// Recurrent: Keras's RNN loop over SimpleRNN, LSTM and GRU cells, on LibTorch's sequence kernels
// where they apply and on Keras's cell equations step by step elsewhere.
#include "tkeras/layers/recurrent.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "layers/onnx_export.h"
#include "layers/weight_options.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {

Recurrent::Recurrent(std::string_view base_name, Cell cell, const Settings& settings)
    : Layer(base_name),
      cell_(cell),
      units_(settings.units),
      activation_name_(activations::canonical_name(settings.activation)),
      recurrent_activation_name_(activations::canonical_name(settings.recurrent_activation)),
      activation_(activations::get(settings.activation)),
      recurrent_activation_(activations::get(settings.recurrent_activation)),
      use_bias_(settings.use_bias),
      unit_forget_bias_(settings.unit_forget_bias),
      return_sequences_(settings.return_sequences),
      go_backwards_(settings.go_backwards),
      reset_after_(settings.reset_after),
      kernel_options_(settings.kernel),
      recurrent_options_(settings.recurrent),
      bias_options_(settings.bias) {
  if (units_ <= 0) throw Error(fmt::format("{}: expected a positive number of units, received {}", base_name, units_));
  for (const WeightOptions* options : {&kernel_options_, &recurrent_options_, &bias_options_}) {
    weight_options::check(base_name, *options);
  }
  set_activity_regularizer(settings.activity_regularizer);
}

Recurrent::Settings Recurrent::read_settings(const Config& config, const std::string& class_name, bool unit_forget_bias,
                                             bool reset_after) {
  const ConfigReader read(config);
  for (const char* rate : {"dropout", "recurrent_dropout"}) {
    if (read.number(rate, 0.0) != 0.0) {
      throw Error(
          fmt::format("{}: {} = {} is not supported by tkeras; expected 0 (put a Dropout layer before or "
                      "after the {} instead)",
                      class_name, rate, read.number(rate, 0.0), class_name));
    }
  }
  for (const char* flag : {"return_state", "stateful"}) {
    if (read.boolean(flag, false)) {
      throw Error(fmt::format("{}: {} = true is not supported by tkeras; expected false", class_name, flag));
    }
  }
  return {.units = read.positive_int("units"),
          .activation = read.string("activation", "tanh"),
          .recurrent_activation = read.string("recurrent_activation", "sigmoid"),
          .use_bias = read.boolean("use_bias", true),
          .unit_forget_bias = unit_forget_bias && read.boolean("unit_forget_bias", true),
          .return_sequences = read.boolean("return_sequences", false),
          .go_backwards = read.boolean("go_backwards", false),
          .reset_after = reset_after && read.boolean("reset_after", true),
          .kernel = weight_options::read(config, "kernel", "glorot_uniform"),
          .recurrent = weight_options::read(config, "recurrent", "orthogonal"),
          .bias = weight_options::read(config, "bias", "zeros"),
          // Layer's own option, which configured() restores from the config.
          .activity_regularizer = {}};
}

Config Recurrent::get_config() const {
  Config config = Layer::get_config();
  config["units"] = units_;
  config["activation"] = activation_name_;
  if (cell_ != Cell::kSimpleRNN) config["recurrent_activation"] = recurrent_activation_name_;
  config["use_bias"] = use_bias_;
  if (cell_ == Cell::kLSTM) config["unit_forget_bias"] = unit_forget_bias_;
  config["return_sequences"] = return_sequences_;
  config["go_backwards"] = go_backwards_;
  if (cell_ == Cell::kGRU) config["reset_after"] = reset_after_;
  weight_options::write(config, "kernel", kernel_options_);
  weight_options::write(config, "recurrent", recurrent_options_);
  weight_options::write(config, "bias", bias_options_);
  return config;
}

int64_t Recurrent::gates() const {
  switch (cell_) {
    case Cell::kLSTM:
      return 4;
    case Cell::kGRU:
      return 3;
    case Cell::kSimpleRNN:
      break;
  }
  return 1;
}

Shape Recurrent::build_weights(const Shape& input_shape) {
  if (input_shape.size() != 2) {
    throw Error(
        fmt::format("{} \"{}\": expected inputs of shape (None, timesteps, features), received {}; a series "
                    "of single values needs a features axis of 1 (Reshape or Lambda)",
                    class_name(), name(), format_batch_shape(input_shape)));
  }
  const int64_t features = input_shape[1];
  const int64_t width = gates() * units_;
  kernel_ = add_weight("kernel", {features, width}, kernel_options_);
  recurrent_kernel_ = add_weight("recurrent_kernel", {units_, width}, recurrent_options_);
  if (use_bias_) {
    if (cell_ == Cell::kLSTM && unit_forget_bias_) {
      // As Keras's LSTMCell: the input gate's bias from the initializer, the forget gate's ones,
      // the cell's and output gate's from the initializer again.
      const torch::TensorOptions options = initializer_options();
      const torch::Tensor bias =
          torch::cat({initial_value(bias_options_.initializer, {units_}), torch::ones({units_}, options),
                      initial_value(bias_options_.initializer, {2 * units_})});
      bias_ = add_weight("bias", bias, /*trainable=*/true, regularizers::get(bias_options_.regularizer),
                         constraints::get(bias_options_.constraint));
    } else {
      bias_ = add_weight("bias", cell_ == Cell::kGRU && reset_after_ ? Shape{2, width} : Shape{width}, bias_options_);
    }
  }
  return return_sequences_ ? Shape{input_shape[0], units_} : Shape{units_};
}

torch::Tensor Recurrent::compute_mask(const torch::Tensor& /*inputs*/, const torch::Tensor& mask) const {
  return return_sequences_ ? mask : torch::Tensor();
}

torch::Tensor Recurrent::call(const torch::Tensor& inputs, bool training) {
  return call_with_mask(inputs, torch::Tensor(), training);
}

// LibTorch's sequence kernels compute exactly Keras's cells for the default activations; GRU's
// only in Keras's default reset_after form.
bool Recurrent::has_kernel(const torch::Tensor& mask) const {
  if (mask.defined()) return false;
  switch (cell_) {
    case Cell::kSimpleRNN:
      return activation_name_ == "tanh" || activation_name_ == "relu";
    case Cell::kLSTM:
      return activation_name_ == "tanh" && recurrent_activation_name_ == "sigmoid";
    case Cell::kGRU:
      return activation_name_ == "tanh" && recurrent_activation_name_ == "sigmoid" && reset_after_;
  }
  return false;
}

torch::Tensor Recurrent::call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) {
  if (inputs.dim() != 3 || inputs.size(2) != kernel_.size(0)) {
    throw Error(fmt::format("{} \"{}\": expected inputs of shape (None, timesteps, {}), received {}", class_name(),
                            name(), kernel_.size(0), format_shape(inputs.sizes().vec())));
  }
  if (inputs.size(1) == 0) {
    throw Error(fmt::format("{} \"{}\": expected at least one time step, received inputs of shape {}", class_name(),
                            name(), format_shape(inputs.sizes().vec())));
  }
  if (mask.defined() && (mask.dim() != 2 || mask.size(0) != inputs.size(0) || mask.size(1) != inputs.size(1))) {
    throw Error(fmt::format("{} \"{}\": expected a mask of shape [{}, {}] (batch, timesteps), received {}",
                            class_name(), name(), inputs.size(0), inputs.size(1), format_shape(mask.sizes().vec())));
  }
  const torch::Tensor x = go_backwards_ ? inputs.flip(1) : inputs;
  if (has_kernel(mask)) return run_kernel(x, training);
  return run_steps(x, mask.defined() && go_backwards_ ? mask.flip(1) : mask);
}

namespace {

// Keras's GRU gates are z, r, h; LibTorch's r, z, n: swaps the first two blocks of `units` along `dim`.
torch::Tensor keras_to_torch_gru(const torch::Tensor& weight, int64_t units, int64_t dim) {
  return torch::cat(
      {weight.narrow(dim, units, units), weight.narrow(dim, 0, units), weight.narrow(dim, 2 * units, units)}, dim);
}

}  // namespace

torch::Tensor Recurrent::run_kernel(const torch::Tensor& x, bool training) const {
  // LibTorch's weights are [gates * units, in] with the gates in rows: the transposes of Keras's.
  // LSTM's gate order (i, f, c, o) is LibTorch's; GRU's is reordered. The transposes are copied to
  // contiguous tensors once per call (small next to the sequence): LibTorch's oneDNN RNN on the CPU
  // was about 8% slower over the whole train step when given the transposed views themselves
  // (tkeras-lstm-bench, docs/benchmarks.md).
  std::vector<torch::Tensor> params;
  if (cell_ == Cell::kGRU) {
    params = {keras_to_torch_gru(kernel_, units_, 1).t().contiguous(),
              keras_to_torch_gru(recurrent_kernel_, units_, 1).t().contiguous()};
    if (use_bias_) {
      params.push_back(keras_to_torch_gru(bias_[0], units_, 0));
      params.push_back(keras_to_torch_gru(bias_[1], units_, 0));
    }
  } else {
    params = {kernel_.t().contiguous(), recurrent_kernel_.t().contiguous()};
    if (use_bias_) {
      params.push_back(bias_);
      params.push_back(torch::zeros_like(bias_));
    }
  }
  const torch::Tensor h0 = torch::zeros({1, x.size(0), units_}, x.options());
  torch::Tensor outputs;
  switch (cell_) {
    case Cell::kLSTM:
      outputs = std::get<0>(at::lstm(x, {h0, h0}, params, use_bias_, /*num_layers=*/1, /*dropout=*/0.0, training,
                                     /*bidirectional=*/false, /*batch_first=*/true));
      break;
    case Cell::kGRU:
      outputs = std::get<0>(at::gru(x, h0, params, use_bias_, 1, 0.0, training, false, true));
      break;
    case Cell::kSimpleRNN:
      outputs = activation_name_ == "tanh"
                    ? std::get<0>(at::rnn_tanh(x, h0, params, use_bias_, 1, 0.0, training, false, true))
                    : std::get<0>(at::rnn_relu(x, h0, params, use_bias_, 1, 0.0, training, false, true));
      break;
  }
  return return_sequences_ ? outputs : outputs.select(1, outputs.size(1) - 1);
}

// One step of Keras's cell. `projected` is the step's inputs times the kernel (plus the input
// bias); returns the new state h, and updates `c` (LSTM's carry) in place.
torch::Tensor Recurrent::step(const torch::Tensor& projected, const torch::Tensor& h, torch::Tensor& c) const {
  switch (cell_) {
    case Cell::kSimpleRNN:
      return activation_(projected + torch::mm(h, recurrent_kernel_));
    case Cell::kLSTM: {
      const std::vector<torch::Tensor> z = (projected + torch::mm(h, recurrent_kernel_)).chunk(4, 1);
      const torch::Tensor i = recurrent_activation_(z[0]);
      const torch::Tensor f = recurrent_activation_(z[1]);
      const torch::Tensor o = recurrent_activation_(z[3]);
      c = f * c + i * activation_(z[2]);
      return o * activation_(c);
    }
    case Cell::kGRU: {
      const std::vector<torch::Tensor> x = projected.chunk(3, 1);
      torch::Tensor inner;
      if (reset_after_) {
        inner = torch::mm(h, recurrent_kernel_);
        if (use_bias_) inner = inner + bias_[1];
      } else {
        inner = torch::mm(h, recurrent_kernel_.narrow(1, 0, 2 * units_));
      }
      const std::vector<torch::Tensor> r_inner = inner.chunk(reset_after_ ? 3 : 2, 1);
      const torch::Tensor z = recurrent_activation_(x[0] + r_inner[0]);
      const torch::Tensor r = recurrent_activation_(x[1] + r_inner[1]);
      const torch::Tensor candidate =
          reset_after_ ? activation_(x[2] + r * r_inner[2])
                       : activation_(x[2] + torch::mm(r * h, recurrent_kernel_.narrow(1, 2 * units_, units_)));
      return z * h + (1 - z) * candidate;
    }
  }
  return h;
}

torch::Tensor Recurrent::run_steps(const torch::Tensor& x, const torch::Tensor& mask) const {
  // The input projection of all steps at once, then the recurrence.
  torch::Tensor projected = torch::matmul(x, kernel_);
  if (use_bias_) projected = projected + (cell_ == Cell::kGRU && reset_after_ ? bias_[0] : bias_);
  torch::Tensor h = torch::zeros({x.size(0), units_}, x.options());
  torch::Tensor c = cell_ == Cell::kLSTM ? torch::zeros_like(h) : torch::Tensor();
  const torch::Tensor keep = mask.defined() ? mask.to(torch::kBool).unsqueeze(2) : torch::Tensor();
  std::vector<torch::Tensor> outputs;
  outputs.reserve(return_sequences_ ? static_cast<size_t>(x.size(1)) : 0);
  for (int64_t t = 0; t < x.size(1); ++t) {
    torch::Tensor next_c = c;
    torch::Tensor next_h = step(projected.select(1, t), h, next_c);
    torch::Tensor output = next_h;
    if (keep.defined()) {
      // A masked step keeps the previous state, and repeats the previous output (the output is
      // the state h in all three cells) or, inside Bidirectional with return_sequences, outputs
      // zeros, as Keras's zero_output_for_mask.
      const torch::Tensor m = keep.select(1, t);
      next_h = torch::where(m, next_h, h);
      if (c.defined()) next_c = torch::where(m, next_c, c);
      output = zero_output_for_mask_ ? torch::where(m, next_h, torch::zeros({}, next_h.options())) : next_h;
    }
    h = next_h;
    c = next_c;
    if (return_sequences_) outputs.push_back(output);
  }
  return return_sequences_ ? torch::stack(outputs, 1) : h;
}

KerasWeightsPlace Recurrent::keras_weights_place() const {
  return {.vars = "cell/vars", .vars_name = base_name() + "_cell", .sublayers = ""};
}

io::onnx::Value Recurrent::to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const {
  io::onnx::Value out = onnx_recurrence(graph, inputs, *this, nullptr, "");
  if (return_sequences_ && inputs.mask) out.mask = inputs.mask;
  return out;
}

// ONNX's RNN, LSTM or GRU operator on this layer's weights (and, for a Bidirectional `owner`, on
// `backward`'s too, merged by `merge_mode`). Keras's kernel [in, gates*units], recurrent kernel
// [units, gates*units] and bias become ONNX's W [gates*units, in], R and B [2*gates*units], the
// gates in ONNX's order (LSTM: i, o, f, c).
io::onnx::Value Recurrent::onnx_recurrence(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs,
                                           const Layer& owner, const Recurrent* backward,
                                           const std::string& merge_mode) const {
  using io::onnx::Attribute;
  if (inputs.mask) {
    onnx_export::refuse(owner,
                        "it is fed a mask (Embedding with mask_zero), and ONNX's recurrent operators take only "
                        "sequences padded at the end; export a model without mask_zero");
  }
  const bool lstm = cell_ == Cell::kLSTM;
  const bool gru = cell_ == Cell::kGRU;
  const std::string op = lstm ? "LSTM" : gru ? "GRU" : "RNN";
  const int64_t gate_count = gates();
  const bool reset_after = gru && reset_after_;
  const auto convert = [&](const Recurrent& layer) {
    const auto reorder = [&](const torch::Tensor& t) {  // along dim 0, in chunks of units
      if (!lstm) return t;
      const auto chunks = t.chunk(4, 0);
      return torch::cat({chunks[0], chunks[3], chunks[1], chunks[2]}, 0);
    };
    const torch::Tensor w = reorder(onnx_export::weight(layer, "kernel").t());
    const torch::Tensor r = reorder(onnx_export::weight(layer, "recurrent_kernel").t());
    torch::Tensor bias = onnx_export::weight(layer, "bias");
    if (!bias.defined()) bias = torch::zeros({reset_after ? 2 : 1, gate_count * units_});
    const torch::Tensor b = reset_after
                                ? torch::cat({bias[0], bias[1]})
                                : torch::cat({reorder(bias.reshape({-1})), torch::zeros({gate_count * units_})});
    return std::array<torch::Tensor, 3>{w, r, b};
  };
  std::string direction = go_backwards_ ? "reverse" : "forward";
  std::array<torch::Tensor, 3> weights;
  if (backward != nullptr) {
    const auto forward_weights = convert(*this);
    const auto backward_weights = convert(*backward);
    for (size_t i = 0; i < 3; ++i) weights[i] = torch::stack({forward_weights[i], backward_weights[i]});
    direction = "bidirectional";
  } else {
    const auto own = convert(*this);
    for (size_t i = 0; i < 3; ++i) weights[i] = own[i].unsqueeze(0);
  }
  const auto onnx_activation = [&](const std::string& name) -> std::string {
    std::string type = onnx_export::activation_operator(name);
    if (type != "Tanh" && type != "Sigmoid" && type != "Relu") {
      onnx_export::refuse(owner,
                          fmt::format("activation \"{}\" has no counterpart in ONNX's {} operator here", name, op));
    }
    return type;
  };
  std::vector<std::string> activations;
  if (cell_ != Cell::kSimpleRNN) activations.push_back(onnx_activation(recurrent_activation_name_));
  activations.push_back(onnx_activation(activation_name_));
  if (lstm) activations.push_back(activations.back());
  if (backward != nullptr) {  // one list per direction
    const std::vector<std::string> forward = activations;
    activations.insert(activations.end(), forward.begin(), forward.end());
  }
  // (onnxruntime runs only layout 0, steps first: the input and outputs are transposed.)
  std::vector<Attribute> attributes = {Attribute::of("activations", activations), Attribute::of("direction", direction),
                                       Attribute::of("hidden_size", units_)};
  if (gru) attributes.push_back(Attribute::of("linear_before_reset", int64_t{reset_after ? 1 : 0}));
  const std::string& name = owner.name();
  const std::string steps_first =
      graph.op("Transpose", {inputs.name}, {Attribute::of("perm", std::vector<int64_t>{1, 0, 2})}, name);
  const auto raw = graph.op(op,
                            {steps_first, graph.constant(weights[0], name + "/W"),
                             graph.constant(weights[1], name + "/R"), graph.constant(weights[2], name + "/B")},
                            attributes, name, 2);
  // Y [steps, directions, batch, units] and Y_h [directions, batch, units], batch first:
  // [batch, steps, directions, units] and [batch, directions, units].
  const std::vector<std::string> outputs = {
      graph.op("Transpose", {raw[0]}, {Attribute::of("perm", std::vector<int64_t>{2, 0, 1, 3})}, name),
      graph.op("Transpose", {raw[1]}, {Attribute::of("perm", std::vector<int64_t>{1, 0, 2})}, name)};
  io::onnx::Value out{.name = "", .shape = owner.output_shape(), .mask = std::nullopt};
  const bool sequences = return_sequences_;
  if (backward == nullptr) {
    if (sequences) {
      out.name = graph.op("Squeeze", {outputs[0], graph.ints({2}, name + "/axes")}, {}, name);
      // Keras's go_backwards returns the steps in the order it took them, ONNX in the input's.
      if (direction == "reverse") {
        out.name = graph.op("Slice",
                            {out.name, graph.ints({-1}, name + "/starts"), graph.ints({INT64_MIN}, name + "/ends"),
                             graph.ints({1}, name + "/slice_axes"), graph.ints({-1}, name + "/steps")},
                            {}, name);
      }
    } else {
      out.name = graph.op("Squeeze", {outputs[1], graph.ints({1}, name + "/axes")}, {}, name);
    }
    return out;
  }
  // Bidirectional: the backward steps are in the input's order in both Keras and ONNX.
  const std::string both = sequences ? outputs[0] : outputs[1];
  const int64_t axis = sequences ? 2 : 1;
  if (merge_mode == "concat") {
    out.name = graph.op(
        "Reshape",
        {both, graph.ints(sequences ? std::vector<int64_t>{0, 0, 2 * units_} : std::vector<int64_t>{0, 2 * units_},
                          name + "/shape")},
        {}, name);
  } else if (merge_mode ==
             "sum") {  // ReduceSum takes its axes as an input, ReduceMean (until opset 18) as an attribute
    out.name = graph.op("ReduceSum", {both, graph.ints({axis}, name + "/axes")},
                        {Attribute::of("keepdims", int64_t{0})}, name);
  } else if (merge_mode == "ave") {
    out.name =
        graph.op("ReduceMean", {both},
                 {Attribute::of("axes", std::vector<int64_t>{axis}), Attribute::of("keepdims", int64_t{0})}, name);
  } else if (merge_mode == "mul") {
    const auto halves = graph.op("Split", {both}, {Attribute::of("axis", axis)}, name, 2);
    out.name = graph.op(
        "Squeeze", {graph.op("Mul", {halves[0], halves[1]}, {}, name), graph.ints({axis}, name + "/axes")}, {}, name);
  } else {
    onnx_export::refuse(owner, fmt::format("merge_mode \"{}\" has no ONNX counterpart here", merge_mode));
  }
  return out;
}

}  // namespace tkeras::layers
