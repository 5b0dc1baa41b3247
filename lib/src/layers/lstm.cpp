// LSTM: its options as Recurrent's settings (the recurrence is in recurrent.cpp).
#include "tkeras/layers/lstm.h"

#include "layers/registry.h"

namespace tkeras::layers {

LSTM::LSTM(int64_t units, LSTMOptions options)
    : Recurrent("lstm", Cell::kLSTM,
                with_weight_options(Settings{.units = units,
                                             .activation = options.activation,
                                             .recurrent_activation = options.recurrent_activation,
                                             .use_bias = options.use_bias,
                                             .unit_forget_bias = options.unit_forget_bias,
                                             .return_sequences = options.return_sequences,
                                             .go_backwards = options.go_backwards,
                                             .reset_after = false},
                                    options)) {}

const registry::Registrar<LSTM> lstm_registration("LSTM");

std::shared_ptr<LSTM> LSTM::from_config(const Config& config) {
  const Settings s = read_settings(config, "LSTM", /*unit_forget_bias=*/true, /*reset_after=*/false);
  return configured(
      std::make_shared<LSTM>(s.units, options_with_weights(LSTMOptions{.activation = s.activation,
                                                                       .recurrent_activation = s.recurrent_activation,
                                                                       .use_bias = s.use_bias,
                                                                       .unit_forget_bias = s.unit_forget_bias,
                                                                       .return_sequences = s.return_sequences,
                                                                       .go_backwards = s.go_backwards},
                                                           s)),
      config);
}

}  // namespace tkeras::layers
