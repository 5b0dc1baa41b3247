// SimpleRNN: its options as Recurrent's settings (the recurrence is in recurrent.cpp).
#include "tkeras/layers/simple_rnn.h"

#include "layers/registry.h"

namespace tkeras::layers {

SimpleRNN::SimpleRNN(int64_t units, SimpleRNNOptions options)
    : Recurrent("simple_rnn", Cell::kSimpleRNN,
                with_weight_options(Settings{.units = units,
                                             .activation = options.activation,
                                             .recurrent_activation = "sigmoid",
                                             .use_bias = options.use_bias,
                                             .unit_forget_bias = false,
                                             .return_sequences = options.return_sequences,
                                             .go_backwards = options.go_backwards,
                                             .reset_after = false},
                                    options)) {}

const registry::Registrar<SimpleRNN> simple_rnn_registration("SimpleRNN");

std::shared_ptr<SimpleRNN> SimpleRNN::from_config(const Config& config) {
  const Settings s = read_settings(config, "SimpleRNN", /*unit_forget_bias=*/false, /*reset_after=*/false);
  return configured(
      std::make_shared<SimpleRNN>(s.units, options_with_weights(SimpleRNNOptions{.activation = s.activation,
                                                                                 .use_bias = s.use_bias,
                                                                                 .return_sequences = s.return_sequences,
                                                                                 .go_backwards = s.go_backwards},
                                                                s)),
      config);
}

}  // namespace tkeras::layers
