// GRU: its options as Recurrent's settings (the recurrence is in recurrent.cpp).
#include "tkeras/layers/gru.h"

#include "layers/registry.h"

namespace tkeras::layers {

GRU::GRU(int64_t units, GRUOptions options)
    : Recurrent("gru", Cell::kGRU,
                with_weight_options(Settings{.units = units,
                                             .activation = options.activation,
                                             .recurrent_activation = options.recurrent_activation,
                                             .use_bias = options.use_bias,
                                             .unit_forget_bias = false,
                                             .return_sequences = options.return_sequences,
                                             .go_backwards = options.go_backwards,
                                             .reset_after = options.reset_after},
                                    options)) {}

const registry::Registrar<GRU> gru_registration("GRU");

std::shared_ptr<GRU> GRU::from_config(const Config& config) {
  const Settings s = read_settings(config, "GRU", /*unit_forget_bias=*/false, /*reset_after=*/true);
  return configured(
      std::make_shared<GRU>(s.units, options_with_weights(GRUOptions{.activation = s.activation,
                                                                     .recurrent_activation = s.recurrent_activation,
                                                                     .use_bias = s.use_bias,
                                                                     .return_sequences = s.return_sequences,
                                                                     .go_backwards = s.go_backwards,
                                                                     .reset_after = s.reset_after},
                                                          s)),
      config);
}

}  // namespace tkeras::layers
